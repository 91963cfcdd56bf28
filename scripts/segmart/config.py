"""The project's configuration as Python sees it: the vars block of dbt_project.yml."""

from __future__ import annotations

import os
from collections.abc import Mapping
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


# The secret salt of email_hash. dbt never reads it (DECISIONLOG.md, "The email salt stays out of dbt's files"): the
# DuckDB profile's plugin and the Spark profile hand it to the engine, the CLI checks it is there before a refresh,
# and the engine comparison checks that no build file holds it.
EMAIL_SALT_ENV = "SEGMART_EMAIL_SALT"


def email_salt(environ: Mapping[str, str] | None = None) -> str:
    """The email salt of environ (default: the process environment); '' when unset (pure given environ)."""
    return (os.environ if environ is None else environ).get(EMAIL_SALT_ENV, "")


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
