"""A setting that shapes the stored rows of an incremental model (a var, a seed) rebuilds that model in full when it
changes (macros/incremental/configuration_rebuild.sql), so an incremental run never keeps rows computed under the old
setting beside rows computed under the new one."""

from __future__ import annotations

import json
import re
import shutil

import duckdb
from conftest import run_dbt

SESSIONS = "select * exclude (processed_at) from {catalog}.intermediate.int_sessions_stitched"


def test_a_changed_setting_rebuilds_the_model_it_shapes(built_test_warehouse, warehouse_copy, tmp_path):
    """int_sessions_stitched declares session_inactivity_minutes. An incremental run with another value rebuilds it in
    full, says so, and gives the rows of a full refresh with that value; the next run with the same value keeps every
    row as it is."""
    raw_dir, built = built_test_warehouse
    sessions_only = ["run", "--select", "int_sessions_stitched"]
    shorter = {"session_inactivity_minutes": 10}
    full = tmp_path / "full" / built.name
    full.parent.mkdir()
    shutil.copy(built, full)
    result = run_dbt([*sessions_only, "--full-refresh"], raw_dir, full, tmp_path / "target_full", extra_vars=shorter)
    assert result.returncode == 0, result.output

    result = run_dbt(sessions_only, raw_dir, warehouse_copy, tmp_path / "target", extra_vars=shorter)
    assert result.returncode == 0, result.output
    assert ("segmart: int_sessions_stitched was rebuilt in full: its configuration changed since its last build "
            "(was: var session_inactivity_minutes=30; now: var session_inactivity_minutes=10)") in result.output

    def differing(left: str, right: str) -> int:
        return connection.execute(
            f"select count(*) from ({SESSIONS.format(catalog=left)} except all {SESSIONS.format(catalog=right)})"
        ).fetchone()[0]

    connection = duckdb.connect()
    connection.execute(f"attach '{warehouse_copy}' as incremental (read_only)")
    connection.execute(f"attach '{full}' as full_build (read_only)")
    connection.execute(f"attach '{built}' as before (read_only)")
    assert differing("incremental", "full_build") == differing("full_build", "incremental") == 0
    assert differing("before", "incremental") > 0, "the shorter gap was meant to split some sessions"
    stamps = connection.execute(
        "select count(*), count(distinct processed_at) from incremental.intermediate.int_sessions_stitched").fetchone()
    connection.close()
    assert stamps[1] == 1, "a rebuilt model stamps every row with its run"

    result = run_dbt(sessions_only, raw_dir, warehouse_copy, tmp_path / "target", extra_vars=shorter)
    assert result.returncode == 0, result.output
    assert "was rebuilt in full" not in result.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        recorded = connection.execute(
            "select declared_settings from operations.incremental_configurations where model_name = "
            "'int_sessions_stitched' order by processed_at").fetchall()
        assert connection.execute(
            "select count(*), count(distinct processed_at) from intermediate.int_sessions_stitched"
        ).fetchone() == stamps
    assert recorded[-2:] == [("var session_inactivity_minutes=30",), ("var session_inactivity_minutes=10",)]


def test_incremental_models_declare_the_vars_and_seeds_they_read(built_test_warehouse, warehouse_copy, tmp_path):
    """Every var an incremental model reads, in its own SQL or in a macro it calls (followed through the macros
    those call) or, for a model reading a raw table, in the macros of the hook that creates the raw views, and every
    seed it refs, is among the settings it declares (so a change to it rebuilds the model), unless the model is
    never rebuilt (full_refresh: false); the record holds each seed by the checksum dbt keeps of its file."""
    raw_dir, _ = built_test_warehouse
    result = run_dbt(["run", "--select", "base_shop__orders"], raw_dir, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    handled_otherwise = {
        "as_of_date",  # every run re-evaluates the rows dated between two runs' dates
        "incremental_lookback_days",  # which loaded files are read again, not what their rows become
    }
    var_read = re.compile(r"""\bvar\(\s*['"](\w+)['"]""")

    def vars_of_macros(macro_ids: list[str], seen: set[str]) -> set[str]:
        found: set[str] = set()
        for macro_id in macro_ids:
            if macro_id in seen or macro_id not in manifest["macros"]:
                continue
            seen.add(macro_id)
            macro = manifest["macros"][macro_id]
            found |= set(var_read.findall(macro["macro_sql"]))
            found |= vars_of_macros(macro["depends_on"]["macros"], seen)
        return found

    # A model reading a raw table reads the view on-run-start created, so it reads what that hook's macros read.
    raw_view_hook = manifest["nodes"]["operation.segmart.segmart-on-run-start-0"]
    raw_view_vars = vars_of_macros(raw_view_hook["depends_on"]["macros"], set())
    assert {"raw_csv_delimiter", "raw_csv_quote"} <= raw_view_vars
    assert "future_tolerance_hours" in vars_of_macros(
        manifest["nodes"]["model.segmart.base_shop__orders"]["depends_on"]["macros"], set()), "macros are followed"
    checked = 0
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("materialized") != "incremental":
            continue
        if node["config"].get("full_refresh") is False:
            continue  # never rebuilt (the segment history keeps its slices as they were written)
        declared = node["config"].get("segmart_rebuild_when_changed") or {}
        read = set(var_read.findall(node["raw_code"])) | vars_of_macros(node["depends_on"]["macros"], set())
        if any(parent.startswith("source.") for parent in node["depends_on"]["nodes"]):
            read |= raw_view_vars
        read -= handled_otherwise
        assert read <= set(declared.get("vars", [])), (node["name"], read - set(declared.get("vars", [])))
        seeds = {manifest["nodes"][parent]["name"] for parent in node["depends_on"]["nodes"]
                 if parent.startswith("seed.")}
        assert seeds <= set(declared.get("seeds", [])), (node["name"], seeds)
        checked += bool(read or seeds)
    assert checked >= 4
    checksum = manifest["nodes"]["seed.segmart.vocabulary_map"]["checksum"]["checksum"]
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        recorded = connection.execute(
            "select declared_settings from operations.incremental_configurations"
            " where model_name = 'base_shop__orders' order by processed_at desc limit 1").fetchone()[0]
    assert f"seed vocabulary_map={checksum}" in recorded
