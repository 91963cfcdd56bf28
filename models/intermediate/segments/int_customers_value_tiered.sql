-- One row per customer of dim_customers with a spend tier and an average-order-value tier and the
-- quantiles in force (continuous, linear interpolation). spend_tier ranks net_revenue_last_365_days among
-- customers with an order in the last 365 days (orders_last_365_days > 0): 'high' above quantile
-- spend_tier_high_quantile, 'low' below quantile spend_tier_low_quantile, 'medium' otherwise (the
-- boundaries themselves are medium), 'none' without an order in 365 days. aov_tier does the same on
-- average_order_value among customers with at least one order, by aov_tier_high_quantile and
-- aov_tier_low_quantile; 'none' without orders.
{%- set spend_high_quantile = validated_quantile('spend_tier_high_quantile', var('spend_tier_high_quantile')) %}
{%- set spend_low_quantile = validated_quantile('spend_tier_low_quantile', var('spend_tier_low_quantile')) %}
{%- set aov_high_quantile = validated_quantile('aov_tier_high_quantile', var('aov_tier_high_quantile')) %}
{%- set aov_low_quantile = validated_quantile('aov_tier_low_quantile', var('aov_tier_low_quantile')) %}
{%- if spend_low_quantile > spend_high_quantile or aov_low_quantile > aov_high_quantile %}
    {{ exceptions.raise_compiler_error("value tiers: a *_low_quantile var must not exceed its *_high_quantile") }}
{%- endif %}
with

customers as (
    select * from {{ ref('dim_customers') }}
),

spend_quantiles as (
    select
        cast(
            {{ quantile_continuous('net_revenue_last_365_days', spend_high_quantile) }} as {{ type_double() }}
        ) as spend_tier_high_threshold,
        cast(
            {{ quantile_continuous('net_revenue_last_365_days', spend_low_quantile) }} as {{ type_double() }}
        ) as spend_tier_low_threshold
    from customers
    where orders_last_365_days > 0
),

aov_quantiles as (
    select
        cast(
            {{ quantile_continuous('average_order_value', aov_high_quantile) }} as {{ type_double() }}
        ) as aov_tier_high_threshold,
        cast(
            {{ quantile_continuous('average_order_value', aov_low_quantile) }} as {{ type_double() }}
        ) as aov_tier_low_threshold
    from customers
    where order_count > 0
),

tiered as (
    select
        customers.customer_id,
        customers.net_revenue_last_365_days,
        customers.average_order_value,
        case
            when customers.orders_last_365_days = 0 then 'none'
            when customers.net_revenue_last_365_days > spend_quantiles.spend_tier_high_threshold then 'high'
            when customers.net_revenue_last_365_days < spend_quantiles.spend_tier_low_threshold then 'low'
            else 'medium'
        end as spend_tier,
        case
            when customers.order_count = 0 or customers.average_order_value is null then 'none'
            when customers.average_order_value > aov_quantiles.aov_tier_high_threshold then 'high'
            when customers.average_order_value < aov_quantiles.aov_tier_low_threshold then 'low'
            else 'medium'
        end as aov_tier,
        spend_quantiles.spend_tier_high_threshold,
        spend_quantiles.spend_tier_low_threshold,
        aov_quantiles.aov_tier_high_threshold,
        aov_quantiles.aov_tier_low_threshold
    from customers
    cross join spend_quantiles
    cross join aov_quantiles
),

final as (
    select
        customer_id,
        spend_tier,
        aov_tier,
        net_revenue_last_365_days,
        average_order_value,
        spend_tier_high_threshold,
        spend_tier_low_threshold,
        aov_tier_high_threshold,
        aov_tier_low_threshold,
        cast({{ spend_high_quantile }} as {{ type_double() }}) as spend_tier_high_quantile,
        cast({{ spend_low_quantile }} as {{ type_double() }}) as spend_tier_low_quantile,
        cast({{ aov_high_quantile }} as {{ type_double() }}) as aov_tier_high_quantile,
        cast({{ aov_low_quantile }} as {{ type_double() }}) as aov_tier_low_quantile
    from tiered
)

select * from final
