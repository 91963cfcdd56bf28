{#- A loaded raw file must not change (DECISIONLOG.md "A loaded raw file that changed stops the run", and "A loaded
    raw file rewritten to the same size"). An incremental base model reads a loaded file again only for the keys new
    rows touch, so rows added to, removed from or altered in a file it has loaded would otherwise be missed for
    good. Each of those models records, in a post-hook in the same transaction as its rows, every file of its raw
    table: its size, its modification time and the MD5 of its contents (operations.raw_files_loaded, appended only
    for a file that is new or whose size or modification time differs from its latest record). Its next
    incremental run compares the files it has loaded with those records before it reads anything
    (incremental_raw_rows): a file of another size changed; a file of the same size and another modification time
    is read whole once and changed when its MD5 differs (copying the raw folder elsewhere resets modification times
    and is harmless: the contents are the same, and the copy's times are recorded). A file of the same size and
    modification time is taken as unchanged without reading it. On Spark the base models are tables rebuilt from
    every file, so nothing is recorded or compared. -#}

{#- The size and modification time of every file of one raw table, {name as in _source_file: (size in bytes,
    modification time in UTC as text)}. -#}
{% macro raw_file_states(table_name) -%}
    {{- return(adapter.dispatch('raw_file_states', 'segmart')(table_name)) -}}
{%- endmacro %}

{% macro default__raw_file_states(table_name) -%}
    {{- return({}) -}}
{%- endmacro %}

{#- DuckDB's read_blob gives each file's size and modification time (to the second) without reading its contents
    (the content column is not selected). -#}
{% macro duckdb__raw_file_states(table_name) -%}
    {%- set paths = duckdb__raw_file_paths(table_name) -%}
    {%- set states = {} -%}
    {%- if paths | length > 0 -%}
        {%- set read = run_query("select filename, size, timezone('UTC', last_modified) from read_blob(["
            ~ sql_text_list(paths.values() | list) ~ "])") -%}
        {%- set names = {} -%}
        {%- for name, path in paths.items() -%}
            {%- do names.update({path: name}) -%}
        {%- endfor -%}
        {%- for row in read.rows -%}
            {%- do states.update({names[row[0]]: (row[1] | int, row[2] | string)}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(states) -}}
{%- endmacro %}

{#- The MD5 of the contents of some files of one raw table, {name: md5}: each named file is read whole. -#}
{% macro raw_file_checksums(table_name, file_names) -%}
    {{- return(adapter.dispatch('raw_file_checksums', 'segmart')(table_name, file_names)) -}}
{%- endmacro %}

{% macro default__raw_file_checksums(table_name, file_names) -%}
    {{- return({}) -}}
{%- endmacro %}

{% macro duckdb__raw_file_checksums(table_name, file_names) -%}
    {%- set paths = duckdb__raw_file_paths(table_name) -%}
    {%- set names = {} -%}
    {%- for name in file_names if name in paths -%}
        {%- do names.update({paths[name]: name}) -%}
    {%- endfor -%}
    {%- set checksums = {} -%}
    {%- if names | length > 0 -%}
        {%- set read = run_query("select filename, md5(content) from read_blob(["
            ~ sql_text_list(names.keys() | list) ~ "])") -%}
        {%- for row in read.rows -%}
            {%- do checksums.update({names[row[0]]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(checksums) -}}
{%- endmacro %}

{#- DuckDB: the path of every file of one raw table, {name as in _source_file: path as DuckDB lists it}. -#}
{% macro duckdb__raw_file_paths(table_name) -%}
    {%- set listing = duckdb__raw_table_listing(table_name) -%}
    {%- set paths = {} -%}
    {%- for path, file_format in listing['files'] -%}
        {%- do paths.update({table_name ~ '/' ~ path[listing['name_start'] - 1:]: path}) -%}
    {%- endfor -%}
    {{- return(paths) -}}
{%- endmacro %}

{#- The latest record of each file of one raw table, {name: (size, modification time as text or none, md5 or
    none)}; {} when nothing is recorded yet (a warehouse built before the record existed: its next run records every
    file). Records written before modification times and checksums were kept have neither. -#}
{% macro recorded_raw_files(table_name) -%}
    {%- set records = load_relation(ref('raw_files_loaded')) -%}
    {%- if records is not none -%}
        {%- set columns = adapter.get_columns_in_relation(records) | map(attribute='name') | list -%}
        {%- if 'content_md5' not in columns -%}
            {{ exceptions.raise_compiler_error(this.identifier ~ ": " ~ records ~ " was created by an older segmart, "
                ~ "without the columns modified_at and content_md5. Build it before this model, as a plain dbt "
                ~ "build or segmart refresh does (dbt build --select raw_files_loaded adds them; its rows are "
                ~ "kept).") }}
        {%- endif -%}
    {%- endif -%}
    {%- set read = latest_records(ref('raw_files_loaded'), ['raw_table', 'source_file'],
        ['source_file', 'size_bytes', 'modified_at', 'content_md5'], "raw_table = '" ~ table_name ~ "'") -%}
    {%- set recorded = {} -%}
    {%- for row in (read.rows if read is not none else []) -%}
        {%- do recorded.update({row[0]: (row[1] | int, row[2] | string if row[2] is not none else none, row[3])}) -%}
    {%- endfor -%}
    {{- return(recorded) -}}
{%- endmacro %}

{#- The loaded files that changed since their latest record, as [(name, what changed)], sorted; files in
    `exempt_files` (re-read anyway: the lookback's recent files) and files never recorded are left out. A file of
    the recorded size whose modification time moved is read whole and compared by MD5; one recorded before
    checksums were kept is compared by size only (its next record holds its checksum). -#}
{% macro raw_files_changed(table_name, loaded_files, exempt_files=[]) -%}
    {%- set recorded = recorded_raw_files(table_name) -%}
    {%- set changed = [] -%}
    {%- if recorded | length > 0 -%}
        {%- set now = raw_file_states(table_name) -%}
        {%- set touched = [] -%}
        {%- for file in loaded_files | sort if file in recorded and file in now and file not in exempt_files -%}
            {%- set size_then, modified_then, checksum_then = recorded[file] -%}
            {%- set size_now, modified_now = now[file] -%}
            {%- if size_then != size_now -%}
                {%- do changed.append((file, size_then ~ " bytes when loaded, " ~ size_now ~ " bytes now")) -%}
            {%- elif checksum_then is not none and modified_then != modified_now -%}
                {%- do touched.append(file) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set checksums = raw_file_checksums(table_name, touched) if touched | length > 0 else {} -%}
        {%- for file in touched if checksums.get(file) != recorded[file][2] -%}
            {%- do changed.append((file, "the same " ~ now[file][0] ~ " bytes, modified at " ~ now[file][1]
                ~ " UTC, but other contents than when loaded (MD5 " ~ recorded[file][2] ~ " then, "
                ~ checksums.get(file) ~ " now)")) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(changed | sort) -}}
{%- endmacro %}

{% macro raw_files_changed_message(model_name, table_name, changed) -%}
    {%- set first = changed[0] -%}
    {{- return(model_name ~ ": " ~ changed | length ~ " raw file(s) it has loaded changed since they were loaded (the "
        ~ "first: " ~ first[0] ~ " under " ~ raw_root() ~ ", " ~ first[1] ~ "). An incremental run reads a loaded "
        ~ "file again only for the keys new rows touch, so what changed in it would be missed. Put the file back "
        ~ "as it was and land changes as new files, or rebuild from the files as they are now with a full refresh "
        ~ "(segmart refresh --full-refresh, or dbt build --full-refresh). A feed that appends to its recent files "
        ~ "in place needs var incremental_lookback_days.") -}}
{%- endmacro %}

{#- Post-hook of the incremental base models: record the files of the table whose size or modification time is new
    to the record, with the MD5 of their contents (only those files are read). -#}
{% macro record_raw_files(table_name) -%}
    {{- return(adapter.dispatch('record_raw_files', 'segmart')(table_name)) -}}
{%- endmacro %}

{% macro default__record_raw_files(table_name) -%}
    {%- if execute and load_relation(ref('raw_files_loaded')) is not none -%}
        {%- set recorded = recorded_raw_files(table_name) -%}
        {%- set new_states = {} -%}
        {%- for file, state in raw_file_states(table_name) | dictsort
            if file not in recorded or recorded[file][0:2] != state -%}
            {%- do new_states.update({file: state}) -%}
        {%- endfor -%}
        {%- if new_states | length > 0 -%}
            {%- set checksums = raw_file_checksums(table_name, new_states.keys() | list) -%}
            {%- set rows = [] -%}
            {%- for file, state in new_states | dictsort -%}
                {%- do rows.append("('" ~ table_name ~ "', '" ~ dbt.escape_single_quotes(file) ~ "', " ~ state[0]
                    ~ ", cast('" ~ state[1] ~ "' as " ~ dbt.type_timestamp() ~ "), '" ~ checksums[file] ~ "', "
                    ~ processed_at() ~ ")") -%}
            {%- endfor -%}
            insert into {{ ref('raw_files_loaded') }}
                (raw_table, source_file, size_bytes, modified_at, content_md5, processed_at)
            values {{ rows | join(', ') }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro spark__record_raw_files(table_name) -%}
{%- endmacro %}
