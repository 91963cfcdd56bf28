-- Every session with an add to cart is exactly one cart, with the same adds. Fails with every mismatch.
with

sessions as (
    select * from {{ ref('int_sessions_stitched') }}
    where adds_to_cart > 0
),

carts as (
    select * from {{ ref('int_carts_abandoned') }}
),

final as (
    select
        coalesce(sessions.session_key, carts.session_key) as session_key,
        sessions.adds_to_cart,
        carts.items_added
    from sessions
    full outer join carts
        on sessions.session_key = carts.session_key
    where
        sessions.session_key is null
        or carts.session_key is null
        or sessions.adds_to_cart != carts.items_added
)

select * from final
