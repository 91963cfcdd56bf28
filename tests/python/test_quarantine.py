"""Every bad row the generator injects lands in quarantine with its reason, and nothing is lost."""

from __future__ import annotations

import collections
import json

import duckdb
import pytest


@pytest.fixture(scope="module")
def warehouse(built_test_warehouse):
    raw_dir, db_path = built_test_warehouse
    manifest = json.loads((raw_dir / "_generator_manifest.json").read_text())
    with duckdb.connect(str(db_path), read_only=True) as connection:
        yield manifest, connection


def test_manifest_lists_bad_rows(warehouse):
    manifest, _ = warehouse
    assert len(manifest["bad_rows"]) > 0, "make test must generate with --inject-bad-rows"


def test_each_injected_row_with_a_key_is_quarantined_with_its_reason(warehouse):
    manifest, connection = warehouse
    quarantined = connection.execute(
        "select source_table, record_key, reasons from data_quality.quarantined_rows where record_key is not null"
    ).fetchall()
    reasons_by_key = collections.defaultdict(set)
    for table, key, reasons in quarantined:
        reasons_by_key[(table, key)].update(reasons.split("; "))
    missing = [
        row for row in manifest["bad_rows"]
        if row["key"] is not None and row["expected_reason"] != "exact_replay"
        and row["expected_reason"] not in reasons_by_key[(row["table"], row["key"])]
    ]
    assert missing == []


def test_injected_rows_without_a_key_are_counted_under_their_reason(warehouse):
    manifest, connection = warehouse
    expected = collections.Counter(
        (row["table"], row["expected_reason"]) for row in manifest["bad_rows"] if row["key"] is None
    )
    for (table, reason), count in expected.items():
        found = connection.execute(
            "select count(*) from data_quality.quarantined_rows where source_table = ? and record_key is null"
            " and list_contains(string_split(reasons, '; '), ?)", [table, reason]
        ).fetchone()[0]
        assert found >= count, (table, reason, found, count)


def test_exact_replays_are_removed_as_duplicates(warehouse):
    manifest, connection = warehouse
    expected = collections.Counter(row["table"] for row in manifest["bad_rows"] if row["expected_reason"] == "exact_replay")
    for table, count in expected.items():
        replays = connection.execute(
            "select exact_replay_rows from data_quality.source_reconciliation where source_table = ?", [table]
        ).fetchone()[0]
        assert replays >= count, table


def test_reconciliation_balances_for_every_table(warehouse):
    _, connection = warehouse
    rows = connection.execute(
        "select source_table, raw_rows, staged_rows + quarantined_rows + duplicate_rows + deferred_rows"
        " from data_quality.source_reconciliation"
    ).fetchall()
    assert len(rows) == 8
    assert [(table, raw) for table, raw, accounted in rows if raw != accounted] == []
    assert sum(raw for _, raw, _ in rows) > 0


def test_no_unexpected_quarantine_in_clean_generated_data(warehouse):
    """Only injected rows (and the children of injected orders) are quarantined: generated good data is clean."""
    manifest, connection = warehouse
    injected = sum(1 for row in manifest["bad_rows"] if row["expected_reason"] != "exact_replay")
    quarantined = connection.execute("select count(*) from data_quality.quarantined_rows").fetchone()[0]
    assert quarantined == injected
