-- One row per visitor never identified as a customer: none of its web events is attributed to a customer.
-- Session-level traits (device, country, first campaign source) come from the sessions the visitor started;
-- "most" is by session count, ties broken by the latest session, then by name.
with

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

sessions as (
    select * from {{ ref('int_sessions_stitched') }}
),

events_by_visitor as (
    select
        visitor_id,
        count(customer_id) as attributed_events,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        count(case when event_type = 'product_view' then 1 end) as product_views,
        count(case when event_type = 'add_to_cart' then 1 end) as adds_to_cart
    from web_events
    group by visitor_id
),

anonymous_visitors as (
    select * from events_by_visitor
    where attributed_events = 0
),

anonymous_sessions as (
    select sessions.*
    from sessions
    inner join anonymous_visitors
        on sessions.visitor_id = anonymous_visitors.visitor_id
),

sessions_by_visitor as (
    select
        visitor_id,
        count(*) as sessions,
        count(case when {{ within_last_days('started_at', 30) }} then 1 end) as sessions_last_30_days
    from anonymous_sessions
    group by visitor_id
),

devices_ranked as (
    select
        visitor_id,
        device_type,
        row_number() over (
            partition by visitor_id
            order by count(*) desc nulls last, max(started_at) desc nulls last, device_type asc nulls last
        ) as device_rank
    from anonymous_sessions
    group by
        visitor_id,
        device_type
),

countries_ranked as (
    select
        visitor_id,
        country_code,
        row_number() over (
            partition by visitor_id
            order by count(*) desc nulls last, max(started_at) desc nulls last, country_code asc nulls last
        ) as country_rank
    from anonymous_sessions
    group by
        visitor_id,
        country_code
),

first_sessions_ranked as (
    select
        visitor_id,
        utm_source,
        row_number() over (
            partition by visitor_id
            order by started_at asc nulls last, session_key asc nulls last
        ) as session_rank
    from anonymous_sessions
),

final as (
    select
        -- ids
        anonymous_visitors.visitor_id,
        -- timestamps
        anonymous_visitors.first_seen_at,
        anonymous_visitors.last_seen_at,
        -- activity
        coalesce(sessions_by_visitor.sessions, 0) as sessions,
        coalesce(sessions_by_visitor.sessions_last_30_days, 0) as sessions_last_30_days,
        anonymous_visitors.product_views,
        anonymous_visitors.adds_to_cart,
        coalesce(sessions_by_visitor.sessions, 0) > 1 as is_returning_visitor,
        {{ within_last_days('anonymous_visitors.last_seen_at', var('audience_visitor_window_days')) }}
            as is_recent_visitor,
        -- attributes
        devices_ranked.device_type as primary_device_type,
        countries_ranked.country_code,
        first_sessions_ranked.utm_source as first_utm_source
    from anonymous_visitors
    left join sessions_by_visitor
        on anonymous_visitors.visitor_id = sessions_by_visitor.visitor_id
    left join devices_ranked
        on
            anonymous_visitors.visitor_id = devices_ranked.visitor_id
            and devices_ranked.device_rank = 1
    left join countries_ranked
        on
            anonymous_visitors.visitor_id = countries_ranked.visitor_id
            and countries_ranked.country_rank = 1
    left join first_sessions_ranked
        on
            anonymous_visitors.visitor_id = first_sessions_ranked.visitor_id
            and first_sessions_ranked.session_rank = 1
)

select * from final
