with

order_items as (
    select * from {{ ref('base_shop__order_items') }}
    where row_status = 'staged'
),

final as (
    select
        -- ids
        order_item_id,
        order_id,
        product_id,
        -- quantities
        quantity,
        -- amounts in the order currency
        unit_price,
        discount_amount,
        -- amounts in the reporting currency
        rate_to_reporting,
        unit_price * rate_to_reporting as unit_price_reporting,
        discount_amount * rate_to_reporting as discount_amount_reporting,
        -- run metadata (macros/incremental)
        processed_at
    from order_items
)

select * from final
