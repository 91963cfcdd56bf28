-- One row: the recency cut-offs of the lifecycle grid, calibrated from the store's own repurchase gaps
-- (days between consecutive distinct purchase days of a customer, across all customers), unless a var
-- overrides them in days. active_max_days = ceil(quantile lifecycle_active_quantile of the gaps),
-- churn_after_days = ceil(quantile lifecycle_churn_quantile), never below active_max_days. With no gap at
-- all (nobody bought on two days) the default days (vars lifecycle_default_*) apply: never null.
{%- set active_override = lifecycle_active_max_days_override() %}
{%- set churn_override = lifecycle_churn_after_days_override() %}
with

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
),

purchase_days as (
    select distinct
        customer_id,
        cast(ordered_at as date) as purchase_date
    from orders
    where
        is_purchase
        and customer_id is not null
        and ordered_at < {{ as_of_cutoff_at() }}
),

previous_purchase_days as (
    select
        customer_id,
        purchase_date,
        lag(purchase_date) over (
            partition by customer_id
            order by purchase_date asc nulls last
        ) as previous_purchase_date
    from purchase_days
),

repurchase_gaps as (
    select
        {{ dbt.datediff(
            'previous_purchase_date',
            'purchase_date', 'day') }} as gap_days
    from previous_purchase_days
    where previous_purchase_date is not null
),

gap_quantiles as (
    select
        count(*) as repurchase_gaps_used,
        {{ quantile_continuous('gap_days', lifecycle_active_quantile()) }} as active_quantile_days,
        {{ quantile_continuous('gap_days', lifecycle_churn_quantile()) }} as churn_quantile_days
    from repurchase_gaps
),

cutoffs as (
    select
        repurchase_gaps_used,
        {%- if active_override is not none %}
            {{ active_override }} as active_max_days,
            'override' as active_max_days_source,
        {%- else %}
            case
                when repurchase_gaps_used > 0
                    then cast(ceil(active_quantile_days) as {{ dbt.type_int() }})
                else {{ lifecycle_default_active_max_days() }}
            end as active_max_days,
            case when repurchase_gaps_used > 0 then 'calibrated' else 'default' end as active_max_days_source,
        {%- endif %}
        {%- if churn_override is not none %}
            {{ churn_override }} as churn_after_days_raw,
            'override' as churn_after_days_source
        {%- else %}
            case
                when repurchase_gaps_used > 0
                    then cast(ceil(churn_quantile_days) as {{ dbt.type_int() }})
                else {{ lifecycle_default_churn_after_days() }}
            end as churn_after_days_raw,
            case when repurchase_gaps_used > 0 then 'calibrated' else 'default' end as churn_after_days_source
        {%- endif %}
    from gap_quantiles
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        cast(active_max_days as {{ dbt.type_int() }}) as active_max_days,
        -- churn never comes before the end of the active window
        cast(
            case when churn_after_days_raw < active_max_days then active_max_days else churn_after_days_raw end
            as {{ dbt.type_int() }}
        ) as churn_after_days,
        active_max_days_source,
        churn_after_days_source,
        case
            when active_max_days_source = 'calibrated'
                then cast({{ lifecycle_active_quantile() }} as {{ type_double() }})
        end as active_quantile,
        case
            when churn_after_days_source = 'calibrated'
                then cast({{ lifecycle_churn_quantile() }} as {{ type_double() }})
        end as churn_quantile,
        cast(repurchase_gaps_used as {{ dbt.type_bigint() }}) as repurchase_gaps_used
    from cutoffs
)

select * from final
