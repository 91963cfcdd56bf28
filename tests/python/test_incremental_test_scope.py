"""Data tests of incremental models check the rows the latest run (re)computed (macros/incremental/test_scope.sql):
a broken row left by an earlier run is outside their scope, a broken row of the latest run is caught, and
test_all_rows puts every row back in scope. The segment history's tests check the slice of the run's as_of_date."""

from __future__ import annotations

import duckdb
from conftest import run_dbt

# The unique test of int_web_events_stitched.event_id, and nothing else.
SELECTOR = ["--select", "int_web_events_stitched,test_name:unique"]
FAILURE = "Failure in test unique_int_web_events_stitched_event_id"


def duplicate_an_event(warehouse, stamped: str) -> None:
    """Append a second row for one event: stamped 'earlier' than the latest run, or 'latest' (the same stamp)."""
    shift = "interval 1 day" if stamped == "earlier" else "interval 0 day"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "insert into intermediate.int_web_events_stitched select * replace (processed_at - " + shift +
            " as processed_at) from intermediate.int_web_events_stitched where event_id = (select min(event_id)"
            " from intermediate.int_web_events_stitched)")


def test_a_row_of_an_earlier_run_is_out_of_scope_unless_all_rows_are_tested(built_test_warehouse, warehouse_copy,
                                                                              tmp_path):
    raw_dir, _ = built_test_warehouse
    duplicate_an_event(warehouse_copy, "earlier")
    assert_passes_in_scope_and_fails_on_all_rows(SELECTOR, FAILURE, raw_dir, warehouse_copy, tmp_path / "target")


def assert_passes_in_scope_and_fails_on_all_rows(selector, failure, raw_dir, warehouse, target) -> None:
    """The selected tests pass on the latest run's rows, and fail with `failure` when test_all_rows is set."""
    scoped = run_dbt(["test", *selector], raw_dir, warehouse, target)
    assert scoped.returncode == 0 and "ERROR=0" in scoped.output, scoped.output
    everything = run_dbt(["test", *selector], raw_dir, warehouse, target, extra_vars={"test_all_rows": True})
    assert everything.returncode == 1 and failure in everything.output, everything.output


def test_a_row_of_the_latest_run_is_tested(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    duplicate_an_event(warehouse_copy, "latest")
    result = run_dbt(["test", *SELECTOR], raw_dir, warehouse_copy, tmp_path / "target")
    assert result.returncode == 1 and FAILURE in result.output, result.output


# segment_membership_history (meta test_scope: as_of_date): its data tests check the slice of the run's as_of_date.
HISTORY_SELECTOR = ["--select", "test_name:unique_combination_of_columns,segment_membership_history"]
HISTORY_FAILURE = "Failure in test segment_membership_history_one_row_per_membership"


def duplicate_a_membership(warehouse, as_of_date: str) -> None:
    """Write one membership twice into the history slice of as_of_date."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "insert into marts.segment_membership_history select * replace (cast(? as date) as as_of_date) from "
            "marts.segment_membership_history where customer_id = (select min(customer_id) from "
            "marts.segment_membership_history) and segment_family = 'rfm' limit 1", [as_of_date])
        connection.execute(
            "insert into marts.segment_membership_history select * from marts.segment_membership_history "
            "where as_of_date = cast(? as date) limit 1", [as_of_date])


def test_history_tests_check_the_slice_of_the_run_date(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    duplicate_a_membership(warehouse_copy, "2020-01-31")
    assert_passes_in_scope_and_fails_on_all_rows(HISTORY_SELECTOR, HISTORY_FAILURE, raw_dir, warehouse_copy,
                                                 tmp_path / "target")
    as_of_then = run_dbt(["test", *HISTORY_SELECTOR], raw_dir, warehouse_copy, tmp_path / "target", as_of="2020-01-31")
    assert as_of_then.returncode == 1 and HISTORY_FAILURE in as_of_then.output, as_of_then.output
