"""Where the warehouse is and how to open it: one place for the paths every script uses."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def warehouse_path() -> Path:
    """The working DuckDB file: $SEGMART_DB (default warehouse/segmart.duckdb), relative to the project."""
    path = Path(os.environ.get("SEGMART_DB", "warehouse/segmart.duckdb"))
    return path if path.is_absolute() else PROJECT_ROOT / path


def connect(read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. A missing file is a clear error, not an empty new database."""
    path = warehouse_path()
    if not path.exists():
        raise FileNotFoundError(
            f"No warehouse at {path}. Build it first (make demo), or set SEGMART_DB to an existing file."
        )
    connection = duckdb.connect(str(path), read_only=read_only)
    connection.execute("set TimeZone = 'UTC'")
    return connection


def reports_dir() -> Path:
    """Where validation and run reports are written: $SEGMART_REPORTS_DIR (default target/reports)."""
    path = Path(os.environ.get("SEGMART_REPORTS_DIR", "target/reports"))
    path = path if path.is_absolute() else PROJECT_ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path
