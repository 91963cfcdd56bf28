-- One row per (visitor, product) still on a wishlist at the end of as_of_date: adds minus removes of the
-- visitor's wishlist events for the product is positive. The customer is the customer of the latest of those
-- events that has one (events naming a known customer themselves first); stock is the product's stock now.
with

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

wishlist_events as (
    select
        event_id,
        visitor_id,
        product_id,
        customer_id,
        attribution_rule,
        event_type,
        occurred_at
    from web_events
    where
        event_type in ('add_to_wishlist', 'remove_from_wishlist')
        and product_id is not null
),

wishlist_items_netted as (
    select
        visitor_id,
        product_id,
        count(case when event_type = 'add_to_wishlist' then 1 end) as wishlist_adds,
        count(case when event_type = 'remove_from_wishlist' then 1 end) as wishlist_removes,
        max(case when event_type = 'add_to_wishlist' then occurred_at end) as last_added_at
    from wishlist_events
    group by
        visitor_id,
        product_id
),

wishlist_customers_ranked as (
    select
        visitor_id,
        product_id,
        customer_id,
        row_number() over (
            partition by visitor_id, product_id
            order by
                case when attribution_rule = 'event_customer_id' then 0 else 1 end asc,
                occurred_at desc nulls last,
                event_id desc nulls last
        ) as customer_rank
    from wishlist_events
    where customer_id is not null
),

final as (
    select
        -- ids
        wishlist_items_netted.visitor_id,
        wishlist_items_netted.product_id,
        wishlist_customers_ranked.customer_id,
        -- wishlist
        wishlist_items_netted.wishlist_adds,
        wishlist_items_netted.wishlist_removes,
        wishlist_items_netted.wishlist_adds - wishlist_items_netted.wishlist_removes as net_wishlist_adds,
        wishlist_items_netted.last_added_at,
        -- stock
        products.stock_quantity,
        coalesce(products.stock_quantity <= {{ var('low_stock_threshold') }}, false) as is_low_stock
    from wishlist_items_netted
    left join wishlist_customers_ranked
        on
            wishlist_items_netted.visitor_id = wishlist_customers_ranked.visitor_id
            and wishlist_items_netted.product_id = wishlist_customers_ranked.product_id
            and wishlist_customers_ranked.customer_rank = 1
    left join products
        on wishlist_items_netted.product_id = products.product_id
    where wishlist_items_netted.wishlist_adds > wishlist_items_netted.wishlist_removes
)

select * from final
