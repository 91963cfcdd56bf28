-- Every staged order is in fct_orders exactly once, with a customer that is in dim_customers;
-- everything else from the raw files is in quarantine (source_reconciliation proves that part).
with

staged_orders as (
    select order_id from {{ ref('stg_shop__orders') }}
),

fact_orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select customer_id from {{ ref('dim_customers') }}
),

orders_per_id as (
    select
        staged_orders.order_id,
        count(fact_orders.order_id) as fact_rows,
        count(customers.customer_id) as customer_matches
    from staged_orders
    left join fact_orders
        on staged_orders.order_id = fact_orders.order_id
    left join customers
        on fact_orders.customer_id = customers.customer_id
    group by staged_orders.order_id
)

select *
from orders_per_id
where fact_rows <> 1 or customer_matches <> 1
