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

{#- The type of contract `number` columns (amounts, incomes, rates): a 64-bit decimal with six places.
    Wider decimals (dbt.type_numeric() is numeric(28,6) here) are 128-bit and over ten times slower to
    parse, which matters at millions of rows. -#}
{% macro type_contract_number() -%}
    decimal(18, 6)
{%- endmacro %}
