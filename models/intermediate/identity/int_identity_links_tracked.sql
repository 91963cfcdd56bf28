-- Every identifier the identity map has ever linked, with the customer it links to now (null once it links to
-- no one: the customer left staging, the anonymous id lost its identified events) and processed_at, the stamp of
-- the run in which that link last changed. The incremental models that attribute events and orders through the
-- identity map re-check only the rows of identifiers stamped after their own latest stamp, instead of comparing
-- every stored row with the whole map (macros/incremental/identity_links.sql; DECISIONLOG.md "Attribution
-- changes follow the identity links").
-- Incremental: a run compares the current map with the stored links (a few hundred thousand narrow rows) and
-- stamps the identifiers that are new, linked to another customer, or no longer linked. A full refresh does not
-- rebuild it (full_refresh: false): a rebuilt table would forget the identifiers unlinked since the readers'
-- latest runs. Readers whose rows predate the table compare every stored row instead (identity_links_restarted).
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key="identifier_type || ':' || identifier_value",
    on_schema_change='fail',
    full_refresh=false,
) }}

with

current_links as (
    select
        identifier_type,
        identifier_value,
        customer_id
    from {{ ref('int_identities_stitched') }}
),

{% if is_incremental() %}
    stored_links as (
        select
            identifier_type,
            identifier_value,
            customer_id
        from {{ this }}
    ),

    -- Linked now, and new, or stored as linked to someone else or to no one.
    linked_differently as (
        select current_links.*
        from current_links
        left join stored_links
            on
                current_links.identifier_type = stored_links.identifier_type
                and current_links.identifier_value = stored_links.identifier_value
        where stored_links.customer_id is distinct from current_links.customer_id
    ),

    -- Stored as linked, and no longer in the map.
    unlinked as (
        select
            stored_links.identifier_type,
            stored_links.identifier_value,
            cast(null as {{ dbt.type_string() }}) as customer_id
        from stored_links
        left join current_links
            on
                stored_links.identifier_type = current_links.identifier_type
                and stored_links.identifier_value = current_links.identifier_value
        where
            stored_links.customer_id is not null
            and current_links.identifier_value is null
    ),

    links_changed as (
        select * from linked_differently
        union all
        select * from unlinked
    ),
{% endif %}

final as (
    select
        identifier_type,
        identifier_value,
        customer_id,
        {{ processed_at() }} as processed_at
    from {{ 'links_changed' if is_incremental() else 'current_links' }}
)

select * from final
