with

returns as (
    select * from {{ ref('base_shop__returns') }}
    where row_status = 'staged'
),

final as (
    select
        -- ids
        return_id,
        order_id,
        order_item_id,
        -- attributes
        reason as return_reason,
        -- quantities
        quantity as returned_quantity,
        -- amounts
        refund_amount,
        rate_to_reporting,
        refund_amount * rate_to_reporting as refund_amount_reporting,
        -- timestamps
        returned_at,
        -- run metadata (macros/incremental)
        processed_at
    from returns
)

select * from final
