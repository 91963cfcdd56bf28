-- One row per customer of dim_customers with the lifecycle events as booleans (never null) and the
-- store-wide thresholds they used. Churn and back-from-churn read the lifecycle cut-offs in force
-- (int_lifecycle_cutoffs_calibrated); the new-customer and first-basket rules read the vars of the
-- "lifecycle events" block of dbt_project.yml.
--   quick churn: churned while a one-timer (exactly 1 purchase); late churn: churned with 2 or more.
--   back from churn: the latest purchase came more than churn_after_days after the one before it, and the
--     customer is not churned again.
--   new customer: first purchase within the last new_customer_window_days days; high potential when the
--     first-period measure is at or above the (1 - new_high_potential_top_share) quantile of new customers,
--     low potential otherwise.
--   large first basket: first purchase's net revenue at or above the large_first_basket_quantile quantile
--     of all customers' first purchases; small below it.
{%- set new_customer_window_days = var('new_customer_window_days') | int %}
{%- set top_share = validated_quantile('new_high_potential_top_share', var('new_high_potential_top_share')) %}
{%- set large_basket_quantile = validated_quantile('large_first_basket_quantile', var('large_first_basket_quantile')) %}
{%- set measure = var('new_potential_measure') %}
{%- set measure_columns = {'net_revenue': 'net_revenue_first_period', 'orders': 'orders_first_period'} %}
{%- if measure not in measure_columns %}
    {{ exceptions.raise_compiler_error(
        "var new_potential_measure must be one of " ~ (measure_columns.keys() | list) ~ ", got '" ~ measure ~ "'") }}
{%- endif %}
{%- set measure_column = measure_columns[measure] %}
with

customers as (
    select * from {{ ref('dim_customers') }}
),

lifecycle as (
    select * from {{ ref('int_customers_lifecycle_staged') }}
),

cutoffs as (
    select * from {{ ref('int_lifecycle_cutoffs_calibrated') }}
),

customers_with_newness as (
    select
        *,
        coalesce(order_count > 0 and {{ within_last_days('first_order_date', new_customer_window_days) }}, false)
            as is_new_customer
    from customers
),

new_customer_statistics as (
    select
        cast(
            {{ quantile_continuous(measure_column, 1 - top_share) }} as {{ type_double() }}
        ) as new_high_potential_threshold
    from customers_with_newness
    where is_new_customer
),

first_basket_statistics as (
    select
        cast(
            {{ quantile_continuous('first_order_value', large_basket_quantile) }} as {{ type_double() }}
        ) as large_first_basket_threshold
    from customers
    where order_count > 0
),

flagged as (
    select
        customers_with_newness.customer_id,
        coalesce(lifecycle.recency_status = 'churned' and customers_with_newness.order_count = 1, false)
            as is_quick_churn,
        coalesce(lifecycle.recency_status = 'churned' and customers_with_newness.order_count >= 2, false)
            as is_late_churn,
        coalesce(
            customers_with_newness.days_between_last_two_purchases > cutoffs.churn_after_days
            and lifecycle.recency_status != 'churned',
            false
        ) as is_back_from_churn,
        coalesce(
            customers_with_newness.is_new_customer
            and customers_with_newness.{{ measure_column }} >= new_customer_statistics.new_high_potential_threshold,
            false
        ) as is_new_high_potential,
        coalesce(
            customers_with_newness.is_new_customer
            and customers_with_newness.{{ measure_column }} < new_customer_statistics.new_high_potential_threshold,
            false
        ) as is_new_low_potential,
        coalesce(
            customers_with_newness.order_count > 0
            and customers_with_newness.first_order_value >= first_basket_statistics.large_first_basket_threshold,
            false
        ) as has_large_first_basket,
        coalesce(
            customers_with_newness.order_count > 0
            and customers_with_newness.first_order_value < first_basket_statistics.large_first_basket_threshold,
            false
        ) as has_small_first_basket,
        new_customer_statistics.new_high_potential_threshold,
        first_basket_statistics.large_first_basket_threshold
    from customers_with_newness
    left join lifecycle
        on customers_with_newness.customer_id = lifecycle.customer_id
    cross join cutoffs
    cross join new_customer_statistics
    cross join first_basket_statistics
),

final as (
    select
        customer_id,
        is_quick_churn,
        is_late_churn,
        is_back_from_churn,
        is_new_high_potential,
        is_new_low_potential,
        has_large_first_basket,
        has_small_first_basket,
        new_high_potential_threshold,
        large_first_basket_threshold
    from flagged
)

select * from final
