"""Dagster integration for segmart: an optional extra (`pip install -r orchestration/requirements-dagster.txt`,
dagster + dagster-dbt at tested versions); segmart itself needs neither.

Dagster schedules the refresh; it does not run dbt itself. The unit of work is `segmart refresh`, which takes the
lock, checks freshness, builds, validates, publishes read-only and exports audiences (docs/operations.md), so a
run started by Dagster, by cron or by hand behaves the same and never overlaps another. dagster-dbt supplies the
lineage: when target/manifest.json exists, every dbt model and seed appears as an asset, and a successful refresh
records a materialization of each.

    dagster dev -f orchestration/dagster_segmart.py        # UI on http://localhost:3000
    dagster job execute -f orchestration/dagster_segmart.py -j segmart_refresh_job

Environment: the same as the CLI (SEGMART_RAW_DIR, SEGMART_DB, SEGMART_EMAIL_SALT, ...); SEGMART_REFRESH_CRON
(default "0 6 * * *", UTC) sets the schedule; SEGMART_REFRESH_ARGS adds options (e.g. "--allow-stale").
"""


import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import dagster as dg

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = PROJECT_ROOT / "target" / "manifest.json"
REFRESH_CRON = os.environ.get("SEGMART_REFRESH_CRON", "0 6 * * *")

# The CLI's exit codes (segmart.cli.EXIT_*), repeated so this file loads without the segmart package on the path.
OUTCOMES = {0: "success", 1: "error", 2: "usage_error", 3: "lock_held", 4: "stale_sources", 5: "build_failed",
            6: "validation_failed", 7: "publish_failed", 8: "export_failed"}


def refresh_command(python: str = sys.executable, extra: list[str] | None = None) -> list[str]:
    """The refresh as Dagster runs it: JSON logs (one object per line) so each event becomes a Dagster log line."""
    extra = extra if extra is not None else shlex.split(os.environ.get("SEGMART_REFRESH_ARGS", ""))
    return [python, "-m", "segmart.cli", "refresh", "--log-format", "json", *extra]


def dbt_asset_specs() -> list[dg.AssetSpec]:
    """One asset per dbt model, seed and snapshot (from target/manifest.json); none before the first build."""
    if not MANIFEST.exists():
        return []
    from dagster_dbt import build_dbt_asset_specs

    return list(build_dbt_asset_specs(manifest=MANIFEST))


DBT_ASSETS = dbt_asset_specs()


@dg.op(description="Run `segmart refresh`; fail with its outcome when it exits non-zero.")
def segmart_refresh(context: dg.OpExecutionContext) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(PROJECT_ROOT / "scripts"), os.environ.get("PYTHONPATH", "")) if p)}
    process = subprocess.Popen(refresh_command(), cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    finished: dict = {}
    for line in process.stdout:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            context.log.info(line.rstrip())
            continue
        (context.log.error if event.get("level") == "error" else
         context.log.warning if event.get("level") == "warning" else context.log.info)(event.get("message", line))
        if event.get("event") == "run_finished":
            finished = event
    code = process.wait()
    if code != 0:
        raise dg.Failure(description=f"segmart refresh exited {code} ({OUTCOMES.get(code, 'unknown')})",
                         metadata={"exit_code": code, "report": finished.get("report", "")})
    report = json.loads(Path(finished["report"]).read_text()) if finished.get("report") else {}
    for spec in DBT_ASSETS:
        context.log_event(dg.AssetMaterialization(asset_key=spec.key,
                                                  metadata={"segmart_run_id": report.get("run_id")}))
    return {"run_id": report.get("run_id"), "published": (report.get("published") or {}).get("version")}


@dg.job(description="The segmart refresh: lock, freshness, dbt build, validation, publication, audience export.")
def segmart_refresh_job():
    segmart_refresh()


segmart_daily_refresh = dg.ScheduleDefinition(job=segmart_refresh_job, cron_schedule=REFRESH_CRON,
                                              execution_timezone="UTC")

defs = dg.Definitions(assets=DBT_ASSETS, jobs=[segmart_refresh_job], schedules=[segmart_daily_refresh])
