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
        -- money as an exact decimal: an amount in the reporting currency (2-decimal prices times 6-decimal
        -- rates) has at most 8 decimals, so rounding each order to 8 recovers it exactly, and decimal sums do not
        -- depend on the order of the rows (a double sum does, in its last bits, and a mean rounded to 6 decimals
        -- can then straddle a rounding boundary: an incremental and a full build would disagree)
        sum(cast(round(net_revenue_reporting, 8) as decimal(38, 8))) as net_revenue_reporting
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
        cast(sum(case when purchase_day_number > 1 then net_revenue_reporting end) as {{ type_double() }})
        / nullif(count(case when purchase_day_number > 1 then 1 end), 0) as repeat_purchase_day_value_mean
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
        -- money rounded to 6 decimals, from exact sums: the fits and clusters must not change between runs
        -- (published rows must not change without new data) or between an incremental and a full build
        round(repeat_purchase_day_value_mean, 6) as monetary_value,
        cast(days_since_last_purchase as {{ dbt.type_bigint() }}) as days_since_last_purchase,
        round(
            cast(net_revenue_total as {{ type_double() }}) / cast(purchase_days as {{ type_double() }}), 6
        ) as purchase_day_value_mean
    from days_measured
)

select * from final
