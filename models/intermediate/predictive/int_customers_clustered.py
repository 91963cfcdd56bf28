"""k-means clusters of purchasers on log1p-transformed, standardised recency (days since last purchase),
frequency (purchase days) and monetary value (mean net revenue per purchase day), plus the configured extra
features of int_customers_purchases_aggregated; k chosen by silhouette (segmart.predictive.cluster_customers).
Cluster 1 is always the group with the highest mean monetary value.

Refit cadence (var predictive_refit_days): when an earlier run's model (cluster_model) was fitted with the same
settings fewer than that many days before as_of_date, customers are assigned to its nearest centroid
(segmart.predictive.assign_clusters) instead of refitting; 0 refits on every run."""

import ast

from segmart import predictive


def _as_list(value):
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = ast.literal_eval(value) if value.strip().startswith("[") else [value]
    return [str(item) for item in value]


def _stored_model(session, relation):
    """The cluster model an earlier run stored, or None (first build, no clusters, or an older table)."""
    try:
        row = session.sql(f"select cluster_model from {relation} where cluster_model is not null limit 1").fetchone()
    except Exception:  # noqa: BLE001 - nothing stored: fit
        return None
    return predictive.ClusterModel.from_json(row[0]) if row else None


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("meta") or {}
    extra_features = _as_list(settings.get("cluster_extra_features"))
    k_min = int(float(settings.get("cluster_k_min", 3)))
    k_max = int(float(settings.get("cluster_k_max", 8)))
    seed = int(float(settings.get("cluster_random_seed", 42)))
    sample_size = int(float(settings.get("cluster_silhouette_sample_size", 10000)))
    refit_days = int(float(settings.get("predictive_refit_days", 0)))
    fit_settings = predictive.fit_settings(k_min=k_min, k_max=k_max, seed=seed, sample_size=sample_size,
                                           extra_features=extra_features)

    summary = dbt.ref("int_customers_btyd_summarised").df()
    if extra_features:
        purchases = dbt.ref("int_customers_purchases_aggregated").df()
        missing = [name for name in extra_features if name not in purchases.columns]
        if missing:
            raise ValueError(f"cluster_extra_features: {missing} are not columns of int_customers_purchases_aggregated")
        summary = summary.merge(purchases[["customer_id", *extra_features]], on="customer_id", how="left")

    stored = _stored_model(session, dbt.this) if refit_days > 0 else None
    as_of_date = summary["as_of_date"].iloc[0] if len(summary) else None
    if stored is not None and predictive.fit_is_reusable(stored.fitted_as_of_date, stored.settings, as_of_date,
                                                         fit_settings, refit_days):
        predictive.info(f"clusters of {stored.fitted_as_of_date} kept (predictive_refit_days = {refit_days})")
        return predictive.assign_clusters(summary, stored, seed, sample_size)
    return predictive.cluster_customers(summary, k_min=k_min, k_max=k_max, seed=seed,
                                        silhouette_sample_size=sample_size, extra_features=extra_features,
                                        settings=fit_settings)
