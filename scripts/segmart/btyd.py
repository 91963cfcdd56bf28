"""Buy-till-you-die models by direct maximum likelihood: BG/NBD and Gamma-Gamma.

Pure functions over numpy arrays (no dbt, no I/O), so the dbt Python models, the benchmark and the tests
share one implementation. Written from the papers:

- BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
  Pareto/NBD model", Marketing Science 24(2); the closed-form likelihood (their eq. 6), P(alive) (eq. 11)
  and the conditional expectation E[Y(t) | x, t_x, T] (eq. 10).
- Gamma-Gamma: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value"; the density of the mean
  repeat-transaction value m_x given x (their eq. 3) and E[M | p, q, v, m_x, x] (eq. 5).

Inputs are the standard BTYD summary per customer: frequency x (repeat purchase periods), recency t_x (time
from first to last purchase), T (time from first purchase to the end of calibration), in one time unit
(weeks in the papers), and the mean repeat-transaction value m_x.

Parameters are optimised on the log scale (all are positive) with L-BFGS-B, polished with Nelder-Mead when
L-BFGS-B does not report convergence. Identical summary rows are collapsed into weighted unique rows first,
so a million customers cost only as much as their distinct (x, t_x, T) combinations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special

BGNBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")
# Log-parameters are kept in this box: exp(+-15) spans 3e-7 .. 3e6, far beyond any sensible fit.
_LOG_BOUND = 15.0


@dataclass(frozen=True)
class FitResult:
    """A fitted model: parameters by name, the maximised log-likelihood, and whether it can be trusted."""

    model: str
    params: dict[str, float]
    log_likelihood: float
    customers_used: int
    converged: bool
    message: str
    iterations: int = 0
    extra: dict[str, float] = field(default_factory=dict)


# --- BG/NBD -----------------------------------------------------------------------------------------

def _as_arrays(*columns):
    return [np.asarray(column, dtype=float) for column in columns]


def bgnbd_log_likelihood_per_customer(params, frequency, recency, T):
    """Log-likelihood of each customer's (x, t_x, T) under BG/NBD with params (r, alpha, a, b).

    L = B(a, b+x)/B(a, b) * G(r+x) a^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))
    written as common factor * (first term + second term) and summed on the log scale."""
    r, alpha, a, b = params
    x, t_x, T = _as_arrays(frequency, recency, T)
    common = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
              + special.betaln(a, b + x) - special.betaln(a, b))
    term_end = -(r + x) * np.log(alpha + T)
    has_repeat = x > 0
    # B(a+1, b+x-1) / B(a, b+x) = a / (b+x-1); only defined (and only needed) for x > 0.
    safe_denominator = np.where(has_repeat, b + x - 1.0, 1.0)
    term_dropout = np.where(
        has_repeat, np.log(a) - np.log(safe_denominator) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(term_end, term_dropout)


def _collapse(*columns):
    """Unique rows of the given columns and their counts (weights)."""
    stacked = np.column_stack(_as_arrays(*columns))
    unique_rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique_rows[:, i] for i in range(unique_rows.shape[1])], counts.astype(float)


def _minimise(negative_log_likelihood, start, max_iterations=2000):
    """Minimise over log-parameters: L-BFGS-B, then Nelder-Mead from its end point if it did not converge.
    Returns (log_params, success, message, iterations)."""
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(start)
    first = optimize.minimize(negative_log_likelihood, start, method="L-BFGS-B", bounds=bounds,
                              options={"maxiter": max_iterations, "ftol": 1e-12, "gtol": 1e-8})
    if first.success and np.all(np.isfinite(first.x)):
        return first.x, True, f"L-BFGS-B: {first.message}", int(first.nit)
    second = optimize.minimize(negative_log_likelihood, first.x if np.all(np.isfinite(first.x)) else start,
                               method="Nelder-Mead",
                               options={"maxiter": max_iterations * 5, "xatol": 1e-8, "fatol": 1e-10})
    return second.x, bool(second.success), f"Nelder-Mead: {second.message}", int(first.nit + second.nit)


def _on_bound(log_params):
    return bool(np.any(np.abs(np.asarray(log_params)) >= _LOG_BOUND - 1e-6))


def fit_bgnbd(frequency, recency, T, start=None) -> FitResult:
    """Maximum-likelihood BG/NBD fit. Converged = the optimiser succeeded, the log-likelihood is finite and no
    parameter ran into the search box (a parameter at exp(+-15) means the data cannot identify it)."""
    x, t_x, T = _as_arrays(frequency, recency, T)
    customers = int(x.size)
    if customers == 0 or not np.any(x > 0):
        return FitResult("bgnbd", dict.fromkeys(BGNBD_PARAMETERS, float("nan")), float("nan"), customers, False,
                         "no repeat purchases: BG/NBD cannot be fitted")
    (ux, ut, uT), weights = _collapse(x, t_x, T)

    def negative_log_likelihood(log_params):
        value = -np.sum(weights * bgnbd_log_likelihood_per_customer(np.exp(log_params), ux, ut, uT))
        return value if np.isfinite(value) else 1e300

    if start is None:
        # r = 1 (exponential heterogeneity); alpha so that the mean rate r/alpha matches repeat purchases
        # per unit of time; a = b = 1 (uniform dropout probability).
        # from the collapsed (sorted, unique) rows, so that the start - and with it the optimiser's end point -
        # does not depend on the order customers arrive in
        rate = max(float(np.sum(weights * ux)) / max(float(np.sum(weights * uT)), 1e-9), 1e-6)
        start = (1.0, 1.0 / rate, 1.0, 1.0)
    log_params, success, message, iterations = _minimise(negative_log_likelihood, np.log(np.asarray(start, float)))
    log_likelihood = -negative_log_likelihood(log_params)
    converged = success and np.isfinite(log_likelihood) and log_likelihood > -1e299 and not _on_bound(log_params)
    params = dict(zip(BGNBD_PARAMETERS, (float(v) for v in np.exp(log_params))))
    return FitResult("bgnbd", params, float(log_likelihood), customers, bool(converged), message, iterations)


def probability_alive(params, frequency, recency, T):
    """P(alive | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
    Under BG/NBD a customer can only drop out right after a purchase, so x = 0 gives exactly 1."""
    r, alpha, a, b = _param_tuple(params, BGNBD_PARAMETERS)
    x, t_x, T = _as_arrays(frequency, recency, T)
    has_repeat = x > 0
    safe_denominator = np.where(has_repeat, b + x - 1.0, 1.0)
    log_odds = np.log(a) - np.log(safe_denominator) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(has_repeat, special.expit(-log_odds), 1.0)


def expected_purchases(params, t, frequency, recency, T):
    """E[Y(t) | x, t_x, T]: expected purchases (repeat purchase periods) in the next t time units.

    = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
      * P(alive | x, t_x, T) ... precisely divided by 1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x),
    which is the same factor as P(alive). The formula holds for a < 1 too (both factors change sign); at
    a = 1 exactly it is 0/0, so a is nudged by 1e-9 there."""
    r, alpha, a, b = _param_tuple(params, BGNBD_PARAMETERS)
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9
    x, t_x, T = _as_arrays(frequency, recency, T)
    t = float(t)
    if t <= 0:
        return np.zeros_like(x)
    z = t / (alpha + T + t)
    hypergeometric = special.hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    bracket = 1.0 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hypergeometric
    expected = (a + b + x - 1.0) / (a - 1.0) * bracket * probability_alive((r, alpha, a, b), x, t_x, T)
    return np.maximum(expected, 0.0)


def expected_purchases_unconditional(params, t):
    """E[X(t)] for a new customer (from first purchase): (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]."""
    r, alpha, a, b = _param_tuple(params, BGNBD_PARAMETERS)
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9
    t = np.asarray(t, dtype=float)
    hypergeometric = special.hyp2f1(r, b, a + b - 1.0, t / (alpha + t))
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hypergeometric)


# --- Gamma-Gamma ------------------------------------------------------------------------------------

def gamma_gamma_log_likelihood_per_customer(params, frequency, monetary_value):
    """log f(m_x | p, q, v, x) = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m_x + px ln x - (px+q) ln(v + x m_x).
    Only for x > 0 and m_x > 0."""
    p, q, v = params
    x, m = _as_arrays(frequency, monetary_value)
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(v)
            + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * np.log(v + x * m))


def fit_gamma_gamma(frequency, monetary_value, start=None) -> FitResult:
    """Maximum-likelihood Gamma-Gamma fit on repeat buyers (x > 0) with a positive mean repeat value.
    Converged additionally requires q > 1, without which the expected value E[M] does not exist."""
    x, m = _as_arrays(frequency, monetary_value)
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    x, m = x[usable], m[usable]
    customers = int(x.size)
    if customers == 0:
        return FitResult("gamma_gamma", dict.fromkeys(GAMMA_GAMMA_PARAMETERS, float("nan")), float("nan"), 0, False,
                         "no repeat buyer with a positive repeat value: Gamma-Gamma cannot be fitted")
    (ux, um), weights = _collapse(x, m)

    def negative_log_likelihood(log_params):
        value = -np.sum(weights * gamma_gamma_log_likelihood_per_customer(np.exp(log_params), ux, um))
        return value if np.isfinite(value) else 1e300

    if start is None:
        # p = 1, q = 2 and v so that E[M] = p v / (q - 1) equals the observed mean.
        start = (1.0, 2.0, float(np.sum(weights * um) / np.sum(weights)))
    log_params, success, message, iterations = _minimise(negative_log_likelihood, np.log(np.asarray(start, float)))
    log_likelihood = -negative_log_likelihood(log_params)
    params = dict(zip(GAMMA_GAMMA_PARAMETERS, (float(v) for v in np.exp(log_params))))
    converged = (success and np.isfinite(log_likelihood) and log_likelihood > -1e299 and not _on_bound(log_params)
                 and params["q"] > 1.0)
    if success and params["q"] <= 1.0:
        message += "; q <= 1, so the expected order value is undefined"
    return FitResult("gamma_gamma", params, float(log_likelihood), customers, bool(converged), message, iterations)


def expected_average_order_value(params, frequency, monetary_value):
    """E[M | p, q, v, m_x, x] = p (v + x m_x) / (p x + q - 1): a weighted average of the population mean
    p v / (q - 1) and the customer's own mean m_x. With x = 0 (or no m_x) it is the population mean."""
    p, q, v = _param_tuple(params, GAMMA_GAMMA_PARAMETERS)
    x, m = _as_arrays(frequency, monetary_value)
    m = np.where(np.isfinite(m) & (x > 0), m, 0.0)
    x = np.where(x > 0, x, 0.0)
    return p * (v + x * m) / (p * x + q - 1.0)


