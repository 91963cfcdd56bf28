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
