-- Sessions inferred from inactivity never overlap, and a visitor's next inferred session starts more than
-- var('session_inactivity_minutes') after the previous one ended. Fails with every pair that breaks this.
with

sessions as (
    select * from {{ ref('int_sessions_stitched') }}
),

inferred_sessions_with_next as (
    select
        visitor_id,
        session_key,
        ended_at,
        lead(started_at) over (
            partition by visitor_id
            order by started_at asc nulls last, session_key asc nulls last
        ) as next_started_at
    from sessions
    where not is_tracker_session
),

final as (
    select *
    from inferred_sessions_with_next
    where
        next_started_at is not null
        and next_started_at <= {{ dbt.dateadd('minute', var('session_inactivity_minutes'), 'ended_at') }}
)

select * from final
