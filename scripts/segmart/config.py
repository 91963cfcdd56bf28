"""The project's configuration as Python sees it: the vars block of dbt_project.yml."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from segmart.warehouse import PROJECT_ROOT


@lru_cache(maxsize=1)
def dbt_vars() -> dict[str, Any]:
    """The vars declared in dbt_project.yml (their defaults; --vars overrides are not seen here)."""
    document = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    return dict(document.get("vars") or {})


# How the scripts give dbt the as_of_date: an environment variable that macro as_of_date_literal reads while models
# run. A var would do the same, but dbt parses the whole project again whenever a var changes, so a daily refresh
# (and every backfill date) would pay a full parse (macros/utils/as_of.sql; DECISIONLOG.md).
AS_OF_ENV = "SEGMART_AS_OF_DATE"


def as_of_environment(as_of: str | None,
                      variables: dict[str, Any] | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    """({AS_OF_ENV: as_of} or {}, the vars without as_of_date when as_of is given) (pure). A var as_of_date
    would win over the environment variable, so a date given to a script replaces one in its --vars."""
    variables = dict(variables or {})
    if not as_of:
        return {}, variables
    variables.pop("as_of_date", None)
    return {AS_OF_ENV: str(as_of)}, variables
