"""k-means clusters of purchasers on log1p-transformed, standardised recency (days since last purchase),
frequency (purchase days) and monetary value (mean net revenue per purchase day), plus the configured extra
features of int_customers_purchases_aggregated; k chosen by silhouette (segmart.predictive.cluster_customers).
Cluster 1 is always the group with the highest mean monetary value."""

import ast

from segmart import predictive


def _as_list(value):
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = ast.literal_eval(value) if value.strip().startswith("[") else [value]
    return [str(item) for item in value]


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dbt.config.get("meta") or {}
    extra_features = _as_list(settings.get("cluster_extra_features"))

    summary = dbt.ref("int_customers_btyd_summarised").df()
    if extra_features:
        purchases = dbt.ref("int_customers_purchases_aggregated").df()
        missing = [name for name in extra_features if name not in purchases.columns]
        if missing:
            raise ValueError(f"cluster_extra_features: {missing} are not columns of int_customers_purchases_aggregated")
        summary = summary.merge(purchases[["customer_id", *extra_features]], on="customer_id", how="left")
    return predictive.cluster_customers(
        summary,
        k_min=int(float(settings.get("cluster_k_min", 3))),
        k_max=int(float(settings.get("cluster_k_max", 8))),
        seed=int(float(settings.get("cluster_random_seed", 42))),
        silhouette_sample_size=int(float(settings.get("cluster_silhouette_sample_size", 10000))),
        extra_features=extra_features,
    )
