-- The customer 360: one row per registered customer as of as_of_date, everything a marketer segments on.
-- Counts are 0 and amounts 0 for customers without orders, events or emails; shares, rates and dates
-- without a denominator or an event are null. No raw PII: email_hash only.
with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

purchases as (
    select * from {{ ref('int_customers_purchases_aggregated') }}
),

purchase_gaps as (
    select * from {{ ref('int_purchase_gaps_measured') }}
),

product_preferences as (
    select * from {{ ref('int_customers_products_ranked') }}
),

web_activity as (
    select * from {{ ref('int_customers_web_activity') }}
),

email_engagement as (
    select * from {{ ref('int_customers_email_engaged') }}
),

predictions as (
    select * from {{ ref('customer_predictions') }}
),

clusters as (
    select * from {{ ref('customer_clusters') }}
),

profiles as (
    select
        customer_id,
        {{ hashed_email('email') }} as email_hash,
        created_at as signed_up_at,
        cast(created_at as date) as signup_date,
        {{ age_in_years('birth_date') }} as age_years,
        extract(month from birth_date) as birthday_month,
        gender,
        country_code,
        region,
        customer_type,
        household_income_reporting,
        loyalty_member_since_date,
        coalesce(loyalty_member_since_date <= {{ as_of_date() }}, false) as is_loyalty_member,
        coalesce(accepts_marketing, false) as accepts_marketing,
        acquisition_channel
    from customers
),

