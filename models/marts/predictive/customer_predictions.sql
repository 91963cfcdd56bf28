-- One row per purchaser: BTYD inputs, probability alive, churn probability, expected purchases, expected average
-- order value, discounted 365-day CLV and the two tiers. Churn risk tier: churn probability against fixed
-- cut-offs (vars churn_risk_*_min_probability). Predicted-CLV tier: quantiles of predicted CLV over customers with
-- a prediction (vars predicted_clv_tier_*_quantile). Predictions and tiers are null when the models are unusable.
with

summaries as (
    select * from {{ ref('int_customers_btyd_summarised') }}
),

scores as (
    select * from {{ predictive_model_output('int_customers_btyd_scored') }}
),

joined as (
    select
        summaries.customer_id,
        summaries.as_of_date,
        summaries.first_purchase_date,
        summaries.last_purchase_date,
        summaries.frequency,
        summaries.recency,
        summaries.customer_age,
        summaries.time_unit_days,
        summaries.monetary_value,
        cast(scores.probability_alive as {{ type_double() }}) as probability_alive,
        cast(scores.expected_purchases_next_30_days as {{ type_double() }}) as expected_purchases_next_30_days,
        cast(scores.expected_purchases_next_90_days as {{ type_double() }}) as expected_purchases_next_90_days,
        cast(scores.expected_purchases_next_365_days as {{ type_double() }}) as expected_purchases_next_365_days,
        cast(scores.expected_average_order_value as {{ type_double() }}) as expected_average_order_value,
        cast(scores.predicted_clv_365d as {{ type_double() }}) as predicted_clv_365d,
        scores.prediction_status
    from summaries
    left join scores
        on summaries.customer_id = scores.customer_id
),

clv_cutoffs as (
    select
        {{ quantile_continuous('predicted_clv_365d', var('predicted_clv_tier_high_quantile')) }} as high_min_clv,
        {{ quantile_continuous('predicted_clv_365d', var('predicted_clv_tier_low_quantile')) }} as low_below_clv
    from joined
    where predicted_clv_365d is not null
),

final as (
    select
        joined.customer_id,
        joined.as_of_date,
        joined.first_purchase_date,
        joined.last_purchase_date,
        joined.frequency,
        joined.recency,
        joined.customer_age,
        joined.time_unit_days,
        joined.monetary_value,
        joined.probability_alive,
        1 - joined.probability_alive as churn_probability,
        joined.expected_purchases_next_30_days,
        joined.expected_purchases_next_90_days,
        joined.expected_purchases_next_365_days,
        joined.expected_average_order_value,
        joined.predicted_clv_365d,
        case
            when joined.probability_alive is null then null
            when 1 - joined.probability_alive >= {{ var('churn_risk_high_min_probability') }} then 'high'
            when 1 - joined.probability_alive >= {{ var('churn_risk_medium_min_probability') }} then 'medium'
            else 'low'
        end as churn_risk_tier,
        case
            when joined.predicted_clv_365d is null then null
            when joined.predicted_clv_365d > clv_cutoffs.high_min_clv then 'high'
            when joined.predicted_clv_365d < clv_cutoffs.low_below_clv then 'low'
            else 'medium'
        end as predicted_clv_tier,
        coalesce(joined.prediction_status, 'not_scored') as prediction_status
    from joined
    cross join clv_cutoffs
)

select * from final
