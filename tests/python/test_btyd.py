"""The BTYD maths (segmart.btyd) and the predictive steps (segmart.predictive) on simulated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmart import btyd, predictive

TRUE_BGNBD = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
TRUE_GAMMA_GAMMA = {"p": 6.0, "q": 3.8, "v": 15.0}


@pytest.fixture(scope="module")
def simulated():
    rng = np.random.default_rng(20050101)
    frequency, recency, T = btyd.simulate_bgnbd(TRUE_BGNBD, 40_000, 52.0, rng, first_purchase_spread=26.0)
    monetary = btyd.simulate_gamma_gamma(TRUE_GAMMA_GAMMA, frequency, rng)
    return frequency, recency, T, monetary


def test_simulation_respects_the_summary_invariants(simulated):
    frequency, recency, T, monetary = simulated
    assert np.all(frequency >= 0) and np.all(recency >= 0) and np.all(recency <= T)
    assert np.all(recency[frequency == 0] == 0)
    assert np.all(np.isnan(monetary[frequency == 0])) and np.all(monetary[frequency > 0] > 0)


def test_bgnbd_recovers_the_simulated_parameters(simulated):
    frequency, recency, T, _ = simulated
    fit = btyd.fit_bgnbd(frequency, recency, T)
    assert fit.converged, fit.message
    for name, value in TRUE_BGNBD.items():
        assert fit.params[name] == pytest.approx(value, rel=0.15), (name, fit.params)
    # the maximum beats the true parameters' likelihood
    true_ll = np.sum(btyd.bgnbd_log_likelihood_per_customer(tuple(TRUE_BGNBD.values()), frequency, recency, T))
    assert fit.log_likelihood >= true_ll


def test_gamma_gamma_recovers_the_simulated_parameters(simulated):
    frequency, _, _, monetary = simulated
    fit = btyd.fit_gamma_gamma(frequency, monetary)
    assert fit.converged, fit.message
    assert fit.customers_used == int(np.sum(frequency > 0))
    # p, q, v are weakly identified one by one; the population mean order value p v / (q - 1) is sharp
    implied_mean = fit.params["p"] * fit.params["v"] / (fit.params["q"] - 1)
    true_mean = TRUE_GAMMA_GAMMA["p"] * TRUE_GAMMA_GAMMA["v"] / (TRUE_GAMMA_GAMMA["q"] - 1)
    assert implied_mean == pytest.approx(true_mean, rel=0.05)
    assert fit.params["p"] == pytest.approx(TRUE_GAMMA_GAMMA["p"], rel=0.2)


def test_probability_alive_properties():
    params = TRUE_BGNBD
    # no repeat purchase: alive with certainty (BG/NBD customers only drop out after a repeat purchase)
    assert btyd.probability_alive(params, [0, 0], [0, 0], [1, 100]).tolist() == [1.0, 1.0]
    # a purchase just now: alive unless the dropout coin at that purchase came up, 1 / (1 + a / (b + x - 1))
    x = 3.0
    assert btyd.probability_alive(params, [x], [20.0], [20.0])[0] == pytest.approx(
        1 / (1 + params["a"] / (params["b"] + x - 1)))
    # the longer the silence since the last purchase, the lower; the more purchases, the lower at long silence
    silence = btyd.probability_alive(params, [2, 2, 2], [10, 10, 10], [10, 30, 60])
    assert silence[0] > silence[1] > silence[2] > 0
    assert np.all((silence >= 0) & (silence <= 1))


def test_expected_purchases_properties():
    params = TRUE_BGNBD
    x, t_x, T = np.array([0.0, 1.0, 5.0]), np.array([0.0, 10.0, 30.0]), np.array([40.0, 40.0, 40.0])
    assert np.all(btyd.expected_purchases(params, 0, x, t_x, T) == 0)
    horizons = [btyd.expected_purchases(params, t, x, t_x, T) for t in (4, 13, 52)]
    assert np.all(horizons[0] < horizons[1]) and np.all(horizons[1] < horizons[2])
    # a brand-new customer (x = 0, T = 0) expects what a new customer expects unconditionally
    assert btyd.expected_purchases(params, 39, [0], [0], [0])[0] == pytest.approx(
        float(btyd.expected_purchases_unconditional(params, 39)))


def test_expected_purchases_matches_simulation():
    """E[X(t)] from the closed form equals the mean simulated count for customers observed t units."""
    rng = np.random.default_rng(7)
    frequency, _, _ = btyd.simulate_bgnbd(TRUE_BGNBD, 200_000, 39.0, rng)
    assert float(np.mean(frequency)) == pytest.approx(float(btyd.expected_purchases_unconditional(TRUE_BGNBD, 39.0)),
                                                      rel=0.03)


def test_expected_average_order_value_and_clv():
    gamma_gamma = TRUE_GAMMA_GAMMA
    population_mean = gamma_gamma["p"] * gamma_gamma["v"] / (gamma_gamma["q"] - 1)
    aov = btyd.expected_average_order_value(gamma_gamma, [0, 1, 50], [np.nan, 100.0, 100.0])
    assert aov[0] == pytest.approx(population_mean)
    # shrinkage: more repeat purchases pull the estimate towards the customer's own mean
    assert population_mean < aov[1] < aov[2] < 100.0
    x, t_x, T, m = np.array([0.0, 3.0]), np.array([0.0, 20.0]), np.array([30.0, 30.0]), np.array([np.nan, 40.0])
    undiscounted = btyd.customer_lifetime_value(TRUE_BGNBD, gamma_gamma, x, t_x, T, m, annual_discount_rate=0.0)
    expected = btyd.expected_purchases(TRUE_BGNBD, 365 / 7, x, t_x, T) * btyd.expected_average_order_value(
        gamma_gamma, x, m)
    assert undiscounted == pytest.approx(expected)
    discounted = btyd.customer_lifetime_value(TRUE_BGNBD, gamma_gamma, x, t_x, T, m, annual_discount_rate=0.1)
    assert np.all(discounted < undiscounted) and np.all(discounted > undiscounted / 1.1)


def test_unfittable_bases_do_not_raise():
    assert not btyd.fit_bgnbd([0, 0, 0], [0, 0, 0], [5, 6, 7]).converged
    assert not btyd.fit_bgnbd([], [], []).converged
    assert not btyd.fit_gamma_gamma([0, 0], [np.nan, np.nan]).converged


def _summary_frame(frequency, recency, T, monetary):
    n = len(frequency)
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)], "frequency": frequency, "recency": recency, "customer_age": T,
        "monetary_value": monetary, "as_of_date": pd.Timestamp("2026-10-31"),
        "days_since_last_purchase": np.round((T - recency) * 7), "purchase_days": frequency + 1,
        "purchase_day_value_mean": np.where(np.isnan(monetary), 50.0, monetary),
    })


def test_too_few_repeat_buyers_gives_null_predictions(caplog):
    summary = _summary_frame(np.array([0.0, 1.0, 2.0]), np.array([0.0, 3.0, 5.0]), np.array([8.0, 8.0, 8.0]),
                             np.array([np.nan, 20.0, 30.0]))
    fits = predictive.fit_models(summary, min_repeat_buyers=30)
    assert fits == [None, None]
    parameters = predictive.parameters_frame(fits, 3, 2, pd.Timestamp("2026-10-31"))
    assert len(parameters) == 7 and parameters["value"].isna().all()
    assert set(parameters["fit_status"]) == {predictive.STATUS_TOO_FEW}
    scores = predictive.score_customers(summary, parameters, 7.0, 0.1)
    assert scores["probability_alive"].isna().all() and scores["predicted_clv_365d"].isna().all()
    assert set(scores["prediction_status"]) == {predictive.STATUS_NO_BGNBD}


def test_scoring_a_simulated_base(simulated):
    frequency, recency, T, monetary = (values[:5000] for values in simulated)
    summary = _summary_frame(frequency, recency, T, monetary)
    fits = predictive.fit_models(summary, min_repeat_buyers=30)
    parameters = predictive.parameters_frame(fits, len(summary), int((frequency > 0).sum()), None)
    assert parameters["is_converged"].all()
    scores = predictive.score_customers(summary, parameters, 7.0, 0.1)
    assert scores.notna().all().all()
    assert (scores["expected_purchases_next_30_days"] <= scores["expected_purchases_next_365_days"]).all()


def test_clusters_are_numbered_by_value_and_reproducible(simulated):
    frequency, recency, T, monetary = (values[:3000] for values in simulated)
    summary = _summary_frame(frequency, recency, T, monetary)
    first = predictive.cluster_customers(summary, 2, 5, seed=1, silhouette_sample_size=1000)
    again = predictive.cluster_customers(summary.sample(frac=1.0, random_state=3).reset_index(drop=True), 2, 5,
                                         seed=1, silhouette_sample_size=1000)
    assert first["cluster_id"].between(1, first["cluster_count"].iloc[0]).all()
    members = summary.merge(first[["customer_id", "cluster_id"]], on="customer_id")
    means = members.groupby("cluster_id")["purchase_day_value_mean"].mean()
    assert list(means.index) == sorted(means.index) and means.is_monotonic_decreasing
    assert first["cluster_name"].nunique() == first["cluster_id"].nunique()
    # the same result whatever the row order
    pd.testing.assert_frame_equal(first, again)


def test_silhouette_scores_equal_scikit_learn():
    from sklearn.metrics import silhouette_samples

    rng = np.random.default_rng(5)
    points = np.vstack([rng.normal(centre, 1.0, size=(150, 3)) for centre in (0.0, 3.0, 6.0)])
    labels = np.repeat([2, 0, 1], 150)
    labels[0] = 7  # a cluster of one point scores 0
    other = rng.integers(0, 4, size=len(points))
    # blocks of 64 rows: several blocks, the last one short, every labelling scored from the same blocks
    ours, ours_other = predictive.silhouette_scores(points, [labels, other], block_rows=64)
    np.testing.assert_allclose(ours, silhouette_samples(points, labels), rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours_other, silhouette_samples(points, other), rtol=0, atol=1e-9)
    assert ours[0] == 0.0
    whole, = predictive.silhouette_scores(points, [labels], block_rows=len(points))
    np.testing.assert_allclose(whole, ours, rtol=0, atol=1e-12)


def test_too_few_customers_to_cluster_gives_nulls():
    summary = _summary_frame(np.array([0.0, 1.0]), np.array([0.0, 2.0]), np.array([5.0, 5.0]),
                             np.array([np.nan, 10.0]))
    clusters = predictive.cluster_customers(summary, 3, 5, seed=1, silhouette_sample_size=100)
    assert len(clusters) == 2 and clusters["cluster_id"].isna().all()


def test_holdout_comparison_shape():
    rng = np.random.default_rng(3)
    frequency, recency, T = btyd.simulate_bgnbd(TRUE_BGNBD, 2000, 39.0, rng)
    rows = btyd.holdout_comparison(TRUE_BGNBD, frequency, recency, T, 39.0, rng.poisson(0.5, 2000), max_frequency=3)
    assert [row["calibration_frequency"] for row in rows] == ["0", "1", "2", "3+", "all"]
    assert set(rows[0]) == {"calibration_frequency", "customers", "actual_mean", "predicted_mean"}


# --- refit cadence ---------------------------------------------------------------------------------

def test_a_stored_fit_is_reused_only_when_young_enough_and_fitted_the_same_way():
    settings = predictive.fit_settings(k_min=3, k_max=8)
    assert predictive.fit_is_reusable("2026-10-30", settings, "2026-10-31", settings, 7)
    assert predictive.fit_is_reusable("2026-10-31", settings, "2026-10-31", settings, 7)
    assert predictive.fit_is_reusable("2026-10-25", settings, "2026-10-31", settings, 7)  # 6 days old
    assert not predictive.fit_is_reusable("2026-10-24", settings, "2026-10-31", settings, 7)  # 7 days: refit
    assert not predictive.fit_is_reusable("2026-11-01", settings, "2026-10-31", settings, 7)  # fitted later
    assert not predictive.fit_is_reusable("2026-10-30", settings, "2026-10-31", settings, 0)  # cadence off
    assert not predictive.fit_is_reusable("2026-10-30", predictive.fit_settings(k_min=2, k_max=8), "2026-10-31",
                                          settings, 7)
    assert not predictive.fit_is_reusable(None, settings, "2026-10-31", settings, 7)


def test_stored_parameters_are_reused_only_when_both_models_converged(simulated):
    frequency, recency, T, monetary = (values[:3000] for values in simulated)
    summary = _summary_frame(frequency, recency, T, monetary)
    settings = predictive.fit_settings(btyd_min_repeat_buyers=30)
    fits = predictive.fit_models(summary, 30)
    stored = predictive.parameters_frame(fits, len(summary), int((frequency > 0).sum()), "2026-10-30", settings)
    assert predictive.stored_parameters_reusable(stored, "2026-10-31", settings, 7)
    assert not predictive.stored_parameters_reusable(stored, "2026-10-31", settings + " ", 7)
    unfitted = predictive.parameters_frame([None, None], len(summary), 0, "2026-10-30", settings)
    assert not predictive.stored_parameters_reusable(unfitted, "2026-10-31", settings, 7)
    assert not predictive.stored_parameters_reusable(None, "2026-10-31", settings, 7)


def test_assigning_to_a_stored_cluster_model_reproduces_the_fit_and_places_new_customers(simulated):
    frequency, recency, T, monetary = (values[:3000] for values in simulated)
    summary = _summary_frame(frequency, recency, T, monetary)
    fitted = predictive.cluster_customers(summary, 2, 5, seed=1, silhouette_sample_size=1000, settings="s")
    model = predictive.ClusterModel.from_json(fitted["cluster_model"].iloc[0])
    assert model.settings == "s" and len(model.centroids) == fitted["cluster_count"].iloc[0]
    assigned = predictive.assign_clusters(summary, model, seed=1, silhouette_sample_size=1000)
    # the fit's own customers land where k-means put them, with the same names and centroids
    pd.testing.assert_frame_equal(assigned.drop(columns=["silhouette_overall"]),
                                  fitted.drop(columns=["silhouette_overall"]))
    assert assigned["silhouette_overall"].iloc[0] == pytest.approx(fitted["silhouette_overall"].iloc[0])
    # a customer placed exactly on cluster 2's centre goes to cluster 2
    centre = {column: fitted.loc[fitted["cluster_id"] == 2, f"centroid_{column}"].iloc[0]
              for column in model.columns}
    newcomer = summary.iloc[[0]].assign(customer_id="zz-new", **centre)
    placed = predictive.assign_clusters(pd.concat([summary, newcomer]), model, seed=1, silhouette_sample_size=1000)
    assert placed.loc[placed["customer_id"] == "zz-new", "cluster_id"].iloc[0] == 2
