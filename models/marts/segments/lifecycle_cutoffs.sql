-- One row: the recency cut-offs the lifecycle grid uses as of as_of_date and how each was obtained.
with

cutoffs as (
    select * from {{ ref('int_lifecycle_cutoffs_calibrated') }}
),

final as (
    select
        as_of_date,
        active_max_days,
        churn_after_days,
        active_max_days_source,
        churn_after_days_source,
        active_quantile,
        churn_quantile,
        repurchase_gaps_used
    from cutoffs
)

select * from final
