"""as_of_date reaches the models at run time (macros/utils/as_of.sql; DECISIONLOG.md "as_of_date reaches the models
at run time"). A daily refresh passes a new date every day: if anything dbt keeps from parsing (a model's config, a
test's arguments) held the date, a partially parsed run would use the date of the last full parse. These tests
parse the project as of two dates and require the same parse, then show that a new SEGMART_AS_OF_DATE keeps
dbt's partial parsing (a changed var does not)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_dbt

FULL_REPARSE = "Unable to do partial parsing"


def parse(tmp_path: Path, target: str, as_of: str, as_of_in_env: bool) -> tuple[str, dict]:
    target_path = tmp_path / target
    result = run_dbt(["parse"], tmp_path / "raw", tmp_path / "warehouse.duckdb", target_path, as_of,
                     as_of_in_env=as_of_in_env)
    assert result.returncode == 0, result.output[-3000:]
    return result.output, json.loads((target_path / "manifest.json").read_text())


def parse_time_state(manifest: dict) -> dict[str, tuple]:
    """What a partially parsed run reuses without rendering again: every node's config, its test arguments and its
    dependencies."""
    return {unique_id: (node["config"], node.get("test_metadata"), node["depends_on"])
            for unique_id, node in manifest["nodes"].items()}


def test_nothing_dbt_keeps_from_parsing_depends_on_as_of_date(tmp_path):
    _, first = parse(tmp_path, "target_a", "2026-10-31", as_of_in_env=False)
    _, second = parse(tmp_path, "target_b", "2025-01-15", as_of_in_env=False)
    before, after = parse_time_state(first), parse_time_state(second)
    assert before.keys() == after.keys()
    differing = sorted(unique_id for unique_id in before if before[unique_id] != after[unique_id])
    assert differing == [], f"parsed differently as of another date: {differing[:10]}"
    # the models with a stale-rows rule name a column; the cut-off is rendered when they run
    stale = {node["name"]: node["config"].get("segmart_stale_from") for node in first["nodes"].values()
             if node["config"].get("segmart_stale_from")}
    assert stale == {"int_web_events_stitched": "occurred_at", "int_sessions_stitched": "ended_at"}


def test_a_new_as_of_date_in_the_environment_keeps_partial_parsing(tmp_path):
    parse(tmp_path, "target", "2026-10-30", as_of_in_env=True)
    output, _ = parse(tmp_path, "target", "2026-10-31", as_of_in_env=True)
    assert FULL_REPARSE not in output, output[-3000:]
    # the same change as a var costs a full parse: the reason the scripts use the environment variable
    output, _ = parse(tmp_path, "target", "2026-11-01", as_of_in_env=False)
    assert FULL_REPARSE in output, output[-3000:]
