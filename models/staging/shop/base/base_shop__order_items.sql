-- Every raw order line, typed, validated against the contract and its order, converted into
-- the reporting currency at its order's rate, and given one row_status.
-- Incremental: new files, the keys they touch, and the lines of orders re-processed since the last run
-- (their parent status or rate may have changed) (macros/incremental).
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='order_item_id',
    on_schema_change='fail',
    segmart_rebuild_when_changed={
        'vars': ['raw_csv_delimiter', 'raw_csv_quote'],
    },
    post_hook="{{ record_raw_files('order_items') }}",
) }}
-- depends_on: {{ ref('incremental_configurations') }}
-- depends_on: {{ ref('raw_files_loaded') }}

with

raw_order_items as (
    {{ incremental_raw_rows(
        'order_items', 'order_item_id',
        reevaluate_when=incremental_reevaluate_when(
            [], ['order_quarantined', 'unknown_order'], deferred_for_other_reasons=false)
            ~ " or order_id in (select order_id from " ~ ref('base_shop__orders')
            ~ " where processed_at > " ~ last_processed_at() ~ ")") }}
),

orders as (
    select * from {{ ref('base_shop__orders') }}
),

parent_orders as (
    {{ order_parent_status('orders') }}
),

typed as (
    select
        {{ contract_typed_columns('order_items', 'raw_order_items') }}
        {{ contract_row_fingerprint('order_items', 'raw_order_items') }} as row_fingerprint,
        raw_order_items._source_file
    from raw_order_items
),

resolved as (
    select
        typed.*,
        parent_orders.parent_status as order_row_status,
        parent_orders.rate_to_reporting
    from typed
    left join parent_orders
        on typed.order_id = parent_orders.order_id
),

checked as (
    select
        *,
        {{ join_reasons([
            contract_rejections('order_items'),
            "case when quantity < 0 then 'negative_quantity' end",
            "case when unit_price < 0 then 'negative_unit_price' end",
            "case when order_row_status = 'quarantined' then 'order_quarantined' end",
            "case when order_id is not null and order_row_status is null then 'unknown_order' end",
        ]) }} as quarantine_reasons
    from resolved
),

with_status as (
    {{ deduplicated_row_status('checked', 'order_item_id', deferred_when="order_row_status = 'deferred'") }}
),

final as (
    select
        -- ids
        order_item_id,
        order_id,
        product_id,
        -- quantities and amounts in the order currency
        quantity,
        unit_price,
        discount_amount,
        -- conversion into the reporting currency
        rate_to_reporting,
        -- row status
        row_status,
        duplicate_kind,
        quarantine_reasons,
        cast(null as {{ dbt.type_string() }}) as nullified_values,
        row_fingerprint,
        _source_file as source_file,
        {{ as_of_date() }} as status_as_of_date,
        {{ processed_at() }} as processed_at
    from with_status
)

select * from final
