{#- Data tests of an incremental model check the rows its latest run (re)computed (issue 6,
    DECISIONLOG.md "Data tests on incremental models test what the run changed").

    dbt wraps the model a generic test reads in get_where_subquery; this override adds one predicate when the
    tested model documents a processed_at column (the incremental base and web models, and the staging views
    over them):
        processed_at = (select max(processed_at) from <relation>)
    Every row a run (re)computes carries that run's stamp, so after a full refresh the predicate keeps every row
    (the whole table is tested) and after an incremental run it keeps the new and replaced rows. The strategy
    replaces every row of a touched key, so per-key tests (unique, at most one staged row) still see all of a
    key's rows. A model with meta test_scope: as_of_date (the segment history) is tested on the slice of the
    run's as_of_date instead (latest_run_predicate). Set var test_all_rows: true to test whole tables on an
    incremental run (a weekly check, say). A test's own `where` config still applies, and-ed with this. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set latest_run = latest_run_predicate(relation) -%}
    {#- A lone predicate is not parenthesised: Spark reads "from t where (x)" as t aliased "where" with a column
        alias list. -#}
    {%- if where and latest_run -%}
        {%- set predicate = '(' ~ where ~ ') and ' ~ latest_run -%}
    {%- else -%}
        {%- set predicate = where or latest_run -%}
    {%- endif -%}
    {%- if predicate -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ predicate ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The predicate that keeps the rows of this relation the latest run wrote, '' to test every row:
      - a model documenting processed_at: the rows stamped by its latest run;
      - a model with meta test_scope: as_of_date (segment_membership_history, which replaces the slice of the
        run's as_of_date and keeps the others): the rows of this run's as_of_date. Each slice was tested when
        it was written, and the history grows by one slice per refresh: testing all of it every day would cost
        more each day;
      - anything else, or var test_all_rows: true: every row. -#}
{% macro latest_run_predicate(relation) -%}
    {%- if var('test_all_rows', false) or not execute or relation.identifier is none -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- for node in graph.nodes.values()
            if node.resource_type == 'model'
            and (node.alias or node.name) | lower == relation.identifier | lower
            and node.schema | lower == (relation.schema or '') | lower -%}
        {%- if (node.config.meta or {}).get('test_scope') == 'as_of_date' -%}
            {%- do return('as_of_date = ' ~ as_of_date()) -%}
        {%- elif 'processed_at' in node.columns -%}
            {%- do return('processed_at = (select max(processed_at) from ' ~ relation ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return('') -%}
{%- endmacro %}
