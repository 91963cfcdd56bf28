{#- Event-level marts follow their parents by watermark (DECISIONLOG.md "Event-level marts follow their parents by
    watermark"). A mart carries no processed_at (run metadata never reaches a mart), so the stamp of the run that
    last built it is kept apart, in operations.incremental_watermarks, appended by the mart's post-hook
    (record_mart_build) in the same transaction as its rows. On its next incremental run the mart recomputes the
    rows whose parent rows carry a later stamp (mart_last_processed_at): those its parents (re)computed since,
    whichever invocation built them. -#}

{#- The stamp of this mart's latest build; 1900-01-01 without one (the table was emptied, or the mart predates
    watermarks): every parent row is then later, and the mart is rewritten whole, as by a full build. -#}
{% macro mart_last_processed_at() -%}
    (
        select coalesce(max(processed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ ref('incremental_watermarks') }}
        where model_name = '{{ this.identifier }}'
    )
{%- endmacro %}

{#- Post-hook of those marts: append (this mart, this run's stamp). Appends only, so two marts built at once by two
    threads never touch the same row. On Spark the marts are tables rebuilt whole every run and keep no
    watermark. -#}
{% macro record_mart_build() -%}
    {{- return(adapter.dispatch('record_mart_build', 'segmart')()) -}}
{%- endmacro %}

{% macro default__record_mart_build() -%}
    insert into {{ ref('incremental_watermarks') }} (model_name, processed_at)
    values ('{{ this.identifier }}', {{ processed_at() }})
{%- endmacro %}

{% macro spark__record_mart_build() -%}
{%- endmacro %}

{#- The body of an operations table its writers fill (incremental_watermarks, raw_files_loaded,
    incremental_configurations): no rows, with these [(name, type)] columns. The model creates the table; the models
    that write to it append rows in their post-hooks. -#}
{% macro operations_table_without_rows(columns) -%}
with

no_rows_yet as (
    select
    {%- for name, data_type in columns %}
        cast(null as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
),

final as (
    select *
    from no_rows_yet
    where {{ columns[0][0] }} is not null
)

select * from final
{%- endmacro %}

{#- The latest record of each key in an append-only operations table (raw_files_loaded,
    incremental_configurations): the rows of `relation` matching `filter` (a condition on its columns) whose
    processed_at is the latest of their key (`key_columns`), as a query result of `value_columns`; none when the
    table does not exist yet (a warehouse built before it). -#}
{% macro latest_records(relation, key_columns, value_columns, filter) -%}
    {%- set records = load_relation(relation) -%}
    {%- if records is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set same_key = [] -%}
    {%- for column in key_columns -%}
        {%- do same_key.append('later.' ~ column ~ ' = recorded.' ~ column) -%}
    {%- endfor -%}
    {{- return(run_query(
        "select " ~ value_columns | join(', ') ~ " from " ~ records ~ " as recorded where " ~ filter
        ~ " and processed_at = (select max(processed_at) from " ~ records ~ " as later where "
        ~ same_key | join(' and ') ~ ")")) -}}
{%- endmacro %}
