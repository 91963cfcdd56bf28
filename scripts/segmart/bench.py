"""Benchmark: generate a shop of a given size, time a full `dbt build`, print per-model timings and peak memory.

    python -m segmart.bench --customers 100000 [--seed 42] [--end-date 2026-10-31] [--skip-generate] [--top 15]
    python -m segmart.bench --incremental-day [--raw-dir DIR --skip-generate]   (issue 6: full vs one-day refresh)
                                                  [--without SELECTOR ...]   (and the one-day build without them)
    python -m segmart.bench --backfill-months 12 [--raw-dir DIR --skip-generate]   (issue 7: full build, then the
                                                  segment history of the last 12 month-ends)

Prints figures; it asserts nothing (a slow machine is not a failing test). Uses data/bench_raw and
warehouse/bench.duckdb so it never touches the demo or the test warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from segmart.config import as_of_environment
from segmart.warehouse import PROJECT_ROOT


def dbt_invocation(subcommand: str, as_of_date: str, env: dict[str, str],
                   extra: list[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The argument list and environment of one benchmarked dbt invocation (pure, so it is unit-tested). The
    as_of_date goes in the environment, as `segmart refresh --as-of` and `segmart backfill` pass it."""
    return ([str(Path(sys.executable).with_name("dbt")), subcommand, *(extra or [])],
            {**env, **as_of_environment(as_of_date)[0]})


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run a command to completion; return (wall seconds, its exit code). Output streams through."""
    seconds, _, code = timed_with_cpu(command, env)
    return seconds, code


def timed_with_cpu(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run a command to completion; return (wall seconds, CPU seconds (user + system, all its threads and
    children), its exit code). CPU over wall is how many of the machine's cores the run kept busy."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, completed.returncode


def model_timings(run_results: Path, top: int) -> list[tuple[str, str, float]]:
    """(unique_id, status, seconds) of the slowest nodes in dbt's run_results.json."""
    results = json.loads(run_results.read_text())["results"]
    rows = [(r["unique_id"], r["status"], float(r["execution_time"])) for r in results]
    return sorted(rows, key=lambda row: row[2], reverse=True)[:top]


def node_time_split(run_results: Path) -> dict[str, float]:
    """Seconds of a dbt run: 'elapsed' (wall), and node time summed by kind ('model' for models, seeds and
    hooks, 'test' for tests), which adds up the two threads."""
    document = json.loads(run_results.read_text())
    split = {"elapsed": float(document.get("elapsed_time") or 0.0), "model": 0.0, "test": 0.0}
    for result in document["results"]:
        kind = "test" if result["unique_id"].startswith(("test.", "unit_test.")) else "model"
        split[kind] += float(result.get("execution_time") or 0.0)
    return split


