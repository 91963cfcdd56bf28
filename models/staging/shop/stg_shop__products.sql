with

products as (
    select * from {{ ref('base_shop__products') }}
    where row_status = 'staged'
),

final as (
    select
        -- ids
        product_id,
        -- attributes
        product_name,
        category,
        product_line,
        brand,
        is_active,
        stock_quantity,
        -- amounts
        currency_code,
        list_price,
        list_price_reporting,
        -- dates
        launched_date,
        updated_at
    from products
)

select * from final
