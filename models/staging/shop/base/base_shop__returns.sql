-- Every raw return row, typed, validated against the contract, its order and its order line,
-- converted into the reporting currency at its order's rate, and given one row_status.
-- Incremental: new files, the keys they touch, and the returns of orders and lines re-processed since the
-- last run (macros/incremental).
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='return_id',
    on_schema_change='fail',
    segmart_rebuild_when_changed={
        'vars': ['future_tolerance_hours', 'raw_csv_delimiter', 'raw_csv_quote'],
    },
    post_hook="{{ record_raw_files('returns') }}",
) }}
-- depends_on: {{ ref('incremental_configurations') }}
-- depends_on: {{ ref('raw_files_loaded') }}

with

raw_returns as (
    {{ incremental_raw_rows(
        'returns', 'return_id',
        reevaluate_when=incremental_reevaluate_when(
            ['returned_at'], ['future_', 'order_quarantined', 'unknown_order', 'unknown_order_item'])
            ~ " or order_id in (select order_id from " ~ ref('base_shop__orders')
            ~ " where processed_at > " ~ last_processed_at() ~ ")"
            ~ " or order_item_id in (select order_item_id from " ~ ref('base_shop__order_items')
            ~ " where processed_at > " ~ last_processed_at() ~ ")",
        event_time_column='returned_at') }}
),

orders as (
    select * from {{ ref('base_shop__orders') }}
),

order_items as (
    select * from {{ ref('base_shop__order_items') }}
    where row_status in ('staged', 'deferred')
),

parent_orders as (
    {{ order_parent_status('orders') }}
),

known_order_items as (
    select distinct
        order_item_id,
        order_id
    from order_items
),

typed as (
    select
        {{ contract_typed_columns('returns', 'raw_returns') }}
        {{ contract_row_fingerprint('returns', 'raw_returns') }} as row_fingerprint,
        raw_returns._source_file
    from raw_returns
),

resolved as (
    select
        typed.*,
        parent_orders.parent_status as order_row_status,
        parent_orders.rate_to_reporting,
        known_order_items.order_item_id is not null as is_known_order_item
    from typed
    left join parent_orders
        on typed.order_id = parent_orders.order_id
    left join known_order_items
        on
            typed.order_item_id = known_order_items.order_item_id
            and typed.order_id = known_order_items.order_id
),

checked as (
    select
        *,
        {{ join_reasons([
            contract_rejections('returns'),
            "case when returned_at > " ~ wall_clock_limit_at() ~ " then 'future_returned_at' end",
            "case when refund_amount < 0 then 'negative_refund_amount' end",
            "case when quantity < 0 then 'negative_quantity' end",
            "case when order_row_status = 'quarantined' then 'order_quarantined' end",
            "case when order_id is not null and order_row_status is null then 'unknown_order' end",
            "case when order_row_status in ('staged', 'deferred') and order_item_id is not null and not is_known_order_item
                then 'unknown_order_item' end",
        ]) }} as quarantine_reasons
    from resolved
),

with_status as (
    {{ deduplicated_row_status(
        'checked', 'return_id',
        deferred_when="returned_at >= " ~ as_of_cutoff_at() ~ " or order_row_status = 'deferred'") }}
),

final as (
    select
        -- ids
        return_id,
        order_id,
        order_item_id,
        -- attributes
        reason,
        -- quantities and amounts in the order currency
        quantity,
        refund_amount,
        -- conversion into the reporting currency
        rate_to_reporting,
        -- timestamps
        returned_at,
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
