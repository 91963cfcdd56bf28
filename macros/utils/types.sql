{#- An 8-byte floating point type. dbt.type_float() is 4 bytes on DuckDB ('float'), too coarse for
    shares and rates. -#}
{% macro type_double() -%}
    {{- return(adapter.dispatch('type_double', 'segmart')()) -}}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}
