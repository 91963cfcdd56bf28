"""The `segmart` command: refresh the warehouse unattended, validate, export audiences, report status.

    segmart refresh [--as-of DATE] [--full-refresh] [--select SELECTOR ...] [--exclude SELECTOR ...]
                    [--with-unit-tests]
                    [--vars YAML] [--allow-stale]
    segmart validate [--vars YAML]
    segmart export-audiences
    segmart status [--json]
    segmart backfill --from DATE --to DATE [--every month] [--skip-existing] [--no-data-tests]

Common options: --quiet, --log-format text|json, --warehouse-dir, --target-path, --exports-dir.
`refresh` runs: lock -> source freshness -> dbt build -> validation -> publish -> audience export -> segment
report -> run report. `backfill` appends past dates to the segment history (one dbt build per date).
Each stage that runs dbt or validation runs it in a child process (one dbt invocation per process).
Exit codes are the EXIT_* constants below (docs/operations.md has the table).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from segmart import audiences, freshness, history, lock, publish, report as segment_report, run_report
from segmart.config import EMAIL_SALT_ENV, as_of_environment, email_salt
from segmart.faults import pause_at
from segmart.warehouse import PROJECT_ROOT

EXIT_OK = 0
EXIT_ERROR = 1                # unexpected error (a bug, a full disk): see the message and the run report
EXIT_USAGE = 2                # bad arguments or configuration, e.g. no SEGMART_EMAIL_SALT (argparse uses 2 as well)
EXIT_LOCK_HELD = 3            # another refresh (or validate / export) holds the lock; nothing was done
EXIT_STALE_SOURCES = 4        # newest raw file older than the limit; nothing was built (--allow-stale overrides)
EXIT_BUILD_FAILED = 5         # dbt build failed (a model error or an error-severity test); nothing published
EXIT_VALIDATION_FAILED = 6    # great-expectations validation failed; nothing published
EXIT_PUBLISH_FAILED = 7       # publication failed; the previously published version stays current
EXIT_EXPORT_FAILED = 8        # published, but the audience export failed (the previous export stays in place)

OUTCOMES = {
    EXIT_OK: "success", EXIT_ERROR: "error", EXIT_USAGE: "usage_error", EXIT_LOCK_HELD: "lock_held",
    EXIT_STALE_SOURCES: "stale_sources", EXIT_BUILD_FAILED: "build_failed",
    EXIT_VALIDATION_FAILED: "validation_failed", EXIT_PUBLISH_FAILED: "publish_failed",
    EXIT_EXPORT_FAILED: "export_failed",
}


# --- settings: paths from options, environment and defaults ------------------------------------

@dataclass
class Settings:
    working_db: Path
    raw_dir: Path
    warehouse_dir: Path
    target_path: Path
    reports_dir: Path
    exports_dir: Path
    keep_versions: int
    max_source_age_hours: float

    @property
    def lock_path(self) -> Path:
        return self.warehouse_dir / ".segmart.lock"

    @property
    def published_root(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def runs_dir(self) -> Path:
        return self.warehouse_dir / "runs"

    @property
    def audiences_dir(self) -> Path:
        return self.exports_dir / "audiences"


# Relative to the project root, where dbt runs. dbt gets it spelled so when SEGMART_RAW_DIR is unset, as the
# Makefile spells it, so that `make demo` and a bare `segmart refresh` name the folder alike in dbt's logs and
# messages (raw files are known by their path relative to it either way: macro duckdb__raw_table_listing).
DEFAULT_RAW_DIR = "data/raw"


def _path(option: str | None, env_name: str, default: str, environ: dict[str, str]) -> Path:
    """An option (relative to the working directory), else $env_name or the default (relative to the project)."""
    if option:
        return Path(option).absolute()
    path = Path(environ.get(env_name) or default)
    return path if path.is_absolute() else PROJECT_ROOT / path


def resolve_settings(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    target_path = _path(getattr(args, "target_path", None), "SEGMART_TARGET_PATH", "target", environ)
    reports = environ.get("SEGMART_REPORTS_DIR")
    return Settings(
        working_db=_path(None, "SEGMART_DB", "warehouse/segmart.duckdb", environ),
        raw_dir=_path(None, "SEGMART_RAW_DIR", DEFAULT_RAW_DIR, environ),
        warehouse_dir=_path(getattr(args, "warehouse_dir", None), "SEGMART_WAREHOUSE_DIR", "warehouse", environ),
        target_path=target_path,
        reports_dir=_path(None, "SEGMART_REPORTS_DIR", "", environ) if reports else target_path / "reports",
        exports_dir=_path(getattr(args, "exports_dir", None), "SEGMART_EXPORTS_DIR", "exports", environ),
        keep_versions=int(getattr(args, "keep", None) or environ.get("SEGMART_PUBLISH_KEEP") or publish.DEFAULT_KEEP),
        max_source_age_hours=float(getattr(args, "max_source_age_hours", None)
                                   or environ.get("SEGMART_MAX_SOURCE_AGE_HOURS") or freshness.DEFAULT_MAX_AGE_HOURS),
    )


# --- argument lists for the child processes (pure) --------------------------------------------

def dbt_vars(as_of: str | None, extra: dict[str, Any] | None = None, full_refresh: bool = False) -> dict[str, Any]:
    """The --vars of a run: the extra vars, without as_of_date when as_of is given (the date reaches dbt as
    SEGMART_AS_OF_DATE, see as_of_environment); a full refresh also refits the predictive models
    (predictive_refit_days 0) unless the extra vars say otherwise (pure)."""
    _, merged = as_of_environment(as_of, extra)
    if full_refresh:
        merged.setdefault("predictive_refit_days", 0)
    return merged


# dbt unit tests prove the SQL's logic on fixed fixtures: their outcome follows the code, not the day's data, so
# `make test` and CI run them and a scheduled refresh leaves them out (--with-unit-tests puts them back).
UNIT_TESTS_SELECTOR = "test_type:unit"


def dbt_build_args(dbt: str, target_path: Path, variables: dict[str, Any], full_refresh: bool = False,
                   select: list[str] | None = None, exclude: list[str] | None = None,
                   unit_tests: bool = False) -> list[str]:
    """`dbt build` with the run's target path, vars, --full-refresh, --select and --exclude passthrough; unit
    tests excluded unless unit_tests (pure)."""
    args = [dbt, "build", "--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    if variables:
        args += ["--vars", json.dumps(variables, sort_keys=True)]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", *select]
    excluded = list(exclude or [])
    if not unit_tests and UNIT_TESTS_SELECTOR not in excluded:
        excluded.append(UNIT_TESTS_SELECTOR)
    if excluded:
        args += ["--exclude", *excluded]
    return args


def validate_args(python: str, variables: dict[str, Any]) -> list[str]:
    """`python -m segmart.validate --quiet` with the same vars as the build (pure)."""
    args = [python, "-m", "segmart.validate", "--quiet"]
    if variables:
        args += ["--vars", json.dumps(variables, sort_keys=True)]
    return args


SALT_MISSING = (f"{EMAIL_SALT_ENV} is not set, nothing done. Marts publish a salted hash of each email instead of "
                f"the address; set {EMAIL_SALT_ENV} to a secret string (keep it stable: changing it changes every "
                f"hash), e.g. export {EMAIL_SALT_ENV}=$(openssl rand -hex 16).")


def missing_salt(environ: dict[str, str] | None = None) -> bool:
    """Whether the email salt is unset or empty (pure given environ). dbt would stop on it only when it reaches
    dim_customers, after rebuilding most of the warehouse; refresh and backfill check it before they start."""
    return not email_salt(environ)


def child_env(settings: Settings, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of dbt and validation: the settings' paths, the profile, the package on the path (pure).
    SEGMART_RAW_DIR passes as given, or as the relative default: not as settings.raw_dir, which is absolute."""
    environ = dict(os.environ if environ is None else environ)
    scripts = str(PROJECT_ROOT / "scripts")
    return {
        **environ,
        "SEGMART_DB": str(settings.working_db),
        "SEGMART_RAW_DIR": environ.get("SEGMART_RAW_DIR") or DEFAULT_RAW_DIR,
        "SEGMART_REPORTS_DIR": str(settings.reports_dir),
        "DBT_PROFILES_DIR": environ.get("DBT_PROFILES_DIR", str(PROJECT_ROOT / "profiles")),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": environ.get("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"),
        "PYTHONPATH": os.pathsep.join(p for p in (scripts, environ.get("PYTHONPATH", "")) if p),
    }


