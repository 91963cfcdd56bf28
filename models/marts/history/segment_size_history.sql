-- Size and 12-month net revenue of every segment at every snapshot date of segment_membership_history.
-- Shares are of all customers and all 12-month revenue at that date (as in segment_summary), so they add up
-- to 1 within an exclusive family and overlap within behaviour and lifecycle_event.
with

history as (
    select * from {{ ref('segment_membership_history') }}
),

-- each customer once per date, with their 12-month net revenue (the same in every family row)
customers_per_date as (
    select
        as_of_date,
        customer_id,
        max(net_revenue_last_365_days) as net_revenue_last_365_days
    from history
    group by as_of_date, customer_id
),

totals as (
    select
        as_of_date,
        count(*) as all_customers,
        sum(net_revenue_last_365_days) as all_net_revenue_last_365_days
    from customers_per_date
    group by as_of_date
),

per_segment as (
    select
        as_of_date,
        segment_family,
        segment,
        max(case when is_exclusive_family then 1 else 0 end) = 1 as is_exclusive_family,
        count(*) as customers,
        sum(net_revenue_last_365_days) as net_revenue_last_365_days
    from history
    group by as_of_date, segment_family, segment
),

final as (
    select
        per_segment.as_of_date,
        per_segment.segment_family,
        per_segment.segment,
        per_segment.is_exclusive_family,
        per_segment.customers,
        cast(per_segment.customers as {{ type_double() }}) / totals.all_customers as customer_share,
        per_segment.net_revenue_last_365_days,
        per_segment.net_revenue_last_365_days / nullif(totals.all_net_revenue_last_365_days, 0)
            as net_revenue_last_365_days_share
    from per_segment
    inner join totals
        on per_segment.as_of_date = totals.as_of_date
)

select * from final
