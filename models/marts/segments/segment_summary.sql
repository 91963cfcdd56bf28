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

-- Shares are of all customers and all revenue, so they read the same for exclusive families (where they
-- add up to 1) and for behavioural tags (which overlap).
totals as (
    select
        count(*) as all_customers,
        sum(net_revenue_last_365_days) as all_net_revenue_last_365_days
    from customers
),

final as (
    select
        per_segment.segment_family,
        per_segment.segment,
        per_segment.customers,
        cast(per_segment.customers as {{ type_double() }}) / totals.all_customers as customer_share,
        per_segment.net_revenue_last_365_days,
        per_segment.net_revenue_last_365_days / nullif(totals.all_net_revenue_last_365_days, 0)
            as net_revenue_last_365_days_share,
        per_segment.net_revenue_lifetime / nullif(per_segment.orders_lifetime, 0) as average_order_value,
        per_segment.average_historical_clv,
        per_segment.average_days_since_last_order,
        per_segment.as_of_date
    from per_segment
    cross join totals
)

select * from final
