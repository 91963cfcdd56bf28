"""Segment rules are configuration: changing it changes the segments, the registry and the validation
together, with no SQL edited."""

from __future__ import annotations

import duckdb

from segmart import validate
from segmart.validate_catalog import catalog_suites
from segmart.validation_base import VAR_OVERRIDES

CHANGED_VARS = {
    "rfm_segment_map": "rfm_value",
    "lifecycle_active_max_days": 20,
    "audience_cross_sell_pairs": [{"from_line": "beauty", "to_line": "home"}],
    "new_high_potential_top_share": 0.5,
}


def test_configuration_change_flows_to_segments_registry_and_validation(built_test_warehouse, dbt_runner, tmp_path,
                                                                         monkeypatch):
    raw_dir, _ = built_test_warehouse
    result = dbt_runner.run(
        ["build", "--select", "+customer_segment_memberships", "+segment_definitions", "+segment_summary", "lifecycle_cutoffs",
         "+visitor_segment_memberships",
         "--exclude", "test_type:unit", "--indirect-selection", "cautious"],
        raw_dir,
        extra_vars={**CHANGED_VARS},
    )
    assert result.returncode == 0, result.output
    with duckdb.connect(str(dbt_runner.db_path), read_only=True) as connection:
        registry = connection.execute(
            "select segment, thresholds_in_force from marts.segment_definitions where segment_family = 'rfm'"
        ).fetchall()
        lifecycle_thresholds = connection.execute(
            "select distinct thresholds_in_force from marts.segment_definitions where segment_family = 'lifecycle'"
        ).fetchall()
        big_spenders = connection.execute(
            "select count(*) from marts.customer_segment_memberships where segment = 'Big Spenders'"
        ).fetchone()[0]
        cutoffs = connection.execute("select active_max_days, active_max_days_source from marts.lifecycle_cutoffs").fetchall()
        audiences = dict(connection.execute(
            "select segment, thresholds_in_force from marts.segment_definitions where segment_family = 'audience'"
            " and segment like 'cross_sell%'").fetchall())
        cross_sellers = connection.execute(
            "select count(*) from marts.customer_segment_memberships where segment = 'cross_sell_beauty_to_home'"
        ).fetchone()[0]
        potential = connection.execute(
            "select thresholds_in_force from marts.segment_definitions where segment = 'new_high_potential'"
        ).fetchone()[0]
    assert ("Big Spenders", "map=rfm_value; precedence=1") in registry
    assert big_spenders > 0
    assert cutoffs == [(20, "override")]
    assert lifecycle_thresholds and lifecycle_thresholds[0][0].startswith("active_max_days=20 (override)")
    assert audiences == {"cross_sell_beauty_to_home": "from_line=beauty; to_line=home"}
    assert cross_sellers > 0
    assert "new_high_potential_top_share=0.5" in potential

    monkeypatch.setenv("SEGMART_DB", str(dbt_runner.db_path))
    monkeypatch.setenv("SEGMART_REPORTS_DIR", str(tmp_path / "reports"))
    outcomes = {
        (suite.name): suite for suite in validate.segment_suites(duckdb.connect(str(dbt_runner.db_path), read_only=True))
    }
    assert set(outcomes) == {"rfm_segments", "lifecycle_cells"}
    assert all(o.success for o in validate.run_suites(list(outcomes.values()), lambda _query: None))

    # the catalog's validation follows the same vars: passes with them, fails with the defaults
    connection = duckdb.connect(str(dbt_runner.db_path), read_only=True)
    monkeypatch.setattr("segmart.validation_base.VAR_OVERRIDES", {**VAR_OVERRIDES, **CHANGED_VARS})
    with_changed_vars = validate.run_suites(catalog_suites(connection), lambda query: connection.execute(query).df())
    monkeypatch.setattr("segmart.validation_base.VAR_OVERRIDES", {})
    with_defaults = validate.run_suites(catalog_suites(connection), lambda query: connection.execute(query).df())
    checked = {o.suite for o in with_changed_vars}
    assert {"campaign_audiences", "lifecycle_events"} <= checked
    assert all(o.success for o in with_changed_vars if o.suite in ("campaign_audiences", "lifecycle_events"))
    failed = {o.suite for o in with_defaults if not o.success}
    assert {"campaign_audiences", "lifecycle_events"} <= failed
