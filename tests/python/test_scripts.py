"""The Python jobs: benchmark argument lists, validation that fails when a rule breaks, the summary."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from segmart import bench, dbt_plugin, summary, validate


def test_bench_backfill_window_holds_exactly_the_last_month_ends():
    from segmart import history

    start, end = bench.backfill_window("2026-10-31", 12)
    assert (start, end) == ("2025-11-01", "2026-10-31")
    dates = history.snapshot_dates(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert len(dates) == 12 and dates[0] == dt.date(2025, 11, 30) and dates[-1] == dt.date(2026, 10, 31)
    assert bench.backfill_window("2026-03-15", 2) == ("2026-02-01", "2026-03-15")


def test_bench_dbt_invocation_passes_as_of_date_in_the_environment():
    command, env = bench.dbt_invocation("build", "2026-10-31", {"SEGMART_DB": "w.duckdb"}, ["--select", "staging"])
    assert command[0].endswith("dbt")
    assert command[1:] == ["build", "--select", "staging"]
    assert env == {"SEGMART_DB": "w.duckdb", "SEGMART_AS_OF_DATE": "2026-10-31"}


def _protocol_run(full, incremental, rerun, incremental_code=0, rerun_code=0):
    return {"full_code": 0, "full": full, "incremental": incremental, "incremental_code": incremental_code,
            "rerun": rerun, "rerun_code": rerun_code, "split": 1.0, "day_before": "2026-10-30",
            "split_times": {"elapsed": 60.0, "model": 80.0, "test": 30.0},
            "full_cpu": 1.75 * full, "incremental_cpu": 1.5 * incremental, "rerun_cpu": 1.25 * rerun}


def test_bench_incremental_figures_give_the_fixed_cost_against_the_full_build():
    rows, code = bench.incremental_figures(_protocol_run(200.0, 80.0, 70.0), _protocol_run(40.0, 30.0, 30.0), 1500)
    figures = dict(rows)
    assert code == 0
    assert figures["ratio incremental / full"] == "0.40"
    assert figures["ratio no new data / full"] == "0.35"
    # the small shop's no-new-data refresh over the benchmark shop's full build, not over its own
    assert figures["fixed cost / full build"] == "0.15"
    # CPU seconds and cores busy: the full, one-day and no-new-data builds, then the small shop's no-new-data build
    assert [value for name, value in rows if name.strip().startswith("CPU")] == ["350.0; 1.75", "120.0; 1.50",
                                                                                 "87.5; 1.25", "37.5; 1.25"]
    assert bench.cpu_figure({"rerun": 10.0}, "rerun") == "n/a"


def test_bench_incremental_figures_give_the_build_without_the_left_out_nodes():
    main_run = {**_protocol_run(200.0, 80.0, 70.0), "without": 30.0, "without_cpu": 45.0, "without_code": 0}
    rows, code = bench.incremental_figures(main_run, {}, 0)
    figures = dict(rows)
    assert code == 0
    assert figures["+1 day, the --without nodes left out (s)"] == "30.0"
    assert figures["ratio to full"] == "0.15"
    assert rows[-2] == ("  CPU, user + system (s; cores busy)", "45.0; 1.50")
    _, code = bench.incremental_figures({**main_run, "without_code": 4}, {}, 0)
    assert code == 4
    # without the option, no such rows
    assert "ratio to full" not in dict(bench.incremental_figures(_protocol_run(200.0, 80.0, 70.0), {}, 0)[0])


def test_bench_incremental_figures_fail_when_the_small_shop_fails():
    main_run = _protocol_run(200.0, 80.0, 70.0)
    rows, code = bench.incremental_figures(main_run, {"full_code": 2}, 1500)
    assert code == 2 and dict(rows)["small shop"].startswith("failed with exit code 2")
    _, code = bench.incremental_figures(main_run, _protocol_run(40.0, 30.0, 30.0, rerun_code=1), 1500)
    assert code == 1
    _, code = bench.incremental_figures(_protocol_run(200.0, 80.0, 70.0, incremental_code=3), {}, 0)
    assert code == 3


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


def test_validation_fails_when_an_rfm_rule_changes_in_sql_only(warehouse_copy, capsys):
    """Champions relabelled in SQL, with the seed map unchanged: the recomputation must disagree."""
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "update intermediate.int_customers_rfm_scored set rfm_segment = 'Loyal' where rfm_segment = 'Champions'")
    assert validate.main(["--quiet"]) == 1
    assert "FAIL rfm_segments: expect_column_pair_values_to_be_equal" in capsys.readouterr().out


def test_validation_fails_when_a_lifecycle_boundary_moves_in_sql_only(warehouse_copy, capsys):
    """The active boundary made exclusive in SQL (< instead of <=) while lifecycle_cutoffs is unchanged."""
    with duckdb.connect(str(warehouse_copy)) as connection:
        active_max_days = connection.execute("select active_max_days from marts.lifecycle_cutoffs").fetchone()[0]
        moved = connection.execute(
            "select count(*) from intermediate.int_customers_lifecycle_staged where days_since_reference = ?",
            [active_max_days],
        ).fetchone()[0]
        assert moved > 0, "the test data must have customers exactly on the boundary"
        connection.execute(
            "update intermediate.int_customers_lifecycle_staged set lifecycle_cell = order_stage || '_at_risk'"
            " where days_since_reference = ?", [active_max_days],
        )
    assert validate.main(["--quiet"]) == 1
    assert "FAIL lifecycle_cells: expect_column_pair_values_to_be_equal" in capsys.readouterr().out


def test_rfm_recomputation_gives_ties_equal_scores():
    frame = pd.DataFrame({
        "customer_id": list("abcdef"),
        "order_count": [1, 1, 1, 2, 5, 0],
        "days_since_last_order": [10, 10, 300, 40, 5, None],
        "net_revenue_lifetime": [20.0, 20.0, 20.0, 50.0, 500.0, 0.0],
    })
    scores = validate.rfm_scores_recomputed(frame).set_index("customer_id")
    assert scores.loc["a", "expected_f_score"] == scores.loc["b", "expected_f_score"] == 1
    assert scores.loc["a", "expected_r_score"] == scores.loc["b", "expected_r_score"]
    assert scores.loc["e", "expected_r_score"] == 5 and scores.loc["c", "expected_r_score"] == 1
    assert pd.isna(scores.loc["f", "expected_r_score"])


def test_validation_fails_when_a_tag_disagrees_with_its_rule(warehouse_copy, capsys):
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "update marts.customer_segments set is_idle = not is_idle"
            " where customer_id = (select min(customer_id) from marts.customer_segments)"
        )
    assert validate.main(["--quiet"]) == 1
    assert ("FAIL behaviour_tags_and_value_tiers: expect_column_pair_values_to_be_equal"
            " on is_idle vs expected_is_idle") in capsys.readouterr().out


def test_validation_reads_the_same_vars_as_the_build(warehouse_copy, capsys):
    """Validating with a threshold the build did not use must fail: the check follows configuration."""
    assert validate.main(["--quiet", "--vars", "{idle_after_days: 30}"]) == 1
    assert validate.main(["--quiet", "--vars", "[1, 2]"]) == 2


def test_dbt_plugin_sets_the_salt_per_connection_only_when_given():
    """A DuckDB variable belongs to one connection: each cursor dbt opens gets its own, and an empty salt sets
    nothing (so macro hashed_email stops the model instead of hashing with an empty salt)."""
    connection = duckdb.connect()
    cursor = connection.cursor()
    assert dbt_plugin.set_email_salt(connection, {"SEGMART_EMAIL_SALT": "it's salt"})
    assert connection.execute("select getvariable('segmart_email_salt')").fetchone() == ("it's salt",)
    assert cursor.execute("select getvariable('segmart_email_salt')").fetchone() == (None,)
    assert not dbt_plugin.set_email_salt(cursor, {"SEGMART_EMAIL_SALT": ""})
    assert not dbt_plugin.set_email_salt(cursor, {})
    assert cursor.execute("select getvariable('segmart_email_salt')").fetchone() == (None,)
