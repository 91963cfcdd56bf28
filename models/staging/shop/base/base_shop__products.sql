-- Every raw product row, typed, validated and given one row_status. Products are reference
-- data: they are not dated, so none is deferred by as_of_date.
with

raw_products as (
    select * from {{ source('raw', 'products') }}
),

exchange_rates as (
    select * from {{ ref('stg_shop__exchange_rates') }}
),

typed as (
    select
        {{ contract_typed_columns('products', 'raw_products') }}
        {{ contract_row_fingerprint('products', 'raw_products') }} as row_fingerprint,
        raw_products._source_file
    from raw_products
),

converted as (
    select
        typed.*,
        coalesce(upper(typed.currency), '{{ var("reporting_currency") }}') as currency_code,
        exchange_rates.rate_to_reporting
    from typed
    left join exchange_rates
        on
            exchange_rates.currency_code = coalesce(upper(typed.currency), '{{ var("reporting_currency") }}')
            and {{ as_of_date() }} >= exchange_rates.valid_from_date
            and {{ as_of_date() }} < exchange_rates.valid_to_date
),

checked as (
    select
        *,
        {{ contract_rejections('products') }} as quarantine_reasons,
        {{ join_reasons([
            contract_nullifications('products'),
            "case when list_price is not null and rate_to_reporting is null then 'unknown_currency' end",
            "case when stock_quantity < 0 then 'negative_stock_quantity' end",
        ]) }} as nullified_values
    from converted
),

with_status as (
    {{ deduplicated_row_status('checked', 'product_id', version_column='updated_at') }}
),

final as (
    select
        -- ids
        product_id,
        -- attributes
        product_name,
        lower(category) as category,
        lower(product_line) as product_line,
        brand,
        is_active,
        -- amounts
        currency_code,
        list_price,
        list_price * rate_to_reporting as list_price_reporting,
        case when stock_quantity >= 0 then stock_quantity end as stock_quantity,
        -- dates
        launched_at as launched_date,
        updated_at,
        -- row status
        row_status,
        duplicate_kind,
        quarantine_reasons,
        nullified_values,
        row_fingerprint,
        _source_file as source_file
    from with_status
)

select * from final
