{#- on-run-start: (re)create one view per raw source table over the files that are there now,
    so every dbt command sees the current batches and base models read plain relations
    (which dbt unit tests can replace with hand-written rows). Returns the DDL for the hook. -#}
{% macro create_raw_views() -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- if loop.first -%}
            {%- do statements.append('create schema if not exists ' ~ adapter.quote(node.schema)) -%}
        {%- endif -%}
        {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier, type='view') -%}
        {%- do statements.append('create or replace view ' ~ relation ~ ' as ' ~ read_raw_table(node.name)) -%}
    {%- endfor -%}
    {{- return(adapter.dispatch('raw_view_statements_sql', 'segmart')(statements)) -}}
{%- endmacro %}

{#- The hook's SQL: the statements, separated by semicolons (DuckDB runs them as one script). -#}
{% macro default__raw_view_statements_sql(statements) -%}
    {{- return(statements | join(';\n')) -}}
{%- endmacro %}

{#- Spark runs one statement per call: run each here, in order, and leave the hook itself nothing to run. -#}
{% macro spark__raw_view_statements_sql(statements) -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{- return('') -}}
{%- endmacro %}
