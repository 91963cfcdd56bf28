-- One row each time an incremental base model found a raw file of its table new, or of another size or modification
-- time than its latest record: the table, the file (its name in source_file), its size in bytes, its modification
-- time, the MD5 of its contents and the stamp of that run. Each of those models appends here in a post-hook, in the
-- same transaction as its own rows; its next incremental run stops when a file it has loaded changed: another size,
-- or another modification time and other contents (macros/incremental/raw_files_loaded.sql). The model itself never
-- writes a row: it creates the table. A full refresh keeps it (full_refresh: false): a file rewritten in the
-- meantime is then recorded as it is now by the rebuilt base model, and the others keep their record. A table
-- created before modification times and checksums were recorded gets their columns, empty in its old rows.
{{ config(
    materialized=incremental_materialization(),
    on_schema_change='append_new_columns',
    full_refresh=false,
) }}

{{ operations_table_without_rows([
    ('raw_table', dbt.type_string()),
    ('source_file', dbt.type_string()),
    ('size_bytes', dbt.type_bigint()),
    ('modified_at', dbt.type_timestamp()),
    ('content_md5', dbt.type_string()),
    ('processed_at', dbt.type_timestamp()),
]) }}
