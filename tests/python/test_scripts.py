"""The Python jobs: benchmark argument lists, validation that fails when a rule breaks, the summary."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from segmart import bench, summary, validate


def test_bench_dbt_command_passes_as_of_date():
    command = bench.dbt_command("build", "2026-10-31", ["--select", "staging"])
    assert command[0].endswith("dbt")
    assert command[1:] == ["build", "--vars", "{as_of_date: '2026-10-31'}", "--select", "staging"]


def test_run_suites_reports_failures_with_examples():
    import great_expectations as gx

    suite = validate.Suite(
        "example", "ignored", [gx.expectations.ExpectColumnValuesToBeInSet(column="status", value_set=["ok"])]
    )
    frame = pd.DataFrame({"status": ["ok", "ok", "lost"]})
    [outcome] = validate.run_suites([suite], lambda _query: frame)
    assert not outcome.success
    assert outcome.unexpected_count == 1
    assert outcome.unexpected_examples == ["lost"]


@pytest.fixture
def warehouse_copy(built_test_warehouse, tmp_path, monkeypatch):
    """A copy of the built test warehouse that a test may corrupt, with SEGMART_DB pointing at it.

    The copy keeps the file name: dbt-duckdb's views name their catalog, which is the file's stem."""
    _, db_path = built_test_warehouse
    copy = tmp_path / db_path.name
    shutil.copy(db_path, copy)
    monkeypatch.setenv("SEGMART_DB", str(copy))
    monkeypatch.setenv("SEGMART_REPORTS_DIR", str(tmp_path / "reports"))
    return copy


def test_validation_passes_on_the_built_warehouse_and_records_results(warehouse_copy, tmp_path):
    assert validate.main(["--quiet"]) == 0
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        failed = connection.execute(f"select count(*) from {validate.RESULTS_TABLE} where not success").fetchone()[0]
        total = connection.execute(f"select count(*) from {validate.RESULTS_TABLE}").fetchone()[0]
    assert failed == 0 and total > 20
    assert "expectations passed" in (tmp_path / "reports" / "validation.html").read_text()


def test_validation_fails_when_staging_breaks_a_rule(warehouse_copy, capsys):
    """A status outside the vocabulary slipping through staging must fail validation."""
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "create table staging.broken_orders as select * replace ('lost' as order_status)"
            " from staging.stg_shop__orders limit 3"
        )
        connection.execute(
            "create or replace view staging.stg_shop__orders as"
            " select * from staging.broken_orders"
        )
    assert validate.main(["--quiet"]) == 1
    assert "FAIL staged_orders: expect_column_values_to_be_in_set on order_status" in capsys.readouterr().out


def test_summary_prints_reconciliation(warehouse_copy, capsys):
    assert summary.main() == 0
    out = capsys.readouterr().out
    assert "balanced" in out and "NOT BALANCED" not in out
    assert "quarantined" in out
