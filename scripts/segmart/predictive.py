"""The predictive layer's steps on data frames: fit, score, cluster. The dbt Python models in
models/intermediate/predictive/ are thin wrappers around these, and `segmart.bench --predictive-customers`
times the same functions, so what is benchmarked is what dbt runs.

Input frames have the columns of int_customers_btyd_summarised (customer_id, frequency, recency,
customer_age, monetary_value, days_since_last_purchase, purchase_days, purchase_day_value_mean, as_of_date).
A base that cannot be fitted never raises: it returns statuses, logs a warning and scores nulls.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from segmart import btyd

STATUS_OK = "ok"
STATUS_TOO_FEW = "too_few_repeat_buyers"
STATUS_NOT_CONVERGED = "not_converged"
STATUS_NO_BGNBD = "bgnbd_unavailable"

_fallback_logger = logging.getLogger("segmart.predictive")


def info(message: str) -> None:
    """A line in dbt's log when running inside dbt, else a Python log line."""
    try:
        from dbt.adapters.events.logging import AdapterLogger

        AdapterLogger("segmart predictive").info(message)
    except Exception:  # noqa: BLE001 - outside dbt any logger will do
        _fallback_logger.info(message)


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


def parameters_frame(fits: list[btyd.FitResult | None], customers: int, repeat_buyers: int, as_of_date,
                     settings: str = "") -> pd.DataFrame:
    """One row per model x parameter (r, alpha, a, b; p, q, v) with the fit's status and settings (fit_settings);
    values null when unfitted."""
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
                "fit_settings": settings,
            })
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype("float64")
    frame["log_likelihood"] = frame["log_likelihood"].astype("float64")
    frame["customers_used"] = frame["customers_used"].astype("int64")
    return frame


def stored_parameters_reusable(stored: pd.DataFrame | None, as_of_date, settings: str, refit_days: int) -> bool:
    """True when the parameters of a previous run may score this one (pure): both models converged, fitted with
    the same settings, and recently enough (fit_is_reusable)."""
    if stored is None or stored.empty or "fit_settings" not in stored.columns:
        return False
    if not bool(stored["is_converged"].all()) or stored["fit_settings"].nunique() != 1:
        return False
    return fit_is_reusable(stored["as_of_date"].iloc[0], stored["fit_settings"].iloc[0], as_of_date, settings,
                           refit_days)


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


@dataclass(frozen=True)
class ClusterModel:
    """A fitted clustering: the features, their log1p scaling (mean, std), the standardised centroids in
    cluster_id order (row i is cluster i + 1), the clusters' names, the fit's silhouette, the as_of_date it was
    fitted at and the settings it was fitted with. Stored as JSON on every row of int_customers_clustered, so a
    later run can assign customers to it without refitting."""
    columns: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    centroids: tuple[tuple[float, ...], ...]
    names: tuple[str, ...]
    silhouette_overall: float
    fitted_as_of_date: str | None
    settings: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ClusterModel":
        data = json.loads(text)
        return cls(columns=tuple(data["columns"]), mean=tuple(data["mean"]), std=tuple(data["std"]),
                   centroids=tuple(tuple(row) for row in data["centroids"]), names=tuple(data["names"]),
                   silhouette_overall=float(data["silhouette_overall"]),
                   fitted_as_of_date=data["fitted_as_of_date"], settings=data["settings"])


def fit_settings(**settings) -> str:
    """The settings a fit depends on, as canonical JSON: a stored fit is reused only under equal settings (pure)."""
    return json.dumps({name: str(value) for name, value in settings.items()}, sort_keys=True)


def fit_is_reusable(fitted_as_of_date, fitted_settings: str | None, as_of_date, settings: str,
                    refit_days: int) -> bool:
    """True when a stored fit may serve this run instead of a new fit (pure): refit_days > 0, the same settings,
    and fitted at most refit_days - 1 days before as_of_date (never after it)."""
    if refit_days <= 0 or fitted_as_of_date is None or as_of_date is None or fitted_settings != settings:
        return False
    age_days = (pd.Timestamp(as_of_date).normalize() - pd.Timestamp(fitted_as_of_date).normalize()).days
    return 0 <= age_days < refit_days


