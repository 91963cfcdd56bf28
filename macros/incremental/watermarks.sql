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