# --- CLV --------------------------------------------------------------------------------------------

def customer_lifetime_value(bgnbd_params, gamma_gamma_params, frequency, recency, T, monetary_value,
                            horizon_days=365.0, time_unit_days=7.0, annual_discount_rate=0.1, steps=12):
    """Discounted expected value over the next horizon_days.

    The horizon is cut into `steps` equal periods; the purchases expected in period k,
    E[Y(t_k)] - E[Y(t_{k-1})], are valued at the expected average order value and discounted to today
    from the end of the period: CLV = sum_k (E[Y(t_k)] - E[Y(t_{k-1})]) * E[M] / (1 + d)^(t_k / 365 days),
    with d the annual discount rate. With d = 0 it is exactly E[Y(horizon)] * E[M]."""
    aov = expected_average_order_value(gamma_gamma_params, frequency, monetary_value)
    total = np.zeros_like(aov)
    previous = np.zeros_like(aov)
    for step in range(1, steps + 1):
        end_days = horizon_days * step / steps
        cumulative = expected_purchases(bgnbd_params, end_days / time_unit_days, frequency, recency, T)
        total += (cumulative - previous) / (1.0 + annual_discount_rate) ** (end_days / 365.0)
        previous = cumulative
    return total * aov


# --- simulation and evaluation ----------------------------------------------------------------------

