-- Long form of customer_segments: one row per customer and exclusive family, plus one row per behavioural
-- tag a customer carries (family 'behaviour') - the shape activation tools and BI filters want.
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

spend_tier_memberships as (
    select
        customer_id,
        'spend_tier' as segment_family,
        spend_tier as segment,
        as_of_date
    from segments
),

aov_tier_memberships as (
    select
        customer_id,
        'aov_tier' as segment_family,
        aov_tier as segment,
        as_of_date
    from segments
),

-- one row per tag a customer carries
behaviour_memberships as (
    {%- for tag in behaviour_tags() %}
        select
            customer_id,
            'behaviour' as segment_family,
            '{{ tag.segment }}' as segment,
            as_of_date
        from segments
        where {{ tag.column }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select * from rfm_memberships
    union all
    select * from lifecycle_memberships
    union all
    select * from spend_tier_memberships
    union all
    select * from aov_tier_memberships
    union all
    select * from behaviour_memberships
)

select * from final
