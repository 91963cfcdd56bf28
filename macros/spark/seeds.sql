{#- Seeds on Spark. dbt-spark 1.11's `session` method fills the values of a seed's insert into the SQL text
    with Python string formatting and quotes them without escaping: a value with an apostrophe (the RFM
    segment "Can't Lose Them") breaks the statement, and an empty cell becomes the text 'None'. This override
    of its spark__load_csv_rows writes the values as SQL literals instead: null for empty cells, quotes
    escaped (dbt.escape_single_quotes). Other methods (thrift, odbc) get the same literals. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ seed_value_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- One seed cell as a SQL literal: null, a number, or quoted text (dates and timestamps as ISO text). -#}
{% macro seed_value_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number and value is not boolean -%}
        {{ value }}
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- else -%}
        '{{ dbt.escape_single_quotes(value | string) }}'
    {%- endif -%}
{%- endmacro %}
