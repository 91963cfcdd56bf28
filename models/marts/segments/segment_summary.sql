-- Per family and segment: size and value, as of as_of_date.
with

memberships as (
    select * from {{ ref('customer_segment_memberships') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

members as (
    select
        memberships.segment_family,
        memberships.segment,
        memberships.as_of_date,
        customers.net_revenue_last_365_days,
        customers.net_revenue_lifetime,
        customers.orders_last_365_days,
        customers.order_count,
        customers.days_since_last_order
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
),

per_segment as (
    select
        segment_family,
        segment,
        as_of_date,
        count(*) as customers,
        sum(net_revenue_last_365_days) as net_revenue_last_365_days,
        sum(net_revenue_lifetime) as net_revenue_lifetime,
        sum(order_count) as orders_lifetime,
        avg(net_revenue_lifetime) as average_historical_clv,
        avg(cast(days_since_last_order as {{ type_double() }})) as average_days_since_last_order
    from members
    group by segment_family, segment, as_of_date
),

final as (
    select
        segment_family,
        segment,
        customers,
        cast(customers as {{ type_double() }})
        / sum(customers) over (partition by segment_family) as customer_share,
        net_revenue_last_365_days,
        net_revenue_last_365_days
        / nullif(sum(net_revenue_last_365_days) over (partition by segment_family), 0)
            as net_revenue_last_365_days_share,
        net_revenue_lifetime / nullif(orders_lifetime, 0) as average_order_value,
        average_historical_clv,
        average_days_since_last_order,
        as_of_date
    from per_segment
)

select * from final
