-- One row per cart: a session with at least one add to cart. A cart is purchased when, at or after its last add
-- and within var('cart_abandonment_window_hours'), the same visitor fires a purchase event or (for an identified
-- cart) the same customer places an order that is not cancelled (any channel; the order's customer is its
-- customer_id when known, else the customer registered with its email). A cart with no such purchase is open
-- while its window has not ended by the end of as_of_date, and abandoned once it has. Removes from cart are
-- not netted out (DECISIONLOG.md, "Web sessions, carts and wishlists").
-- The next purchase after each cart is found with a window over one timeline per visitor (and per customer),
-- an equality partition instead of a range join.
-- Incremental: a cart's status follows from its session, its visitor's purchase events, its customer's orders and
-- the as_of cut-off, so a run recomputes the carts whose session was recomputed since this model's latest stamp,
-- the carts of visitors with a purchase event and of customers with an order (re)computed since, the purchased
-- carts whose purchase is gone (an order cancelled, moved to another customer, or no longer staged), and the
-- carts whose window was open or ends after the cut-off. A cart whose session is gone or has no add any more is
-- deleted (segmart_keys_gone). DECISIONLOG.md "Carts follow their sessions, purchases and orders".
-- A warehouse built before this model was incremental has carts without processed_at: that first run recomputes
-- every cart, and on_schema_change adds the column.
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='session_key',
    on_schema_change='append_new_columns',
    segmart_keys_gone=[['session_key', 'int_sessions_stitched', 'adds_to_cart > 0']],
) }}

{%- set stored_columns = adapter.get_columns_in_relation(this) if is_incremental() else [] -%}
{%- set follow_stamps = 'processed_at' in stored_columns | map(attribute='name') | map('lower') | list %}

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

{% if follow_stamps %}
    stored_carts as (
        select * from {{ this }}
    ),

    visitors_with_purchase_events_processed as (
        select visitor_id
        from web_events
        where
            event_type = 'purchase'
            and processed_at > {{ last_processed_at() }}
    ),

    customers_with_orders_processed as (
        select customer_id
        from orders
        where
            processed_at > {{ last_processed_at() }}
            and customer_id is not null
    ),

    -- A purchased cart keeps its status while its visitor still has a purchase event, or its customer a purchase,
    -- at the instant it was purchased; otherwise the purchase is gone (cancelled, moved to another customer, no
    -- longer staged), and the cart is recomputed.
    purchases_gone as (
        select stored_carts.session_key
        from stored_carts
        where
            stored_carts.cart_status = 'purchased'
            and not exists (
                select 1
                from web_events
                where
                    web_events.event_type = 'purchase'
                    and web_events.visitor_id = stored_carts.visitor_id
                    and web_events.occurred_at = stored_carts.purchased_at
            )
            and not exists (
                select 1
                from orders
                where
                    orders.is_purchase
                    and orders.customer_id = stored_carts.customer_id
                    and orders.ordered_at = stored_carts.purchased_at
            )
    ),

    carts_to_recompute as (
        select session_key
        from sessions
        where
            adds_to_cart > 0
            and (
                processed_at > {{ last_processed_at() }}
                or visitor_id in (select visitor_id from visitors_with_purchase_events_processed)
                or customer_id in (select customer_id from customers_with_orders_processed)
            )
        union
        select session_key from purchases_gone
        union
        select session_key
        from stored_carts
        where
            cart_status = 'open'
            or purchase_window_ends_at > {{ as_of_cutoff_at() }}
    ),
{% endif %}

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
    where
        adds_to_cart > 0
    {% if follow_stamps %}
        and session_key in (select session_key from carts_to_recompute)
    {% endif %}
),

-- On an incremental run, only the purchases of the recomputed carts' visitors and customers matter.
purchase_events as (
    select
        visitor_id,
        occurred_at as purchased_at
    from web_events
    where
        event_type = 'purchase'
    {% if follow_stamps %}
        and visitor_id in (select visitor_id from carts)
    {% endif %}
),

-- Orders already carry their stitched customer (by customer id, else by email).
orders_attributed as (
    select
        customer_id,
        ordered_at
    from orders
    where
        is_purchase
    {% if follow_stamps %}
        and customer_id in (select carts.customer_id from carts)
    {% endif %}
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
        case when cart_status = 'abandoned' then purchase_window_ends_at end as abandoned_at,
        -- run metadata (macros/incremental)
        {{ processed_at() }} as processed_at
    from carts_classified
)

select * from final
