-- One row each time an incremental model that declares the settings shaping its rows (config
-- segmart_rebuild_when_changed: vars and seeds) was built with settings other than its latest record: the model,
-- the settings as text, their fingerprint and the stamp of that run. Each of those models appends here in a post-hook;
-- its next run rebuilds it in full when the settings differ from its latest record
-- (macros/incremental/configuration_rebuild.sql). The model itself never writes a row: it creates the table. A full
-- refresh keeps it (full_refresh: false): the rebuilt models record their settings when they changed.
{{ config(
    materialized=incremental_materialization(),
    on_schema_change='fail',
    full_refresh=false,
) }}

{{ operations_table_without_rows([
    ('model_name', dbt.type_string()),
    ('declared_settings', dbt.type_string()),
    ('settings_fingerprint', dbt.type_string()),
    ('processed_at', dbt.type_timestamp()),
]) }}
