"""Segment history: backfill marts.segment_membership_history for past dates.

    python -m segmart.history backfill --from 2025-11-30 --to 2026-10-31 [--every month] [--skip-existing]
                                       [--no-data-tests] [--target-path PATH] [--vars YAML]

Each date is one `dbt build` in its own process (dbt's runner is not safe to reuse within one process) with
SEGMART_AS_OF_DATE=D in its environment (not a var: a changed var makes dbt parse the whole project again, about
8 s a date) and the selector HISTORY_SELECTOR: the history model and everything upstream of it.
Everything upstream must be rebuilt, not only the memberships: the base models mark rows dated after
as_of_date as deferred, so staging, the customer 360, the predictions and the segments all change with the
date. After the last date one more build rebuilds the models that read the history (segment_transitions,
segment_size_history) in full. The argument lists are built by pure functions; `backfill` runs them.

After a backfill, the marts upstream of the history hold the last backfilled date, and marts not upstream of it
(fct_sessions, ...) the date of the previous full build: run a normal refresh (or a full `dbt build` at the
current date) before publishing.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import duckdb
import yaml

from segmart.config import as_of_environment, vars_without_as_of
from segmart.warehouse import PROJECT_ROOT, warehouse_path

HISTORY_MODEL = "segment_membership_history"
# The history model and all its ancestors: seeds, base models (as_of_date decides what is deferred), staging,
# the customer 360, predictions and segments. Nothing downstream and nothing beside it (fct_sessions, ...).
HISTORY_SELECTOR = f"+{HISTORY_MODEL}"
# The models that read the history; rebuilt once after the last date.
DOWNSTREAM_SELECTOR = f"{HISTORY_MODEL}+"
EVERY_CHOICES = ("month",)


# --- pure functions ------------------------------------------------------------------------------

def month_end(day: dt.date) -> dt.date:
    """The last day of day's month (pure)."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends(from_date: dt.date, to_date: dt.date) -> list[dt.date]:
    """Every month-end D with from_date <= D <= to_date, ascending (pure). Empty when from_date > to_date."""
    dates: list[dt.date] = []
    current = month_end(from_date)
    while current <= to_date:
        if current >= from_date:
            dates.append(current)
        first_of_next = current + dt.timedelta(days=1)
        current = month_end(first_of_next)
    return dates


def snapshot_dates(from_date: dt.date, to_date: dt.date, every: str = "month") -> list[dt.date]:
    """The dates a backfill builds, ascending (pure). every='month': the month-ends in [from_date, to_date]."""
    if every not in EVERY_CHOICES:
        raise ValueError(f"every must be one of {', '.join(EVERY_CHOICES)}, got {every!r}")
    return month_ends(from_date, to_date)


def _vars_args(extra_vars: dict[str, Any] | None) -> list[str]:
    """--vars of the extra vars, without as_of_date (each date's comes from date_environment); [] when none."""
    variables = vars_without_as_of(extra_vars)
    return ["--vars", json.dumps(variables, sort_keys=True)] if variables else []


def date_environment(as_of_date: dt.date) -> dict[str, str]:
    """The environment entry that gives one backfill build its as_of_date (pure)."""
    return as_of_environment(as_of_date.isoformat())[0]


def _common_args(target_path: Path | None) -> list[str]:
    if target_path is None:
        return []
    return ["--target-path", str(target_path), "--log-path", str(Path(target_path) / "logs")]


def history_build_args(*, dbt: str = "dbt", target_path: Path | None = None,
                       extra_vars: dict[str, Any] | None = None, data_tests: bool = True) -> list[str]:
    """`dbt build` that rebuilds everything the memberships of its as_of_date (date_environment) need and appends
    them to the history (pure). Unit tests are left out (they do not depend on the data; CI runs them); data tests
    run unless data_tests is False. Tests are selected cautiously: only those whose every parent is rebuilt,
    because a test that also reads a model outside the selection (fct_order_items against fct_orders) would
    compare two different as_of_dates."""
    args = [dbt, "build", "--select", HISTORY_SELECTOR, "--exclude", "test_type:unit",
            "--indirect-selection", "cautious"]
    if not data_tests:
        args = [dbt, "build", "--select", HISTORY_SELECTOR, "--resource-type", "model", "--resource-type", "seed"]
    return [*args, *_vars_args(extra_vars), *_common_args(target_path)]


def downstream_build_args(*, dbt: str = "dbt", target_path: Path | None = None,
                          extra_vars: dict[str, Any] | None = None) -> list[str]:
    """`dbt build` of the models that read the history (transitions, size history) and their data tests (pure).
    Its as_of_date must be the last date built: the history model is in the selection (excluding it would drop the
    tests that read both it and the transitions) and rebuilds that date's slice from the memberships still in
    place, which gives the same rows. --full-refresh: on a refresh the two models recompute only the date it wrote
    (and dates they lack); after a backfill, which may have rewritten dates they already hold, they are rebuilt
    from the whole history. The history itself is never rebuilt by it (full_refresh = false)."""
    return [dbt, "build", "--select", DOWNSTREAM_SELECTOR, "--exclude", "test_type:unit", "--full-refresh",
            *_vars_args(extra_vars), *_common_args(target_path)]


# --- the runner ----------------------------------------------------------------------------------

@dataclass
class DateRun:
    as_of_date: dt.date
    seconds: float
    returncode: int
    skipped: bool = False


