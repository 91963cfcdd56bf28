-- One row per customer: one column per exclusive segment family and one boolean per behavioural tag,
-- as of as_of_date.
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
        -- behavioural tags (not exclusive)
        {%- for tag in behaviour_tags() %}
            behaviour.{{ tag.column }},
        {%- endfor %}
        customers.as_of_date
    from customers
    left join rfm
        on customers.customer_id = rfm.customer_id
    left join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join value_tiers
        on customers.customer_id = value_tiers.customer_id
    left join behaviour
        on customers.customer_id = behaviour.customer_id
)

select * from final