def simulate_bgnbd(params, customers, T, rng, first_purchase_spread=0.0):
    """Draw BTYD summaries from the BG/NBD generative process: lambda ~ Gamma(r, rate alpha),
    p ~ Beta(a, b); purchases are Poisson(lambda) while alive; after each purchase the customer drops out with
    probability p. T is the observation length from the first purchase (a scalar, or T minus a uniform
    spread in [0, first_purchase_spread) for staggered cohorts). Returns (frequency, recency, T) arrays."""
    r, alpha, a, b = _param_tuple(params, BGNBD_PARAMETERS)
    n = int(customers)
    observed_T = np.full(n, float(T)) - rng.uniform(0.0, first_purchase_spread, n)
    rates = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    # Purchases until dropout: geometric number of purchases (including the one that triggers dropout)
    purchases_until_dropout = rng.geometric(np.clip(dropout, 1e-12, 1.0))
    frequency = np.zeros(n)
    recency = np.zeros(n)
    # Inter-purchase times are exponential(lambda); simulate in rounds over the still-active customers.
    time = np.zeros(n)
    active = np.ones(n, dtype=bool)
    made = np.zeros(n, dtype=np.int64)
    while np.any(active):
        index = np.flatnonzero(active)
        gaps = rng.exponential(1.0, index.size) / np.maximum(rates[index], 1e-300)
        next_time = time[index] + gaps
        within = next_time <= observed_T[index]
        buyers = index[within]
        time[buyers] = next_time[within]
        made[buyers] += 1
        frequency[buyers] = made[buyers]
        recency[buyers] = time[buyers]
        # stop at the end of observation, or at dropout right after the k-th repeat purchase
        active[index[~within]] = False
        active[buyers[made[buyers] >= purchases_until_dropout[buyers]]] = False
    return frequency, recency, observed_T


