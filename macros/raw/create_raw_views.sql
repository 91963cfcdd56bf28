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
    {{- return(statements | join(';\n')) -}}
{%- endmacro %}
