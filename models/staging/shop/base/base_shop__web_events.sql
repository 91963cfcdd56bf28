-- Every raw web or app event, typed, validated and given one row_status.
-- Incremental: a run reads the new files and the rows of the keys they touch (macros/incremental).
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='event_id',
    on_schema_change='fail',
    segmart_rebuild_when_changed={
        'vars': ['future_tolerance_hours', 'raw_csv_delimiter', 'raw_csv_quote', 'unmapped_vocabulary_value'],
        'seeds': ['vocabulary_map'],
    },
    post_hook="{{ record_raw_files('web_events') }}",
) }}
-- depends_on: {{ ref('incremental_configurations') }}
-- depends_on: {{ ref('raw_files_loaded') }}

with

raw_web_events as (
    {{ incremental_raw_rows(
        'web_events', 'event_id',
        reevaluate_when=incremental_reevaluate_when(['occurred_at'], ['future_']),
        event_time_column='occurred_at') }}
),

vocabulary as (
    select * from {{ ref('vocabulary_map') }}
),

typed as (
    select
        {{ contract_typed_columns('web_events', 'raw_web_events') }}
        {{ contract_row_fingerprint('web_events', 'raw_web_events') }} as row_fingerprint,
        raw_web_events._source_file
    from raw_web_events
),

normalised as (
    select
        typed.*,
        event_type_map.value as event_type_normalised,
        coalesce(device_map.value, '{{ var("unmapped_vocabulary_value") }}') as device_type_normalised
    from typed
    left join vocabulary as event_type_map
        on event_type_map.domain = 'web_event_type' and event_type_map.raw_value = lower(typed.event_type)
    left join vocabulary as device_map
        on device_map.domain = 'device_type' and device_map.raw_value = lower(typed.device_type)
),

checked as (
    select
        *,
        {{ join_reasons([
            contract_rejections('web_events'),
            "case when occurred_at > " ~ wall_clock_limit_at() ~ " then 'future_occurred_at' end",
            "case when event_type is not null and event_type_normalised is null then 'invalid_event_type' end",
            "case when anonymous_id is null and customer_id is null then 'missing_visitor_id' end",
        ]) }} as quarantine_reasons
    from normalised
),

with_status as (
    {{ deduplicated_row_status('checked', 'event_id', deferred_when='occurred_at >= ' ~ as_of_cutoff_at()) }}
),

final as (
    select
        -- ids
        event_id,
        anonymous_id,
        customer_id,
        session_id,
        product_id,
        order_id,
        -- attributes
        event_type_normalised as event_type,
        page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type_normalised as device_type,
        upper(country_code) as country_code,
        -- timestamps
        occurred_at,
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
