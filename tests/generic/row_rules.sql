{#- A model's row-level business rules, checked in one scan (DECISIONLOG.md "Row rules are checked per model, in
    one scan"). Fails with one row per rule that some rows break: the rule and how many rows break it.
      not_null: columns that must never be null (reported as "<column> is not null");
      rules: expressions every row must satisfy (null counts as broken), each either the expression itself or
             {name: ..., expression: ...} when the rule has a name worth reporting;
      accepted_values: {column: [values], ...}: a non-null value outside the list breaks the rule (null is
             accepted, as dbt's accepted_values); text values are quoted, numbers are not. Quotes inside values
             and rule labels are escaped the engine's way (dbt.escape_single_quotes: '' on DuckDB, \' on Spark,
             where 'a''b' would be two literals run together). -#}
{% test row_rules(model, not_null=[], rules=[], accepted_values={}) %}

{%- set checks = [] -%}
{%- for column in not_null -%}
    {%- do checks.append({'label': column ~ ' is not null', 'broken': column ~ ' is null'}) -%}
{%- endfor -%}
{%- for rule in rules -%}
    {%- set expression = rule.expression if rule is mapping else rule -%}
    {%- set label = rule.name if (rule is mapping and rule.name) else expression.split() | join(' ') -%}
    {%- do checks.append({'label': label, 'broken': 'not coalesce(' ~ expression ~ ', false)'}) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set literals = [] -%}
    {%- set shown = [] -%}
    {%- for value in values -%}
        {%- do literals.append(value | string if value is number
            else "'" ~ dbt.escape_single_quotes(value | string) ~ "'") -%}
        {%- do shown.append(value | string if value is number else "'" ~ value ~ "'") -%}
    {%- endfor -%}
    {%- do checks.append({
        'label': column ~ ' in (' ~ shown | join(', ') ~ ')',
        'broken': column ~ ' is not null and ' ~ column ~ ' not in (' ~ literals | join(', ') ~ ')'}) -%}
{%- endfor -%}
{%- if not checks -%}
    {%- do exceptions.raise_compiler_error('row_rules on ' ~ model ~ ': give at least one not_null column, rule or accepted_values') -%}
{%- endif %}

-- One sum per check counts the rows that break it; the result has one row per check some row breaks.
with

broken_counts as (
    select
        {%- for check in checks %}
            sum(case when {{ check.broken }} then 1 else 0 end) as broken_rows_{{ loop.index }}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

broken_checks as (
    {%- for check in checks %}
        select
            '{{ dbt.escape_single_quotes(check.label) }}' as rule,
            broken_rows_{{ loop.index }} as broken_rows
        from broken_counts
        where broken_rows_{{ loop.index }} > 0
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from broken_checks

{% endtest %}
