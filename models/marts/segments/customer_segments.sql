-- One row per customer: one column per exclusive segment family (RFM, lifecycle, value tiers, profile
-- families) and one boolean per behavioural tag and lifecycle event, as of as_of_date. Campaign audiences,
-- whose number follows configuration, are in customer_segment_memberships only (this table's contract
-- stays fixed).
with

customers as (
    select * from {{ ref('dim_customers') }}
),

rfm as (
    select * from {{ ref('int_customers_rfm_scored') }}
),

lifecycle as (
    select * from {{ ref('int_customers_lifecycle_staged') }}
),

value_tiers as (
    select * from {{ ref('int_customers_value_tiered') }}
),

behaviour as (
    select * from {{ ref('int_customers_behaviour_tagged') }}
),

lifecycle_events as (
    select * from {{ ref('int_customers_lifecycle_events_flagged') }}
),

customer_profiles as (
    select
        customer_id,
        {%- for profile in profile_families() %}
            coalesce({{ profile.expression }}, 'unknown') as profile_{{ profile.family }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from customers
),

final as (
    select
        customers.customer_id,
        -- rfm family
        rfm.rfm_segment,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.rfm_cell,
        -- lifecycle family
        lifecycle.lifecycle_cell,
        lifecycle.order_stage as lifecycle_order_stage,
        lifecycle.recency_status as lifecycle_recency_status,
        -- value tiers
        value_tiers.spend_tier,
        value_tiers.aov_tier,
        -- profile families ('unknown' when the profile lacks the value)
        {%- for profile in profile_families() %}
            customer_profiles.profile_{{ profile.family }},
        {%- endfor %}
        -- predictive families ('none' without a prediction)
        {%- for predictive in predictive_families() %}
            coalesce(customers.{{ predictive.column }}, 'none') as {{ predictive.family }},
        {%- endfor %}
        -- behavioural tags (not exclusive)
        {%- for tag in behaviour_tags() %}
            behaviour.{{ tag.column }},
        {%- endfor %}
        -- lifecycle events (not exclusive)
        {%- for event in lifecycle_events() %}
            lifecycle_events.{{ event.column }},
        {%- endfor %}
        customers.as_of_date
    from customers
    left join customer_profiles
        on customers.customer_id = customer_profiles.customer_id
    left join rfm
        on customers.customer_id = rfm.customer_id
    left join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join value_tiers
        on customers.customer_id = value_tiers.customer_id
    left join behaviour
        on customers.customer_id = behaviour.customer_id
    left join lifecycle_events
        on customers.customer_id = lifecycle_events.customer_id
)

select * from final
