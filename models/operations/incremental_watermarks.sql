-- One row per build of an event-level mart kept incrementally (fct_orders, fct_order_items, fct_sessions): the
-- mart's name and the stamp (processed_at) of the run that built it. Each of those marts appends its row in a
-- post-hook, in the same transaction as its own rows; on its next incremental run it rewrites only the rows whose
-- parent rows were stamped later (macros/incremental/watermarks.sql). A build the process did not finish commits
-- neither. The model itself never writes a row: it creates the table, and a full refresh empties it (every mart
-- is rebuilt too).
{{ config(
    materialized=incremental_materialization(),
    on_schema_change='fail',
) }}

with

no_builds_yet as (
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_timestamp() }}) as processed_at
),

final as (
    select *
    from no_builds_yet
    where model_name is not null
)

select * from final
