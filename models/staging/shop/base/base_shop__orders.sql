-- Every raw order row, typed, validated against the contract and its customers, converted into
-- the reporting currency, and given one row_status (see macros/staging/row_status.sql).
-- Incremental: new files, the keys they touch, the rows whose status can change, and the orders whose exchange rate
-- changed (macros/incremental).
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='order_id',
    on_schema_change='fail',
    segmart_rebuild_when_changed={
        'vars': ['future_tolerance_hours', 'raw_csv_delimiter', 'raw_csv_quote', 'unmapped_vocabulary_value'],
        'seeds': ['vocabulary_map'],
    },
    post_hook="{{ record_raw_files('orders') }}",
) }}
-- depends_on: {{ ref('incremental_configurations') }}
-- depends_on: {{ ref('raw_files_loaded') }}

with

raw_orders as (
    {{ incremental_raw_rows(
        'orders', 'order_id',
        reevaluate_when=incremental_reevaluate_when(
            ['ordered_at', 'updated_at'],
            ['future_', 'unknown_customer', 'unresolved_guest_order', 'unknown_currency'])
            ~ ' or ' ~ orders_whose_customer_left_staging(ref('base_shop__customers'))
            ~ ' or ' ~ orders_whose_rate_changed(ref('stg_shop__exchange_rates')),
        event_time_column='ordered_at') }}
),

vocabulary as (
    select * from {{ ref('vocabulary_map') }}
),

exchange_rates as (
    select * from {{ ref('stg_shop__exchange_rates') }}
),

known_customer_ids as (
    {{ known_customers_by(ref('base_shop__customers'), 'customer_id') }}
),

known_customer_emails as (
    {{ known_customers_by(ref('base_shop__customers'), 'email') }}
),

known_currencies as (
    select distinct currency_code from exchange_rates
),

typed as (
    select
        {{ contract_typed_columns('orders', 'raw_orders') }}
        {{ contract_row_fingerprint('orders', 'raw_orders') }} as row_fingerprint,
        raw_orders._source_file
    from raw_orders
),

normalised as (
    select
        typed.*,
        lower(typed.email) as email_normalised,
        upper(typed.currency) as currency_code,
        upper(typed.shipping_country_code) as shipping_country_code_normalised,
        status_map.value as order_status,
        coalesce(channel_map.value, '{{ var("unmapped_vocabulary_value") }}') as channel_normalised,
        coalesce(device_map.value, '{{ var("unmapped_vocabulary_value") }}') as device_type_normalised
    from typed
    left join vocabulary as status_map
        on status_map.domain = 'order_status' and status_map.raw_value = lower(typed.status)
    left join vocabulary as channel_map
        on channel_map.domain = 'channel' and channel_map.raw_value = lower(typed.channel)
    left join vocabulary as device_map
        on device_map.domain = 'device_type' and device_map.raw_value = lower(typed.device_type)
),

resolved as (
    select
        normalised.*,
        by_id.is_staged as customer_id_is_staged,
        by_email.is_staged as email_customer_is_staged,
        known_currencies.currency_code is not null as is_known_currency,
        exchange_rates.rate_to_reporting
    from normalised
    left join known_customer_ids as by_id
        on normalised.customer_id = by_id.customer_id
    left join known_customer_emails as by_email
        on normalised.email_normalised = by_email.email
    left join known_currencies
        on normalised.currency_code = known_currencies.currency_code
    left join exchange_rates
        on
            normalised.currency_code = exchange_rates.currency_code
            and cast(normalised.ordered_at as date) >= exchange_rates.valid_from_date
            and cast(normalised.ordered_at as date) < exchange_rates.valid_to_date
),

checked as (
    select
        *,
        {{ join_reasons([
            contract_rejections('orders'),
            "case when ordered_at > " ~ wall_clock_limit_at() ~ " then 'future_ordered_at' end",
            "case when status is not null and order_status is null then 'invalid_status' end",
            "case when currency is not null and not is_known_currency then 'unknown_currency' end",
            "case when total_amount < 0 then 'negative_total_amount' end",
            "case when customer_id is not null and customer_id_is_staged is null
                and email_customer_is_staged is null then 'unknown_customer' end",
            "case when customer_id is null and email_customer_is_staged is null
                then 'unresolved_guest_order' end",
        ]) }} as quarantine_reasons
    from resolved
),

with_status as (
    {{ deduplicated_row_status(
        'checked', 'order_id',
        version_column='updated_at',
        deferred_when='ordered_at >= ' ~ as_of_cutoff_at()
            ~ ' or coalesce(customer_id_is_staged, email_customer_is_staged) = 0') }}
),

final as (
    select
        -- ids
        order_id,
        customer_id,
        email_normalised as email,
        coupon_code,
        -- attributes
        order_status,
        channel_normalised as channel,
        device_type_normalised as device_type,
        shipping_country_code_normalised as shipping_country_code,
        currency_code,
        -- amounts in the order currency
        subtotal_amount,
        discount_amount,
        shipping_amount,
        tax_amount,
        total_amount,
        -- conversion into the reporting currency
        rate_to_reporting,
        -- timestamps
        ordered_at,
        updated_at,
        -- row status
        row_status,
        duplicate_kind,
        row_status in ('staged', 'deferred') and version_rank = 1 and replay_rank = 1 as is_current_version,
        quarantine_reasons,
        cast(null as {{ dbt.type_string() }}) as nullified_values,
        row_fingerprint,
        _source_file as source_file,
        {{ as_of_date() }} as status_as_of_date,
        {{ processed_at() }} as processed_at
    from with_status
)

select * from final
