"""The predictive layer reproduces the published BTYD fits on the CDNOW sample, through the real pipeline.

The 2,357-customer CDNOW sample (shipped in the `lifetimes` wheel, read as a data file - lifetimes itself is
never imported) is written as raw files under the project's raw contract (customers, orders, order_items), dbt
builds the predictive marts as of 1997-09-30 (the 39-week calibration period; later orders are deferred by
as_of_date), and the parameters must match Fader, Hardie & Lee (2005) and Fader & Hardie (2013) within 1%.
Set SEGMART_PRINT_HOLDOUT=1 to print the calibration/holdout table (docs/predictive.md).
"""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from segmart import btyd

from conftest import run_dbt

CALIBRATION_END = "1997-09-30"
HOLDOUT_START, HOLDOUT_END = "1997-10-01", "1998-06-30"
PUBLISHED = {
    ("bgnbd", "r"): 0.243, ("bgnbd", "alpha"): 4.414, ("bgnbd", "a"): 0.793, ("bgnbd", "b"): 2.426,
    ("gamma_gamma", "p"): 6.25, ("gamma_gamma", "q"): 3.74, ("gamma_gamma", "v"): 15.44,
}


def cdnow_sample_path() -> Path | None:
    """CDNOW_sample.txt inside the installed lifetimes package, found without importing it."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "CDNOW_sample.txt"
    return path if path.exists() else None


def read_cdnow(path: Path) -> pd.DataFrame:
    """Columns: master customer id, sample customer id, date (yyyymmdd), CDs bought, dollar value."""
    frame = pd.read_csv(path, sep=r"\s+", header=None, names=["master_id", "sample_id", "date", "cds", "value"],
                        dtype={"master_id": str, "sample_id": str, "date": str})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def write_raw_files(transactions: pd.DataFrame, out: Path) -> None:
    """The CDNOW transactions as raw customers, orders and order_items CSV files (docs/raw_contract.md).
    One order per transaction (USD, delivered), one order line of `cds` units; a customer registers on the day
    of their first purchase."""
    for table in ("customers", "orders", "order_items"):
        (out / table).mkdir(parents=True, exist_ok=True)
    first = transactions.groupby("master_id")["date"].min()
    with open(out / "customers" / "cdnow.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "created_at", "customer_type"])
        for customer_id, created in first.items():
            writer.writerow([f"C{customer_id}", f"{created:%Y-%m-%d}T00:00:00", "individual"])
    with open(out / "orders" / "cdnow.csv", "w", newline="") as orders_file, \
            open(out / "order_items" / "cdnow.csv", "w", newline="") as items_file:
        orders, items = csv.writer(orders_file), csv.writer(items_file)
        orders.writerow(["order_id", "customer_id", "ordered_at", "status", "currency", "subtotal_amount",
                         "total_amount", "channel"])
        items.writerow(["order_item_id", "order_id", "quantity", "unit_price"])
        for number, row in enumerate(transactions.itertuples(index=False), start=1):
            order_id = f"O{number:06d}"
            # several transactions on one day get distinct times; the model counts purchase days anyway
            ordered_at = row.date + pd.Timedelta(hours=12, seconds=number % 3600)
            orders.writerow([order_id, f"C{row.master_id}", f"{ordered_at:%Y-%m-%dT%H:%M:%S}", "delivered", "USD",
                             f"{row.value:.2f}", f"{row.value:.2f}", "web"])
            items.writerow([f"{order_id}-1", order_id, int(row.cds), f"{row.value / row.cds:.6f}"])


def holdout_purchase_days(transactions: pd.DataFrame) -> pd.Series:
    """Per customer (C + master id): distinct purchase days in the holdout period (repeat purchases, since every
    customer's first purchase is in the calibration period)."""
    holdout = transactions[(transactions["date"] >= HOLDOUT_START) & (transactions["date"] <= HOLDOUT_END)]
    counts = holdout.groupby("master_id")["date"].nunique()
    counts.index = "C" + counts.index
    return counts


@pytest.fixture(scope="module")
def cdnow_warehouse(tmp_path_factory):
    path = cdnow_sample_path()
    if path is None:
        pytest.skip("lifetimes (the CDNOW data files) is not installed: pip install --no-deps lifetimes==0.11.3")
    root = tmp_path_factory.mktemp("cdnow")
    transactions = read_cdnow(path)
    write_raw_files(transactions, root / "raw")
    result = run_dbt(["build", "--select", "+clv_model_parameters", "+customer_predictions",
                      "--indirect-selection", "cautious", "--exclude", "test_type:unit"],
                     root / "raw", root / "warehouse.duckdb", root / "target", as_of=CALIBRATION_END)
    assert result.returncode == 0, result.output
    return transactions, root / "warehouse.duckdb"


def _query(db_path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        return connection.execute(sql).df()


def test_summary_matches_the_published_calibration_data(cdnow_warehouse):
    _, db_path = cdnow_warehouse
    summary = _query(db_path, "select * from marts.customer_predictions")
    assert len(summary) == 2357
    assert int((summary["frequency"] > 0).sum()) == 946
    # customers whose first purchase is on 1997-01-01 have T = 272 days = 38.86 weeks
    assert summary["customer_age"].max() == pytest.approx(272 / 7)


def test_parameters_reproduce_the_published_fits_within_one_percent(cdnow_warehouse):
    _, db_path = cdnow_warehouse
    parameters = _query(db_path, "select * from marts.clv_model_parameters")
    assert parameters["is_converged"].all()
    assert set(parameters["as_of_date"].astype(str)) == {CALIBRATION_END}
    fitted = {(row.model, row.parameter): row.value for row in parameters.itertuples()}
    for key, published in PUBLISHED.items():
        assert fitted[key] == pytest.approx(published, rel=0.01), (key, fitted[key], published)
    used = dict(zip(parameters["model"], parameters["customers_used"]))
    assert used == {"bgnbd": 2357, "gamma_gamma": 946}
    # the published log-likelihood of the BG/NBD fit is -9582.4
    bgnbd_ll = parameters.loc[parameters["model"] == "bgnbd", "log_likelihood"].iloc[0]
    assert bgnbd_ll == pytest.approx(-9582.4, abs=0.1)


def test_holdout_comparison(cdnow_warehouse):
    transactions, db_path = cdnow_warehouse
    predictions = _query(db_path, "select customer_id, frequency, recency, customer_age from marts.customer_predictions")
    parameters = _query(db_path, "select parameter, value from marts.clv_model_parameters where model = 'bgnbd'")
    params = dict(zip(parameters["parameter"], parameters["value"]))
    actual = holdout_purchase_days(transactions).reindex(predictions["customer_id"]).fillna(0).to_numpy()
    holdout_weeks = (pd.Timestamp(HOLDOUT_END) - pd.Timestamp(HOLDOUT_START)).days / 7 + 1 / 7
    rows = btyd.holdout_comparison(params, predictions["frequency"], predictions["recency"],
                                   predictions["customer_age"], holdout_weeks, actual, max_frequency=7)
    assert [row["calibration_frequency"] for row in rows] == ["0", "1", "2", "3", "4", "5", "6", "7+", "all"]
    assert sum(row["customers"] for row in rows[:-1]) == rows[-1]["customers"] == 2357
    total = rows[-1]
    # The aggregate holdout forecast is close but not exact (the model under-forecasts CDNOW's holdout by about
    # 12% when purchases are counted per day, see docs/predictive.md): guard against gross errors only.
    assert total["predicted_mean"] == pytest.approx(total["actual_mean"], rel=0.15)
    # predictions rise with calibration frequency
    predicted = [row["predicted_mean"] for row in rows[:-1]]
    assert predicted == sorted(predicted)
    if os.environ.get("SEGMART_PRINT_HOLDOUT"):
        print("\n| calibration repeat purchases | customers | actual mean (holdout) | predicted mean (BG/NBD) |")
        print("|---|---:|---:|---:|")
        for row in rows:
            print(f"| {row['calibration_frequency']} | {row['customers']} | {row['actual_mean']:.3f} "
                  f"| {row['predicted_mean']:.3f} |")
        print(f"\ntotal actual {np.sum(actual):.0f}, predicted {total['predicted_mean'] * total['customers']:.1f}")


def test_a_young_base_warns_and_builds_with_null_predictions(tmp_path):
    """Forty CDNOW customers two weeks into their history: too few repeat buyers. The build passes, the dbt log
    says why, parameters and predictions are null."""
    path = cdnow_sample_path()
    if path is None:
        pytest.skip("lifetimes (the CDNOW data files) is not installed")
    transactions = read_cdnow(path)
    young = transactions[transactions["sample_id"].astype(int) <= 40]
    write_raw_files(young, tmp_path / "raw")
    db_path = tmp_path / "warehouse.duckdb"
    result = run_dbt(["build", "--select", "+clv_model_parameters", "+customer_predictions",
                      "--indirect-selection", "cautious", "--exclude", "test_type:unit"],
                     tmp_path / "raw", db_path, tmp_path / "target", as_of="1997-01-15")
    assert result.returncode == 0, result.output
    assert "BTYD models not fitted" in result.output and "btyd_min_repeat_buyers" in result.output
    assert "WARN" in result.output  # the severity-warn test clv_model_parameters_fitted_and_converged
    parameters = _query(db_path, "select * from marts.clv_model_parameters")
    assert len(parameters) == 7 and parameters["value"].isna().all()
    assert set(parameters["fit_status"]) == {"too_few_repeat_buyers"}
    predictions = _query(db_path, "select * from marts.customer_predictions")
    assert len(predictions) > 0
    assert predictions["probability_alive"].isna().all() and predictions["churn_risk_tier"].isna().all()
