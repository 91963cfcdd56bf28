-- Every stitched web event lands in exactly one session: the sessions' event counts add up to the events.
-- Fails with one row showing both counts when they differ.
with

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

sessions as (
    select * from {{ ref('int_sessions_stitched') }}
),

event_count as (
    select count(*) as stitched_events
    from web_events
),

session_event_count as (
    select coalesce(sum(events), 0) as session_events
    from sessions
),

final as (
    select
        event_count.stitched_events,
        session_event_count.session_events
    from event_count
    cross join session_event_count
    where event_count.stitched_events != session_event_count.session_events
)

select * from final