def as_of_text(value) -> str | None:
    """A date (or timestamp) as YYYY-MM-DD; None for a missing one (pure)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _as_of_text(features: pd.DataFrame) -> str | None:
    if "as_of_date" not in features.columns or features.empty:
        return None
    return as_of_text(features["as_of_date"].iloc[0])


def _feature_columns(extra_features) -> list[str]:
    return list(CORE_FEATURES) + [c for c in extra_features if c not in CORE_FEATURES]


def _raw_features(features: pd.DataFrame, columns: list[str]) -> np.ndarray:
    raw = features[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(raw), raw, 0.0)


def _logged(raw: np.ndarray) -> np.ndarray:
    return np.log1p(np.clip(raw, 0.0, None))


def _silhouette_sample(n: int, seed: int, silhouette_sample_size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=min(n, silhouette_sample_size), replace=False))


def cluster_customers(features: pd.DataFrame, k_min: int, k_max: int, seed: int, silhouette_sample_size: int,
                      extra_features: list[str] | tuple[str, ...] = (), settings: str = "") -> pd.DataFrame:
    """k-means on log1p-transformed, standardised features (recency = days since last purchase, frequency =
    purchase days, monetary = mean net revenue per purchase day, plus extra_features); k in [k_min, k_max]
    chosen by the silhouette score on a fixed-seed sample. Clusters are numbered 1..k by descending mean
    monetary value, so cluster 1 is always the highest-value group, and named from their standardised profile.

    Returns per customer: customer_id, cluster_id, cluster_name, cluster_count (k), silhouette (the customer's
    silhouette when sampled, else null), overall silhouette of the chosen k, the cluster's centroid
    back-transformed into original units (centroid_<feature>), and the fitted model as JSON (cluster_model, see
    ClusterModel; settings is stored in it). Empty cluster columns (null) when clustering is impossible (fewer
    customers than k_min + 1, or no spread)."""
    from sklearn.cluster import KMeans

    # Row order must not matter (k-means++ seeding and the silhouette sample draw by position): sort by key.
    features = features.sort_values("customer_id", kind="stable").reset_index(drop=True)
    columns = _feature_columns(extra_features)
    raw = _raw_features(features, columns)
    logged = _logged(raw)
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

    sample = _silhouette_sample(n, seed, silhouette_sample_size)
    fits = []
    for k in range(k_min, min(k_max, distinct_points - 1) + 1):
        kmeans = KMeans(n_clusters=k, random_state=seed, n_init=3, max_iter=300).fit(standardised)
        if len(np.unique(kmeans.labels_[sample])) >= 2:
            fits.append((k, kmeans))
    # The sample's distances do not depend on k: one pass over them scores every candidate k.
    all_scores = silhouette_scores(standardised[sample], [kmeans.labels_[sample] for _, kmeans in fits])
    best = None
    for (k, kmeans), scores in zip(fits, all_scores):
        score = float(np.mean(scores))
        if best is None or score > best[0] + 1e-12:
            best = (score, k, kmeans, scores)
    if best is None:
        warn("Clusters not computed: no k in the configured range separates the silhouette sample.")
        return _without_clusters(result, columns)
    score, k, kmeans, sample_scores = best

    monetary_index = columns.index("purchase_day_value_mean")
    mean_monetary = np.array([raw[kmeans.labels_ == c, monetary_index].mean() for c in range(k)])
    # stable numbering: descending mean monetary value, ties broken by the centroid coordinates
    order = sorted(range(k), key=lambda c: (-mean_monetary[c], *kmeans.cluster_centers_[c]))
    names = []
    for old in order:
        z_recency, z_frequency, z_monetary = kmeans.cluster_centers_[old][:3]
        names.append(" ".join([
            _level(-z_recency, "lapsed", "cooling", "recent"),
            _level(z_frequency, "one-off", "occasional", "frequent"),
            _level(z_monetary, "low-spend", "mid-spend", "high-spend"),
        ]))
    names = [f"{name} {position + 1}" if names.count(name) > 1 else name for position, name in enumerate(names)]
    model = ClusterModel(
        columns=tuple(columns), mean=tuple(float(v) for v in mean), std=tuple(float(v) for v in std),
        centroids=tuple(tuple(float(v) for v in kmeans.cluster_centers_[old]) for old in order),
        names=tuple(names), silhouette_overall=score, fitted_as_of_date=_as_of_text(features), settings=settings)
    position = {old: index for index, old in enumerate(order)}
    cluster_index = np.array([position[label] for label in range(k)])[kmeans.labels_]
    return _clustered_frame(result, model, cluster_index, sample, sample_scores, score)


def assign_clusters(features: pd.DataFrame, model: ClusterModel, seed: int,
                    silhouette_sample_size: int) -> pd.DataFrame:
    """Every customer in the nearest cluster of a stored model, scaled as at its fit (the same frame as
    cluster_customers; silhouettes are those of this assignment, on the same fixed-seed sample)."""
    features = features.sort_values("customer_id", kind="stable").reset_index(drop=True)
    columns = list(model.columns)
    result = pd.DataFrame({"customer_id": features["customer_id"].to_numpy()})
    standardised = (_logged(_raw_features(features, columns)) - np.array(model.mean)) / np.array(model.std)
    centroids = np.array(model.centroids)
    squared = ((standardised[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    cluster_index = squared.argmin(axis=1)
    sample = _silhouette_sample(len(features), seed, silhouette_sample_size)
    if len(np.unique(cluster_index[sample])) >= 2:
        sample_scores = silhouette_scores(standardised[sample], [cluster_index[sample]])[0]
    else:
        sample_scores = np.zeros(len(sample))
    overall = float(np.mean(sample_scores)) if len(sample) else float("nan")
    return _clustered_frame(result, model, cluster_index, sample, sample_scores, overall)


def _clustered_frame(result: pd.DataFrame, model: ClusterModel, cluster_index: np.ndarray, sample: np.ndarray,
                     sample_scores: np.ndarray, overall: float) -> pd.DataFrame:
    """The per-customer cluster columns for 0-based positions into the model's clusters."""
    n = len(result)
    centroids_original = np.expm1(np.array(model.centroids) * np.array(model.std) + np.array(model.mean))
    result["cluster_id"] = (cluster_index + 1).astype("int64")
    result["cluster_name"] = np.array(model.names, dtype=object)[cluster_index]
    result["cluster_count"] = np.int64(len(model.centroids))
    silhouette = np.full(n, np.nan)
    silhouette[sample] = sample_scores
    result["silhouette"] = silhouette
    result["silhouette_overall"] = overall
    for index, column in enumerate(model.columns):
        result[f"centroid_{column}"] = centroids_original[cluster_index, index]
    result["cluster_model"] = model.to_json()
    return result


