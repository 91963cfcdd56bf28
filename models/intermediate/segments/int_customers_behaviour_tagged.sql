-- One row per customer of dim_customers with one boolean per behavioural tag (never null) and the
-- store-wide thresholds in force. Every rule reads its limits from vars (dbt_project.yml, "behavioural
-- tags and value tiers"). Store-wide statistics: the big-spender threshold is mean + k * population
-- stddev of net_revenue_last_365_days over customers with an order in the last 365 days
-- (orders_last_365_days > 0), who also give the average orders_last_365_days; the median
-- average_order_value is over customers with at least one order. Idle counts whole days like the
-- lifecycle grid: more than idle_after_days days from last_activity_at to as_of_date.
{%- set big_spender_stddevs = var('big_spender_stddevs') | float %}
{%- set coupon_lover_min_share = var('coupon_lover_min_share') | float %}
{%- set coupon_lover_min_orders = var('coupon_lover_min_orders') | int %}
{%- set thrifty_max_gap_cv = var('thrifty_max_gap_cv') | float %}
{%- set thrifty_min_purchase_days = var('thrifty_min_purchase_days') | int %}
{%- set frequent_returner_min_share = var('frequent_returner_min_share') | float %}
{%- set frequent_returner_min_orders = var('frequent_returner_min_orders') | int %}
{%- set indecisive_min_product_views = var('indecisive_min_product_views') | int %}
{%- set indecisive_min_sessions = var('indecisive_min_sessions') | int %}
{%- set newsletter_reader_min_opens = var('newsletter_reader_min_opens') | int %}
{%- set idle_after_days = var('idle_after_days') | int %}
{%- set trendy_min_new_collection_share = var('trendy_min_new_collection_share') | float %}
with

customers as (
    select * from {{ ref('dim_customers') }}
),

recent_purchaser_statistics as (
    select
        avg(cast(net_revenue_last_365_days as {{ type_double() }})) as mean_net_revenue_365,
        stddev_pop(cast(net_revenue_last_365_days as {{ type_double() }})) as stddev_net_revenue_365,
        avg(cast(orders_last_365_days as {{ type_double() }})) as purchaser_average_orders_365
    from customers
    where orders_last_365_days > 0
),

purchaser_statistics as (
    select
        cast(
            {{ quantile_continuous('average_order_value', 0.5) }} as {{ type_double() }}
        ) as median_average_order_value
    from customers
    where order_count > 0
),

thresholds as (
    select
        recent_purchaser_statistics.mean_net_revenue_365
        + {{ big_spender_stddevs }} * coalesce(recent_purchaser_statistics.stddev_net_revenue_365, 0)
            as big_spender_revenue_threshold,
        recent_purchaser_statistics.purchaser_average_orders_365,
        purchaser_statistics.median_average_order_value
    from recent_purchaser_statistics
    cross join purchaser_statistics
),

tagged as (
    select
        customers.customer_id,
        coalesce(customers.order_count = 1, false) as is_one_timer,
        coalesce(customers.order_count >= {{ lifecycle_loyal_min_orders() }}, false) as is_loyal,
        coalesce(
            customers.orders_last_365_days > 0
            and customers.net_revenue_last_365_days > thresholds.big_spender_revenue_threshold
            and customers.orders_last_365_days >= thresholds.purchaser_average_orders_365,
            false
        ) as is_big_spender,
        coalesce(
            customers.discounted_order_share >= {{ coupon_lover_min_share }}
            and customers.order_count >= {{ coupon_lover_min_orders }},
            false
        ) as is_coupon_lover,
        coalesce(
            customers.days_between_orders_cv <= {{ thrifty_max_gap_cv }}
            and customers.distinct_purchase_days >= {{ thrifty_min_purchase_days }}
            and customers.average_order_value < thresholds.median_average_order_value,
            false
        ) as is_thrifty,
        coalesce(
            customers.returned_item_share >= {{ frequent_returner_min_share }}
            and customers.order_count >= {{ frequent_returner_min_orders }},
            false
        ) as is_frequent_returner,
        coalesce(
            customers.returned_item_share = 0
            and customers.order_count >= {{ frequent_returner_min_orders }},
            false
        ) as is_no_returner,
        coalesce(
            customers.abandoned_carts_last_30_days > 0
            and (
                customers.last_order_date is null
                or customers.last_order_date < cast(customers.last_abandoned_cart_at as date)
            ),
            false
        ) as is_cart_abandoner,
        coalesce(
            customers.order_count = 0
            and (
                customers.product_views_last_30_days >= {{ indecisive_min_product_views }}
                or customers.sessions_last_30_days >= {{ indecisive_min_sessions }}
            ),
            false
        ) as is_indecisive_shopper,
        coalesce(customers.order_count = 0 and customers.total_sessions > 0, false) as is_registered_lead,
        coalesce(
            customers.is_subscribed
            and customers.email_opens_last_90_days >= {{ newsletter_reader_min_opens }},
            false
        ) as is_newsletter_reader,
        coalesce(
            {{ days_before_as_of('customers.last_activity_at') }}
            > {{ idle_after_days }},
            false
        ) as is_idle,
        coalesce(
            customers.new_collection_spend_share >= {{ trendy_min_new_collection_share }}
            and customers.order_count >= 1,
            false
        ) as is_trendy,
        coalesce(customers.low_stock_wishlist_items > 0, false) as has_low_stock_wishlist,
        thresholds.big_spender_revenue_threshold,
        thresholds.purchaser_average_orders_365,
        thresholds.median_average_order_value
    from customers
    cross join thresholds
),

final as (
    select
        customer_id,
        is_one_timer,
        is_loyal,
        is_big_spender,
        is_coupon_lover,
        is_thrifty,
        is_frequent_returner,
        is_no_returner,
        is_cart_abandoner,
        is_indecisive_shopper,
        is_registered_lead,
        is_newsletter_reader,
        is_idle,
        is_trendy,
        has_low_stock_wishlist,
        big_spender_revenue_threshold,
        purchaser_average_orders_365,
        median_average_order_value
    from tagged
)

select * from final
