{#- Fails with one row per listed column that holds nulls (column_name, null_rows). Every listed column is checked
    in one scan of the model: a model's not-null columns are declared together in one test, not as one not_null
    test per column (DECISIONLOG.md "Not-null columns are checked per model, in one scan"). -#}
{% test not_null_columns(model, column_names) %}

{%- set checks = [] -%}
{%- for column in column_names -%}
    {%- do checks.append({'label': column, 'broken': column ~ ' is null'}) -%}
{%- endfor %}

{{ broken_rows_per_check(model, checks, 'column_name', 'null_rows') }}

{% endtest %}
