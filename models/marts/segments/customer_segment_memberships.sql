-- Long form of customer_segments: one row per customer and exclusive family (RFM, lifecycle, value tiers,
-- profile families), plus one row per behavioural tag, lifecycle event and campaign audience a customer
-- carries (families behaviour, lifecycle_event, audience) - the shape activation tools and BI filters want.
with

segments as (
    select * from {{ ref('customer_segments') }}
),

audiences as (
    select * from {{ ref('int_customers_audiences_selected') }}
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

profile_memberships as (
    {%- for profile in profile_families() %}
        select
            customer_id,
            '{{ profile.family }}' as segment_family,
            profile_{{ profile.family }} as segment,
            as_of_date
        from segments
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

predictive_memberships as (
    {%- for predictive in predictive_families() %}
        select
            customer_id,
            '{{ predictive.family }}' as segment_family,
            {{ predictive.family }} as segment,
            as_of_date
        from segments
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

lifecycle_event_memberships as (
    {%- for event in lifecycle_events() %}
        select
            customer_id,
            'lifecycle_event' as segment_family,
            '{{ event.segment }}' as segment,
            as_of_date
        from segments
        where {{ event.column }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

audience_memberships as (
    {%- for audience in campaign_audiences() %}
        select
            customer_id,
            'audience' as segment_family,
            '{{ audience.segment }}' as segment,
            as_of_date
        from audiences
        where {{ audience.column }}
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
    union all
    select * from profile_memberships
    union all
    select * from predictive_memberships
    union all
    select * from lifecycle_event_memberships
    union all
    select * from audience_memberships
)

select * from final
