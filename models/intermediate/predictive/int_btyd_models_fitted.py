"""BG/NBD and Gamma-Gamma fitted by maximum likelihood on the BTYD summary: one row per model x parameter.

The maths is segmart.btyd (scipy); a base too small or too young to fit logs a warning and gives null values
with fit_status too_few_repeat_buyers or not_converged, never a failed build. Thresholds come from vars,
passed in through this model's meta in _predictive__models.yml.

Refit cadence (var predictive_refit_days): a converged fit stored by an earlier run, with the same settings and
fitted fewer than that many days before as_of_date, is kept rather than refitted; 0 refits on every run."""

from segmart import predictive


def _stored_parameters(session, relation):
    """The table an earlier run left, or None (first build, or a table from an older version of this model)."""
    try:
        return session.sql(f"select * from {relation}").df()
    except Exception:  # noqa: BLE001 - no stored fit: fit
        return None


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("meta") or {}
    min_repeat_buyers = int(float(settings.get("btyd_min_repeat_buyers", 30)))
    refit_days = int(float(settings.get("predictive_refit_days", 0)))
    fit_settings = predictive.fit_settings(btyd_min_repeat_buyers=min_repeat_buyers,
                                           btyd_time_unit_days=settings.get("btyd_time_unit_days", 7))

    summary = dbt.ref("int_customers_btyd_summarised").df()
    as_of_date = summary["as_of_date"].iloc[0] if len(summary) else None
    stored = _stored_parameters(session, dbt.this) if refit_days > 0 else None
    if predictive.stored_parameters_reusable(stored, as_of_date, fit_settings, refit_days):
        predictive.info(f"BTYD fit of {predictive.as_of_text(stored['as_of_date'].iloc[0])} kept (predictive_refit_days = {refit_days})")
        return stored
    fits = predictive.fit_models(summary, min_repeat_buyers)
    repeat_buyers = int((summary["frequency"] > 0).sum())
    return predictive.parameters_frame(fits, len(summary), repeat_buyers, as_of_date, fit_settings)
