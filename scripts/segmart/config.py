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


def vars_without_as_of(variables: dict[str, Any] | None) -> dict[str, Any]:
    """variables without as_of_date (pure): a var as_of_date would win over SEGMART_AS_OF_DATE."""
    return {name: value for name, value in (variables or {}).items() if name != "as_of_date"}


def as_of_environment(as_of: str | None,
                      variables: dict[str, Any] | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    """({AS_OF_ENV: as_of} or {}, the vars without as_of_date when as_of is given) (pure): a date given to a
    script replaces one in its --vars."""
    if not as_of:
        return {}, dict(variables or {})
    return {AS_OF_ENV: str(as_of)}, vars_without_as_of(variables)
