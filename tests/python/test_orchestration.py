"""The optional Dagster integration loads (skipped when dagster is not installed: it is an optional extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

dagster = pytest.importorskip("dagster", reason="optional extra: pip install -r orchestration/requirements-dagster.txt")

MODULE = Path(__file__).resolve().parents[2] / "orchestration" / "dagster_segmart.py"


def load():
    spec = importlib.util.spec_from_file_location("dagster_segmart", MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_definitions_load_with_the_refresh_job_and_schedule():
    module = load()
    defs = module.defs
    job = defs.resolve_job_def("segmart_refresh_job")
    assert [node.name for node in job.nodes] == ["segmart_refresh"]
    schedule = defs.resolve_schedule_def("segmart_refresh_job_schedule")
    assert schedule.cron_schedule == module.REFRESH_CRON and schedule.execution_timezone == "UTC"


def test_refresh_command_uses_json_logs_and_passes_options():
    module = load()
    command = module.refresh_command("python", ["--allow-stale"])
    assert command == ["python", "-m", "segmart.cli", "refresh", "--log-format", "json", "--allow-stale"]
