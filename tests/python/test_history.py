"""Segment history backfill: the dates, the dbt argument lists (pure) and the runner (with a fake dbt)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from segmart import history

D = dt.date


def test_month_ends_cover_the_range_inclusively():
    assert history.month_ends(D(2026, 1, 15), D(2026, 4, 30)) == [
        D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]
    assert history.month_ends(D(2026, 1, 31), D(2026, 1, 31)) == [D(2026, 1, 31)]
    assert history.month_ends(D(2026, 2, 1), D(2026, 2, 27)) == []


def test_month_ends_handle_leap_years_and_year_ends():
    assert history.month_ends(D(2023, 12, 1), D(2024, 3, 1)) == [D(2023, 12, 31), D(2024, 1, 31), D(2024, 2, 29)]


def test_month_ends_of_an_inverted_range_are_empty():
    assert history.month_ends(D(2026, 5, 1), D(2026, 1, 1)) == []


def test_twelve_month_ends_of_a_year():
    dates = history.snapshot_dates(D(2025, 11, 1), D(2026, 10, 31), "month")
    assert len(dates) == 12 and dates[0] == D(2025, 11, 30) and dates[-1] == D(2026, 10, 31)


def test_snapshot_dates_reject_an_unknown_period():
    with pytest.raises(ValueError, match="every"):
        history.snapshot_dates(D(2026, 1, 1), D(2026, 2, 1), "fortnight")


def test_history_build_args_select_the_history_and_its_ancestors():
    args = history.history_build_args(dbt="dbt")
    assert args == ["dbt", "build", "--select", "+segment_membership_history", "--exclude", "test_type:unit",
                    "--indirect-selection", "cautious"]
    assert history.date_environment(D(2026, 9, 30)) == {"SEGMART_AS_OF_DATE": "2026-09-30"}


def test_history_build_args_keep_extra_vars_but_not_an_as_of_date():
    # a var as_of_date would win over each date's SEGMART_AS_OF_DATE and build every date as of one day
    args = history.history_build_args(dbt="/x/dbt", target_path=Path("/tmp/t"),
                                      extra_vars={"as_of_date": "2000-01-01", "idle_after_days": 90})
    variables = json.loads(args[args.index("--vars") + 1])
    assert variables == {"idle_after_days": 90}
    assert args[0] == "/x/dbt"
    assert args[-4:] == ["--target-path", "/tmp/t", "--log-path", "/tmp/t/logs"]


def test_history_build_args_without_data_tests_build_models_and_seeds_only():
    args = history.history_build_args(data_tests=False)
    assert args[:4] == ["dbt", "build", "--select", "+segment_membership_history"]
    assert args.count("--resource-type") == 2 and "model" in args and "seed" in args


def test_downstream_build_args_rebuild_what_reads_the_history_at_the_last_date():
    args = history.downstream_build_args()
    assert args == ["dbt", "build", "--select", "segment_membership_history+", "--exclude", "test_type:unit",
                    "--full-refresh"]


class FakeDbt:
    """Records each dbt invocation; fails on the dates listed."""

    def __init__(self, failing: set[str] = frozenset()):
        self.calls: list[list[str]] = []
        self.dates: list[str] = []
        self.failing = failing

    def __call__(self, args, **options):
        self.calls.append(list(args))
        as_of = options["env"]["SEGMART_AS_OF_DATE"]
        self.dates.append(as_of)
        code = 1 if as_of in self.failing and "+segment_membership_history" in args else 0
        return subprocess.CompletedProcess(args, code, stdout="", stderr="")


def test_backfill_runs_one_dbt_process_per_date_oldest_first_then_the_downstream_models():
    fake = FakeDbt()
    result = history.backfill(D(2026, 7, 1), D(2026, 10, 31), dbt="dbt", env={}, log=lambda line: None, run=fake)
    assert fake.dates == ["2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-10-31"]
    assert all("+segment_membership_history" in call for call in fake.calls[:4])
    assert "segment_membership_history+" in fake.calls[4]
    assert result.ok and [run.as_of_date for run in result.runs][-1] == D(2026, 10, 31)


def test_backfill_stops_at_the_first_failing_date():
    fake = FakeDbt(failing={"2026-08-31"})
    result = history.backfill(D(2026, 7, 1), D(2026, 10, 31), dbt="dbt", env={}, log=lambda line: None, run=fake)
    assert len(fake.calls) == 2 and not result.ok
    assert [run.returncode for run in result.runs] == [0, 1] and result.downstream_returncode is None


def test_backfill_of_an_empty_range_runs_nothing():
    fake = FakeDbt()
    result = history.backfill(D(2026, 7, 1), D(2026, 7, 30), dbt="dbt", env={}, log=lambda line: None, run=fake)
    assert fake.calls == [] and result.ok


def test_backfill_skips_dates_already_in_the_history(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "existing_dates", lambda path: {D(2026, 8, 31)})
    fake = FakeDbt()
    result = history.backfill(D(2026, 8, 1), D(2026, 9, 30), dbt="dbt", env={"SEGMART_DB": str(tmp_path / "w.duckdb")},
                              skip_existing=True, log=lambda line: None, run=fake)
    assert [run.skipped for run in result.runs] == [True, False] and len(fake.calls) == 2


def test_existing_dates_of_a_missing_warehouse_are_empty(tmp_path):
    assert history.existing_dates(tmp_path / "absent.duckdb") == set()
