{#- The reference date and the cut-offs derived from it. Every time-relative model uses
    these, so a whole build can be replayed for any past date.

    Where it comes from, first found wins:
      1. var as_of_date (--vars '{as_of_date: 2026-10-31}'), as `make demo` and `make test` pass it;
      2. environment variable SEGMART_AS_OF_DATE, read only while models run, as `segmart refresh --as-of`,
         `segmart backfill` and the benchmarks pass it;
      3. the run's date (run_started_at).
    Why two ways: dbt parses the whole project again whenever a var changes (about 8 s here, 600 nodes), so a
    daily refresh that passed the new date as a var would always pay a full parse. The environment variable is
    read only when `execute` is true, so dbt does not record it as a parse input and the next run parses
    partially. That is only correct because nothing parse-time depends on as_of_date: no model config holds a
    date (segmart_stale_from names a column; the cut-off is rendered at run time), and test arguments are
    rendered at run time. tests/python/test_as_of_parse.py fails when a config starts to depend on it
    (DECISIONLOG.md "as_of_date reaches the models at run time"). -#}

{% macro as_of_date_literal() -%}
    {%- set unset = ('', 'none', 'None', 'null') -%}
    {%- set configured = var('as_of_date', none) | string | trim -%}
    {%- set source = 'var as_of_date' -%}
    {%- if configured in unset -%}
        {%- set configured = (env_var('SEGMART_AS_OF_DATE', '') if execute else '') | string | trim -%}
        {%- set source = 'SEGMART_AS_OF_DATE' -%}
    {%- endif -%}
    {%- if configured in unset -%}
        {{- return(run_started_at.strftime('%Y-%m-%d')) -}}
    {%- endif -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', configured) is none -%}
        {{ exceptions.raise_compiler_error(source ~ " must be a date written YYYY-MM-DD, got '" ~ configured ~ "'") }}
    {%- endif -%}
    {{- return(configured) -}}
{%- endmacro %}

{#- The as_of_date as a SQL date. -#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_literal() }}' as date)
{%- endmacro %}

{#- The first instant after as_of_date: rows at or after it are "later" (deferred). -#}
{% macro as_of_cutoff_at() -%}
    {%- set day = modules.datetime.datetime.strptime(as_of_date_literal(), '%Y-%m-%d') -%}
    cast('{{ (day + modules.datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Timestamps after this instant are impossible (the wall clock at run start plus a tolerance)
    and are quarantined. run_started_at keeps every model of one run on the same clock. -#}
{% macro wall_clock_limit_at() -%}
    {%- set limit = run_started_at + modules.datetime.timedelta(hours=var('future_tolerance_hours') | int) -%}
    cast('{{ limit.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- True when a timestamp falls in the `days` days that end with as_of_date (so "last 30 days" on
    2026-10-31 is 2026-10-02 00:00 up to the end of 2026-10-31). One definition for every window. -#}
{% macro within_last_days(timestamp_expression, days) -%}
    ({{ timestamp_expression }} >= {{ dbt.dateadd('day', -1 * (days | int), as_of_cutoff_at()) }})
{%- endmacro %}

{#- Whole days from a date (or timestamp) to as_of_date. -#}
{% macro days_before_as_of(date_expression) -%}
    {{ dbt.datediff('cast(' ~ date_expression ~ ' as date)', as_of_date(), 'day') }}
{%- endmacro %}
