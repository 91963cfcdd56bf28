"""BG/NBD and Gamma-Gamma fitted by maximum likelihood on the BTYD summary: one row per model x parameter.

The maths is segmart.btyd (scipy); a base too small or too young to fit logs a warning and gives null values
with fit_status too_few_repeat_buyers or not_converged, never a failed build. Thresholds come from vars,
passed in through this model's meta in _predictive__models.yml."""

from segmart import predictive


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("meta") or {}
    min_repeat_buyers = int(float(settings.get("btyd_min_repeat_buyers", 30)))

    summary = dbt.ref("int_customers_btyd_summarised").df()
    as_of_date = summary["as_of_date"].iloc[0] if len(summary) else None
    fits = predictive.fit_models(summary, min_repeat_buyers)
    repeat_buyers = int((summary["frequency"] > 0).sum())
    return predictive.parameters_frame(fits, len(summary), repeat_buyers, as_of_date)
