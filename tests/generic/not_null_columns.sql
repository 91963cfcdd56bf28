{#- Fails with one row per listed column that holds nulls (column_name, null_rows). Every listed column is checked
    in one scan of the model: a model's not-null columns are declared together in one test, not as one not_null
    test per column (DECISIONLOG.md "Not-null columns are checked per model, in one scan"). -#}
{% test not_null_columns(model, column_names) %}

with

null_counts as (
    select
        {%- for column in column_names %}
            sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

columns_with_nulls as (
    {%- for column in column_names %}
        select
            '{{ column }}' as column_name,
            null_rows_{{ loop.index }} as null_rows
        from null_counts
        where null_rows_{{ loop.index }} > 0
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from columns_with_nulls

{% endtest %}
