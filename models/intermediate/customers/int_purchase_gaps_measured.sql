-- Days between a customer's consecutive purchase days (several orders on one day are one purchase day,
-- so gaps are never zero), summarised per customer. With one purchase day there are no gaps (nulls);
-- with two, one gap (mean = median, no spread). The gap before the latest purchase day is kept apart:
-- it tells whether the customer's last purchase brought them back after a long absence.
with

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
    where is_purchase
),

purchase_days as (
    select distinct
        customer_id,
        ordered_date
    from orders
),

gaps_between_purchase_days as (
    select
        customer_id,
        {{ dbt.datediff(
            'lag(ordered_date) over (partition by customer_id order by ordered_date asc nulls last)',
            'ordered_date', 'day') }} as days_since_previous_purchase,
        row_number() over (partition by customer_id order by ordered_date desc nulls last) as recency_rank
    from purchase_days
),

final as (
    select
        customer_id,
        count(days_since_previous_purchase) as purchase_gaps,
        avg(cast(days_since_previous_purchase as {{ type_double() }})) as mean_days_between_orders,
        {{ quantile_continuous('days_since_previous_purchase', 0.5) }}
            as median_days_between_orders,
        stddev_samp(cast(days_since_previous_purchase as {{ type_double() }})) as stddev_days_between_orders,
        max(case when recency_rank = 1 then days_since_previous_purchase end) as days_between_last_two_purchases
    from gaps_between_purchase_days
    group by customer_id
)

select * from final
