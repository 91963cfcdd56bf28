{#- Continuous quantile (linear interpolation) of an expression, as an aggregate. -#}
{% macro quantile_continuous(expression, quantile) -%}
    {{- return(adapter.dispatch('quantile_continuous', 'segmart')(expression, quantile)) -}}
{%- endmacro %}

{% macro default__quantile_continuous(expression, quantile) -%}
    percentile_cont({{ quantile }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro bigquery__quantile_continuous(expression, quantile) -%}
    {{ exceptions.raise_compiler_error("quantile_continuous: BigQuery has no percentile_cont aggregate; add a dispatch") }}
{%- endmacro %}

{#- The value of `value` on the first row of a group in the ascending order of `order_columns` (a list of
    expressions compared left to right; none may be null), as an aggregate. An aggregate, where
    row_number() = 1 would sort every row of every partition. -#}
{% macro value_of_first(value, order_columns) -%}
    {{- return(adapter.dispatch('value_of_first', 'segmart')(value, order_columns)) -}}
{%- endmacro %}

{% macro default__value_of_first(value, order_columns) -%}
    min_by({{ value }}, struct({{ order_columns | join(', ') }}))
{%- endmacro %}

{% macro duckdb__value_of_first(value, order_columns) -%}
    arg_min({{ value }}, row({{ order_columns | join(', ') }}))
{%- endmacro %}
