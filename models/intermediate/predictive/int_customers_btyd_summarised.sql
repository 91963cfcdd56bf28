-- The buy-till-you-die (BTYD) summary of every purchaser as of as_of_date, the input of the BG/NBD and
-- Gamma-Gamma fits. A purchase is a purchase DAY (several orders on one day are one purchase, as in the
-- published CDNOW fits):
-- frequency = purchase days - 1 (repeat purchases), recency = first to last purchase day, customer_age (T) =
-- first purchase day to as_of_date, both in units of btyd_time_unit_days (7 = weeks); monetary_value = mean net
-- revenue per repeat purchase day (the first day excluded), null for one-time buyers.
{%- set time_unit_days = var('btyd_time_unit_days') %}
with

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
    where
        is_purchase
        and ordered_date <= {{ as_of_date() }}
),

purchase_days as (
    select
        customer_id,
        ordered_date,
        sum(net_revenue_reporting) as net_revenue_reporting
    from orders
    group by customer_id, ordered_date
),

purchase_days_numbered as (
    select
        customer_id,
        ordered_date,
        net_revenue_reporting,
        row_number() over (
            partition by customer_id
            order by ordered_date asc nulls last
        ) as purchase_day_number
    from purchase_days
),

summarised as (
    select
        customer_id,
        min(ordered_date) as first_purchase_date,
        max(ordered_date) as last_purchase_date,
        count(*) as purchase_days,
        sum(net_revenue_reporting) as net_revenue_total,
        avg(
            case when purchase_day_number > 1 then cast(net_revenue_reporting as {{ type_double() }}) end
        ) as repeat_purchase_day_value_mean
    from purchase_days_numbered
    group by customer_id
),

days_measured as (
    select
        *,
        {{ dbt.datediff(
            'first_purchase_date',
            'last_purchase_date',
            'day') }} as recency_days,
        {{ dbt.datediff(
            'first_purchase_date',
            as_of_date(),
            'day') }} as customer_age_days,
        {{ dbt.datediff(
            'last_purchase_date',
            as_of_date(),
            'day') }} as days_since_last_purchase
    from summarised
),

final as (
    select
        customer_id,
        first_purchase_date,
        last_purchase_date,
        {{ as_of_date() }} as as_of_date,
        cast({{ time_unit_days }} as {{ type_double() }}) as time_unit_days,
        cast(purchase_days as {{ dbt.type_bigint() }}) as purchase_days,
        cast(purchase_days - 1 as {{ dbt.type_bigint() }}) as frequency,
        cast(recency_days as {{ type_double() }}) / cast({{ time_unit_days }} as {{ type_double() }}) as recency,
        cast(customer_age_days as {{ type_double() }})
        / cast({{ time_unit_days }} as {{ type_double() }}) as customer_age,
        -- money rounded to 6 decimals: sums of doubles differ in their last bits from run to run (parallel
        -- aggregation), and the fits and clusters must not (published rows must not change without new data)
        round(repeat_purchase_day_value_mean, 6) as monetary_value,
        cast(days_since_last_purchase as {{ dbt.type_bigint() }}) as days_since_last_purchase,
        round(
            cast(net_revenue_total as {{ type_double() }}) / cast(purchase_days as {{ type_double() }}), 6
        ) as purchase_day_value_mean
    from days_measured
)

select * from final
