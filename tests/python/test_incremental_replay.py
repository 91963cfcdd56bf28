"""Incremental builds are proven by replay (issue 6): generated data arrives in batches (with late rows and later
versions of orders; with the last batch, a later version of some sold products and the shop's own exchange rates
for one order currency), an incremental `dbt build` runs after each, and every mart then equals a fresh
`--full-refresh` build of the same final data in another warehouse file, row for row, both ways. Then as_of_date
moves back (as a backfill moves it) and forward again: each incremental build equals a full build of its date."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import PROJECT_ROOT, run_dbt

# Batch i holds what was written up to CUTS[i] (the last batch: everything after too); build i runs as of
# AS_OF[i], a few days before its cut, so rows deferred in one run are staged by a later one.
CUTS = ["2026-09-30", "2026-10-20", "2026-10-31"]
AS_OF = ["2026-09-27", "2026-10-18", "2026-10-31"]
# A backfill date before the first batch's: as_of_date moves back over all three batches' rows (customers who
# register later are deferred, and so are their earlier guest orders), then forward again to AS_OF[-1].
BACK_AS_OF = "2026-08-31"
# Tables written by runs rather than by the data (validation history, run logs): not compared.
RUN_METADATA_TABLES = {"validation_results", "validated_segment_shares"}
# History marts keep one snapshot per run's as_of_date: only the final snapshot is comparable. Transitions
# compare consecutive snapshots, which a single full build does not have.
HISTORY_TABLES = {"segment_membership_history", "segment_size_history"}
RUN_HISTORY_TABLES = {"segment_transitions"}
# The Gamma-Gamma optimiser stops at a slightly different point (about 1e-6 relative) when its inputs differ in the
# last bits (sums over rows in another order): these columns are compared with a relative tolerance, by key, and
# the optimiser's stopping message is not compared.
FITTED_COLUMNS = {
    "clv_model_parameters": (["model", "parameter"], ["value", "log_likelihood"]),
    "customer_predictions": (["customer_id"], ["expected_average_order_value", "predicted_clv_365d"]),
    "dim_customers": (["customer_id"], ["expected_average_order_value", "predicted_clv_365d"]),
}
FITTED_RELATIVE_TOLERANCE = 1e-4
BUILD_ARGS = ["build", "--exclude", "test_type:unit"]
# The second batch's build leaves out the marts that follow their parents by watermark: the third batch's build must
# then catch them up on both batches, whichever invocation built their parents.
WATERMARKED_MARTS = ["fct_orders", "fct_order_items", "fct_sessions"]
SKIP_MARTS_IN_BATCH = 1
# The full builds the incremental warehouse is compared with need only models and seeds: their data tests are
# the main test build's (make test), and leaving them out here keeps this test within CI's time.
FULL_BUILD_ARGS = ["build", "--full-refresh", "--exclude", "test_type:unit", "test_type:data"]


def mart_tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = connection.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "and schema_name in ('marts', 'data_quality') order by 1, 2", [catalog]).fetchall()
    return [f"{schema}.{table}" for schema, table in rows
            if table not in RUN_METADATA_TABLES | RUN_HISTORY_TABLES]


def differences(incremental_db: Path, full_db: Path, as_of: str = AS_OF[-1]) -> dict[str, tuple[int, int]]:
    """Per mart: (rows only in the incremental build, rows only in the full build). Doubles are rounded to 10, then
    8 places (sums over rows in another order differ in the last bits; the double rounding keeps such a pair from
    straddling a rounding boundary). FITTED_COLUMNS are compared apart: (0, n) = n keys off by more than the
    tolerance. History marts are compared at as_of."""
    connection = duckdb.connect()
    connection.execute(f"attach '{incremental_db}' as incremental (read_only)")
    connection.execute(f"attach '{full_db}' as full_build (read_only)")
    tables = mart_tables(connection, "full_build")
    assert tables and tables == mart_tables(connection, "incremental")
    found = {}
    for table in tables:
        schema, name = table.split(".")
        columns = connection.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'full_build' "
            "and schema_name = ? and table_name = ? order by column_index", [schema, name]).fetchall()
        keys, fitted = FITTED_COLUMNS.get(name, ([], []))
        select_list = ", ".join(f'round(round("{column}", 10), 8)' if data_type in ("DOUBLE", "FLOAT")
                                else f'"{column}"' for column, data_type in columns
                                if column not in fitted and column != "fit_message")
        where = f"where as_of_date = '{as_of}'" if name in HISTORY_TABLES else ""
        counts = []
        for left, right in (("incremental", "full_build"), ("full_build", "incremental")):
            counts.append(connection.execute(
                f"select count(*) from (select {select_list} from {left}.{table} {where} "
                f"except all select {select_list} from {right}.{table} {where})").fetchone()[0])
        if fitted:
            join = " and ".join(f'left_rows."{key}" = right_rows."{key}"' for key in keys)
            off = " or ".join(
                f'abs(left_rows."{column}" - right_rows."{column}") > {FITTED_RELATIVE_TOLERANCE} * '
                f'greatest(abs(right_rows."{column}"), 1e-9) or ((left_rows."{column}" is null) '
                f'<> (right_rows."{column}" is null))' for column in fitted)
            counts[1] += connection.execute(
                f"select count(*) from incremental.{table} as left_rows inner join full_build.{table} as right_rows "
                f"on {join} where {off}").fetchone()[0]
        found[table] = tuple(counts)
    connection.close()
    return found


def test_incremental_replay_equals_full_refresh(tmp_path):
    generated, batches = tmp_path / "generated", tmp_path / "batches"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "scripts")}
    subprocess.run([sys.executable, "-m", "segmart.generate", "--customers", "400", "--seed", "3", "--end-date",
                    CUTS[-1], "--out", str(generated), "--inject-bad-rows", "--quiet"],
                   cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    from segmart.batches import add_batch, split_batches

    folders = split_batches(generated, batches, CUTS, late_share=0.03, seed=5)
    assert len(folders) == len(CUTS)

    raw = tmp_path / "raw"
    incremental_db = tmp_path / "incremental" / "segmart.duckdb"
    full_db = tmp_path / "full" / "segmart.duckdb"
    incremental_db.parent.mkdir()
    full_db.parent.mkdir()
    for index, (folder, as_of) in enumerate(zip(folders, AS_OF)):
        add_batch(folder, raw)
        if index == len(folders) - 1:
            change_products_and_rates(raw, as_of)
        args = [*BUILD_ARGS, *WATERMARKED_MARTS] if index == SKIP_MARTS_IN_BATCH else BUILD_ARGS
        result = run_dbt(args, raw, incremental_db, tmp_path / "target_incremental", as_of, as_of_in_env=True)
        assert result.returncode == 0, result.output[-5000:]
        if index == SKIP_MARTS_IN_BATCH:
            assert "model marts.fct_orders " not in result.output, "the marts were meant to be left out of this build"
    assert "re-read for touched keys" in result.output
    # The models that attribute through the identity map re-checked only the identifiers whose link changed
    # (test_identity_links.py proves that path; the comparison above proves the result). The links table is read
    # in that path only (the depends_on comment names it in both).
    compiled = tmp_path / "target_incremental" / "compiled" / "segmart" / "models" / "intermediate"
    links_read = re.compile(r"select identifier_value\s+from \S*int_identity_links_tracked")
    for model in ["web/int_web_events_stitched", "email/int_email_events_attributed",
                  "orders/int_orders_net_of_returns"]:
        assert links_read.search((compiled / f"{model}.sql").read_text()), model

    result = run_dbt(FULL_BUILD_ARGS, raw, full_db, tmp_path / "target_full", AS_OF[-1])
    assert result.returncode == 0, result.output[-5000:]

    assert_same_marts(incremental_db, full_db, AS_OF[-1], "after incremental replay")

    # Back in time, as `segmart backfill` moves as_of_date, then forward to the latest date again.
    full_back_db = tmp_path / "full_back" / "segmart.duckdb"
    full_back_db.parent.mkdir()
    result = run_dbt(FULL_BUILD_ARGS, raw, full_back_db, tmp_path / "target_full_back", BACK_AS_OF)
    assert result.returncode == 0, result.output[-5000:]
    result = run_dbt(BUILD_ARGS, raw, incremental_db, tmp_path / "target_incremental", BACK_AS_OF, as_of_in_env=True)
    assert result.returncode == 0, result.output[-5000:]
    assert_same_marts(incremental_db, full_back_db, BACK_AS_OF, f"with as_of_date moved back to {BACK_AS_OF}")
    result = run_dbt(BUILD_ARGS, raw, incremental_db, tmp_path / "target_incremental", AS_OF[-1], as_of_in_env=True)
    assert result.returncode == 0, result.output[-5000:]
    assert_same_marts(incremental_db, full_db, AS_OF[-1], f"with as_of_date forward again to {AS_OF[-1]}")
    shutil.rmtree(batches)


def change_products_and_rates(raw: Path, as_of: str) -> None:
    """Reference data that changes after orders were built: a later version of some sold products (another
    category, product line, brand and launch date) and the shop's own rates for one order currency, which replace
    the seed's for that currency. Neither touches an order, a line or a return."""
    connection = duckdb.connect()
    products = sorted((raw / "products").rglob("part-0*.csv"))
    currency = connection.execute(
        "select upper(currency) from read_parquet(?, union_by_name = true) where upper(currency) <> 'USD' "
        "group by 1 order by count(*) desc limit 1",
        [[str(path) for path in sorted((raw / "orders").rglob("*.parquet"))]]).fetchone()[0]
    connection.execute(
        "create table sold as select distinct trim(product_id) as product_id "
        "from read_parquet(?, union_by_name = true)",
        [[str(path) for path in sorted((raw / "order_items").rglob("*.parquet"))]])
    connection.execute(f"""
        copy (
            select
                product_id, product_name,
                lead(category, 1, category) over (order by product_id) as category,
                lead(product_line, 1, product_line) over (order by product_id) as product_line,
                'Renamed ' || brand as brand, list_price, currency,
                strftime(cast(launched_at as date) - interval 30 day, '%Y-%m-%d') as launched_at,
                stock_quantity, is_active,
                strftime(timestamp '{as_of}' - interval 2 day, '%Y-%m-%dT%H:%M:%S') as updated_at
            from read_csv(?, header = true, all_varchar = true)
            where product_id in (select product_id from sold)
            order by product_id
            limit 8
        ) to '{raw / "products" / "part-update.csv"}' (format csv, header true)""", [[str(path) for path in products]])
    written = connection.execute("select count(*) from read_csv(?)", [str(raw / "products" / "part-update.csv")])
    assert written.fetchone()[0] == 8
    (raw / "exchange_rates").mkdir(exist_ok=True)
    connection.execute(f"""
        copy (
            select '{currency}' as currency, cast(rate_date as date) as rate_date, 1.25 + 0.01 * month(rate_date)
                as rate_to_reporting
            from range(date '2024-01-01', date '{as_of}', interval 1 month) as months(rate_date)
        ) to '{raw / "exchange_rates" / "part-0000.parquet"}' (format parquet)""")
    connection.close()


def assert_same_marts(incremental_db: Path, full_db: Path, as_of: str, when: str) -> None:
    found = differences(incremental_db, full_db, as_of)
    unequal = {table: counts for table, counts in found.items() if counts != (0, 0)}
    assert not unequal, f"marts differ {when} (only incremental, only full): {unequal}"
