{#- Incremental by difference, for marts that carry no processed_at stamp (DECISIONLOG.md "Event-level marts are
    incremental by difference").

    changed_rows(cte): the CTE's rows, and on an incremental run only those not already stored exactly as they
    are (new keys and changed rows). With unique_key, the strategy replaces the stored rows of those keys.
    With config segmart_keys_gone (macros/incremental/incremental_builds.sql), stored keys the parent no longer
    has are deleted. Comparing costs a read of both sides; writing only what changed is what saves time, and the result
    does not depend on when the upstream models were built (no stamp to follow). -#}
{% macro changed_rows(cte) -%}
    {%- if is_incremental() and execute -%}
        {#- by name, in the stored table's column order: the two sides are compared by position -#}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- set column_list = columns | join(', ') -%}
    select {{ column_list }} from {{ cte }}
    except
    select {{ column_list }} from {{ this }}
    {%- else %}
    select * from {{ cte }}
    {%- endif %}
{%- endmacro %}
