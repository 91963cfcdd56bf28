{#- The query of a generic test that checks several predicates over a model in one scan (not_null_columns,
    row_rules): one sum per check counts the rows where its `broken` predicate holds, and the result has one row per
    check that some row breaks, (label_column = the check's label, count_column = how many rows break it). checks is
    a list of {label, broken}. -#}
{% macro broken_rows_per_check(relation, checks, label_column, count_column) %}

with

broken_counts as (
    select
        {%- for check in checks %}
            sum(case when {{ check.broken }} then 1 else 0 end) as broken_rows_{{ loop.index }}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
),

broken_checks as (
    {%- for check in checks %}
        select
            '{{ dbt.escape_single_quotes(check.label) }}' as {{ label_column }},
            broken_rows_{{ loop.index }} as {{ count_column }}
        from broken_counts
        where broken_rows_{{ loop.index }} > 0
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from broken_checks

{% endmacro %}
