{#- How segment_membership_history replaces the rows of one as_of_date. The default (DuckDB, Postgres,
    Snowflake, Trino) deletes the as_of_date's rows and inserts the new ones in one transaction; an engine
    with partition overwrite (Spark, Databricks, BigQuery) replaces the as_of_date partition instead.
    Returns the model's incremental config as a dict; the model passes it to config(). -#}
{% macro history_incremental_config() -%}
    {{- return(adapter.dispatch('history_incremental_config', 'segmart')()) -}}
{%- endmacro %}

{% macro default__history_incremental_config() -%}
    {{- return({'incremental_strategy': 'delete+insert', 'unique_key': 'as_of_date'}) -}}
{%- endmacro %}

{% macro spark__history_incremental_config() -%}
    {{- return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['as_of_date']}) -}}
{%- endmacro %}

{% macro databricks__history_incremental_config() -%}
    {{- return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['as_of_date']}) -}}
{%- endmacro %}

{% macro bigquery__history_incremental_config() -%}
    {{- return({'incremental_strategy': 'insert_overwrite',
                'partition_by': {'field': 'as_of_date', 'data_type': 'date', 'granularity': 'day'}}) -}}
{%- endmacro %}
