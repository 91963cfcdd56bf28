-- One row per customer with at least one attributed web event: sessions, views, carts and wishlist as of the end
-- of as_of_date. "Last N days" = the N days ending at the end of as_of_date (macro within_last_days); sessions
-- count in the window they start in, abandoned carts in the window they were abandoned in. Event counts use each
-- event's own attribution; session, cart and wishlist counts use the session's (or item's) customer.
with

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

sessions as (
    select * from {{ ref('int_sessions_stitched') }}
),

carts as (
    select * from {{ ref('int_carts_abandoned') }}
),

wishlist_items as (
    select * from {{ ref('int_wishlist_items_current') }}
),

events_by_customer as (
    select
        customer_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        count(
            case when event_type = 'product_view' and {{ within_last_days('occurred_at', 30) }} then 1 end
        ) as product_views_last_30_days,
        count(
            case when event_type = 'product_view' and {{ within_last_days('occurred_at', 90) }} then 1 end
        ) as product_views_last_90_days,
        count(
            case when event_type = 'add_to_cart' and {{ within_last_days('occurred_at', 30) }} then 1 end
        ) as adds_to_cart_last_30_days
    from web_events
    where customer_id is not null
    group by customer_id
),

sessions_by_customer as (
    select
        customer_id,
        count(*) as total_sessions,
        count(case when {{ within_last_days('started_at', 30) }} then 1 end) as sessions_last_30_days,
        count(case when {{ within_last_days('started_at', 90) }} then 1 end) as sessions_last_90_days
    from sessions
    where customer_id is not null
    group by customer_id
),

device_sessions_by_customer as (
    select
        customer_id,
        device_type,
        count(*) as sessions,
        max(started_at) as last_started_at
    from sessions
    where customer_id is not null
    group by
        customer_id,
        device_type
),

devices_ranked as (
    select
        customer_id,
        device_type,
        row_number() over (
            partition by customer_id
            order by sessions desc nulls last, last_started_at desc nulls last, device_type asc nulls last
        ) as device_rank
    from device_sessions_by_customer
),

carts_by_customer as (
    select
        customer_id,
        count(
            case when is_abandoned and {{ within_last_days('abandoned_at', 30) }} then 1 end
        ) as abandoned_carts_last_30_days,
        max(abandoned_at) as last_abandoned_cart_at
    from carts
    where customer_id is not null
    group by customer_id
),

wishlists_by_customer as (
    select
        customer_id,
        count(distinct product_id) as active_wishlist_items,
        count(distinct case when is_low_stock then product_id end) as low_stock_wishlist_items
    from wishlist_items
    where customer_id is not null
    group by customer_id
),

final as (
    select
        -- ids
        events_by_customer.customer_id,
        -- sessions
        coalesce(sessions_by_customer.sessions_last_30_days, 0) as sessions_last_30_days,
        coalesce(sessions_by_customer.sessions_last_90_days, 0) as sessions_last_90_days,
        coalesce(sessions_by_customer.total_sessions, 0) as total_sessions,
        devices_ranked.device_type as primary_device_type,
        -- browsing and carts
        events_by_customer.product_views_last_30_days,
        events_by_customer.product_views_last_90_days,
        events_by_customer.adds_to_cart_last_30_days,
        coalesce(carts_by_customer.abandoned_carts_last_30_days, 0) as abandoned_carts_last_30_days,
        carts_by_customer.last_abandoned_cart_at,
        -- wishlist
        coalesce(wishlists_by_customer.active_wishlist_items, 0) as active_wishlist_items,
        coalesce(wishlists_by_customer.low_stock_wishlist_items, 0) as low_stock_wishlist_items,
        -- timestamps
        events_by_customer.first_seen_at,
        events_by_customer.last_seen_at
    from events_by_customer
    left join sessions_by_customer
        on events_by_customer.customer_id = sessions_by_customer.customer_id
    left join devices_ranked
        on
            events_by_customer.customer_id = devices_ranked.customer_id
            and devices_ranked.device_rank = 1
    left join carts_by_customer
        on events_by_customer.customer_id = carts_by_customer.customer_id
    left join wishlists_by_customer
        on events_by_customer.customer_id = wishlists_by_customer.customer_id
)

select * from final