def peak_child_memory_mib() -> float:
    """Peak resident memory of the largest child process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", default="2026-10-31")
    parser.add_argument("--raw-dir", default="data/bench_raw")
    parser.add_argument("--db", default="warehouse/bench.duckdb")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the raw files already in --raw-dir")
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest nodes to list")
    # --- predictive layer (issue 5) ---
    parser.add_argument("--predictive-customers", type=int, default=None,
                        help="instead of a build: simulate this many customers' BTYD summaries and time the "
                             "predictive layer (fit, score, cluster) on them")
    # --- incremental builds (issue 6) ---
    parser.add_argument("--incremental-day", action="store_true",
                        help="instead of one full build: a full build with the last day's rows held back (as of the "
                             "day before), then that day arrives and an incremental build runs; prints both and the "
                             "ratio")
    parser.add_argument("--work-dir", default="data/bench_incremental",
                        help="--incremental-day: batches, the growing raw folder and dbt's target path")
    parser.add_argument("--without", nargs="+", default=[], metavar="SELECTOR",
                        help="--incremental-day: also time the one-day build with these dbt selectors (and their "
                             "tests) left out, on a copy of the warehouse as it was before the day arrived: what the "
                             "rest of a refresh costs, whatever those models cost (e.g. a layer and its children, "
                             "dim_customers+)")
    parser.add_argument("--fixed-cost-customers", type=int, default=1500,
                        help="--incremental-day: then the same protocol on a generated shop this small, whose "
                             "no-new-data refresh is the refresh's fixed cost; 0 skips it")
    # --- segment history backfill (issue 7) ---
    parser.add_argument("--backfill-months", type=int, default=0,
                        help="instead of one full build: a full build as of --end-date, then `segmart backfill` of "
                             "the month-ends of the last N months up to --end-date; prints each date's time")
    args = parser.parse_args(argv)
    if args.backfill_months:
        return backfill_benchmark(args)
    if args.predictive_customers:
        return predictive_benchmark(args.predictive_customers, args.seed)
    if args.incremental_day:
        return incremental_day_benchmark(args)

    env = {**os.environ, "SEGMART_RAW_DIR": args.raw_dir, "SEGMART_DB": args.db,
           "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles")}
    db_path = PROJECT_ROOT / args.db
    db_path.parent.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[str, str]] = [("customers", f"{args.customers:,}")]

    if not args.skip_generate:
        seconds, code = timed(
            [sys.executable, "-m", "segmart.generate", "--customers", str(args.customers), "--seed", str(args.seed),
             "--end-date", args.end_date, "--out", args.raw_dir, "--quiet"], env)
        if code != 0:
            print("bench: generation failed", file=sys.stderr)
            return code
        figures.append(("generate (s)", f"{seconds:.1f}"))
        figures.append(("generate peak RSS (MiB)", f"{peak_child_memory_mib():,.0f}"))

    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    seconds, code = timed(*dbt_invocation("build", args.end_date, env))
    figures.append(("dbt build, full (s)", f"{seconds:.1f}"))
    figures.append(("peak RSS of any child (MiB)", f"{peak_child_memory_mib():,.0f}"))
    figures.append(("dbt build exit code", str(code)))

    print("\n== segmart benchmark ==")
    for name, value in figures:
        print(f"{name:<32} {value:>12}")
    run_results = PROJECT_ROOT / "target" / "run_results.json"
    if run_results.exists():
        print(f"\nslowest {args.top} nodes of the full build")
        for unique_id, status, seconds in model_timings(run_results, args.top):
            print(f"  {seconds:8.2f}s  {status:<7} {unique_id}")
    return code


def project_path(path: str) -> Path:
    """path as given when absolute, else relative to the project root."""
    return Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path


def generate_raw(args: argparse.Namespace, raw_dir: Path) -> int:
    """Generate the shop of args (customers, seed, end date) into raw_dir; the generator's exit code."""
    _, code = timed(
        [sys.executable, "-m", "segmart.generate", "--customers", str(args.customers), "--seed", str(args.seed),
         "--end-date", args.end_date, "--out", str(raw_dir), "--quiet"], os.environ.copy())
    return code


# --- incremental builds (issue 6) ---
def one_day_protocol(raw_dir: Path, work: Path, db: str, end_date: str, without: list[str] | None = None) -> dict:
    """The refresh protocol on one shop's raw files: a full build as of end_date - 1 without the last day's rows,
    then the last day arrives (new files, written by segmart.batches) and an incremental build runs as of end_date;
    then the same build again with no new data. With `without` (dbt selectors), last the one-day build again on a
    copy of the warehouse taken before the day arrived, with those nodes left out ('without' figures). Returns the
    builds' seconds and exit codes, the incremental run's run_results.json path and node-time split, and the rows
    that arrived; only the full build's figures when it fails."""
    import datetime as dt
    import shutil

    from segmart import cli
    from segmart.batches import add_batch, split_batches

    shutil.rmtree(work, ignore_errors=True)
    target = ["--target-path", str(work / "target"), "--log-path", str(work / "target" / "logs")]
    day_before = (dt.date.fromisoformat(end_date) - dt.timedelta(days=1)).isoformat()
    started = time.perf_counter()
    batches = split_batches(raw_dir, work / "batches", [day_before, end_date])
    figures: dict = {"day_before": day_before, "split": time.perf_counter() - started}
    raw = work / "raw"
    add_batch(batches[0], raw)
    db_path = project_path(db)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    env = {**os.environ, "SEGMART_RAW_DIR": str(raw), "SEGMART_DB": str(db_path),
           "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles")}
    # Every build is the dbt step of `segmart refresh` (unit tests left out: they test code, not data), the first
    # with --full-refresh.
    refresh_args = ["--exclude", cli.UNIT_TESTS_SELECTOR, *target]
    figures["full"], figures["full_cpu"], figures["full_code"] = timed_with_cpu(
        *dbt_invocation("build", day_before, env, ["--full-refresh", *refresh_args]))
    if figures["full_code"] != 0:
        return figures
    before_day = work / "before_day" / db_path.name
    if without:
        # The copy keeps the database's file name: DuckDB names the catalog after it. dbt checkpointed and closed
        # the database, so there is no write-ahead log to copy with it. Synced, so that writing the copy out does
        # not slow the build that follows.
        before_day.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db_path, before_day)
        os.sync()
    add_batch(batches[1], raw)
    figures["incremental"], figures["incremental_cpu"], figures["incremental_code"] = timed_with_cpu(
        *dbt_invocation("build", end_date, env, refresh_args))
    # Kept aside: the builds after it write their own run_results.json in the same target folder.
    run_results = work / "incremental_run_results.json"
    run_results.unlink(missing_ok=True)
    if (work / "target" / "run_results.json").exists():
        shutil.copyfile(work / "target" / "run_results.json", run_results)
    figures["run_results"] = run_results
    figures["split_times"] = node_time_split(run_results) if run_results.exists() else {}
    # The same refresh again with no new data: what a refresh costs whatever the day brought (dbt's start and
    # parse, every table model, every data test).
    figures["rerun"], figures["rerun_cpu"], figures["rerun_code"] = timed_with_cpu(
        *dbt_invocation("build", end_date, env, refresh_args))
    figures["day_rows"] = {table.name: sum(duckdb_rows(path) for path in table.iterdir())
                           for table in sorted(batches[1].iterdir())}
    if without:
        db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
        shutil.move(before_day, db_path)
        figures["without"], figures["without_cpu"], figures["without_code"] = timed_with_cpu(
            *dbt_invocation("build", end_date, env, [*refresh_args, "--exclude", *without]))
        figures["without_selectors"] = list(without)
    return figures