def parse_vars(text: str | None) -> dict[str, Any]:
    """--vars as a YAML mapping; ValueError otherwise (pure)."""
    value = yaml.safe_load(text) if text else {}
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("--vars must be a YAML mapping, e.g. '{idle_after_days: 90}'")
    return value


def parse_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date written YYYY-MM-DD: {text!r}") from None


# --- progress output ---------------------------------------------------------------------------

class Log:
    """Progress lines for people (text) or one JSON object per line for schedulers (json)."""

    def __init__(self, command: str, run_id: str, fmt: str = "text", quiet: bool = False):
        self.command, self.run_id, self.fmt, self.quiet = command, run_id, fmt, quiet
        self.started = time.perf_counter()

    def event(self, level: str, message: str, **fields: Any) -> None:
        if self.quiet and level == "info":
            return
        stream = sys.stderr if level in ("warning", "error") else sys.stdout
        if self.fmt == "json":
            record = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), "level": level,
                      "command": self.command, "run_id": self.run_id, "message": message, **fields}
            print(json.dumps(record, default=str), file=stream, flush=True)
        else:
            elapsed = time.perf_counter() - self.started
            prefix = {"warning": "WARNING: ", "error": "ERROR: "}.get(level, "")
            print(f"[{elapsed:7.1f}s] {prefix}{message}", file=stream, flush=True)

    def info(self, message: str, **fields: Any) -> None:
        self.event("info", message, **fields)

    def warning(self, message: str, **fields: Any) -> None:
        self.event("warning", message, **fields)

    def error(self, message: str, **fields: Any) -> None:
        self.event("error", message, **fields)

    def echo(self, line: str) -> None:
        """A line of a child's output: shown only in text mode without --quiet."""
        if self.fmt == "text" and not self.quiet:
            print(f"    | {line}", flush=True)


