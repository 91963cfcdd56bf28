"""What every validation module shares: the vars in force, a suite, an outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from segmart.config import dbt_vars

# --vars given to validate (the same overrides given to dbt build), on top of dbt_project.yml's defaults.
VAR_OVERRIDES: dict[str, Any] = {}


def configuration() -> dict[str, Any]:
    """The vars in force: dbt_project.yml's defaults with --vars overrides on top."""
    return {**dbt_vars(), **VAR_OVERRIDES}


@dataclass
class Suite:
    """A named query and the expectations every row of its result must meet.

    severity 'error' fails the validation; 'warning' is reported and recorded but exits 0."""

    name: str
    query: str
    expectations: list[Any] = field(default_factory=list)
    # A suite may bring its rows already computed (a recomputation in pandas) instead of a query.
    frame: pd.DataFrame | None = None
    severity: str = "error"


@dataclass
class Outcome:
    """One expectation's result, flattened for the results table and the report."""

    suite: str
    expectation: str
    column: str | None
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_examples: list[str]
    arguments: dict[str, Any]
    severity: str = "error"


def relation_exists(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """True when schema.name is a table or view of the warehouse."""
    return connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchone()[0] > 0
