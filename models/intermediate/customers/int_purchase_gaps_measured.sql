-- Days between a customer's consecutive purchase days (several orders on one day are one purchase day,
-- so gaps are never zero), summarised per customer. With one purchase day there are no gaps (nulls);
-- with two, one gap (mean = median, no spread).
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
            'ordered_date', 'day') }} as days_since_previous_purchase
    from purchase_days
),

final as (
    select
        customer_id,
        count(days_since_previous_purchase) as purchase_gaps,
        avg(cast(days_since_previous_purchase as {{ type_double() }})) as mean_days_between_orders,
        {{ quantile_continuous('days_since_previous_purchase', 0.5) }}
            as median_days_between_orders,
        stddev_samp(cast(days_since_previous_purchase as {{ type_double() }})) as stddev_days_between_orders
    from gaps_between_purchase_days
    group by customer_id
)

select * from final