# --- child processes ---------------------------------------------------------------------------

def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGKILL it when the refresh dies, so no orphaned dbt keeps
    writing the working warehouse after its parent was killed (and after the lock was released)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def run_child(command: list[str], env: dict[str, str], log_path: Path, log: Log, fault_point: str,
              keep_fds: tuple[int, ...] = ()) -> int:
    """Run one child to completion, its output into log_path (echoed in text mode); return its exit code.

    The child inherits the lock's descriptor (keep_fds), so even where the death signal is unavailable the
    lock stays held until the child has exited."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as output:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, pass_fds=keep_fds,
                                   preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    pause_at(fault_point)
    with open(log_path, errors="replace") as reader:
        pending = ""
        while True:
            code = process.poll()
            pending += reader.read()
            *lines, pending = pending.split("\n")
            for line in lines:
                log.echo(line)
            if code is not None:
                pending += reader.read()
                for line in pending.splitlines():
                    log.echo(line)
                return code
            time.sleep(0.25)


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def dbt_result_counts(target_path: Path) -> dict[str, int]:
    """Node counts per status from dbt's run_results.json ({} when absent)."""
    try:
        results = json.loads((target_path / "run_results.json").read_text())["results"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return {}
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts


# --- refresh -----------------------------------------------------------------------------------

def new_run_id() -> str:
    return uuid.uuid4().hex[:8]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Stages:
    """Times each stage, logs its start and end, and records it in the run report."""

    def __init__(self, report: dict[str, Any], log: Log):
        self.report, self.log = report, log

    def run(self, name: str, action: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """action() returns (status, detail); status 'ok', 'skipped', 'warning' or 'failed'."""
        self.log.info(f"{name}: started", stage=name, event="stage_started")
        started = time.perf_counter()
        try:
            status, detail = action()
        except Exception as error:  # noqa: BLE001 - recorded, then turned into the stage's exit code
            status, detail = "failed", f"{type(error).__name__}: {error}"
        seconds = round(time.perf_counter() - started, 2)
        self.report["stages"].append({"name": name, "status": status, "seconds": seconds, "detail": detail})
        level = "error" if status == "failed" else "info"
        self.log.event(level, f"{name}: {status} in {seconds:.1f}s" + (f" - {detail}" if detail else ""),
                       stage=name, event="stage_finished", status=status, seconds=seconds)
        return status, detail


def refresh(args: argparse.Namespace, settings: Settings, log: Log) -> int:
    run_id = log.run_id
    try:
        variables = dbt_vars(args.as_of, parse_vars(args.vars), args.full_refresh)
    except (ValueError, yaml.YAMLError) as error:
        log.error(str(error))
        return EXIT_USAGE
    if missing_salt():
        log.error(SALT_MISSING, event="configuration_error")
        return EXIT_USAGE
    refresh_lock = lock.RefreshLock(settings.lock_path, run_id)
    try:
        refresh_lock.acquire()
    except lock.LockHeld as held:
        log.error(f"another run is in progress, nothing done: {held}", event="lock_held", holder=held.holder)
        return EXIT_LOCK_HELD
    try:
        if refresh_lock.cleared:
            cleared = refresh_lock.cleared
            state = {False: "no longer running", True: "running but no longer holding the lock",
                     None: "on another host"}[cleared.get("alive")]
            log.warning(f"cleared a lock record left by pid {cleared['pid']} (started {cleared.get('started_at')}, "
                        f"run {cleared.get('run_id')}, {state})", event="stale_lock_cleared", holder=cleared)
        return _refresh_locked(args, settings, log, variables, refresh_lock)
    finally:
        refresh_lock.release()


def _refresh_locked(args: argparse.Namespace, settings: Settings, log: Log, variables: dict[str, Any],
                    refresh_lock: lock.RefreshLock) -> int:
    run_id = log.run_id
    report: dict[str, Any] = {
        "run_id": run_id, "command": "refresh", "started_at": _now(), "finished_at": None, "outcome": None,
        "exit_code": None, "message": "", "as_of_date": args.as_of,
        "options": {"full_refresh": args.full_refresh, "select": args.select or [], "exclude": args.exclude or [],
                    "vars": variables,
                    "allow_stale": args.allow_stale, "force_publish": args.force_publish},
        "paths": {"working_db": str(settings.working_db), "raw_dir": str(settings.raw_dir),
                  "published_root": str(settings.published_root), "audiences_dir": str(settings.audiences_dir)},
        "stages": [], "freshness": None, "validation": None, "facts": None, "published": None, "exports": None,
        "segments": [], "previous_run_id": None,
    }
    if refresh_lock.cleared:
        report["cleared_lock_record"] = refresh_lock.cleared
    stages = Stages(report, log)
    env = {**child_env(settings), **as_of_environment(args.as_of)[0]}
    logs_dir = settings.runs_dir / "logs"
    log.info(f"refresh {run_id}: working warehouse {settings.working_db}, raw files {settings.raw_dir}")

    def finish(code: int, message: str = "") -> int:
        report.update(outcome=OUTCOMES[code], exit_code=code, message=message, finished_at=_now())
        previous = run_report.previous_success(settings.runs_dir, exclude_run_id=run_id)
        if report["facts"]:
            report["previous_run_id"] = previous["run_id"] if previous else None
            report["segments"] = run_report.segment_changes(
                report["facts"]["segments"], previous.get("facts", {}).get("segments") if previous else None)
        json_path, md_path = run_report.save(report, settings.runs_dir)
        if code == EXIT_OK and log.fmt == "text" and not log.quiet:
            print("\n" + run_report.render_markdown(report))
        level = "info" if code == EXIT_OK else "error"
        log.event(level, f"refresh {run_id}: {OUTCOMES[code]} (exit {code})" + (f": {message}" if message else "")
                  + f"; report {md_path}", event="run_finished", outcome=OUTCOMES[code], exit_code=code,
                  report=str(json_path))
        return code

    # 1. freshness
    def check_freshness() -> tuple[str, str]:
        fresh = freshness.check(settings.raw_dir, settings.max_source_age_hours)
        report["freshness"] = fresh.as_dict()
        if fresh.is_stale:
            return ("warning" if args.allow_stale else "failed"), fresh.describe() + (
                " (--allow-stale)" if args.allow_stale else "")
        return "ok", fresh.describe()

    status, detail = stages.run("freshness", check_freshness)
    if status == "failed":
        return finish(EXIT_STALE_SOURCES, f"sources are stale: {detail}")

    # 2. dbt build
    dbt = str(Path(sys.executable).with_name("dbt"))
    build_args = dbt_build_args(dbt, settings.target_path, variables, args.full_refresh, args.select, args.exclude,
                                args.with_unit_tests)

    def build() -> tuple[str, str]:
        settings.working_db.parent.mkdir(parents=True, exist_ok=True)
        code = run_child(build_args, env, logs_dir / f"{run_id}-dbt.log", log, "dbt", (refresh_lock.fileno(),))
        counts = dbt_result_counts(settings.target_path)
        detail = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no run_results.json"
        return ("ok" if code == 0 else "failed"), f"dbt exit {code}: {detail}"

    status, detail = stages.run("dbt build", build)
    if status == "failed":
        log.error("last lines of the dbt log:\n" + tail(logs_dir / f"{run_id}-dbt.log"))
        return finish(EXIT_BUILD_FAILED, f"dbt build failed ({detail}); log {logs_dir / (run_id + '-dbt.log')}")

    # 3. validation
    def validate() -> tuple[str, str]:
        (settings.reports_dir / "validation.json").unlink(missing_ok=True)  # never read a previous run's result
        code = run_child(validate_args(sys.executable, variables), env, logs_dir / f"{run_id}-validate.log", log,
                         "validate", (refresh_lock.fileno(),))
        report["validation"] = run_report.validation_summary(settings.reports_dir / "validation.json")
        summary = report["validation"]
        detail = (f"{summary.get('passed')} of {summary.get('expectations')} expectations passed, "
                  f"{summary.get('failed')} failed, {summary.get('warned')} warned"
                  if summary and code in (0, 1) else f"validate exit {code}")
        return ("ok" if code == 0 else "failed"), detail

    status, detail = stages.run("validate", validate)
    if status == "failed":
        log.error("last lines of the validation log:\n" + tail(logs_dir / f"{run_id}-validate.log"))
        return finish(EXIT_VALIDATION_FAILED, f"validation failed: {detail}")

    # 4. facts for the report (rows per layer, quarantine, segment sizes), from the validated working file
    def measure() -> tuple[str, str]:
        import duckdb

        with duckdb.connect(str(settings.working_db), read_only=True) as connection:
            report["facts"] = run_report.warehouse_facts(connection)
        return "ok", f"{len(report['facts']['models'])} tables counted"

    stages.run("measure", measure)

    # 5. publish
    def publish_stage() -> tuple[str, str]:
        publication = publish.publish(settings.working_db, settings.published_root, run_id, settings.keep_versions,
                                      force=args.force_publish, dbt_manifest=settings.target_path / "manifest.json")
        report["published"] = publication.as_dict()
        state = "new version" if publication.changed else "no change since the current version, nothing published"
        return "ok", f"{publication.version} ({state}, {publication.size_bytes / 2**20:.1f} MiB)"

    status, detail = stages.run("publish", publish_stage)
    if status == "failed":
        return finish(EXIT_PUBLISH_FAILED, f"publication failed, the previous version stays current: {detail}")

    # 6. audiences
    def export_stage() -> tuple[str, str]:
        exported = audiences.export_audiences(Path(report["published"]["database"]), settings.audiences_dir, run_id)
        report["exports"] = exported.as_dict()
        return "ok", f"{len(exported.files)} segments to {exported.folder}" + (
            f" ({exported.note})" if exported.note else "")

    status, detail = stages.run("export audiences", export_stage)
    if status == "failed":
        return finish(EXIT_EXPORT_FAILED, f"audience export failed: {detail}")

    # 7. the visual segment report of what was published (a failure is reported, it does not fail the refresh:
    # the warehouse and the exports are already in place)
    def report_stage() -> tuple[str, str]:
        path = segment_report.write_report(Path(report["published"]["database"]),
                                           settings.reports_dir / segment_report.REPORT_NAME)
        report["segment_report"] = str(path)
        return "ok", str(path)

    stages.run("segment report", report_stage)
    return finish(EXIT_OK)


# --- the other subcommands ---------------------------------------------------------------------

def validate_command(args: argparse.Namespace, settings: Settings, log: Log) -> int:
    try:
        variables = parse_vars(args.vars)
    except (ValueError, yaml.YAMLError) as error:
        log.error(str(error))
        return EXIT_USAGE
    try:
        with lock.RefreshLock(settings.lock_path, log.run_id) as held_lock:
            (settings.reports_dir / "validation.json").unlink(missing_ok=True)
            code = run_child(validate_args(sys.executable, variables), child_env(settings),
                             settings.runs_dir / "logs" / f"{log.run_id}-validate.log", log, "validate",
                             (held_lock.fileno(),))
    except lock.LockHeld as held:
        log.error(f"another run is in progress: {held}", event="lock_held", holder=held.holder)
        return EXIT_LOCK_HELD
    summary = run_report.validation_summary(settings.reports_dir / "validation.json")
    message = (f"validation: {summary.get('passed')} of {summary.get('expectations')} expectations passed, "
               f"{summary.get('failed')} failed, {summary.get('warned')} warned" if summary and code in (0, 1)
               else f"validation could not run (exit {code}); log {settings.runs_dir / 'logs'}")
    log.event("info" if code == 0 else "error", message, event="run_finished", exit_code=code, validation=summary)
    return EXIT_OK if code == 0 else EXIT_VALIDATION_FAILED


def export_command(args: argparse.Namespace, settings: Settings, log: Log) -> int:
    database = publish.current_database(settings.published_root)
    if database is None:
        log.error(f"nothing published under {settings.published_root}: run segmart refresh first")
        return EXIT_EXPORT_FAILED
    try:
        with lock.RefreshLock(settings.lock_path, log.run_id):
            exported = audiences.export_audiences(database, settings.audiences_dir, log.run_id)
    except lock.LockHeld as held:
        log.error(f"another run is in progress: {held}", event="lock_held", holder=held.holder)
        return EXIT_LOCK_HELD
    except Exception as error:  # noqa: BLE001
        log.error(f"audience export failed: {type(error).__name__}: {error}")
        return EXIT_EXPORT_FAILED
    log.info(f"exported {len(exported.files)} segments to {exported.folder}"
             + (f" ({exported.note})" if exported.note else ""), event="run_finished", exports=exported.as_dict())
    return EXIT_OK


def status_document(settings: Settings) -> dict[str, Any]:
    last = run_report.latest(settings.runs_dir)
    fresh = freshness.check(settings.raw_dir, settings.max_source_age_hours)
    version = publish.current_version(settings.published_root)
    manifest = publish.read_manifest(settings.published_root, version)
    database = publish.current_database(settings.published_root)
    return {
        "last_run": {key: last.get(key) for key in ("run_id", "outcome", "exit_code", "started_at", "finished_at",
                                                    "message")} if last else None,
        "last_success": (run_report.previous_success(settings.runs_dir) or {}).get("run_id"),
        "freshness": fresh.as_dict(),
        "published": {"version": version, "published_at": manifest.get("published_at"),
                      "database": str(database) if database else None,
                      "resolved": os.path.realpath(database) if database else None},
        "lock": lock.probe(settings.lock_path),
    }


def status_command(args: argparse.Namespace, settings: Settings, log: Log) -> int:
    document = status_document(settings)
    if args.json:
        print(json.dumps(document, indent=2, default=str))
        return EXIT_OK
    last, published, fresh = document["last_run"], document["published"], document["freshness"]
    print(f"last run:        {last['run_id']} {last['outcome']} (exit {last['exit_code']}), "
          f"finished {last['finished_at']}"
          if last else "last run:        none")
    print(f"last success:    {document['last_success'] or 'none'}")
    print(f"data freshness:  {fresh['newest_at'] or 'no raw files'} ({fresh['age_hours']} h old, "
          f"limit {fresh['max_age_hours']:g} h, {'STALE' if fresh['is_stale'] else 'fresh'}) in {fresh['raw_dir']}")
    print(f"published:       {published['version'] or 'nothing yet'}"
          + (f", published {published['published_at']}" if published["published_at"] else ""))
    print(f"read-only file:  {published['database'] or '-'}")
    holder = document["lock"]
    print(f"refresh running: {lock.describe_holder(holder) if holder is not None else 'no'}")
    return EXIT_OK


def backfill_command(args: argparse.Namespace, settings: Settings, log: Log) -> int:
    """Past dates into marts.segment_membership_history, one dbt build per date, under the refresh lock."""
    if args.from_date is None or args.to_date is None:
        log.error("backfill needs --from and --to")
        return EXIT_USAGE
    try:
        extra_vars = parse_vars(args.vars)
    except (ValueError, yaml.YAMLError) as error:
        log.error(str(error))
        return EXIT_USAGE
    if missing_salt():
        log.error(SALT_MISSING, event="configuration_error")
        return EXIT_USAGE
    try:
        with lock.RefreshLock(settings.lock_path, log.run_id):
            result = history.backfill(
                args.from_date, args.to_date, args.every, dbt=str(Path(sys.executable).with_name("dbt")),
                target_path=settings.target_path, env=child_env(settings), extra_vars=extra_vars,
                data_tests=not args.no_data_tests, skip_existing=args.skip_existing, log=log.info)
    except lock.LockHeld as held:
        log.error(f"another run is in progress, nothing done: {held}", event="lock_held", holder=held.holder)
        return EXIT_LOCK_HELD
    log.event("info" if result.ok else "error", f"backfill: {'done' if result.ok else 'failed'}",
              event="backfill_finished", **result.as_dict())
    if result.ok:
        log.info("the working warehouse now ends at the last backfilled date: run `segmart refresh` before BI reads it")
    return EXIT_OK if result.ok else EXIT_BUILD_FAILED


# --- entry point -------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", action="store_true", help="print warnings and errors only")
    common.add_argument("--log-format", choices=("text", "json"), default="text",
                        help="json: one JSON object per line, for schedulers")
    common.add_argument("--warehouse-dir", help="lock, published versions and run reports "
                                                "(default $SEGMART_WAREHOUSE_DIR or warehouse/)")
    common.add_argument("--target-path", help="dbt target path (default $SEGMART_TARGET_PATH or target/)")
    common.add_argument("--exports-dir", help="audience exports (default $SEGMART_EXPORTS_DIR or exports/)")

    parser = argparse.ArgumentParser(prog="segmart", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    refresh_parser = commands.add_parser("refresh", parents=[common], help="build, validate, publish, export")
    refresh_parser.add_argument("--as-of", type=parse_date,
                                help="the as_of_date, given to dbt as SEGMART_AS_OF_DATE (default: the run date)")
    refresh_parser.add_argument("--full-refresh", action="store_true", help="passed to dbt build")
    refresh_parser.add_argument("--select", nargs="+", action="extend", metavar="SELECTOR",
                                help="passed to dbt build (validation and publication still cover everything)")
    refresh_parser.add_argument("--exclude", nargs="+", action="extend", metavar="SELECTOR",
                                help="passed to dbt build, e.g. tag:marts")
    refresh_parser.add_argument("--with-unit-tests", action="store_true",
                                help="also run dbt unit tests (left out by default: they test code, not data)")
    refresh_parser.add_argument("--vars", help="more dbt vars as YAML, also given to validation")
    refresh_parser.add_argument("--allow-stale", action="store_true", help="build even when the sources are stale")
    refresh_parser.add_argument("--max-source-age-hours", type=float,
                                help=f"staleness limit (default $SEGMART_MAX_SOURCE_AGE_HOURS or "
                                     f"{freshness.DEFAULT_MAX_AGE_HOURS:g})")
    refresh_parser.add_argument("--keep", type=int, help="published versions to keep (default $SEGMART_PUBLISH_KEEP "
                                                         f"or {publish.DEFAULT_KEEP})")
    refresh_parser.add_argument("--force-publish", action="store_true",
                                help="publish a new version even when the content equals the current one")
    refresh_parser.set_defaults(handler=refresh)

    validate_parser = commands.add_parser("validate", parents=[common], help="great-expectations checks of the "
                                                                             "working warehouse")
    validate_parser.add_argument("--vars", help="the dbt vars the warehouse was built with, as YAML")
    validate_parser.set_defaults(handler=validate_command)

    export_parser = commands.add_parser("export-audiences", parents=[common],
                                        help="CSV + Parquet per activatable segment, from the published warehouse")
    export_parser.set_defaults(handler=export_command)

    status_parser = commands.add_parser("status", parents=[common], help="last run, freshness, published version")
    status_parser.add_argument("--json", action="store_true")
    status_parser.add_argument("--max-source-age-hours", type=float)
    status_parser.set_defaults(handler=status_command)

    backfill_parser = commands.add_parser("backfill", parents=[common],
                                          help="append past dates to the segment history (one dbt build per date)")
    backfill_parser.add_argument("--from", dest="from_date", type=parse_date, help="first as-of date")
    backfill_parser.add_argument("--to", dest="to_date", type=parse_date, help="last as-of date")
    backfill_parser.add_argument("--every", choices=history.EVERY_CHOICES, default="month")
    backfill_parser.add_argument("--skip-existing", action="store_true",
                                 help="leave dates already in the history alone (resume an interrupted backfill)")
    backfill_parser.add_argument("--no-data-tests", action="store_true", help="build models only (faster)")
    backfill_parser.add_argument("--vars", help="extra dbt vars as YAML")
    backfill_parser.set_defaults(handler=backfill_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = resolve_settings(args)
    log = Log(args.command, new_run_id(), args.log_format, args.quiet)
    try:
        return args.handler(args, settings, log)
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except Exception as error:  # noqa: BLE001 - one line for the scheduler, not a traceback
        log.error(f"{type(error).__name__}: {error}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
