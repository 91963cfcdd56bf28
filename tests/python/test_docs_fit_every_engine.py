"""On Spark, column descriptions are persisted as comments (persist_docs; on DuckDB publication writes them into the
published copy instead, macros/utils/persist_docs.sql). Spark's Hive metastore (Derby locally) keeps a
view's column comments in a VARCHAR(256) column and a longer one fails the build on Spark: keep every column
description of a view within 256 characters. Runs `dbt parse`, no warehouse needed."""

from __future__ import annotations

import json

from conftest import run_dbt

SPARK_VIEW_COLUMN_COMMENT_LIMIT = 256


def test_view_column_descriptions_fit_the_spark_metastore(tmp_path):
    target = tmp_path / "target"
    result = run_dbt(["parse"], tmp_path / "raw", tmp_path / "parse.duckdb", target)
    assert result.returncode == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text())
    too_long = [
        f"{node['name']}.{column['name']} ({len(column['description'])} characters)"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view"
        for column in node["columns"].values()
        if len(column.get("description") or "") > SPARK_VIEW_COLUMN_COMMENT_LIMIT
    ]
    assert not too_long, "view column descriptions longer than Spark's metastore keeps: " + ", ".join(too_long)
