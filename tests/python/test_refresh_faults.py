"""Real refreshes killed at several points: the published warehouse never changes, the next refresh recovers.

One small shop (300 customers) and one working warehouse for the whole module; the tests run in order and
share it. The first refresh is a full build (~45 s); the kill tests after it rebuild one small model
(`--select lifecycle_cutoffs`) so dbt takes seconds, and the last refresh is full again. The refresh pauses at
a named point (SEGMART_FAULT_PAUSE_AT, see segmart/faults.py), the test SIGKILLs it there, then checks that
`published/current` still points at the same, byte-identical file and that the killed run's children died.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from segmart import cli

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SMALL_MODEL = "lifecycle_cutoffs"


class Shop:
    """A raw folder, a working warehouse and the refresh's folders, all under one temp dir."""

    def __init__(self, root: Path):
        self.root = root
        self.raw = root / "raw"
        self.warehouse = root / "warehouse"
        self.published = self.warehouse / "published"
        self.env = {**os.environ, "SEGMART_RAW_DIR": str(self.raw), "SEGMART_DB": str(root / "work" / "segmart.duckdb"),
                    "SEGMART_EMAIL_SALT": "pytest-salt", "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
                    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONPATH": str(PROJECT_ROOT / "scripts")}
        for name in ("SEGMART_FAULT_PAUSE_AT", "SEGMART_WAREHOUSE_DIR", "SEGMART_REPORTS_DIR"):
            self.env.pop(name, None)

    def command(self, *extra: str) -> list[str]:
        # dbt unit tests prove model logic, not refresh safety: left out here to keep the module fast.
        return [sys.executable, "-m", "segmart.cli", "refresh", "--as-of", "2026-10-31", "--log-format", "json",
                "--warehouse-dir", str(self.warehouse), "--target-path", str(self.root / "target"),
                "--exports-dir", str(self.root / "exports"), "--exclude", "test_type:unit", *extra]

    def start(self, *extra: str, pause_at: str | None = None) -> subprocess.Popen:
        env = {**self.env, **({"SEGMART_FAULT_PAUSE_AT": pause_at} if pause_at else {})}
        return subprocess.Popen(self.command(*extra), cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def run(self, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*extra), cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def published_state(self) -> tuple[str, str]:
        """(version `current` points at, sha256 of its file)."""
        current = self.published / "current"
        return os.readlink(current), hashlib.sha256((current / "segmart.duckdb").read_bytes()).hexdigest()

    def read_published(self) -> int:
        with duckdb.connect(str(self.published / "current" / "segmart.duckdb"), read_only=True) as reader:
            return reader.execute("select count(*) from marts.dim_customers").fetchone()[0]


def wait_for_marker(process: subprocess.Popen, point: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        if line.startswith(f"SEGMART-FAULT-PAUSE {point} "):
            return
    process.kill()
    pytest.fail(f"no pause at {point}; exit {process.poll()}; output:\n{''.join(seen)}\n{process.stderr.read()}")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def kill_and_check_children_die(process: subprocess.Popen, expect_child: bool = False) -> None:
    """SIGKILL the refresh (not its group: a scheduler kills the process it started) and wait for its children."""
    orphans = children(process.pid)
    assert orphans or not expect_child, "the refresh was expected to be running dbt or validation in a child"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in orphans):
        assert time.monotonic() < deadline, f"children {orphans} of the killed refresh are still running"
        time.sleep(0.2)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (FileNotFoundError, IndexError):
        return "zombie"


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Shop:
    if not sys.platform.startswith("linux"):
        pytest.skip("the kill tests read /proc")
    shop = Shop(tmp_path_factory.mktemp("refresh"))
    subprocess.run([sys.executable, "-m", "segmart.generate", "--customers", "300", "--seed", "5",
                    "--end-date", "2026-10-31", "--out", str(shop.raw), "--quiet"],
                   cwd=PROJECT_ROOT, env=shop.env, check=True)
    return shop


@pytest.fixture(scope="module")
def baseline(shop) -> tuple[str, str]:
    """The first, full refresh: what every later test expects to find published."""
    result = shop.run()
    assert result.returncode == cli.EXIT_OK, result.stdout[-3000:] + result.stderr[-3000:]
    return shop.published_state()


def test_first_refresh_publishes_a_read_only_copy_and_reports(shop, baseline):
    assert shop.read_published() == 300
    # --as-of reaches dbt (as SEGMART_AS_OF_DATE): without it the marts would be as of the run's date
    with duckdb.connect(str(shop.published / "current" / "segmart.duckdb"), read_only=True) as reader:
        assert reader.execute("select distinct as_of_date from marts.dim_customers").fetchall() == [
            (datetime.date(2026, 10, 31),)]
        # every published table and column carries its dbt description (publication writes them; the working
        # warehouse gets none: macros/utils/persist_docs.sql)
        undocumented = reader.execute(
            "select schema_name || '.' || table_name from duckdb_tables() where not internal and coalesce(comment, '') = ''"
            " union all select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()"
            " where not internal and coalesce(comment, '') = ''").fetchall()
        assert undocumented == []
        assert reader.execute("select count(*) from duckdb_columns() where not internal").fetchone()[0] > 100
    with duckdb.connect(shop.env["SEGMART_DB"], read_only=True) as working:
        assert working.execute("select count(*) from duckdb_columns() where table_name = 'dim_customers'"
                               " and comment is not null").fetchone()[0] == 0
    report = json.loads((shop.warehouse / "runs" / "latest.json").read_text())
    assert report["outcome"] == "success" and report["published"]["changed"]
    assert [stage["name"] for stage in report["stages"]] == [
        "freshness", "dbt build", "validate", "measure", "publish", "export audiences", "segment report"]
    assert report["facts"]["sources"] and report["segments"] and report["validation"]["failed"] == 0
    assert all(stage["status"] == "ok" for stage in report["stages"]), report["stages"]
    assert Path(report["segment_report"]).read_text().count("plotly") > 0


def test_kill_during_dbt_leaves_published_as_before(shop, baseline):
    process = shop.start(pause_at="dbt")
    wait_for_marker(process, "dbt")
    time.sleep(6)  # dbt is parsing or building by now
    kill_and_check_children_die(process, expect_child=True)
    assert shop.published_state() == baseline


def test_second_refresh_exits_at_once_and_kill_during_validation(shop, baseline):
    process = shop.start("--select", SMALL_MODEL, pause_at="validate")
    wait_for_marker(process, "validate")
    started = time.monotonic()
    second = shop.run("--select", SMALL_MODEL, timeout=60)
    assert second.returncode == cli.EXIT_LOCK_HELD
    assert time.monotonic() - started < 20
    assert f"lock held by pid {process.pid}" in second.stderr
    assert shop.read_published() == 300  # readers are not blocked by a running refresh
    kill_and_check_children_die(process, expect_child=True)
    assert shop.published_state() == baseline


def test_kill_mid_copy_leaves_published_as_before_and_clears_the_dead_holder(shop, baseline):
    process = shop.start("--select", SMALL_MODEL, "--force-publish", pause_at="publish-copy")
    wait_for_marker(process, "publish-copy")
    assert list(shop.published.glob(".incoming-*/segmart.duckdb"))  # half written
    assert shop.read_published() == 300
    kill_and_check_children_die(process)
    assert shop.published_state() == baseline
    # The lock file still names the killed run; the next refresh reports it cleared (next test).
    assert json.loads((shop.warehouse / ".segmart.lock").read_text())["pid"] == process.pid


def test_kill_before_swap_leaves_current_unchanged(shop, baseline):
    process = shop.start("--select", SMALL_MODEL, "--force-publish", pause_at="publish-swap")
    wait_for_marker(process, "publish-swap")
    kill_and_check_children_die(process)
    assert shop.published_state() == baseline


def test_next_refresh_recovers_without_manual_step(shop, baseline):
    result = shop.run()
    assert result.returncode == cli.EXIT_OK, result.stdout[-3000:] + result.stderr[-3000:]
    events = [json.loads(line) for line in result.stderr.splitlines() + result.stdout.splitlines()
              if line.startswith("{")]
    assert any(event.get("event") == "stale_lock_cleared" for event in events)
    assert not list(shop.published.glob(".incoming-*"))
    assert shop.read_published() == 300


def test_refresh_without_new_data_changes_no_published_row(shop, baseline):
    """The recovery refresh saw the same raw files: its content hashes equal the baseline's, so it published
    nothing and `current` is the same file, byte for byte."""
    report = json.loads((shop.warehouse / "runs" / "latest.json").read_text())
    assert report["outcome"] == "success", f"the recovery refresh failed: {report['message']}"
    baseline_manifest = json.loads((shop.published / baseline[0] / "manifest.json").read_text())
    changed = sorted(name for name, digest in report["published"]["tables"].items()
                     if baseline_manifest["tables"].get(name) != digest)
    assert changed == [], f"tables whose content changed without new data: {changed}"
    assert not report["published"]["changed"]
    assert shop.published_state() == baseline