final as (
    select
        -- ids
        profiles.customer_id,
        profiles.email_hash,

        -- profile
        profiles.signed_up_at,
        profiles.signup_date,
        {{ days_before_as_of('profiles.signup_date') }}
            as days_since_signup,
        profiles.age_years,
        {{ band_label('profiles.age_years', var('age_band_upper_bounds')) }} as age_band,
        cast(profiles.birthday_month as {{ dbt.type_int() }}) as birthday_month,
        profiles.gender,
        profiles.country_code,
        profiles.region,
        profiles.customer_type,
        {{ band_label('profiles.household_income_reporting', var('income_band_upper_bounds')) }} as income_band,
        profiles.is_loyalty_member,
        profiles.loyalty_member_since_date,
        profiles.accepts_marketing,
        profiles.acquisition_channel,

        -- purchases
        cast(purchases.first_order_at as date) as first_order_date,
        cast(purchases.last_order_at as date) as last_order_date,
        coalesce(purchases.order_count, 0) as order_count,
        coalesce(purchases.distinct_purchase_days, 0) as distinct_purchase_days,
        {{ days_before_as_of('purchases.last_order_at') }}
            as days_since_last_order,
        {{ days_before_as_of('purchases.first_order_at') }}
            as tenure_days,
        coalesce(purchases.net_revenue_lifetime, 0) as net_revenue_lifetime,
        coalesce(purchases.net_revenue_last_30_days, 0) as net_revenue_last_30_days,
        coalesce(purchases.net_revenue_last_90_days, 0) as net_revenue_last_90_days,
        coalesce(purchases.net_revenue_last_365_days, 0) as net_revenue_last_365_days,
        coalesce(purchases.orders_last_30_days, 0) as orders_last_30_days,
        coalesce(purchases.orders_last_90_days, 0) as orders_last_90_days,
        coalesce(purchases.orders_last_365_days, 0) as orders_last_365_days,
        purchases.net_revenue_lifetime / nullif(purchases.order_count, 0) as average_order_value,
        cast(purchases.items_purchased as {{ type_double() }})
        / nullif(purchases.order_count, 0) as average_items_per_order,
        purchases.first_order_value,
        purchases.first_order_item_count,
        coalesce(purchases.net_revenue_first_period, 0) as net_revenue_first_period,
        coalesce(purchases.orders_first_period, 0) as orders_first_period,
        purchase_gaps.mean_days_between_orders,
        purchase_gaps.median_days_between_orders,
        purchase_gaps.stddev_days_between_orders / nullif(purchase_gaps.mean_days_between_orders, 0)
            as days_between_orders_cv,
        case
            when purchase_gaps.mean_days_between_orders is not null
                then {{ dbt.dateadd(
                    'day',
                    'cast(round(purchase_gaps.mean_days_between_orders) as ' ~ dbt.type_int() ~ ')',
                    'cast(purchases.last_order_at as date)') }}
        end as expected_next_order_date,
        purchase_gaps.days_between_last_two_purchases,
        purchases.primary_channel,

        -- returns
        cast(purchases.items_returned as {{ type_double() }})
        / nullif(purchases.items_purchased, 0) as returned_item_share,
        purchases.refund_amount_lifetime
        / nullif(purchases.merchandise_amount_lifetime, 0) as returned_value_share,

        -- discounts
        purchases.discounted_order_share,
        purchases.coupon_order_share,
        purchases.average_discount_rate,

        -- products
        product_preferences.top_category,
        product_preferences.top_product_line,
        coalesce(product_preferences.distinct_categories, 0) as distinct_categories,
        purchases.new_collection_amount_lifetime
        / nullif(purchases.merchandise_amount_lifetime, 0) as new_collection_spend_share,

        -- web
        coalesce(web_activity.total_sessions, 0) as total_sessions,
        coalesce(web_activity.sessions_last_30_days, 0) as sessions_last_30_days,
        coalesce(web_activity.sessions_last_90_days, 0) as sessions_last_90_days,
        coalesce(web_activity.product_views_last_30_days, 0) as product_views_last_30_days,
        coalesce(web_activity.product_views_last_90_days, 0) as product_views_last_90_days,
        coalesce(web_activity.adds_to_cart_last_30_days, 0) as adds_to_cart_last_30_days,
        coalesce(web_activity.abandoned_carts_last_30_days, 0) as abandoned_carts_last_30_days,
        web_activity.last_abandoned_cart_at,
        coalesce(web_activity.active_wishlist_items, 0) as active_wishlist_items,
        coalesce(web_activity.low_stock_wishlist_items, 0) as low_stock_wishlist_items,
        web_activity.first_seen_at,
        web_activity.last_seen_at,
        web_activity.primary_device_type,

        -- email
        coalesce(email_engagement.is_subscribed, false) as is_subscribed,
        coalesce(email_engagement.email_sends_last_90_days, 0) as email_sends_last_90_days,
        coalesce(email_engagement.email_opens_last_90_days, 0) as email_opens_last_90_days,
        coalesce(email_engagement.email_clicks_last_90_days, 0) as email_clicks_last_90_days,
        email_engagement.email_open_rate_last_90_days,
        email_engagement.email_click_rate_last_90_days,
        email_engagement.last_email_opened_at,

        -- activity across channels
        greatest(
            coalesce(purchases.last_order_at, profiles.signed_up_at),
            coalesce(web_activity.last_seen_at, profiles.signed_up_at),
            coalesce(email_engagement.last_email_opened_at, profiles.signed_up_at),
            profiles.signed_up_at
        ) as last_activity_at,

        -- predictions (BTYD models and clusters; null without a purchase or when the models could not be fitted)
        predictions.probability_alive,
        predictions.churn_probability,
        predictions.churn_risk_tier,
        predictions.expected_purchases_next_30_days,
        predictions.expected_purchases_next_90_days,
        predictions.expected_purchases_next_365_days,
        predictions.expected_average_order_value,
        predictions.predicted_clv_365d,
        predictions.predicted_clv_tier,
        clusters.cluster_id,
        clusters.cluster_name,

        {{ as_of_date() }} as as_of_date
    from profiles
    left join purchases
        on profiles.customer_id = purchases.customer_id
    left join purchase_gaps
        on profiles.customer_id = purchase_gaps.customer_id
    left join product_preferences
        on profiles.customer_id = product_preferences.customer_id
    left join web_activity
        on profiles.customer_id = web_activity.customer_id
    left join email_engagement
        on profiles.customer_id = email_engagement.customer_id
    left join predictions
        on profiles.customer_id = predictions.customer_id
    left join clusters
        on profiles.customer_id = clusters.customer_id
)

select * from final
