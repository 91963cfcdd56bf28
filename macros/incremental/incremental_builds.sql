{#- Incremental builds (issue 6, DECISIONLOG.md "Incremental builds").

    What is new is decided by raw file, not by event time: a base model reads, on an incremental run, the rows of
    the files it has not loaded yet, plus every raw row of the keys those rows touch (so versions and replays are
    ranked across old and new files exactly as a full build ranks them), plus the keys whose status can change
    without a new file (deferred rows, rows quarantined for a reason that depends on time or on another table).
    Rows are replaced by key. Every incremental model stamps the rows it (re)computes with processed_at, and the
    models downstream pick up the rows stamped after their own latest stamp. -#}

{#- The incremental strategy, per adapter, so another engine (issue 8) can pick its own. DuckDB: our
    delete-then-insert (get_incremental_segmart_replace_sql below), which deletes by a key expression
    and by an optional "stale rows" predicate, then appends. -#}
{% macro incremental_strategy() -%}
    {{- return(adapter.dispatch('incremental_strategy', 'segmart')()) -}}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{- return('delete+insert') -}}
{%- endmacro %}

{% macro duckdb__incremental_strategy() -%}
    {{- return('segmart_replace') -}}
{%- endmacro %}

{#- The materialization of the incremental models (the event- and order-level base, web and order models, and
    the event-level marts kept by difference). Spark without a table format that can delete rows (Delta,
    Iceberg) offers only append and insert_overwrite, and neither can replace the rows of the keys a new file
    touches: on Spark these models are tables, rebuilt in full on every run (a full build gives the same rows;
    docs/spark.md). segment_membership_history stays incremental on
    Spark: it replaces whole as_of_date partitions (history_incremental_config). -#}
{% macro incremental_materialization() -%}
    {{- return(adapter.dispatch('incremental_materialization', 'segmart')()) -}}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{- return('incremental') -}}
{%- endmacro %}

{% macro spark__incremental_materialization() -%}
    {{- return('table') -}}
{%- endmacro %}

