-- One row per web session.
-- An event with a tracker session_id belongs to that tracker session (the tracker's id wins). Events without one
-- are sessionised per visitor: a new session starts when more than var('session_inactivity_minutes') have passed
-- since the visitor's previous session-less event (a gap of exactly that long stays in the same session).
-- The session's customer is the customer of its latest event that names a known customer itself (a login
-- mid-session wins), else the customer its anonymous id is linked to, else null.
{%- set unix_epoch_at = "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
with

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

tracker_events as (
    select
        *,
        true as is_tracker_session,
        'tracker:' || session_id as session_group,
        row_number() over (
            partition by session_id
            order by occurred_at asc nulls last, event_id asc nulls last
        ) = 1 as is_first_event
    from web_events
    where session_id is not null
),

untracked_events_with_previous as (
    select
        *,
        lag(occurred_at) over (
            partition by visitor_id
            order by occurred_at asc nulls last, event_id asc nulls last
        ) as previous_occurred_at
    from web_events
    where session_id is null
),

untracked_session_starts_flagged as (
    select
        *,
        case
            when previous_occurred_at is null then 1
            when
                occurred_at
                > {{ dbt.dateadd('minute', var('session_inactivity_minutes'), 'previous_occurred_at') }}
                then 1
            else 0
        end as session_start_flag
    from untracked_events_with_previous
),

untracked_events_sessionised as (
    select
        *,
        false as is_tracker_session,
        visitor_id || ':' || cast(
            sum(session_start_flag) over (
                partition by visitor_id
                order by occurred_at asc nulls last, event_id asc nulls last
                rows between unbounded preceding and current row
            ) as {{ dbt.type_string() }}
        ) as session_group,
        session_start_flag = 1 as is_first_event
    from untracked_session_starts_flagged
),

events_in_sessions as (
    select
        event_id,
        visitor_id,
        customer_id,
        attribution_rule,
        event_type,
        page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type,
        country_code,
        occurred_at,
        is_tracker_session,
        session_group,
        is_first_event
    from tracker_events
    union all
    select
        event_id,
        visitor_id,
        customer_id,
        attribution_rule,
        event_type,
        page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type,
        country_code,
        occurred_at,
        is_tracker_session,
        session_group,
        is_first_event
    from untracked_events_sessionised
),

session_customers_ranked as (
    select
        session_group,
        customer_id,
        row_number() over (
            partition by session_group
            order by
                case when attribution_rule = 'event_customer_id' then 0 else 1 end asc,
                occurred_at desc nulls last,
                event_id desc nulls last
        ) as customer_rank
    from events_in_sessions
    where customer_id is not null
),

session_customers as (
    select
        session_group,
        customer_id
    from session_customers_ranked
    where customer_rank = 1
),

sessions_aggregated as (
    select
        session_group,
        is_tracker_session,
        max(case when is_first_event then visitor_id end) as visitor_id,
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
        max(case when event_type = 'add_to_cart' then occurred_at end) as last_added_to_cart_at,
        max(case when is_first_event then device_type end) as device_type,
        max(case when is_first_event then page_url end) as landing_page_url,
        max(case when is_first_event then referrer end) as referrer,
        max(case when is_first_event then utm_source end) as utm_source,
        max(case when is_first_event then utm_medium end) as utm_medium,
        max(case when is_first_event then utm_campaign end) as utm_campaign,
        max(case when is_first_event then country_code end) as country_code
    from events_in_sessions
    group by
        session_group,
        is_tracker_session
),

final as (
    select
        -- ids
        case
            when sessions_aggregated.is_tracker_session then sessions_aggregated.session_group
            else
                sessions_aggregated.visitor_id || ':' || cast(
                    {{ dbt.datediff(unix_epoch_at, 'sessions_aggregated.started_at', 'second') }}
                    as {{ dbt.type_string() }}
                )
        end as session_key,
        sessions_aggregated.is_tracker_session,
        sessions_aggregated.visitor_id,
        session_customers.customer_id,
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
        sessions_aggregated.device_type,
        sessions_aggregated.landing_page_url,
        sessions_aggregated.referrer,
        sessions_aggregated.utm_source,
        sessions_aggregated.utm_medium,
        sessions_aggregated.utm_campaign,
        sessions_aggregated.country_code
    from sessions_aggregated
    left join session_customers
        on sessions_aggregated.session_group = session_customers.session_group
)

select * from final
