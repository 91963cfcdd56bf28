"""The predictive layer's steps on data frames: fit, score, cluster. The dbt Python models in
models/intermediate/predictive/ are thin wrappers around these, and `segmart.bench --predictive-customers`
times the same functions, so what is benchmarked is what dbt runs.

Input frames have the columns of int_customers_btyd_summarised (customer_id, frequency, recency,
customer_age, monetary_value, days_since_last_purchase, purchase_days, purchase_day_value_mean, as_of_date).
A base that cannot be fitted never raises: it returns statuses, logs a warning and scores nulls.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from segmart import btyd

STATUS_OK = "ok"
STATUS_TOO_FEW = "too_few_repeat_buyers"
STATUS_NOT_CONVERGED = "not_converged"
STATUS_NO_BGNBD = "bgnbd_unavailable"

_fallback_logger = logging.getLogger("segmart.predictive")


def warn(message: str) -> None:
    """A warning in dbt's log (console and logs/dbt.log) when running inside dbt, else a Python log warning."""
    try:
        from dbt.adapters.events.logging import AdapterLogger

        AdapterLogger("segmart predictive").warning(message)
    except Exception:  # noqa: BLE001 - outside dbt any logger will do
        _fallback_logger.warning(message)


def fit_models(summary: pd.DataFrame, min_repeat_buyers: int) -> list[btyd.FitResult | None]:
    """[BG/NBD fit, Gamma-Gamma fit] with status in .message; None for a model that was not attempted."""
    # a fixed row order: the optimiser's sums (and so its last digits) must not depend on how DuckDB scanned
    summary = summary.sort_values("customer_id", kind="stable")
    frequency = summary["frequency"].to_numpy(dtype=float)
    repeat_buyers = int(np.sum(frequency > 0))
    if repeat_buyers < min_repeat_buyers:
        warn(f"BTYD models not fitted: {repeat_buyers} repeat buyers among {len(summary)} customers, fewer than "
             f"btyd_min_repeat_buyers = {min_repeat_buyers}. Predictions are null until the base grows.")
        return [None, None]
    bgnbd = btyd.fit_bgnbd(frequency, summary["recency"].to_numpy(dtype=float),
                           summary["customer_age"].to_numpy(dtype=float))
    if not bgnbd.converged:
        warn(f"BG/NBD fit did not converge ({bgnbd.message}); predictions are null.")
    monetary = summary["monetary_value"].to_numpy(dtype=float, na_value=np.nan)
    gamma_gamma = btyd.fit_gamma_gamma(frequency, monetary)
    if not gamma_gamma.converged:
        warn(f"Gamma-Gamma fit did not converge ({gamma_gamma.message}); order values and CLV are null.")
    return [bgnbd, gamma_gamma]


def _status(fit: btyd.FitResult | None) -> str:
    if fit is None:
        return STATUS_TOO_FEW
    return STATUS_OK if fit.converged else STATUS_NOT_CONVERGED


def parameters_frame(fits: list[btyd.FitResult | None], customers: int, repeat_buyers: int, as_of_date) -> pd.DataFrame:
    """One row per model x parameter (r, alpha, a, b; p, q, v) with the fit's status; values null when unfitted."""
    rows = []
    for model, names, fit in (("bgnbd", btyd.BGNBD_PARAMETERS, fits[0]),
                              ("gamma_gamma", btyd.GAMMA_GAMMA_PARAMETERS, fits[1])):
        for parameter in names:
            value = None if fit is None else fit.params[parameter]
            rows.append({
                "model": model,
                "parameter": parameter,
                "value": value if value is not None and np.isfinite(value) else None,
                "log_likelihood": None if fit is None or not np.isfinite(fit.log_likelihood) else fit.log_likelihood,
                "customers_used": 0 if fit is None else fit.customers_used,
                "customers_in_base": customers,
                "repeat_buyers": repeat_buyers,
                "is_converged": False if fit is None else fit.converged,
                "fit_status": _status(fit),
                "fit_message": "not fitted: too few repeat buyers" if fit is None else fit.message,
                "as_of_date": as_of_date,
            })
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype("float64")
    frame["log_likelihood"] = frame["log_likelihood"].astype("float64")
    frame["customers_used"] = frame["customers_used"].astype("int64")
    return frame


def _usable_parameters(parameters: pd.DataFrame, model: str) -> dict[str, float] | None:
    rows = parameters[parameters["model"] == model]
    if rows.empty or not bool(rows["is_converged"].all()):
        return None
    return dict(zip(rows["parameter"], rows["value"].astype(float)))


def score_customers(summary: pd.DataFrame, parameters: pd.DataFrame, time_unit_days: float,
                    annual_discount_rate: float) -> pd.DataFrame:
    """Per customer: probability alive, expected purchases in the next 30/90/365 days, expected average order
    value and discounted 365-day CLV. Null where the model they need is not usable."""
    bgnbd = _usable_parameters(parameters, "bgnbd")
    gamma_gamma = _usable_parameters(parameters, "gamma_gamma")
    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency"].to_numpy(dtype=float)
    T = summary["customer_age"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float, na_value=np.nan)
    nulls = np.full(len(summary), np.nan)
    out = pd.DataFrame({"customer_id": summary["customer_id"].to_numpy()})
    if bgnbd is not None:
        out["probability_alive"] = btyd.probability_alive(bgnbd, x, t_x, T)
        for days in (30, 90, 365):
            out[f"expected_purchases_next_{days}_days"] = btyd.expected_purchases(bgnbd, days / time_unit_days,
                                                                                   x, t_x, T)
    else:
        out["probability_alive"] = nulls
        for days in (30, 90, 365):
            out[f"expected_purchases_next_{days}_days"] = nulls
    if gamma_gamma is not None:
        out["expected_average_order_value"] = btyd.expected_average_order_value(gamma_gamma, x, m)
    else:
        out["expected_average_order_value"] = nulls
    if bgnbd is not None and gamma_gamma is not None:
        out["predicted_clv_365d"] = btyd.customer_lifetime_value(
            bgnbd, gamma_gamma, x, t_x, T, m, horizon_days=365.0, time_unit_days=time_unit_days,
            annual_discount_rate=annual_discount_rate)
    else:
        out["predicted_clv_365d"] = nulls
    out["prediction_status"] = (STATUS_OK if bgnbd is not None and gamma_gamma is not None
                                else "partial" if bgnbd is not None else STATUS_NO_BGNBD)
    return out


