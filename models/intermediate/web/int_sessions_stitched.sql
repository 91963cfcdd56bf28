-- One row per web session.
-- An event with a tracker session_id belongs to that tracker session (the tracker's id wins). Events without one
-- are sessionised per visitor: a new session starts when more than var('session_inactivity_minutes') have passed
-- since the visitor's previous session-less event (a gap of exactly that long stays in the same session).
-- The session's customer is the customer its events name themselves (the greatest id if they name several),
-- else the customer the identity map links its device to, else null.
-- Both kinds of session are numbered in one pass: tracker events are partitioned by their session id (only their
-- first event starts a session), the others by visitor. The windows carry narrow rows only; the first event's
-- attributes are joined back by event id afterwards.
-- Incremental: a run re-sessionises every session scope (tracker session id, or visitor) that has an event
-- (re)computed since this model's last run, over all of the scope's events, so a session spanning two batches, a
-- late event and a re-attributed device come out as in a full build. Rows are replaced per scope: the tracker
-- session, or all of a visitor's sessions (macros/incremental).
{#- session_key of a tracker session: this prefix + the tracker's session_id -#}
{%- set tracker_session_prefix = 'tracker:' %}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key="case when is_tracker_session then session_key else 'visitor:' || visitor_id end",
    on_schema_change='fail',
    segmart_rebuild_when_changed={
        'vars': ['session_inactivity_minutes'],
    },
    segmart_stale_from='ended_at',
) }}
-- depends_on: {{ ref('incremental_configurations') }}
{%- set unix_epoch_at = "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
{%- set scope_filter -%}
    {%- if is_incremental() %}
        where (session_id is not null, coalesce(session_id, visitor_id)) in (select * from touched_scopes)
    {%- endif -%}
{%- endset %}
with

{% if is_incremental() %}
    touched_scopes as (
        select
            session_id is not null as is_tracker_session,
            coalesce(session_id, visitor_id) as session_scope_id
        from {{ ref('int_web_events_stitched') }}
        where processed_at > {{ last_processed_at() }}
        union
        -- sessions that reach past as_of_date lose those events (as_of_date moved back)
        select
            is_tracker_session,
            case when is_tracker_session then substr(session_key, {{ tracker_session_prefix | length + 1 }}) else visitor_id end as session_scope_id
        from {{ this }}
        where ended_at >= {{ as_of_cutoff_at() }}
    ),
{% endif %}

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
    {{ scope_filter }}
),

-- A second, narrow import of the same model: DuckDB materialises a CTE that is read twice, with every column.
first_event_attributes as (
    select
        event_id,
        visitor_id,
        device_type,
        page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        country_code
    from {{ ref('int_web_events_stitched') }}
    {{ scope_filter }}
),

events_scoped as (
    select
        event_id,
        event_type,
        occurred_at,
        session_id is not null as is_tracker_session,
        coalesce(session_id, visitor_id) as session_scope_id,
        case when attribution_rule = 'event_customer_id' then customer_id end as named_customer_id,
        case when attribution_rule = 'anonymous_id_link' then customer_id end as linked_customer_id
    from web_events
),

events_with_previous as (
    select
        *,
        lag(occurred_at) over (
            partition by is_tracker_session, session_scope_id
            order by occurred_at asc nulls last, event_id asc nulls last
        ) as previous_occurred_at
    from events_scoped
),

session_starts_flagged as (
    select
        *,
        case
            when previous_occurred_at is null then 1
            when is_tracker_session then 0
            when
                occurred_at
                > {{ dbt.dateadd('minute', var('session_inactivity_minutes'), 'previous_occurred_at') }}
                then 1
            else 0
        end as session_start_flag
    from events_with_previous
),

events_sessionised as (
    select
        *,
        sum(session_start_flag) over (
            partition by is_tracker_session, session_scope_id
            order by occurred_at asc nulls last, event_id asc nulls last
            rows between unbounded preceding and current row
        ) as session_number
    from session_starts_flagged
),

sessions_aggregated as (
    select
        is_tracker_session,
        session_scope_id,
        session_number,
        max(case when session_start_flag = 1 then event_id end) as first_event_id,
        coalesce(max(named_customer_id), max(linked_customer_id)) as customer_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events,
        count(case when event_type = 'page_view' then 1 end) as page_views,
        count(case when event_type = 'product_view' then 1 end) as product_views,
        count(case when event_type = 'search' then 1 end) as searches,
        count(case when event_type = 'add_to_cart' then 1 end) as adds_to_cart,
        count(case when event_type = 'begin_checkout' then 1 end) as checkouts_begun,
        count(case when event_type = 'purchase' then 1 end) as purchases,
        min(case when event_type = 'add_to_cart' then occurred_at end) as first_added_to_cart_at,
        max(case when event_type = 'add_to_cart' then occurred_at end) as last_added_to_cart_at
    from events_sessionised
    group by
        is_tracker_session,
        session_scope_id,
        session_number
),

final as (
    select
        -- ids
        case
            when sessions_aggregated.is_tracker_session
                then '{{ tracker_session_prefix }}' || sessions_aggregated.session_scope_id
            else
                first_event_attributes.visitor_id || ':' || cast(
                    {{ dbt.datediff(unix_epoch_at, 'sessions_aggregated.started_at', 'second') }}
                    as {{ dbt.type_string() }}
                )
        end as session_key,
        sessions_aggregated.is_tracker_session,
        first_event_attributes.visitor_id,
        sessions_aggregated.customer_id,
        -- timestamps
        sessions_aggregated.started_at,
        sessions_aggregated.ended_at,
        {{ dbt.datediff('sessions_aggregated.started_at', 'sessions_aggregated.ended_at', 'second') }}
            as duration_seconds,
        -- activity
        sessions_aggregated.events,
        sessions_aggregated.page_views,
        sessions_aggregated.product_views,
        sessions_aggregated.searches,
        sessions_aggregated.adds_to_cart,
        sessions_aggregated.adds_to_cart > 0 as has_added_to_cart,
        sessions_aggregated.checkouts_begun > 0 as has_begun_checkout,
        sessions_aggregated.purchases > 0 as has_purchased,
        sessions_aggregated.first_added_to_cart_at,
        sessions_aggregated.last_added_to_cart_at,
        -- attributes of the first event
        first_event_attributes.device_type,
        first_event_attributes.page_url as landing_page_url,
        first_event_attributes.referrer,
        first_event_attributes.utm_source,
        first_event_attributes.utm_medium,
        first_event_attributes.utm_campaign,
        first_event_attributes.country_code,
        -- run metadata
        {{ processed_at() }} as processed_at
    from sessions_aggregated
    inner join first_event_attributes
        on sessions_aggregated.first_event_id = first_event_attributes.event_id
)

select * from final
