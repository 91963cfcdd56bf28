{#- A loaded raw file must not change (DECISIONLOG.md "A loaded raw file that changed stops the run"). An incremental
    base model reads a loaded file again only for the keys new rows touch, so rows added to, removed from or altered
    in a file it has loaded would otherwise be missed for good. Each of those models records, in a post-hook in the
    same transaction as its rows, the size of every file of its raw table (operations.raw_files_loaded, appended
    only for a file that is new or whose size differs from its latest record); its next incremental run compares
    the files it has loaded with those records before it reads anything (incremental_raw_rows). Size, not the
    modification time: copying the raw folder elsewhere resets modification times and is harmless. On Spark the
    base models are tables rebuilt from every file, so nothing is recorded or compared. -#}

{#- The size in bytes of every file of one raw table, {name as in _source_file: size}. -#}
{% macro raw_file_sizes(table_name) -%}
    {{- return(adapter.dispatch('raw_file_sizes', 'segmart')(table_name)) -}}
{%- endmacro %}

{% macro default__raw_file_sizes(table_name) -%}
    {{- return({}) -}}
{%- endmacro %}

{#- DuckDB's read_blob gives each file's size without reading its contents (the content column is not selected). -#}
{% macro duckdb__raw_file_sizes(table_name) -%}
    {%- set listing = duckdb__raw_table_listing(table_name) -%}
    {%- set sizes = {} -%}
    {%- if listing['files'] | length > 0 -%}
        {%- set paths = [] -%}
        {%- for path, file_format in listing['files'] -%}
            {%- do paths.append(path) -%}
        {%- endfor -%}
        {%- set read = run_query("select filename, size from read_blob([" ~ sql_text_list(paths) ~ "])") -%}
        {%- for row in read.rows -%}
            {%- do sizes.update({table_name ~ '/' ~ row[0][listing['name_start'] - 1:]: row[1] | int}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(sizes) -}}
{%- endmacro %}

{#- The latest recorded size of each file of one raw table, {name: size}; {} when nothing is recorded yet (a
    warehouse built before the record existed: its next run records every file). -#}
{% macro recorded_raw_file_sizes(table_name) -%}
    {%- set read = latest_records(ref('raw_files_loaded'), ['raw_table', 'source_file'],
        ['source_file', 'size_bytes'], "raw_table = '" ~ table_name ~ "'") -%}
    {%- set sizes = {} -%}
    {%- for row in (read.rows if read is not none else []) -%}
        {%- do sizes.update({row[0]: row[1] | int}) -%}
    {%- endfor -%}
    {{- return(sizes) -}}
{%- endmacro %}

{#- The loaded files whose size differs from their latest record, as [(name, recorded size, size now)], sorted;
    files in `exempt_files` (re-read anyway: the lookback's recent files) and files never recorded are left out. -#}
{% macro raw_files_changed(table_name, loaded_files, exempt_files=[]) -%}
    {%- set recorded = recorded_raw_file_sizes(table_name) -%}
    {%- set changed = [] -%}
    {%- if recorded | length > 0 -%}
        {%- set now = raw_file_sizes(table_name) -%}
        {%- for file in loaded_files | sort
            if file in recorded and file in now and file not in exempt_files and recorded[file] != now[file] -%}
            {%- do changed.append((file, recorded[file], now[file])) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(changed) -}}
{%- endmacro %}

{% macro raw_files_changed_message(model_name, table_name, changed) -%}
    {%- set first = changed[0] -%}
    {{- return(model_name ~ ": " ~ changed | length ~ " raw file(s) it has loaded changed since they were loaded (the "
        ~ "first: " ~ first[0] ~ " under " ~ raw_root() ~ ", " ~ first[1] ~ " bytes when loaded, " ~ first[2]
        ~ " bytes now). An incremental run reads a loaded file again only for the keys new rows touch, so what "
        ~ "changed in it would be missed. Put the file back as it was and land changes as new files, or rebuild "
        ~ "from the files as they are now with a full refresh (segmart refresh --full-refresh, or dbt build "
        ~ "--full-refresh). A feed that appends to its recent files in place needs var incremental_lookback_days.") -}}
{%- endmacro %}

{#- Post-hook of the incremental base models: record the files of the table whose size is new to the record. -#}
{% macro record_raw_files(table_name) -%}
    {{- return(adapter.dispatch('record_raw_files', 'segmart')(table_name)) -}}
{%- endmacro %}

{% macro default__record_raw_files(table_name) -%}
    {%- if execute and load_relation(ref('raw_files_loaded')) is not none -%}
        {%- set recorded = recorded_raw_file_sizes(table_name) -%}
        {%- set rows = [] -%}
        {%- for file, size in raw_file_sizes(table_name) | dictsort if recorded.get(file) != size -%}
            {%- do rows.append("('" ~ table_name ~ "', '" ~ dbt.escape_single_quotes(file) ~ "', " ~ size ~ ", "
                ~ processed_at() ~ ")") -%}
        {%- endfor -%}
        {%- if rows | length > 0 -%}
            insert into {{ ref('raw_files_loaded') }} (raw_table, source_file, size_bytes, processed_at)
            values {{ rows | join(', ') }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro spark__record_raw_files(table_name) -%}
{%- endmacro %}
