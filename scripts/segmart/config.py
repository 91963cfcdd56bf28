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
