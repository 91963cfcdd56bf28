-- The tracked identity links are the identity map: every identifier of int_identities_stitched is tracked with
-- the same customer, and every tracked identifier that is not in the map links to no one. A link that drifted from
-- the map would leave rows attributed to the wrong customer in the incremental models that follow the links.
with

current_links as (
    select * from {{ ref('int_identities_stitched') }}
),

tracked_links as (
    select * from {{ ref('int_identity_links_tracked') }}
),

compared as (
    select
        coalesce(current_links.identifier_type, tracked_links.identifier_type) as identifier_type,
        coalesce(current_links.identifier_value, tracked_links.identifier_value) as identifier_value,
        current_links.customer_id as map_customer_id,
        tracked_links.customer_id as tracked_customer_id,
        tracked_links.identifier_value is null as is_untracked
    from current_links
    full outer join tracked_links
        on
            current_links.identifier_type = tracked_links.identifier_type
            and current_links.identifier_value = tracked_links.identifier_value
),

final as (
    select *
    from compared
    where
        is_untracked
        or map_customer_id is distinct from tracked_customer_id
)

select * from final
