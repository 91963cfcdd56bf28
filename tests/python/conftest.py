"""Shared fixtures: run dbt in its own process against a raw folder and a warehouse file of the test's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")


@dataclass
class DbtResult:
    returncode: int
    output: str


def run_dbt(args: list[str], raw_dir: Path, db_path: Path, target_path: Path, as_of: str = "2026-10-31",
            extra_vars: dict[str, object] | None = None, env_overrides: dict[str, str] | None = None,
            as_of_in_env: bool = False) -> DbtResult:
    """One dbt invocation in a subprocess (dbt's runner is not safe to reuse within one process). as_of is a var,
    or with as_of_in_env the environment variable SEGMART_AS_OF_DATE, as `segmart refresh --as-of` passes it
    (then a run reusing target_path parses partially)."""
    env = {
        **os.environ,
        "SEGMART_RAW_DIR": str(raw_dir),
        "SEGMART_DB": str(db_path),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SEGMART_EMAIL_SALT": os.environ.get("SEGMART_EMAIL_SALT", "pytest-salt"),
        **({"SEGMART_AS_OF_DATE": as_of} if as_of_in_env else {}),
        **(env_overrides or {}),
    }
    dbt_vars = {**({} if as_of_in_env else {"as_of_date": as_of}), **(extra_vars or {})}
    command = [str(DBT), *args, *(["--vars", json.dumps(dbt_vars)] if dbt_vars else []),
               "--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)
    return DbtResult(completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture
def dbt_runner(tmp_path):
    """run(args, raw_dir) -> DbtResult, plus query(sql) on the warehouse it built."""

    class Runner:
        db_path = tmp_path / "warehouse.duckdb"

        def run(self, args: list[str], raw_dir: Path, as_of: str = "2026-10-31", **options) -> DbtResult:
            return run_dbt(args, raw_dir, self.db_path, tmp_path / "target", as_of, **options)

        def query(self, sql: str) -> list[tuple]:
            with duckdb.connect(str(self.db_path), read_only=True) as connection:
                return connection.execute(sql).fetchall()

    return Runner()


@pytest.fixture(scope="session")
def built_test_warehouse(tmp_path_factory) -> tuple[Path, Path]:
    """(raw_dir, warehouse) of a full build on generated data with injected bad rows.

    `make test` builds it before pytest and passes SEGMART_TEST_RAW_DIR / SEGMART_TEST_DB; run alone,
    pytest builds its own (about a minute)."""
    raw_dir, db_path = os.environ.get("SEGMART_TEST_RAW_DIR"), os.environ.get("SEGMART_TEST_DB")
    if raw_dir and db_path and Path(db_path).exists():
        return Path(raw_dir), Path(db_path)
    root = tmp_path_factory.mktemp("built")
    raw, db = root / "raw", root / "warehouse.duckdb"
    subprocess.run(
        [sys.executable, "-m", "segmart.generate", "--customers", "800", "--seed", "11", "--end-date", "2026-10-31",
         "--out", str(raw), "--inject-bad-rows", "--quiet"],
        cwd=PROJECT_ROOT, check=True, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "scripts")},
    )
    result = run_dbt(["build", "--exclude", "test_type:unit"], raw, db, root / "target")
    assert result.returncode == 0, result.output
    return raw, db


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