{#- Strategy segmart_replace: delete the target rows whose unique_key (a column or an expression over the
    model's columns) is among the new rows' keys, or whose config segmart_stale_from column is at or after the
    as_of cut-off (rows dated after as_of_date, no longer valid), or whose key is gone from a model named in config
    segmart_keys_gone (a list of [key column, model name]: the row goes when its key is no longer in that model),
    then insert the new rows. Null keys delete nothing. segmart_keys_gone is resolved when the model runs: a
    config string is rendered at parse time, before ref() and this know their schema. -#}
{% macro get_incremental_segmart_replace_sql(arg_dict) -%}
    {{- return(adapter.dispatch('segmart_replace_sql', 'segmart')(arg_dict)) -}}
{%- endmacro %}

{% macro default__segmart_replace_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {#- a column name, not a predicate: a config is rendered at parse time, and the cut-off must be this run's -#}
    {%- set stale_from = config.get('segmart_stale_from') -%}
    {%- set columns_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where
        ({{ unique_key }}) in (
            select ({{ unique_key }}) from {{ source }}
            where ({{ unique_key }}) is not null
        )
        {%- if stale_from %}
            or {{ stale_from }} >= {{ as_of_cutoff_at() }}
        {%- endif %}
        {%- for key_column, model_name in config.get('segmart_keys_gone', []) %}
            or {{ key_column }} not in (
                select {{ key_column }} from {{ ref(model_name) }}
                where {{ key_column }} is not null
            )
        {%- endfor %};

    insert into {{ target }} ({{ columns_csv }})
    select {{ columns_csv }} from {{ source }}
{%- endmacro %}

{#- The stamp of the rows a run (re)computes: the run's start, so all models of one run share it. -#}
{% macro processed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The latest stamp in this model's table: rows upstream stamped later are new to it. -#}
{% macro last_processed_at() -%}
    (select coalesce(max(processed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }})
{%- endmacro %}

{#- Quoted SQL list of text values; '' when empty (callers test for emptiness first). -#}
{% macro sql_text_list(values) -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ dbt.escape_single_quotes(value | string) ~ "'") -%}
    {%- endfor -%}
    {{- return(quoted | join(', ')) -}}
{%- endmacro %}

{#- Every raw file of a table as the raw view names it in _source_file (the same glob as read_raw_table). -#}
{% macro raw_table_files(table_name) -%}
    {{- return(adapter.dispatch('raw_table_files', 'segmart')(table_name)) -}}
{%- endmacro %}

{#- DuckDB: the names the raw view gives them, relative to SEGMART_RAW_DIR (macro duckdb__raw_table_listing). -#}
{% macro duckdb__raw_table_files(table_name) -%}
    {%- set listing = duckdb__raw_table_listing(table_name) -%}
    {%- set names = [] -%}
    {%- for path, file_format in listing['files'] -%}
        {%- do names.append(table_name ~ '/' ~ path[listing['name_start'] - 1:]) -%}
    {%- endfor -%}
    {{- return(names | unique | sort) -}}
{%- endmacro %}

{#- Spark: the same files as spark__read_raw_table reads, spelled as input_file_name() spells them (file:///...).
    Only incremental runs read this list, and on Spark those models are tables (incremental_materialization). -#}
{% macro spark__raw_table_files(table_name) -%}
    {%- set files = spark__raw_table_files_by_format(table_name) -%}
    {%- set spelled = [] -%}
    {%- for file in (files['parquet'] + files['csv']) | sort -%}
        {%- do spelled.append('file:///' ~ file[5:].lstrip('/') if file.startswith('file:/') else file) -%}
    {%- endfor -%}
    {{- return(spelled) -}}
{%- endmacro %}

{#- An incremental run stops when files it loaded are no longer listed: the rows of their keys could no longer be
    re-read when a key is touched, and the rows without a key (quarantined for good) of a file that came back under
    another name would be kept twice. Files are named relative to SEGMART_RAW_DIR, so a moved folder, or one spelled
    another way, keeps every name; a file removed or renamed does not. Warehouses built before segmart named files
    so hold the paths as DuckDB globbed them, and stop here once. -#}
{% macro raw_files_gone_message(model_name, table_name, gone_files, loaded_count) -%}
    {{- return(model_name ~ ": " ~ gone_files | length ~ " of the " ~ loaded_count ~ " raw files it has loaded are no "
        ~ "longer under " ~ raw_table_location(table_name) ~ " (the first: " ~ gone_files[0] ~ "). Files are known by "
        ~ "their path relative to SEGMART_RAW_DIR, so a loaded file must stay under its name: put it back, or rebuild "
        ~ "from the files as they are now with a full refresh (segmart refresh --full-refresh, or dbt build "
        ~ "--full-refresh). A warehouse built by a segmart that named files by their whole path needs that full "
        ~ "refresh once.") -}}
{%- endmacro %}

{#- The raw rows a base model reads. Full build: every row of source('raw', table_name). Incremental run:
      - nothing, and the run stops, when a loaded file is gone (raw_files_gone_message) or changed since it was
        loaded (another size, or other contents), outside the lookback below (macros/incremental/raw_files_loaded.sql);
      - every row of the files not loaded yet;
      - with var('incremental_lookback_days') = N > 0, every keyed row of the loaded files that hold a row whose
        `event_time_column` is within N days before the end of as_of_date (a landing zone that appends to its
        recent files in place; 0, the default: a loaded file must not change, and its size is checked)
      - from the other loaded files, the rows of the keys that are touched: keys of the rows above and keys of
        rows in this table that match `reevaluate_when` (a condition over this table's columns, for rows whose
        status can change without a new file). Their files are found in this table's source_file, so only those
        files are scanned (DuckDB prunes the others by file name).
    A key's rows are therefore always ranked together, as in a full build. Rows without a key are
    quarantined for good, so they are read from new files only. The model must be incremental with
    unique_key = key_column. -#}
{% macro incremental_raw_rows(table_name, key_column, reevaluate_when='false', event_time_column=none) -%}
    {%- set raw_relation = source('raw', table_name) -%}
    {%- if not is_incremental() or not execute -%}
        select * from {{ raw_relation }}
    {%- else -%}
        {%- set loaded = run_query("select distinct source_file from " ~ this ~ " where source_file is not null") -%}
        {%- set loaded_files = loaded.columns[0].values() | list -%}
        {%- set listed_files = raw_table_files(table_name) -%}
        {%- set gone_files = [] -%}
        {%- for file in loaded_files if file not in listed_files -%}
            {%- do gone_files.append(file) -%}
        {%- endfor -%}
        {%- if gone_files | length > 0 -%}
            {{ exceptions.raise_compiler_error(raw_files_gone_message(
                this.identifier, table_name, gone_files | sort, loaded_files | length)) }}
        {%- endif -%}
        {%- set new_files = [] -%}
        {%- for file in listed_files if file not in loaded_files -%}
            {%- do new_files.append(file) -%}
        {%- endfor -%}
        {%- set lookback_days = var('incremental_lookback_days', 0) | int -%}
        {%- set recent_files = [] -%}
        {%- if lookback_days > 0 and event_time_column is not none -%}
            {%- set recent = run_query(
                "select distinct source_file from " ~ this ~ " where source_file is not null and "
                ~ event_time_column ~ " >= " ~ dbt.dateadd('day', -1 * lookback_days, as_of_cutoff_at())) -%}
            {%- set recent_files = recent.columns[0].values() | list -%}
        {%- endif -%}
        {%- set changed_files = raw_files_changed(table_name, loaded_files, recent_files) -%}
        {%- if changed_files | length > 0 -%}
            {{ exceptions.raise_compiler_error(raw_files_changed_message(this.identifier, table_name, changed_files)) }}
        {%- endif -%}
        {%- set raw_key = blank_to_null('raw_rows.' ~ key_column) -%}
        {%- set read_filters = [] -%}
        {%- if new_files | length > 0 -%}
            {%- do read_filters.append("raw_rows._source_file in (" ~ sql_text_list(new_files) ~ ")") -%}
        {%- endif -%}
        {%- if recent_files | length > 0 -%}
            {%- do read_filters.append("(raw_rows._source_file in (" ~ sql_text_list(recent_files) ~ ") and "
                ~ raw_key ~ " is not null)") -%}
        {%- endif -%}
        {%- set read_filter = read_filters | join(' or ') if read_filters | length > 0 else '1 = 0' -%}
        {%- set touched_keys -%}
            select {{ raw_key }} as touched_key
            from {{ raw_relation }} as raw_rows
            where {{ read_filter }}
            union
            select {{ key_column }} as touched_key
            from {{ this }}
            where {{ reevaluate_when }}
        {%- endset -%}
        {%- set carriers = run_query(
            "select distinct source_file from " ~ this ~ " where source_file is not null and "
            ~ key_column ~ " in (select touched_key from (" ~ touched_keys ~ ") as touched)") -%}
        {%- set carrier_files = [] -%}
        {%- for file in carriers.columns[0].values() if file not in recent_files -%}
            {%- do carrier_files.append(file) -%}
        {%- endfor -%}
        {{ log("segmart incremental " ~ this.identifier ~ ": " ~ new_files | length ~ " new file(s), "
            ~ recent_files | length ~ " recent file(s) in the lookback, " ~ carrier_files | length
            ~ " loaded file(s) re-read for touched keys", info=true) }}
        select raw_rows.*
        from {{ raw_relation }} as raw_rows
        where {{ read_filter }}
        {%- if carrier_files | length > 0 %}
            union all
            select raw_rows.*
            from {{ raw_relation }} as raw_rows
            where
                raw_rows._source_file in ({{ sql_text_list(carrier_files) }})
                and {{ raw_key }} in (select touched_key from ({{ touched_keys }}) as touched)
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- Rows of a base model whose status can change without a new file. A row's status was computed as of its
    status_as_of_date (column of every incremental base model); it still holds as of this run's as_of_date unless:
      - a dated column lies between the two cut-offs (either way: as_of_date moved forward past a deferred row
        or a late version, or back past a staged one); touching the key re-ranks all its versions;
      - it is deferred while every dated column is before the cut-off, i.e. deferred for another reason (its
        customer or order is deferred) that may have ended (`deferred_for_other_reasons`; a model whose parent
        trigger covers that case passes false);
      - it is quarantined for a reason listed in `reasons` (a future timestamp: the clock moves; a missing
        parent: it can arrive).
    So a run re-reads the rows of the days between the two dates, not every deferred row: a backfill that moves
    as_of_date month by month re-reads a month each time. -#}
{% macro incremental_reevaluate_when(dated_columns, reasons=[], deferred_for_other_reasons=true) -%}
    {%- set cutoff = as_of_cutoff_at() -%}
    {%- set row_cutoff = dbt.dateadd('day', 1, 'status_as_of_date') -%}
    {%- set conditions = [] -%}
    {%- for column in dated_columns -%}
        {%- do conditions.append('(' ~ column ~ ' >= least(' ~ row_cutoff ~ ', ' ~ cutoff ~ ') and ' ~ column
            ~ ' < greatest(' ~ row_cutoff ~ ', ' ~ cutoff ~ '))') -%}
    {%- endfor -%}
    {%- if deferred_for_other_reasons -%}
        {%- set before_cutoff = ["row_status = 'deferred'"] -%}
        {%- for column in dated_columns -%}
            {%- do before_cutoff.append('coalesce(' ~ column ~ ' < ' ~ cutoff ~ ', true)') -%}
        {%- endfor -%}
        {%- do conditions.append('(' ~ before_cutoff | join(' and ') ~ ')') -%}
    {%- endif -%}
    {%- for reason in reasons -%}
        {%- do conditions.append("quarantine_reasons like '%" ~ reason ~ "%'") -%}
    {%- endfor -%}
    {{- conditions | join('\n    or ') if conditions | length > 0 else 'false' -}}
{%- endmacro %}

{#- Orders staged by an earlier run whose customer (by customer id, else by email, through known_customers_by as
    base_shop__orders resolves them) is no longer staged: a customer deferred because as_of_date moved back before their registration, or
    a later customer version with another email. base_shop__customers is a table rebuilt every run, so there is
    no stamp to follow: the stored orders are compared with the current customers (narrow columns). -#}
{% macro orders_whose_customer_left_staging(customers_relation) -%}
    order_id in (
        select staged_orders.order_id
        from {{ this }} as staged_orders
        left join ({{ known_customers_by(customers_relation, 'customer_id') }}) as by_id
            on staged_orders.customer_id = by_id.customer_id
        left join ({{ known_customers_by(customers_relation, 'email') }}) as by_email
            on staged_orders.email = by_email.email
        where
            staged_orders.row_status = 'staged'
            and coalesce(by_id.is_staged, by_email.is_staged, 0) <> 1
    )
{%- endmacro %}

{#- Orders stored with a rate into the reporting currency that is no longer the rate of their currency on their
    order date: an exchange-rate file added or changed, or a currency whose rates moved from the seed to the raw
    rates. Their amounts in the reporting currency are recomputed, and the lines and returns converted at their
    order's rate follow (they re-evaluate the orders re-processed since their last run). Compared per (currency,
    order date) on narrow columns: the stored orders' distinct pairs against the current rates. -#}
{% macro orders_whose_rate_changed(rates_relation) -%}
    (currency_code, cast(ordered_at as date)) in (
        select
            stored.currency_code,
            stored.ordered_date
        from (
            select distinct
                currency_code,
                cast(ordered_at as date) as ordered_date,
                rate_to_reporting
            from {{ this }}
            where currency_code is not null and ordered_at is not null
        ) as stored
        left join {{ rates_relation }} as rates
            on
                stored.currency_code = rates.currency_code
                and stored.ordered_date >= rates.valid_from_date
                and stored.ordered_date < rates.valid_to_date
        where stored.rate_to_reporting is distinct from rates.rate_to_reporting
    )
{%- endmacro %}

{#- The customers an order can resolve to, by one key (customer_id or email): every key of a staged or deferred
    customer row, with is_staged = 1 when one of its rows is staged (0: only deferred). base_shop__orders resolves
    its orders with it, and orders_whose_customer_left_staging re-checks stored orders with it: one rule. -#}
{% macro known_customers_by(customers_relation, key_column) -%}
    select
        {{ key_column }},
        max(case when row_status = 'staged' then 1 else 0 end) as is_staged
    from {{ customers_relation }}
    where row_status in ('staged', 'deferred') and {{ key_column }} is not null
    group by {{ key_column }}
{%- endmacro %}