def silhouette_scores(points: np.ndarray, label_sets: list[np.ndarray], block_rows: int = 1024) -> list[np.ndarray]:
    """Each point's silhouette (b - a) / max(a, b) under each labelling of label_sets, for Euclidean distances
    between the rows of points: a = mean distance to the other members of its cluster, b = lowest mean distance to
    the members of another cluster; 0 for a point alone in its cluster. The distances are computed block_rows rows
    at a time and never held whole (8 * block_rows * n bytes: 80 MB for the default sample of 10,000); each block
    serves every labelling, its per-cluster distance sums one matrix product with the membership matrix."""
    n = len(points)
    labellings = []
    for labels in label_sets:
        clusters, index = np.unique(labels, return_inverse=True)
        membership = np.zeros((n, len(clusters)))
        membership[np.arange(n), index] = 1.0
        labellings.append((index, membership, np.zeros((n, len(clusters)))))
    squared_norms = np.einsum("ij,ij->i", points, points)
    for start in range(0, n, block_rows):
        stop = min(start + block_rows, n)
        block = points[start:stop] @ points.T
        block *= -2.0
        block += squared_norms[start:stop, None]
        block += squared_norms[None, :]
        np.maximum(block, 0.0, out=block)
        np.sqrt(block, out=block)
        block[np.arange(stop - start), np.arange(start, stop)] = 0.0
        for _, membership, sums in labellings:
            sums[start:stop] = block @ membership
    return [_silhouettes_from_sums(sums, index, membership.sum(axis=0)) for index, membership, sums in labellings]


def _silhouettes_from_sums(sums: np.ndarray, index: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Silhouettes from each point's distance sums to every cluster (n x clusters), its cluster's position and the
    clusters' sizes."""
    rows = np.arange(len(index))
    own_size = sizes[index]
    a = sums[rows, index] / np.maximum(own_size - 1.0, 1.0)
    means = sums / sizes
    means[rows, index] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = (b - a) / np.maximum(a, b)
    return np.where(own_size > 1, np.nan_to_num(scores), 0.0)


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
    result["cluster_model"] = pd.array([None] * n, dtype="string")
    return result