def incremental_day_benchmark(args: argparse.Namespace) -> int:
    """one_day_protocol on the benchmark shop, then on a small shop (--fixed-cost-customers, default 1,500): the small
    shop's no-new-data refresh is the cost that does not depend on the data (dbt's start and parse, and its work per
    node: the same models and tests run, on almost no rows). Prints both and their ratios to the full build."""
    raw_dir, work = project_path(args.raw_dir), project_path(args.work_dir)
    if not args.skip_generate:
        code = generate_raw(args, raw_dir)
        if code != 0:
            return code
    main_run = one_day_protocol(raw_dir, work, args.db, args.end_date, args.without)
    if main_run["full_code"] != 0:
        print("bench: full build failed", file=sys.stderr)
        return main_run["full_code"]
    small_run: dict = {}
    if args.fixed_cost_customers:
        small_args = argparse.Namespace(**{**vars(args), "customers": args.fixed_cost_customers})
        small_raw = work.with_name(work.name + "_small_raw")
        code = generate_raw(small_args, small_raw)
        small_run = {"full_code": code} if code != 0 else one_day_protocol(
            small_raw, work.with_name(work.name + "_small"), str(Path(args.db).with_name("bench_small.duckdb")),
            args.end_date)
    rows, code = incremental_figures(main_run, small_run, args.fixed_cost_customers)
    print("\n== segmart incremental benchmark ==")
    for name, value in rows:
        print(f"{name:<44} {value:>12}")
    print("rows that arrived: " + ", ".join(f"{table} {count:,}" for table, count in main_run["day_rows"].items()))
    if main_run.get("without_selectors"):
        print("left out of the last build: " + " ".join(main_run["without_selectors"]))
    if main_run["run_results"].exists():
        print(f"\nslowest {args.top} nodes of the incremental build")
        for unique_id, status, seconds in model_timings(main_run["run_results"], args.top):
            print(f"  {seconds:8.2f}s  {status:<7} {unique_id}")
    return code


def cpu_figure(run: dict, build: str) -> str:
    """'<CPU seconds>; <cores busy>' of one build of a protocol run (pure), or 'n/a' when it was not measured."""
    if f"{build}_cpu" not in run or not run[build]:
        return "n/a"
    return f"{run[build + '_cpu']:.1f}; {run[build + '_cpu'] / run[build]:.2f}"


