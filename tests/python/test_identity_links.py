"""Attribution changes follow the identity links (macros/incremental/identity_links.sql): an incremental run of
int_web_events_stitched re-attributes the stored events of identifiers whose link int_identity_links_tracked
stamped after the model's latest stamp, and only those; when the links table is newer than every stored row, it
compares every stored event with the identity map instead."""

from __future__ import annotations

import duckdb
from conftest import run_dbt

SELECTOR = ["run", "--select", "int_web_events_stitched"]


def corrupt_two_linked_events(warehouse) -> tuple[str, str]:
    """Give a wrong customer to one event of each of two anonymous ids linked to a customer (their events carry no
    customer id of their own, so the link decides); returns the two event ids."""
    with duckdb.connect(str(warehouse)) as connection:
        events = [row[0] for row in connection.execute(
            """select min(event_id) from intermediate.int_web_events_stitched
               where attribution_rule = 'anonymous_id_link'
               group by anonymous_id order by anonymous_id limit 2""").fetchall()]
        assert len(events) == 2, "the test shop has no two linked anonymous ids"
        connection.execute(
            "update intermediate.int_web_events_stitched set customer_id = 'nobody' where event_id in (?, ?)",
            events)
    return events[0], events[1]


def restamp_links(warehouse, where: str) -> None:
    """Stamp the tracked links matching `where` one second after the stitched events' latest stamp."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update intermediate.int_identity_links_tracked set processed_at = (select max(processed_at) from "
            f"intermediate.int_web_events_stitched) + interval 1 second where {where}")


def customers_of(warehouse, events: tuple[str, str]) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return [connection.execute(
            "select customer_id from intermediate.int_web_events_stitched where event_id = ?", [event]).fetchone()[0]
            for event in events]


def test_only_the_events_of_a_changed_link_are_reattributed(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    events = corrupt_two_linked_events(warehouse_copy)
    restamp_links(warehouse_copy, "identifier_type = 'anonymous_id' and identifier_value = (select anonymous_id "
                  f"from intermediate.int_web_events_stitched where event_id = '{events[0]}')")
    result = run_dbt(SELECTOR, raw_dir, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    first, second = customers_of(warehouse_copy, events)
    assert first not in (None, "nobody"), "the event of the restamped link was not re-attributed"
    assert second == "nobody", "an event whose link did not change was re-checked: the run compared every event"


def test_a_links_table_newer_than_every_stored_row_compares_every_event(built_test_warehouse, warehouse_copy,
                                                                          tmp_path):
    raw_dir, _ = built_test_warehouse
    events = corrupt_two_linked_events(warehouse_copy)
    restamp_links(warehouse_copy, "true")
    result = run_dbt(SELECTOR, raw_dir, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    assert "nobody" not in customers_of(warehouse_copy, events), "the fallback left a wrong attribution"
