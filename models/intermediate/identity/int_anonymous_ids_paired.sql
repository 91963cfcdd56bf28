-- Every anonymous web id of the base web events, with each customer id it was seen with on a staged event: the
-- first such event (time and id). An anonymous id also has one row with customer_id null, whatever its events,
-- so that every anonymous id an incremental run recomputes has a row and all of its stored rows are replaced:
-- a pair whose only events left staging disappears. The identity map picks, among the pairs whose customer is
-- staged, the earliest (int_identities_stitched); keeping every pair, not just the earliest, means a customer
-- staged or unstaged later changes the map without recomputing this model.
-- Incremental: a run recomputes the anonymous ids with a base event (re)processed since this model's latest stamp
-- (new events, and events whose status changed), over all of their events (DECISIONLOG.md "The identity map
-- follows the touched anonymous ids").
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='anonymous_id',
    on_schema_change='fail',
) }}

with

base_web_events as (
    select * from {{ ref('base_shop__web_events') }}
),

{% if is_incremental() %}
    anonymous_ids_processed as (
        select distinct anonymous_id
        from base_web_events
        where
            processed_at > {{ last_processed_at() }}
            and anonymous_id is not null
    ),
{% endif %}

web_events as (
    select
        event_id,
        anonymous_id,
        customer_id,
        occurred_at,
        row_status
    from base_web_events
    {% if is_incremental() %}
        where anonymous_id in (select anonymous_id from anonymous_ids_processed)
    {% else %}
        where anonymous_id is not null
    {% endif %}
),

anonymous_ids_seen as (
    select distinct
        anonymous_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_timestamp() }}) as first_seen_together_at,
        cast(null as {{ dbt.type_string() }}) as first_event_id
    from web_events
),

-- occurred_at and event_id are never null on staged events.
pairs_seen as (
    select
        anonymous_id,
        customer_id,
        min(occurred_at) as first_seen_together_at,
        {{ value_of_first('event_id', ['occurred_at', 'event_id']) }} as first_event_id
    from web_events
    where
        row_status = 'staged'
        and customer_id is not null
    group by
        anonymous_id,
        customer_id
),

pairs as (
    select * from anonymous_ids_seen
    union all
    select * from pairs_seen
),

final as (
    select
        anonymous_id,
        customer_id,
        first_seen_together_at,
        first_event_id,
        {{ processed_at() }} as processed_at
    from pairs
)

select * from final