def simulate_gamma_gamma(params, frequency, rng):
    """Mean repeat-transaction values: nu ~ Gamma(q, rate v); each transaction ~ Gamma(p, rate nu), so the
    mean of x transactions ~ Gamma(p x, rate x nu). NaN where x = 0."""
    p, q, v = _param_tuple(params, GAMMA_GAMMA_PARAMETERS)
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1.0 / v, x.size)
    safe_x = np.where(x > 0, x, 1.0)
    means = rng.gamma(p * safe_x, 1.0 / (safe_x * nu))
    return np.where(x > 0, means, np.nan)


def holdout_comparison(params, frequency, recency, T, holdout_length, holdout_purchases, max_frequency=7):
    """Calibration/holdout check, as in Fader, Hardie & Lee (2005) fig. 4: customers grouped by calibration
    frequency (the last group is 'max_frequency+'), with the mean actual and mean predicted repeat purchases
    in a holdout of holdout_length time units. Returns a list of dicts (one per group, in order)."""
    x = np.asarray(frequency, dtype=float)
    predicted = expected_purchases(params, holdout_length, x, recency, T)
    actual = np.asarray(holdout_purchases, dtype=float)
    rows = []
    for group in range(max_frequency + 1):
        members = x >= group if group == max_frequency else x == group
        if not np.any(members):
            continue
        rows.append({
            "calibration_frequency": f"{group}+" if group == max_frequency else str(group),
            "customers": int(np.sum(members)),
            "actual_mean": float(np.mean(actual[members])),
            "predicted_mean": float(np.mean(predicted[members])),
        })
    rows.append({"calibration_frequency": "all", "customers": int(x.size),
                 "actual_mean": float(np.mean(actual)), "predicted_mean": float(np.mean(predicted))})
    return rows


def _param_tuple(params, names):
    if isinstance(params, FitResult):
        params = params.params
    if isinstance(params, dict):
        return tuple(float(params[name]) for name in names)
    return tuple(float(value) for value in params)