# --- clusters ---------------------------------------------------------------------------------------

CORE_FEATURES = ("days_since_last_purchase", "purchase_days", "purchase_day_value_mean")


def _level(z: float, low: str, mid: str, high: str) -> str:
    return high if z > 0.5 else low if z < -0.5 else mid


def cluster_customers(features: pd.DataFrame, k_min: int, k_max: int, seed: int, silhouette_sample_size: int,
                      extra_features: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """k-means on log1p-transformed, standardised features (recency = days since last purchase, frequency =
    purchase days, monetary = mean net revenue per purchase day, plus extra_features); k in [k_min, k_max]
    chosen by the silhouette score on a fixed-seed sample. Clusters are numbered 1..k by descending mean
    monetary value, so cluster 1 is always the highest-value group, and named from their standardised profile.

    Returns per customer: customer_id, cluster_id, cluster_name, cluster_count (k), silhouette (the customer's
    silhouette when sampled, else null), overall silhouette of the chosen k, and the cluster's centroid
    back-transformed into original units (centroid_<feature>). Empty cluster columns (null) when clustering is
    impossible (fewer customers than k_min + 1, or no spread)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_samples

    # Row order must not matter (k-means++ seeding and the silhouette sample draw by position): sort by key.
    features = features.sort_values("customer_id", kind="stable").reset_index(drop=True)
    columns = list(CORE_FEATURES) + [c for c in extra_features if c not in CORE_FEATURES]
    raw = features[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    raw = np.where(np.isfinite(raw), raw, 0.0)
    logged = np.log1p(np.clip(raw, 0.0, None))
    mean, std = logged.mean(axis=0), logged.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    standardised = (logged - mean) / std

    n = len(features)
    result = pd.DataFrame({"customer_id": features["customer_id"].to_numpy()})
    distinct_points = len(np.unique(standardised, axis=0)) if n else 0
    if n < k_min + 1 or distinct_points <= k_min:
        warn(f"Clusters not computed: {n} customers with {distinct_points} distinct profiles is too few for "
             f"k >= {k_min}.")
        return _without_clusters(result, columns)

    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=min(n, silhouette_sample_size), replace=False))
    best = None
    for k in range(k_min, min(k_max, distinct_points - 1) + 1):
        kmeans = KMeans(n_clusters=k, random_state=seed, n_init=3, max_iter=300).fit(standardised)
        labels = kmeans.labels_
        if len(np.unique(labels[sample])) < 2:
            continue
        scores = silhouette_samples(standardised[sample], labels[sample])
        score = float(np.mean(scores))
        if best is None or score > best[0] + 1e-12:
            best = (score, k, kmeans, scores)
    if best is None:
        warn("Clusters not computed: no k in the configured range separates the silhouette sample.")
        return _without_clusters(result, columns)
    score, k, kmeans, sample_scores = best

    centroids_original = np.expm1(kmeans.cluster_centers_ * std + mean)
    monetary_index = columns.index("purchase_day_value_mean")
    mean_monetary = np.array([raw[kmeans.labels_ == c, monetary_index].mean() for c in range(k)])
    # stable numbering: descending mean monetary value, ties broken by the centroid coordinates
    order = sorted(range(k), key=lambda c: (-mean_monetary[c], *kmeans.cluster_centers_[c]))
    new_id = {old: position + 1 for position, old in enumerate(order)}
    names = {}
    for old in order:
        z_recency, z_frequency, z_monetary = kmeans.cluster_centers_[old][:3]
        names[old] = " ".join([
            _level(-z_recency, "lapsed", "cooling", "recent"),
            _level(z_frequency, "one-off", "occasional", "frequent"),
            _level(z_monetary, "low-spend", "mid-spend", "high-spend"),
        ])
    seen: dict[str, int] = {}
    for old in order:
        seen[names[old]] = seen.get(names[old], 0) + 1
    for old in order:
        if seen[names[old]] > 1:
            names[old] = f"{names[old]} {new_id[old]}"

    labels = kmeans.labels_
    result["cluster_id"] = np.vectorize(new_id.get)(labels).astype("int64")
    result["cluster_name"] = [names[label] for label in labels]
    result["cluster_count"] = np.int64(k)
    silhouette = np.full(n, np.nan)
    silhouette[sample] = sample_scores
    result["silhouette"] = silhouette
    result["silhouette_overall"] = score
    for index, column in enumerate(columns):
        result[f"centroid_{column}"] = centroids_original[labels, index]
    return result


def _without_clusters(result: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every customer kept, every cluster column null (typed, so the table's columns keep their types)."""
    n = len(result)
    result["cluster_id"] = pd.array([None] * n, dtype="Int64")
    result["cluster_name"] = pd.array([None] * n, dtype="string")
    result["cluster_count"] = pd.array([None] * n, dtype="Int64")
    result["silhouette"] = np.full(n, np.nan)
    result["silhouette_overall"] = np.full(n, np.nan)
    for column in columns:
        result[f"centroid_{column}"] = np.full(n, np.nan)
    return result
