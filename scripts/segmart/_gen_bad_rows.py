"""Rows that break the raw data contract, injected on request to exercise the quarantine.

Each recipe copies a real row (as CSV text), breaks one thing and records the reason code
the project is expected to give it. Exact replays are real rows written a second time,
in the same file format as the original so they stay byte-for-byte duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from segmart._gen_write import TABLE_KEYS, csv_ready

BAD_ROWS_PER_KIND = 5
FUTURE_TIMESTAMP = "2099-06-15T12:00:00"


@dataclass
class BadRows:
    """Injected rows for one table: hand-broken text rows and indices of rows to replay."""

    rows: list[dict[str, str | None]] = field(default_factory=list)
    replays: list[int] = field(default_factory=list)
    manifest: list[dict[str, str | None]] = field(default_factory=list)

    def add(self, table_name: str, row: dict[str, str | None], kind: str, reason: str) -> None:
        """Record a broken row and its expected quarantine reason."""
        self.rows.append(row)
        self.manifest.append({"table": table_name, "key": row.get(TABLE_KEYS[table_name]), "kind": kind,
                              "expected_reason": reason})

    def add_replay(self, table_name: str, table: pa.Table, row_index: int) -> None:
        """Record an exact replay of an existing row."""
        self.replays.append(row_index)
        key = table[TABLE_KEYS[table_name]][row_index].as_py()
        self.manifest.append({"table": table_name, "key": key, "kind": "exact_replay",
                              "expected_reason": "exact_replay"})


class Templates:
    """Real rows of a table as CSV text dicts, handed out one at a time."""

    def __init__(self, rng: np.random.Generator, table: pa.Table, table_name: str, candidates: np.ndarray):
        picks = rng.choice(candidates, size=min(60, candidates.size), replace=False)
        self.indices = [int(i) for i in picks]
        self.rows = csv_ready(table.take(pa.array(self.indices)), table_name).to_pylist()
        self._next = 0

    def take(self) -> dict[str, str | None]:
        """A fresh copy of the next template row."""
        row = dict(self.rows[self._next % len(self.rows)])
        self._next += 1
        return row

    def take_index(self) -> int:
        """The table index of the next template row (for replays)."""
        index = self.indices[self._next % len(self.indices)]
        self._next += 1
        return index


def _bad_id(prefix: str, kind: str, number: int) -> str:
    """A recognisable key for an injected row, e.g. ``BAD-O-INVALID-STATUS-0003``."""
    return f"BAD-{prefix}-{kind.upper().replace('_', '-')}-{number:04d}"


def build_bad_rows(rng: np.random.Generator, tables: dict[str, pa.Table]) -> dict[str, BadRows]:
    """Broken rows of every kind for every table (a fixed handful per kind)."""
    bad = {name: BadRows() for name in tables}
    _bad_customers(rng, tables["customers"], bad["customers"])
    _bad_products(rng, tables["products"], bad["products"])
    quarantined_orders = _bad_orders(rng, tables["orders"], bad["orders"])
    _bad_order_items(rng, tables["order_items"], quarantined_orders, bad["order_items"])
    _bad_returns(rng, tables["returns"], bad["returns"])
    _bad_web_events(rng, tables["web_events"], bad["web_events"])
    _bad_email_events(rng, tables["email_events"], bad["email_events"])
    return bad


def _first_versions(table: pa.Table, key: str) -> np.ndarray:
    """Indices of rows whose key appears only once (safe templates and replays)."""
    encoded = table[key].cast(pa.string()).combine_chunks().dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    counts = np.bincount(codes, minlength=len(encoded.dictionary))
    return np.flatnonzero(counts[codes] == 1)


def _bad_customers(rng: np.random.Generator, table: pa.Table, bad: BadRows) -> None:
    """Customers: missing/invalid/future created_at, missing id, impossible birth date, replays."""
    templates = Templates(rng, table, "customers", _first_versions(table, "customer_id"))
    recipes = [
        ("null_customer_id", "missing_customer_id", {"customer_id": None}),
        ("unparseable_created_at", "invalid_created_at", {"created_at": "not-a-date"}),
        ("null_created_at", "missing_created_at", {"created_at": None}),
        ("created_in_2099", "future_created_at", {"created_at": FUTURE_TIMESTAMP, "updated_at": FUTURE_TIMESTAMP}),
        ("impossible_birth_date", "invalid_birth_date", {"birth_date": "1985-02-30"}),
    ]
    for kind, reason, changes in recipes:
        for number in range(1, BAD_ROWS_PER_KIND + 1):
            row = templates.take()
            row["customer_id"] = _bad_id("C", kind, number)
            row["email"] = f"bad-{kind.replace('_', '-')}-{number}@example.invalid"
            row.update(changes)
            bad.add("customers", row, kind, reason)
    for _ in range(BAD_ROWS_PER_KIND):
        bad.add_replay("customers", table, templates.take_index())


def _bad_products(rng: np.random.Generator, table: pa.Table, bad: BadRows) -> None:
    """Products: missing product id."""
    templates = Templates(rng, table, "products", np.arange(table.num_rows))
    for _ in range(BAD_ROWS_PER_KIND):
        row = templates.take()
        row["product_id"] = None
        bad.add("products", row, "null_product_id", "missing_product_id")


def _bad_orders(rng: np.random.Generator, table: pa.Table, bad: BadRows) -> list[str]:
    """Orders of every broken kind; returns the ids of the ``invalid_status`` orders."""
    candidates = _first_versions(table, "order_id")
    registered = np.flatnonzero(table["customer_id"].is_valid().to_numpy(zero_copy_only=False))
    templates = Templates(rng, table, "orders", np.intersect1d(candidates, registered))
    recipes = [
        ("null_order_id", "missing_order_id", {"order_id": None}),
        ("unknown_customer", "unknown_customer", None),
        ("guest_without_email", "unresolved_guest_order", {"customer_id": None, "email": None}),
        ("guest_with_unknown_email", "unresolved_guest_order", None),
        ("unparseable_total_amount", "invalid_total_amount", {"total_amount": "12,50€"}),
        ("unknown_currency", "unknown_currency", {"currency": "XYZ"}),
        ("invalid_status", "invalid_status", {"status": "lost"}),
        ("null_ordered_at", "missing_ordered_at", {"ordered_at": None}),
        ("ordered_in_2099", "future_ordered_at", {"ordered_at": FUTURE_TIMESTAMP, "updated_at": FUTURE_TIMESTAMP}),
    ]
    lost_orders = []
    for kind, reason, changes in recipes:
        for number in range(1, BAD_ROWS_PER_KIND + 1):
            row = templates.take()
            row["order_id"] = _bad_id("O", kind, number)
            if kind == "unknown_customer":
                changes = {"customer_id": _bad_id("CUST", "nobody", number),
                           "email": f"nobody-{number}@unknown.invalid"}
            if kind == "guest_with_unknown_email":
                changes = {"customer_id": None, "email": f"  Guest.Nobody{number}@Unknown.invalid "}
            row.update(changes)
            bad.add("orders", row, kind, reason)
            if kind == "invalid_status":
                lost_orders.append(row["order_id"])
    for _ in range(BAD_ROWS_PER_KIND):
        bad.add_replay("orders", table, templates.take_index())
    return lost_orders


def _bad_order_items(rng: np.random.Generator, table: pa.Table, lost_orders: list[str], bad: BadRows) -> None:
    """Order items: negative quantity, unknown order, missing price, lines of quarantined orders."""
    templates = Templates(rng, table, "order_items", np.arange(table.num_rows))
    recipes = [
        ("negative_quantity", "negative_quantity", {"quantity": "-2"}),
        ("unknown_order", "unknown_order", None),
        ("null_unit_price", "missing_unit_price", {"unit_price": None}),
    ]
    for kind, reason, changes in recipes:
        for number in range(1, BAD_ROWS_PER_KIND + 1):
            row = templates.take()
            row["order_item_id"] = _bad_id("OI", kind, number)
            row.update(changes if changes is not None else {"order_id": _bad_id("O", "missing", number)})
            bad.add("order_items", row, kind, reason)
    for number, order_id in enumerate(lost_orders, start=1):
        row = templates.take()
        row["order_item_id"] = _bad_id("OI", "of_quarantined_order", number)
        row["order_id"] = order_id
        bad.add("order_items", row, "line_of_quarantined_order", "order_quarantined")


def _bad_returns(rng: np.random.Generator, table: pa.Table, bad: BadRows) -> None:
    """Returns: unknown order, missing refund amount."""
    templates = Templates(rng, table, "returns", np.arange(table.num_rows))
    for number in range(1, BAD_ROWS_PER_KIND + 1):
        row = templates.take()
        row.update({"return_id": _bad_id("R", "unknown_order", number),
                    "order_id": _bad_id("O", "missing", number), "order_item_id": None})
        bad.add("returns", row, "unknown_order", "unknown_order")
    for number in range(1, BAD_ROWS_PER_KIND + 1):
        row = templates.take()
        row.update({"return_id": _bad_id("R", "null_refund_amount", number), "refund_amount": None})
        bad.add("returns", row, "null_refund_amount", "missing_refund_amount")


def _bad_web_events(rng: np.random.Generator, table: pa.Table, bad: BadRows) -> None:
    """Web events: no visitor id, unknown event type, far-future time, replays."""
    identified = np.flatnonzero(table["customer_id"].is_valid().to_numpy(zero_copy_only=False))
    templates = Templates(rng, table, "web_events", identified)
    recipes = [
        ("no_visitor_id", "missing_visitor_id", {"anonymous_id": None, "customer_id": None}),
        ("unknown_event_type", "invalid_event_type", {"event_type": "teleport"}),
        ("occurred_in_2099", "future_occurred_at", {"occurred_at": FUTURE_TIMESTAMP}),
    ]
    for kind, reason, changes in recipes:
        for number in range(1, BAD_ROWS_PER_KIND + 1):
            row = templates.take()
            row["event_id"] = _bad_id("E", kind, number)
            row.update(changes)
            bad.add("web_events", row, kind, reason)
    for _ in range(BAD_ROWS_PER_KIND):
        bad.add_replay("web_events", table, templates.take_index())


def _bad_email_events(rng: np.random.Generator, table: pa.Table, bad: BadRows) -> None:
    """Email events: no recipient, unknown event type."""
    templates = Templates(rng, table, "email_events", np.arange(table.num_rows))
    recipes = [
        ("no_recipient", "missing_recipient", {"customer_id": None, "email": None}),
        ("unknown_event_type", "invalid_event_type", {"event_type": "poke"}),
    ]
    for kind, reason, changes in recipes:
        for number in range(1, BAD_ROWS_PER_KIND + 1):
            row = templates.take()
            row["event_id"] = _bad_id("M", kind, number)
            row.update(changes)
            bad.add("email_events", row, kind, reason)
