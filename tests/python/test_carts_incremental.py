"""int_carts_abandoned is incremental (DECISIONLOG.md "Carts follow their sessions, purchases and orders"): a run
recomputes the carts whose session, visitor's purchase events or customer's orders were (re)computed since its
latest stamp, the carts whose window is open or ends after the cut-off, and the purchased carts whose purchase is
gone. A cart nothing touched is left alone; a recomputed cart equals what a full build gives."""

from __future__ import annotations

import duckdb
from conftest import run_dbt

CARTS = "intermediate.int_carts_abandoned"
RUN = ["run", "--select", "int_carts_abandoned"]
COLUMNS = ("session_key, visitor_id, customer_id, first_added_at, last_added_at, items_added, purchase_window_ends_at, "
           "cart_status, is_abandoned, purchased_at, abandoned_at")
SENTINEL = -1


def cart(connection: duckdb.DuckDBPyConnection, session_key: str) -> tuple:
    return connection.execute(f"select {COLUMNS} from {CARTS} where session_key = ?", [session_key]).fetchone()


def test_a_run_recomputes_the_carts_it_must_and_leaves_the_others(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    with duckdb.connect(str(warehouse_copy)) as connection:
        # A cart purchased (by its visitor's purchase event) long before the cut-off, whose customer also ordered
        # within its window. The purchase event leaves the stitched events, and the customer's orders in the window
        # move to another customer (stamped, as the order model stamps a re-attributed order): only the old
        # owner's purchased cart can tell that its purchase is gone.
        purchased = connection.execute(f"""
            select carts.session_key, carts.visitor_id, carts.customer_id, carts.purchased_at,
                   carts.last_added_at, carts.purchase_window_ends_at
            from {CARTS} as carts
            where carts.cart_status = 'purchased' and carts.customer_id is not null
              and carts.purchase_window_ends_at < (select max(purchase_window_ends_at) - interval 7 day from {CARTS})
              and exists (select 1 from intermediate.int_orders_net_of_returns as orders
                          where orders.customer_id = carts.customer_id and orders.is_purchase
                            and orders.ordered_at between carts.last_added_at and carts.purchase_window_ends_at)
            order by carts.session_key limit 1""").fetchone()
        assert purchased, "the test shop has no purchased cart whose customer ordered within its window"
        session_key, visitor_id, customer_id, purchased_at, last_added_at, window_ends_at = purchased
        connection.execute(
            """delete from intermediate.int_web_events_stitched
               where event_type = 'purchase' and visitor_id = ? and occurred_at = ?""", [visitor_id, purchased_at])
        connection.execute(
            """update intermediate.int_orders_net_of_returns
               set customer_id = 'another-customer',
                   processed_at = (select max(processed_at) from intermediate.int_orders_net_of_returns)
                       + interval 1 second
               where customer_id = ? and ordered_at between ? and ?""", [customer_id, last_added_at, window_ends_at])
        # An abandoned cart of someone else, long before the cut-off: nothing touches it, so a tampered value stays.
        untouched = connection.execute(f"""
            select session_key from {CARTS}
            where cart_status = 'abandoned' and visitor_id <> ? and coalesce(customer_id, '') <> ?
              and purchase_window_ends_at < (select max(purchase_window_ends_at) - interval 7 day from {CARTS})
            order by session_key limit 1""", [visitor_id, customer_id]).fetchone()[0]
        connection.execute(f"update {CARTS} set items_added = ? where session_key = ?", [SENTINEL, untouched])

    result = run_dbt(RUN, raw_dir, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        incremental = cart(connection, session_key)
        assert incremental[7] != "purchased", "a cart whose purchases are gone kept one: it was not recomputed"
        assert cart(connection, untouched)[5] == SENTINEL, \
            "a cart nothing touched was recomputed: the run redid every cart"

    result = run_dbt([*RUN, "--full-refresh"], raw_dir, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        assert cart(connection, session_key) == incremental, "the recomputed cart differs from a full build's"
        assert cart(connection, untouched)[5] != SENTINEL
