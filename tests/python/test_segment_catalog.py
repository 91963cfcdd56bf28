"""Lifecycle events, audiences, profile families and visitor segments: their recomputation in the
validation, failures when the published segments disagree with their rules, and share-drift warnings."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from segmart import validate
from segmart.validate_catalog import SHARES_TABLE, lifecycle_events_recomputed, share_drift

VARS = {"new_customer_window_days": 90, "new_potential_measure": "net_revenue", "new_high_potential_top_share": 0.5,
        "large_first_basket_quantile": 0.5}


def test_lifecycle_event_recomputation_respects_the_churn_cut_off():
    frame = pd.DataFrame({
        "customer_id": ["on_cut_off", "past_cut_off", "churned_again", "one_timer_churned"],
        "order_count": [3, 3, 2, 1],
        "days_since_last_order": [5, 5, 400, 400],
        "days_since_signup": [900, 900, 900, 900],
        "days_between_last_two_purchases": [100, 101, 200, None],
        "first_order_date": [dt.date(2024, 1, 1)] * 4,
        "first_order_value": [10.0, 20.0, 30.0, 40.0],
        "net_revenue_first_period": [10.0, 20.0, 30.0, 40.0],
    })
    events = lifecycle_events_recomputed(frame, dt.date(2026, 10, 31), active_max_days=30, churn_after_days=100,
                                         v=VARS)
    members = set(map(tuple, events[["customer_id", "segment"]].to_numpy()))
    assert ("past_cut_off", "back_from_churn") in members
    assert ("on_cut_off", "back_from_churn") not in members
    assert ("churned_again", "back_from_churn") not in members
    assert ("churned_again", "late_churn") in members and ("one_timer_churned", "quick_churn") in members
    # median first basket 25: 30 and 40 are large, 10 and 20 small
    assert {c for c, s in members if s == "large_first_basket"} == {"churned_again", "one_timer_churned"}


def test_share_drift_counts_new_and_vanished_segments():
    current = pd.DataFrame({"segment_family": ["rfm", "rfm"], "segment": ["A", "B"], "customer_share": [0.6, 0.4]})
    previous = pd.DataFrame({"segment_family": ["rfm", "rfm"], "segment": ["A", "C"], "customer_share": [0.5, 0.5]})
    drift = share_drift(current, previous).set_index("segment")["share_change"].round(6).to_dict()
    assert drift == {"A": 0.1, "B": 0.4, "C": 0.5}


def test_validation_fails_when_an_audience_loses_a_member(warehouse_copy, capsys):
    with duckdb.connect(str(warehouse_copy)) as connection:
        deleted = connection.execute(
            "delete from marts.customer_segment_memberships where segment_family = 'audience'"
            " and segment = 'recent_purchaser' and customer_id = (select min(customer_id)"
            " from marts.customer_segment_memberships where segment = 'recent_purchaser')"
        ).fetchone()[0]
        assert deleted == 1
    assert validate.main(["--quiet"]) == 1
    assert "FAIL campaign_audiences: expect_column_values_to_be_in_set on agreement" in capsys.readouterr().out


def test_validation_fails_when_a_lifecycle_event_rule_moves_in_sql_only(warehouse_copy, capsys):
    """A late churner published as a quick churner (the one-timer condition dropped) while the rule and the
    configuration are unchanged: the recomputation must disagree."""
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "update marts.customer_segment_memberships set segment = 'quick_churn'"
            " where segment_family = 'lifecycle_event' and segment = 'late_churn' and customer_id = (select"
            " min(customer_id) from marts.customer_segment_memberships where segment = 'late_churn')"
        )
    assert validate.main(["--quiet"]) == 1
    assert "FAIL lifecycle_events: expect_column_values_to_be_in_set on agreement" in capsys.readouterr().out


def test_validation_fails_when_a_customer_has_two_segments_of_an_exclusive_family(warehouse_copy, capsys):
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "insert into marts.customer_segment_memberships select customer_id, segment_family, 'unknown', as_of_date"
            " from marts.customer_segment_memberships where segment_family = 'gender' and segment != 'unknown' limit 1"
        )
    assert validate.main(["--quiet"]) == 1
    out = capsys.readouterr().out
    assert "FAIL exclusive_families: expect_column_values_to_be_between on memberships" in out
    assert "FAIL profile_families" in out


def test_validation_fails_when_a_visitor_segment_disagrees(warehouse_copy, capsys):
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "insert into marts.visitor_segment_memberships select visitor_id, 'behaviour', 'curious_browser',"
            " as_of_date from marts.visitor_segment_memberships where segment = 'new_visitor' and visitor_id not in"
            " (select visitor_id from marts.visitor_segment_memberships where segment = 'curious_browser') limit 1"
        )
    assert validate.main(["--quiet"]) == 1
    assert "FAIL visitor_segments" in capsys.readouterr().out


def test_share_drift_warns_but_passes(warehouse_copy, capsys):
    """A previous validated run with very different shares: a warning, exit code 0, recorded as such."""
    assert validate.main(["--quiet"]) == 0
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            f"update {SHARES_TABLE} set customer_share = least(customer_share + 0.3, 1)"
            " where segment_family = 'rfm' and segment = 'Champions'"
        )
    capsys.readouterr()
    assert validate.main(["--quiet"]) == 0
    out = capsys.readouterr().out
    assert "WARN segment_share_drift: expect_column_values_to_be_in_set on share_move" in out
    assert "rfm / Champions:" in out
    assert "1 warned" in out
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        severities = connection.execute(
            f"select distinct severity from {validate.RESULTS_TABLE} where suite = 'segment_share_drift'"
            " and not success").fetchall()
    assert severities == [("warning",)]
