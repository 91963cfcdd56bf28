{#- Custom schemas are used as they are (staging, marts, ...) rather than prefixed with
    the target schema: BI tools see stable names such as marts.dim_customers. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
