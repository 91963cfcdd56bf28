-- Customer revenue in dim_customers must sum to the purchases in fct_orders (a fan-out or a lost join
-- in the customer 360 breaks it). Tolerance: a cent per customer of float rounding.
with

customers as (
    select
        sum(net_revenue_lifetime) as net_revenue,
        sum(order_count) as orders,
        count(*) as customers
    from {{ ref('dim_customers') }}
),

orders as (
    select
        sum(net_revenue_reporting) as net_revenue,
        count(*) as orders
    from {{ ref('fct_orders') }}
    where is_purchase
)

select
    customers.net_revenue as customer_net_revenue,
    orders.net_revenue as order_net_revenue,
    customers.orders as customer_orders,
    orders.orders as purchase_orders
from customers
cross join orders
where
    abs(coalesce(customers.net_revenue, 0) - coalesce(orders.net_revenue, 0)) > 0.01 * greatest(customers.customers, 1)
    or coalesce(customers.orders, 0) <> coalesce(orders.orders, 0)
