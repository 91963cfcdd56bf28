{#- The statement the on-run-end hook runs: DuckDB writes the run's changes from its write-ahead log into the
    database file once, after every model has finished (automatic checkpoints are off during a build:
    profiles/profiles.yml, checkpoint_threshold). Other engines have nothing to do. -#}
{% macro checkpoint_warehouse() -%}
    {{- return(adapter.dispatch('checkpoint_warehouse', 'segmart')()) -}}
{%- endmacro %}

{% macro default__checkpoint_warehouse() -%}
    {{- return('') -}}
{%- endmacro %}

{% macro duckdb__checkpoint_warehouse() -%}
    {{- return('checkpoint') -}}
{%- endmacro %}
