-- The fitted BTYD parameters as of as_of_date: one row per model x parameter (bgnbd: r, alpha, a, b;
-- gamma_gamma: p, q, v). Values are null when the base was too small or the fit did not converge.
with

fitted as (
    select * from {{ predictive_model_output('int_btyd_models_fitted') }}
),

final as (
    select
        cast(model as {{ dbt.type_string() }}) as model,  -- noqa: RF04
        cast(parameter as {{ dbt.type_string() }}) as parameter,  -- noqa: RF04
        cast(value as {{ type_double() }}) as value,  -- noqa: RF04
        cast(log_likelihood as {{ type_double() }}) as log_likelihood,
        cast(customers_used as {{ dbt.type_bigint() }}) as customers_used,
        cast(as_of_date as date) as as_of_date,
        cast(is_converged as boolean) as is_converged,
        cast(fit_status as {{ dbt.type_string() }}) as fit_status,
        cast(fit_message as {{ dbt.type_string() }}) as fit_message,
        cast(customers_in_base as {{ dbt.type_bigint() }}) as customers_in_base,
        cast(repeat_buyers as {{ dbt.type_bigint() }}) as repeat_buyers
    from fitted
)

select * from final
