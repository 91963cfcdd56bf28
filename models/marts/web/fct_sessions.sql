-- One row per web session, for BI: when, how long, what the visitor did, where they came from.
-- No PII: visitors are pseudonymous device ids and customers appear by key only.
-- Incremental by watermark: a run rewrites the sessions recomputed upstream since this mart's last build and
-- deletes the sessions no longer there (macros/incremental/watermarks.sql).
-- depends_on: {{ ref('incremental_watermarks') }}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='session_key',
    on_schema_change='fail',
    segmart_keys_gone=[['session_key', 'int_sessions_stitched']],
    post_hook="{{ record_mart_build() }}",
) }}

with

sessions as (
    select * from {{ ref('int_sessions_stitched') }}
),

final as (
    select
        -- ids
        session_key,
        visitor_id,
        customer_id,
        is_tracker_session,
        customer_id is not null as is_identified,
        -- timestamps
        started_at,
        cast(started_at as date) as started_date,
        ended_at,
        duration_seconds,
        -- activity
        events,
        page_views,
        product_views,
        searches,
        adds_to_cart,
        has_added_to_cart,
        has_begun_checkout,
        has_purchased,
        -- attributes of the first event
        device_type,
        landing_page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        country_code
    from sessions
    {% if is_incremental() %}
        where processed_at > {{ mart_last_processed_at() }}
    {% endif %}
)

select * from final
