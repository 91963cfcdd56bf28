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

{{ operations_table_without_rows([('model_name', dbt.type_string()), ('processed_at', dbt.type_timestamp())]) }}