def incremental_figures(main_run: dict, small_run: dict, small_customers: int) -> tuple[list[tuple[str, str]], int]:
    """The printed (name, value) rows of the incremental benchmark and its exit code: the first non-zero exit code
    of the benchmark shop's builds, then of the small shop's (pure, so it is unit-tested). small_run is empty when
    the small shop was skipped; {'full_code': N} alone when its generation or full build failed."""
    full = main_run["full"]
    split = main_run["split_times"]
    rows = [("split into batches (s)", f"{main_run['split']:.1f}"),
            (f"dbt build, full, as of {main_run['day_before']} (s)", f"{full:.1f}"),
            ("  CPU, user + system (s; cores busy)", cpu_figure(main_run, "full")),
            ("dbt build, incremental, +1 day (s)", f"{main_run['incremental']:.1f}"),
            ("ratio incremental / full", f"{main_run['incremental'] / full:.2f}"),
            ("incremental build exit code", str(main_run["incremental_code"])),
            ("  CPU, user + system (s; cores busy)", cpu_figure(main_run, "incremental")),
            ("  of which dbt's run (s)", f"{split.get('elapsed', 0):.1f}"),
            ("  model node time (s, 2 threads)", f"{split.get('model', 0):.1f}"),
            ("  test node time (s, 2 threads)", f"{split.get('test', 0):.1f}"),
            ("same again, no new data (s)", f"{main_run['rerun']:.1f}"),
            ("ratio no new data / full", f"{main_run['rerun'] / full:.2f}"),
            ("  CPU, user + system (s; cores busy)", cpu_figure(main_run, "rerun")),
            ("no-new-data build exit code", str(main_run["rerun_code"]))]
    codes = [main_run["incremental_code"], main_run["rerun_code"]]
    if "without" in main_run:
        rows += [("+1 day, the --without nodes left out (s)", f"{main_run['without']:.1f}"),
                 ("ratio to full", f"{main_run['without'] / full:.2f}"),
                 ("  CPU, user + system (s; cores busy)", cpu_figure(main_run, "without")),
                 ("  build exit code", str(main_run["without_code"]))]
        codes.append(main_run["without_code"])
    if small_run.get("full_code") == 0:
        small_split = small_run["split_times"]
        rows += [(f"small shop ({small_customers:,} customers): full (s)", f"{small_run['full']:.1f}"),
                 ("  incremental, +1 day (s)", f"{small_run['incremental']:.1f}"),
                 ("  model node time (s, 2 threads)", f"{small_split.get('model', 0):.1f}"),
                 ("  test node time (s, 2 threads)", f"{small_split.get('test', 0):.1f}"),
                 ("  no new data: fixed cost of a refresh (s)", f"{small_run['rerun']:.1f}"),
                 ("  CPU, user + system (s; cores busy)", cpu_figure(small_run, "rerun")),
                 ("fixed cost / full build", f"{small_run['rerun'] / full:.2f}"),
                 ("small shop exit codes", f"{small_run['incremental_code']}, {small_run['rerun_code']}")]
        codes += [small_run["incremental_code"], small_run["rerun_code"]]
    elif small_run:
        rows.append(("small shop", f"failed with exit code {small_run['full_code']} (see its output above)"))
        codes.append(small_run["full_code"])
    return rows, next((code for code in codes if code), 0)


# --- segment history backfill (issue 7) ---
def backfill_window(end_date: str, months: int) -> tuple[str, str]:
    """(from, to) that hold exactly the last `months` month-ends up to end_date's month (pure)."""
    import datetime as dt

    end = dt.date.fromisoformat(end_date)
    first = end.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first.isoformat(), end.isoformat()


def backfill_benchmark(args: argparse.Namespace) -> int:
    """A full build as of end_date (what a warehouse is before its first backfill), then the backfill of the last
    N month-ends exactly as `segmart backfill` runs it (one dbt build per date, data tests included, then the
    models that read the history). Prints the full build, every date, and the total against the full build."""
    import datetime as dt

    from segmart import cli, history

    raw_dir, work = project_path(args.raw_dir), project_path(args.work_dir)
    if not args.skip_generate:
        code = generate_raw(args, raw_dir)
        if code != 0:
            return code
    target = work / "target"
    db_path = PROJECT_ROOT / args.db
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    env = {**os.environ, "SEGMART_RAW_DIR": str(raw_dir), "SEGMART_DB": str(db_path),
           "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles")}
    full_seconds, code = timed(*dbt_invocation("build", args.end_date, env, [
        "--full-refresh", "--exclude", cli.UNIT_TESTS_SELECTOR, "--target-path", str(target),
        "--log-path", str(target / "logs")]))
    if code != 0:
        print("bench: full build failed", file=sys.stderr)
        return code
    from_date, to_date = backfill_window(args.end_date, args.backfill_months)
    result = history.backfill(dt.date.fromisoformat(from_date), dt.date.fromisoformat(to_date),
                              target_path=target, env=env)
    print(f"\n== segmart backfill benchmark ({args.backfill_months} month-ends) ==")
    print(f"{'dbt build, full, as of ' + args.end_date + ' (s)':<44} {full_seconds:>10.1f}")
    for run in result.runs:
        print(f"{'backfill ' + run.as_of_date.isoformat() + ' (s)':<44} {run.seconds:>10.1f}"
              f"{'' if run.returncode == 0 else '  FAILED'}")
    print(f"{'transitions and size history (s)':<44} {result.downstream_seconds:>10.1f}")
    print(f"{'backfill total (s)':<44} {result.total_seconds:>10.1f}")
    built = [run.seconds for run in result.runs if not run.skipped]
    if built:
        print(f"{'mean per date (s)':<44} {sum(built) / len(built):>10.1f}")
        print(f"{'backfill total / full build':<44} {result.total_seconds / full_seconds:>10.2f}")
    print(f"{'backfill ok':<44} {str(result.ok):>10}")
    return 0 if result.ok else 1


