with

orders as (
    select * from {{ ref('base_shop__orders') }}
    where row_status = 'staged'
),

final as (
    select
        -- ids
        order_id,
        customer_id,
        email,
        coupon_code,
        -- attributes
        order_status,
        channel,
        device_type,
        shipping_country_code,
        -- amounts in the order currency
        currency_code,
        subtotal_amount,
        discount_amount,
        shipping_amount,
        tax_amount,
        total_amount,
        -- amounts in the reporting currency
        rate_to_reporting,
        subtotal_amount * rate_to_reporting as subtotal_amount_reporting,
        discount_amount * rate_to_reporting as discount_amount_reporting,
        shipping_amount * rate_to_reporting as shipping_amount_reporting,
        tax_amount * rate_to_reporting as tax_amount_reporting,
        total_amount * rate_to_reporting as total_amount_reporting,
        -- timestamps
        ordered_at,
        updated_at,
        -- run metadata (macros/incremental)
        processed_at
    from orders
)

select * from final
