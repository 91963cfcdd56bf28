"""Per purchaser: probability alive, expected purchases in the next 30/90/365 days, expected average order value
and discounted 365-day CLV from the fitted BG/NBD and Gamma-Gamma parameters (segmart.predictive.score_customers).
Null predictions where a model is unusable (see int_btyd_models_fitted.fit_status)."""

from segmart import predictive


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("meta") or {}
    time_unit_days = float(settings.get("btyd_time_unit_days", 7))
    discount_rate = float(settings.get("clv_annual_discount_rate", 0.1))

    summary = dbt.ref("int_customers_btyd_summarised").df()
    parameters = dbt.ref("int_btyd_models_fitted").df()
    return predictive.score_customers(summary, parameters, time_unit_days, discount_rate)