def duckdb_rows(path: Path) -> int:
    import duckdb

    reader = f"read_parquet('{path}')" if path.suffix == ".parquet" else f"read_csv('{path}', all_varchar = true)"
    return duckdb.connect().execute(f"select count(*) from {reader}").fetchone()[0]


# --- predictive layer (issue 5) ---
def predictive_benchmark(customers: int, seed: int, k_min: int = 3, k_max: int = 8,
                         silhouette_sample_size: int = 10_000) -> int:
    """Time the dbt Python models' steps (segmart.predictive) on a simulated BTYD summary of `customers`
    purchasers: a full shop of that size is too heavy to generate, and the SQL summary is a plain aggregate.
    Summaries come from the BG/NBD and Gamma-Gamma generative processes, on whole days like the SQL model."""
    import numpy as np
    import pandas as pd

    from segmart import btyd, predictive

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    frequency, recency, T = btyd.simulate_bgnbd({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}, customers, 104.0,
                                                rng, first_purchase_spread=104.0)
    recency, T = np.round(recency * 7) / 7, np.round(T * 7) / 7
    monetary = btyd.simulate_gamma_gamma({"p": 6.0, "q": 3.8, "v": 15.0}, frequency, rng)
    summary = pd.DataFrame({
        "customer_id": [f"c{i:07d}" for i in range(customers)], "frequency": frequency, "recency": recency,
        "customer_age": T, "monetary_value": monetary, "as_of_date": pd.Timestamp("2026-10-31"),
        "days_since_last_purchase": np.round((T - recency) * 7), "purchase_days": frequency + 1,
        "purchase_day_value_mean": np.where(np.isnan(monetary), rng.gamma(6.0, 4.0, customers), monetary),
    })
    figures = [("customers", f"{customers:,}"), ("repeat buyers", f"{int(np.sum(frequency > 0)):,}"),
               ("simulate (s)", f"{time.perf_counter() - started:.1f}")]

    started = time.perf_counter()
    fits = predictive.fit_models(summary, min_repeat_buyers=30)
    parameters = predictive.parameters_frame(fits, customers, int(np.sum(frequency > 0)), None)
    figures.append(("fit BG/NBD + Gamma-Gamma (s)", f"{time.perf_counter() - started:.1f}"))
    started = time.perf_counter()
    scores = predictive.score_customers(summary, parameters, 7.0, 0.1)
    figures.append(("score (s)", f"{time.perf_counter() - started:.1f}"))
    started = time.perf_counter()
    clusters = predictive.cluster_customers(summary, k_min, k_max, seed, silhouette_sample_size)
    figures.append((f"cluster, k in {k_min}..{k_max} (s)", f"{time.perf_counter() - started:.1f}"))
    figures.append(("chosen k", str(clusters["cluster_count"].iloc[0])))
    figures.append(("peak RSS (MiB)", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}"))
    figures.append(("customers scored", f"{int(scores['predicted_clv_365d'].notna().sum()):,}"))

    print("\n== segmart predictive benchmark ==")
    for name, value in figures:
        print(f"{name:<32} {value:>12}")
    print("\nfitted parameters (simulated with r=0.25 alpha=4 a=0.8 b=2.5; p=6 q=3.8 v=15)")
    for row in parameters.itertuples():
        print(f"  {row.model:<12} {row.parameter:<6} {row.value:10.4f}  converged={row.is_converged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
