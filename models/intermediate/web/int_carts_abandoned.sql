-- One row per cart: a session with at least one add to cart. A cart is purchased when, at or after its last add
-- and within var('cart_abandonment_window_hours'), the same visitor fires a purchase event or (for an identified
-- cart) the same customer places an order that is not cancelled (any channel; the order's customer is its
-- customer_id when known, else the customer registered with its email). A cart with no such purchase is open
-- while its window has not ended by the end of as_of_date, and abandoned once it has. Removes from cart are
-- not netted out (DECISIONLOG.md, "Web sessions, carts and wishlists").
-- The next purchase after each cart is found with a window over one timeline per visitor (and per customer),
-- an equality partition instead of a range join.
with

sessions as (
    select * from {{ ref('int_sessions_stitched') }}
),

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
),

carts as (
    select
        session_key,
        visitor_id,
        customer_id,
        first_added_to_cart_at as first_added_at,
        last_added_to_cart_at as last_added_at,
        adds_to_cart as items_added,
        {{ cart_abandoned_at('last_added_to_cart_at') }} as purchase_window_ends_at
    from sessions
    where adds_to_cart > 0
),

purchase_events as (
    select
        visitor_id,
        occurred_at as purchased_at
    from web_events
    where event_type = 'purchase'
),

-- Orders already carry their stitched customer (by customer id, else by email).
orders_attributed as (
    select
        customer_id,
        ordered_at
    from orders
    where is_purchase
),

-- Carts sort before purchases at the same instant, so a purchase at the very moment of the last add counts.
visitor_timeline as (
    select
        visitor_id,
        session_key,
        last_added_at as happened_at,
        0 as timeline_order,
        cast(null as {{ dbt.type_timestamp() }}) as purchased_at
    from carts
    union all
    select
        visitor_id,
        cast(null as {{ dbt.type_string() }}) as session_key,
        purchased_at as happened_at,
        1 as timeline_order,
        purchased_at
    from purchase_events
),

next_purchase_events as (
    select
        session_key,
        min(purchased_at) over (
            partition by visitor_id
            order by happened_at asc nulls last, timeline_order asc nulls last
            rows between current row and unbounded following
        ) as next_purchase_event_at
    from visitor_timeline
),

customer_timeline as (
    select
        customer_id,
        session_key,
        last_added_at as happened_at,
        0 as timeline_order,
        cast(null as {{ dbt.type_timestamp() }}) as ordered_at
    from carts
    where customer_id is not null
    union all
    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as session_key,
        ordered_at as happened_at,
        1 as timeline_order,
        ordered_at
    from orders_attributed
    where customer_id is not null
),

next_orders as (
    select
        session_key,
        min(ordered_at) over (
            partition by customer_id
            order by happened_at asc nulls last, timeline_order asc nulls last
            rows between current row and unbounded following
        ) as next_ordered_at
    from customer_timeline
),

carts_with_next_purchase as (
    select
        carts.*,
        case
            when next_orders.next_ordered_at is null then next_purchase_events.next_purchase_event_at
            when next_purchase_events.next_purchase_event_at is null then next_orders.next_ordered_at
            when next_orders.next_ordered_at < next_purchase_events.next_purchase_event_at
                then next_orders.next_ordered_at
            else next_purchase_events.next_purchase_event_at
        end as next_purchased_at
    from carts
    left join next_purchase_events
        on carts.session_key = next_purchase_events.session_key
    left join next_orders
        on carts.session_key = next_orders.session_key
),

carts_classified as (
    select
        *,
        case
            when next_purchased_at <= purchase_window_ends_at then 'purchased'
            when purchase_window_ends_at > {{ as_of_cutoff_at() }} then 'open'
            else 'abandoned'
        end as cart_status
    from carts_with_next_purchase
),

final as (
    select
        -- ids
        session_key,
        visitor_id,
        customer_id,
        -- cart
        first_added_at,
        last_added_at,
        items_added,
        purchase_window_ends_at,
        cart_status,
        cart_status = 'abandoned' as is_abandoned,
        case when cart_status = 'purchased' then next_purchased_at end as purchased_at,
        case when cart_status = 'abandoned' then purchase_window_ends_at end as abandoned_at
    from carts_classified
)

select * from final