@dataclass
class BackfillResult:
    runs: list[DateRun] = field(default_factory=list)
    downstream_seconds: float = 0.0
    downstream_returncode: int | None = None

    @property
    def ok(self) -> bool:
        return all(run.returncode == 0 for run in self.runs) and self.downstream_returncode in (0, None)

    @property
    def total_seconds(self) -> float:
        return sum(run.seconds for run in self.runs) + self.downstream_seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dates": [{"as_of_date": run.as_of_date.isoformat(), "seconds": round(run.seconds, 1),
                       "returncode": run.returncode, "skipped": run.skipped} for run in self.runs],
            "downstream_seconds": round(self.downstream_seconds, 1),
            "downstream_returncode": self.downstream_returncode,
            "total_seconds": round(self.total_seconds, 1),
        }


def existing_dates(db_path: Path) -> set[dt.date]:
    """The as_of_dates already in the history of the warehouse at db_path (empty without the table)."""
    if not Path(db_path).exists():
        return set()
    with duckdb.connect(str(db_path), read_only=True) as connection:
        found = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = ?", [HISTORY_MODEL]).fetchone()[0]
        if not found:
            return set()
        rows = connection.execute(f"select distinct as_of_date from marts.{HISTORY_MODEL}").fetchall()
    return {row[0] for row in rows}


def _default_dbt() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def backfill(from_date: dt.date, to_date: dt.date, every: str = "month", *, dbt: str | None = None,
             target_path: Path | None = None, env: dict[str, str] | None = None,
             extra_vars: dict[str, Any] | None = None, data_tests: bool = True, skip_existing: bool = False,
             log: Callable[[str], None] = print,
             run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> BackfillResult:
    """Build the history for every date of snapshot_dates(from_date, to_date, every), oldest first, one dbt
    process per date, then rebuild the models that read the history. Stops at the first failing date (the
    dates before it stay in the history). The warehouse is $SEGMART_DB of env (default: this process's)."""
    dbt = dbt or _default_dbt()
    environment = dict(os.environ if env is None else env)
    environment.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT / "profiles"))
    environment.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    dates = snapshot_dates(from_date, to_date, every)
    done: set[dt.date] = set()
    if skip_existing:
        db_path = Path(environment.get("SEGMART_DB", str(warehouse_path())))
        done = existing_dates(db_path if db_path.is_absolute() else PROJECT_ROOT / db_path)
    result = BackfillResult()
    if not dates:
        log(f"backfill: no {every}-end between {from_date} and {to_date}")
        return result
    for position, day in enumerate(dates, start=1):
        if day in done:
            log(f"backfill: {day} already in the history, skipped ({position}/{len(dates)})")
            result.runs.append(DateRun(day, 0.0, 0, skipped=True))
            continue
        args = history_build_args(dbt=dbt, target_path=target_path, extra_vars=extra_vars,
                                  data_tests=data_tests)
        started = time.perf_counter()
        completed = run(args, cwd=PROJECT_ROOT, env={**environment, **date_environment(day)}, capture_output=True,
                        text=True)
        seconds = time.perf_counter() - started
        result.runs.append(DateRun(day, seconds, completed.returncode))
        log(f"backfill: {day} {'ok' if completed.returncode == 0 else 'FAILED'} in {seconds:.1f} s "
            f"({position}/{len(dates)})")
        if completed.returncode != 0:
            log((completed.stdout or "")[-4000:] + (completed.stderr or "")[-2000:])
            return result
    args = downstream_build_args(dbt=dbt, target_path=target_path, extra_vars=extra_vars)
    started = time.perf_counter()
    completed = run(args, cwd=PROJECT_ROOT, env={**environment, **date_environment(dates[-1])},
                    capture_output=True, text=True)
    result.downstream_seconds = time.perf_counter() - started
    result.downstream_returncode = completed.returncode
    log(f"backfill: transitions and size history {'ok' if completed.returncode == 0 else 'FAILED'} "
        f"in {result.downstream_seconds:.1f} s")
    if completed.returncode != 0:
        log((completed.stdout or "")[-4000:] + (completed.stderr or "")[-2000:])
    return result


# --- command line --------------------------------------------------------------------------------

def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m segmart.history", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("backfill", help="build the history for past month-ends")
    run_parser.add_argument("--from", dest="from_date", type=_date, required=True, help="first date (inclusive)")
    run_parser.add_argument("--to", dest="to_date", type=_date, required=True, help="last date (inclusive)")
    run_parser.add_argument("--every", choices=EVERY_CHOICES, default="month", help="which dates (month-ends)")
    run_parser.add_argument("--skip-existing", action="store_true", help="skip dates already in the history")
    run_parser.add_argument("--no-data-tests", action="store_true", help="build models and seeds only")
    run_parser.add_argument("--target-path", type=Path, help="dbt target path (default target/)")
    run_parser.add_argument("--vars", help="more dbt vars as YAML (as_of_date is set per date)")
    run_parser.add_argument("--json", action="store_true", help="print the timings as JSON at the end")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    extra_vars = yaml.safe_load(args.vars) if args.vars else None
    if extra_vars is not None and not isinstance(extra_vars, dict):
        print("--vars must be a YAML mapping", file=sys.stderr)
        return 2
    result = backfill(args.from_date, args.to_date, args.every, target_path=args.target_path,
                      extra_vars=extra_vars, data_tests=not args.no_data_tests, skip_existing=args.skip_existing)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(f"backfill: {len(result.runs)} dates, {result.total_seconds:.1f} s, "
              f"{'ok' if result.ok else 'FAILED'}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
