{#- The SQL that reads every file of one raw table as text columns in contract order, plus
    _source_file. create_raw_views (on-run-start) wraps it in the view raw.<table>, which base
    models read as source('raw', <table>). The files are found at run time under
    $SEGMART_RAW_DIR/<table>/ (any depth, *.parquet, *.csv, *.csv.gz).

    - Every contract column comes back as text (the base model casts it with the contract type),
      so CSV is never type-sniffed and Parquet and CSV batches of one table union cleanly.
    - Unknown extra columns are ignored; an absent optional column is null.
    - A missing required column, or no files for a required table, fails the run naming the
      table, the location and the column. An absent optional table is an empty relation. -#}
{% macro read_raw_table(table_name) -%}
    {{- return(adapter.dispatch('read_raw_table', 'segmart')(table_name)) -}}
{%- endmacro %}

{#- The raw folder, SEGMART_RAW_DIR without a trailing slash and with repeated slashes made one, as DuckDB's glob
    and Spark's file listing spell the files they list (not after a scheme's colon: s3://, file:///). -#}
{% macro raw_root() -%}
    {{- return(modules.re.sub('(?<![:/])/{2,}', '/', env_var('SEGMART_RAW_DIR', 'data/raw')).rstrip('/')) -}}
{%- endmacro %}

{#- The folder of one raw table: <raw root>/<table>. -#}
{% macro raw_table_location(table_name) -%}
    {{- return(raw_root() ~ '/' ~ table_name) -}}
{%- endmacro %}

{#- DuckDB: the files of one raw table, sorted, as {'files': [(path as globbed, 'parquet' or 'csv')], 'location':
    ..., 'name_start': ...}. A file's name in _source_file is its path relative to SEGMART_RAW_DIR
    (<table>/part-0001.parquet: the characters of the path from name_start on, after '<table>/'), so the same files
    keep their names under a moved folder or one spelled another way; the incremental base models know a loaded
    file by that name (macro incremental_raw_rows). -#}
{% macro duckdb__raw_table_listing(table_name) -%}
    {%- set location = raw_table_location(table_name) -%}
    {%- set escaped = location | replace("'", "''") -%}
    {%- set listing = run_query(
        "select file, case when lower(file) like '%.parquet' then 'parquet' else 'csv' end as file_format"
        ~ " from glob('" ~ escaped ~ "/**/*.parquet')"
        ~ " union all select file, 'csv' from glob('" ~ escaped ~ "/**/*.csv')"
        ~ " union all select file, 'csv' from glob('" ~ escaped ~ "/**/*.csv.gz')"
        ~ " order by file") -%}
    {%- set files = [] -%}
    {%- for row in listing.rows -%}
        {%- if not row[0].startswith(location ~ '/') -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "': DuckDB lists the file '" ~ row[0] ~ "' for the folder '" ~ location
                ~ "', so its name relative to SEGMART_RAW_DIR is unknown. Spell SEGMART_RAW_DIR as a plain path "
                ~ "(no '..' or '.' parts between folders).") }}
        {%- endif -%}
        {%- do files.append((row[0], row[1])) -%}
    {%- endfor -%}
    {{- return({'files': files, 'location': location, 'name_start': (location | length) + 2}) -}}
{%- endmacro %}

{% macro duckdb__read_raw_table(table_name) -%}
    {%- set columns = raw_contract(table_name) -%}
    {%- if not execute -%}
        select 1 as parse_time_placeholder
    {%- else -%}
        {%- set listing = duckdb__raw_table_listing(table_name) -%}
        {%- set location = listing['location'] -%}
        {%- set files = {'parquet': [], 'csv': []} -%}
        {%- for path, file_format in listing['files'] -%}
            {%- do files[file_format].append(path | replace("'", "''")) -%}
        {%- endfor -%}
        {%- set file_name = "'" ~ table_name ~ "/' || substr(cast(filename as " ~ dbt.type_string() ~ "), "
            ~ listing['name_start'] ~ ")" -%}

        {%- if files['parquet'] | length == 0 and files['csv'] | length == 0 -%}
            {{ raw_table_without_files(table_name, columns, location) }}
        {%- else -%}
            {%- set readers = [] -%}
            {%- for file_format in ['parquet', 'csv'] if files[file_format] | length > 0 -%}
                {%- set file_list = "['" ~ files[file_format] | join("', '") ~ "']" -%}
                {%- if file_format == 'parquet' -%}
                    {%- set reader = "read_parquet(" ~ file_list ~ ", union_by_name = true, filename = true)" -%}
                {%- else -%}
                    {%- set reader = "read_csv(" ~ file_list ~ ", header = true, all_varchar = true, union_by_name = true, filename = true, "
                        ~ raw_csv_dialect_options() ~ ")" -%}
                {%- endif -%}
                {%- set described = run_query("describe select * from " ~ reader) -%}
                {%- set present = described.columns[0].values() | map('lower') | list -%}
                {%- do raw_require_columns(table_name, columns, present, file_format, location, files[file_format][0]) -%}
                {%- do readers.append("select " ~ raw_text_select_list(columns, present, file_name) ~ " from " ~ reader) -%}
            {%- endfor -%}
            {{ readers | join("\nunion all\n") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Spark: the files are listed with the binaryFile source (paths only, contents never read), then each format
    of the table is read through an external table in the raw schema, raw.<table>__parquet_files and
    raw.<table>__csv_files (dropping one never touches the files): Spark SQL takes reader options (recursive
    lookup, file-name filter, CSV header) only on a table or view definition, and a persistent view such as
    raw.<table> cannot read a temporary view. Parquet files are merged by column name (mergeSchema); CSV
    files are read as text with their header, and every CSV file of one table must have the same header
    (Spark checks each file's header against the first and stops on a difference, enforceSchema = false).
    Files whose name starts with '_' or '.' are hidden to Spark's file listing. -#}
{% macro spark__read_raw_table(table_name) -%}
    {%- set columns = raw_contract(table_name) -%}
    {%- if not execute -%}
        select 1 as parse_time_placeholder
    {%- else -%}
        {%- set location = raw_table_location(table_name) -%}
        {%- set files = spark__raw_table_files_by_format(table_name) -%}
        {%- set raw_schema = raw_source_schema(table_name) -%}

        {%- if files['parquet'] | length == 0 and files['csv'] | length == 0 -%}
            {{ raw_table_without_files(table_name, columns, location) }}
        {%- else -%}
            {%- do run_query("create schema if not exists " ~ adapter.quote(raw_schema)) -%}
            {%- set readers = [] -%}
            {%- for file_format in ['parquet', 'csv'] -%}
                {%- set files_table = adapter.quote(raw_schema) ~ "." ~ adapter.quote(table_name ~ "__" ~ file_format ~ "_files") -%}
                {%- do run_query("drop table if exists " ~ files_table) -%}
                {%- if files[file_format] | length > 0 -%}
                    {%- set escaped = files['location_uri'] | replace("'", "\\'") -%}
                    {%- if file_format == 'parquet' -%}
                        {%- set options = "pathGlobFilter '*.parquet', mergeSchema 'true'" -%}
                    {%- else -%}
                        {%- set options = "pathGlobFilter '*.{csv,csv.gz}', header 'true', enforceSchema 'false', "
                            ~ "multiLine 'true', " ~ raw_csv_dialect_options() -%}
                    {%- endif -%}
                    {%- do run_query("create table " ~ files_table ~ " using " ~ file_format
                        ~ " options (path '" ~ escaped ~ "', recursiveFileLookup 'true', " ~ options ~ ")") -%}
                    {%- set described = run_query("select * from " ~ files_table ~ " limit 0") -%}
                    {%- set present = described.column_names | map('lower') | list -%}
                    {%- do raw_require_columns(table_name, columns, present, file_format, location, files[file_format][0]) -%}
                    {%- do readers.append("select " ~ raw_text_select_list(columns, present, "input_file_name()") ~ " from " ~ files_table) -%}
                {%- endif -%}
            {%- endfor -%}
            {{ readers | join("\nunion all\n") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The CSV dialect of the raw files (vars raw_csv_delimiter, raw_csv_quote), as reader options. Given, not
    detected: DuckDB's CSV sniffer samples every file again each time a query binds a raw view (on-run-start, and
    twice in every model reading one), which took as long as reading the files. A quote inside a quoted field is
    the quote doubled (RFC 4180), so the escape character is the quote. -#}
{% macro raw_csv_dialect_options() -%}
    {%- set delimiter = "'" ~ dbt.escape_single_quotes(var('raw_csv_delimiter', ',')) ~ "'" -%}
    {%- set quote = "'" ~ dbt.escape_single_quotes(var('raw_csv_quote', '"')) ~ "'" -%}
    {{- return(adapter.dispatch('raw_csv_dialect_options', 'segmart')(delimiter, quote)) -}}
{%- endmacro %}

{#- The options as each engine's CSV reader names them; delimiter and quote arrive as SQL string literals. -#}
{% macro duckdb__raw_csv_dialect_options(delimiter, quote) -%}
    {{- return("delim = " ~ delimiter ~ ", quote = " ~ quote ~ ", escape = " ~ quote) -}}
{%- endmacro %}

{% macro spark__raw_csv_dialect_options(delimiter, quote) -%}
    {{- return("sep " ~ delimiter ~ ", quote " ~ quote ~ ", escape " ~ quote) -}}
{%- endmacro %}

{#- The schema of the raw source views (source 'raw' in _shop__sources.yml). -#}
{% macro raw_source_schema(table_name) -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' and node.name == table_name -%}
        {{- return(node.schema) -}}
    {%- endfor -%}
    {{- return('raw') -}}
{%- endmacro %}

{#- Spark: the raw table's files, {'parquet': [...], 'csv': [...], 'location_uri': ...}, sorted, as file URIs. One binaryFile listing of
    SEGMART_RAW_DIR at any depth (paths only); a file belongs to <table> when its path holds <raw dir>/<table>/. -#}
{% macro spark__raw_table_files_by_format(table_name) -%}
    {%- set root = raw_root() -%}
    {%- set root = root[2:] if root.startswith('./') else root -%}
    {%- do run_query("create or replace temporary view segmart_raw_file_listing using binaryFile options (path '"
        ~ root | replace("'", "\\'") ~ "', recursiveFileLookup 'true', pathGlobFilter '*.{parquet,csv,gz}')") -%}
    {%- set pattern = '%' ~ root | replace("'", "\\'") ~ '/' ~ table_name ~ '/%' -%}
    {%- set listing = run_query(
        "select path, case when lower(path) like '%.parquet' then 'parquet' else 'csv' end as file_format"
        ~ " from segmart_raw_file_listing"
        ~ " where path like '" ~ pattern ~ "'"
        ~ " and (lower(path) like '%.parquet' or lower(path) like '%.csv' or lower(path) like '%.csv.gz')"
        ~ " order by path") -%}
    {%- set files = {'parquet': [], 'csv': [], 'location_uri': none} -%}
    {%- for row in listing.rows -%}
        {%- do files[row[1]].append(row[0]) -%}
    {%- endfor -%}
    {#- The table folder as an absolute URI (a relative path in a table definition would be read against the
        database's own folder). -#}
    {%- if listing.rows | length > 0 -%}
        {%- set first = listing.rows[0][0] -%}
        {%- set marker = root ~ '/' ~ table_name ~ '/' -%}
        {%- do files.update({'location_uri': first[:first.find(marker) + marker | length - 1]}) -%}
    {%- endif -%}
    {{- return(files) -}}
{%- endmacro %}

{#- Shared by the engines' read_raw_table. A table with no files: a required one stops the run naming the table
    and the folder; an optional one is an empty relation with the contract's columns (and a log line). -#}
{% macro raw_table_without_files(table_name, columns, location) -%}
    {%- if raw_table_is_required(table_name) -%}
        {{ exceptions.raise_compiler_error(
            "segmart raw contract: required table '" ~ table_name ~ "' has no files under "
            ~ location ~ "/ (looked for *.parquet, *.csv and *.csv.gz at any depth). "
            ~ "Set SEGMART_RAW_DIR to the folder that holds " ~ table_name ~ "/ or add the files.") }}
    {%- endif -%}
    {{ log("segmart: optional raw table '" ~ table_name ~ "' has no files under " ~ location ~ "/; it is read as empty.", info=true) }}
    select
    {%- for column in columns %}
        cast(null as {{ dbt.type_string() }}) as {{ column.name }},
    {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as _source_file
    where 1 = 0
{%- endmacro %}

{#- Stops the run when the files of one format lack a required contract column (present: their columns). -#}
{% macro raw_require_columns(table_name, columns, present, file_format, location, first_file) -%}
    {%- for column in columns if column.required and column.name not in present -%}
        {{ exceptions.raise_compiler_error(
            "segmart raw contract: required column '" ~ column.name ~ "' is missing from raw table '"
            ~ table_name ~ "' in the " ~ file_format ~ " files under " ~ location ~ "/ (first file: "
            ~ first_file ~ "). Columns found: " ~ present | join(', ')) }}
    {%- endfor -%}
{%- endmacro %}

{#- Every contract column as text (null when the files lack it), then the file as _source_file. -#}
{% macro raw_text_select_list(columns, present, source_file_expression) -%}
    {%- set select_list = [] -%}
    {%- for column in columns -%}
        {%- if column.name in present -%}
            {%- do select_list.append("cast(" ~ adapter.quote(column.name) ~ " as " ~ dbt.type_string() ~ ") as " ~ column.name) -%}
        {%- else -%}
            {%- do select_list.append("cast(null as " ~ dbt.type_string() ~ ") as " ~ column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do select_list.append(source_file_expression ~ " as _source_file") -%}
    {{- return(select_list | join(", ")) -}}
{%- endmacro %}
