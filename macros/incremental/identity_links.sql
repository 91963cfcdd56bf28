{#- Attribution changes follow the identity links (DECISIONLOG.md "Attribution changes follow the identity links").

    int_identity_links_tracked stamps every identifier whose link changed (new, to another customer, or to no one).
    The incremental models that attribute rows through the identity map (web events, email events, orders)
    re-check, besides the rows their parents (re)computed, only the stored rows of identifiers stamped after their
    own latest stamp: a join on a few changed identifiers, not a comparison of every stored row with the map. -#}

{#- Subquery: the identifier values of this type whose link changed since this model's latest stamp. -#}
{% macro identity_links_changed(identifier_type) -%}
    (
        select identifier_value
        from {{ ref('int_identity_links_tracked') }}
        where
            identifier_type = '{{ identifier_type }}'
            and processed_at > {{ last_processed_at() }}
    )
{%- endmacro %}

{#- The keys of the rows of `relation` that name an identifier whose link changed since this model's latest stamp.
    identifier_columns: [identifier_type, column of relation holding that kind of identifier] pairs, e.g.
    [['customer_id', 'customer_id'], ['email', 'email']]. -#}
{% macro keys_of_changed_identity_links(key_column, relation, identifier_columns) -%}
    select {{ key_column }}
    from {{ relation }}
    where
    {%- for identifier_type, column in identifier_columns %}
        {{ 'or ' if not loop.first }}{{ column }} in {{ identity_links_changed(identifier_type) }}
    {%- endfor %}
{%- endmacro %}

{#- True when the links cannot say what changed since this model's latest stamp: the links table holds no row
    stamped at or before it, so it was created after this model's rows were computed (a warehouse built before
    the links were tracked; a full refresh never rebuilds it) and a link changed meanwhile left no row. The model
    then compares every stored row with the current map, as before the links were tracked. Runs a query at
    execution time; true when not executing or when the links table is not built yet. -#}
{% macro identity_links_restarted() -%}
    {%- set links = load_relation(ref('int_identity_links_tracked')) if execute else none -%}
    {#- not built yet (compiling or linting against a warehouse built before it): compare everything -#}
    {%- if links is none -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- set result = run_query(
        "select coalesce(min(processed_at) > " ~ last_processed_at() ~ ", true) from "
        ~ ref('int_identity_links_tracked')) -%}
    {{- return(result.columns[0].values()[0]) -}}
{%- endmacro %}
