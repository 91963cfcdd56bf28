-- Long form of customer_segments: one row per customer and exclusive family, the shape activation tools
-- and BI filters want.
with

segments as (
    select * from {{ ref('customer_segments') }}
),

rfm_memberships as (
    select
        customer_id,
        'rfm' as segment_family,
        rfm_segment as segment,
        as_of_date
    from segments
),

lifecycle_memberships as (
    select
        customer_id,
        'lifecycle' as segment_family,
        lifecycle_cell as segment,
        as_of_date
    from segments
),

final as (
    select * from rfm_memberships
    union all
    select * from lifecycle_memberships
)

select * from final
