-- One row per customer: order stage (0 signup, 1 one_timer, 2 repeat, lifecycle_loyal_min_orders+ loyal)
-- crossed with recency status against the calibrated cut-offs. The recency reference is the last order,
-- or the signup for a customer who never bought. Boundaries are inclusive: days <= active_max_days is
-- active, days <= churn_after_days is at_risk, beyond it churned.
with

customers as (
    select * from {{ ref('dim_customers') }}
),

cutoffs as (
    select * from {{ ref('int_lifecycle_cutoffs_calibrated') }}
),

recency_references as (
    select
        customer_id,
        order_count,
        coalesce(days_since_last_order, days_since_signup) as days_since_reference
    from customers
),

staged as (
    select
        recency_references.customer_id,
        recency_references.days_since_reference,
        case
            when recency_references.order_count >= {{ lifecycle_loyal_min_orders() }} then 'loyal'
            when recency_references.order_count >= 2 then 'repeat'
            when recency_references.order_count = 1 then 'one_timer'
            else 'signup'
        end as order_stage,
        case
            when recency_references.days_since_reference <= cutoffs.active_max_days then 'active'
            when recency_references.days_since_reference <= cutoffs.churn_after_days then 'at_risk'
            else 'churned'
        end as recency_status
    from recency_references
    cross join cutoffs
),

final as (
    select
        customer_id,
        order_stage,
        recency_status,
        {{ dbt.concat(['order_stage', "'_'", 'recency_status']) }} as lifecycle_cell,
        days_since_reference
    from staged
)

select * from final
