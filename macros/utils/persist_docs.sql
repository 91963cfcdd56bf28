{#- Descriptions as database comments. On DuckDB, dbt's persist_docs would write them into the working warehouse,
    which BI never reads: a run of statements after every model (one comment per column, and two catalog queries)
    for comments nobody sees. Publication writes them instead, from dbt's manifest, into the read-only copy that
    BI opens (scripts/segmart/publish.py, DECISIONLOG.md "Descriptions reach BI through the published copy").
    Other engines keep dbt's behaviour (+persist_docs in dbt_project.yml): on Spark the metastore holds them. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
{%- endmacro %}
