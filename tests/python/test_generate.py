"""Tests for the demo data generator (segmart.generate) on small populations.

Run: PYTHONPATH=scripts python -m pytest tests/python/test_generate.py
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from segmart import generate as gen
from segmart._gen_write import CONTRACT, TABLE_KEYS

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES_YML = REPO_ROOT / "models" / "staging" / "shop" / "_shop__sources.yml"
END_DATE = dt.date(2026, 10, 31)
END_OF_HISTORY = dt.datetime(2026, 10, 31, 23, 59, 59)
N_CUSTOMERS = 1500
SQL_TYPES = {"string": "varchar", "timestamp": "timestamp", "date": "date", "number": "double",
             "integer": "bigint", "boolean": "boolean"}
EXPECTED_BAD_REASONS = {
    "customers": {"missing_customer_id", "invalid_created_at", "missing_created_at", "future_created_at",
                  "exact_replay", "invalid_birth_date"},
    "products": {"missing_product_id"},
    "orders": {"missing_order_id", "unknown_customer", "unresolved_guest_order", "invalid_total_amount",
               "unknown_currency", "invalid_status", "missing_ordered_at", "future_ordered_at", "exact_replay"},
    "order_items": {"negative_quantity", "unknown_order", "missing_unit_price", "order_quarantined"},
    "returns": {"unknown_order", "missing_refund_amount"},
    "web_events": {"missing_visitor_id", "invalid_event_type", "future_occurred_at", "exact_replay"},
    "email_events": {"missing_recipient", "invalid_event_type"},
}


# --- helpers ---------------------------------------------------------------------------------------

def run_generator(out: Path, **overrides) -> dict:
    """Generate into ``out`` quietly and return the manifest."""
    settings = {"customers": N_CUSTOMERS, "seed": 42, "end_date": END_DATE, "out": out, "quiet": True}
    settings.update(overrides)
    return gen.generate(gen.GeneratorConfig(**settings))


def data_files(out: Path, table: str, include_bad: bool = False) -> list[Path]:
    """The table's batch files (injected-row files only when asked)."""
    files = sorted(p for p in (out / table).iterdir() if p.suffix in (".csv", ".parquet"))
    return [p for p in files if include_bad or not p.stem.startswith(("part-bad", "part-replay"))]


def typed_select(path: Path, table: str) -> str:
    """SQL reading one file with the contract's types (CSV text is cast, zones normalised to UTC)."""
    if path.suffix == ".parquet":
        columns = ", ".join(f'"{name}"' for name, _ in CONTRACT[table])
        return f"select {columns} from read_parquet('{path}')"
    casts = []
    for name, logical in CONTRACT[table]:
        if logical == "timestamp":
            casts.append(f'cast(cast("{name}" as timestamptz) as timestamp) as "{name}"')
        elif logical == "boolean":
            casts.append(f"lower(\"{name}\") in ('true', 'yes', '1') as \"{name}\"")
        else:
            casts.append(f'cast("{name}" as {SQL_TYPES[logical]}) as "{name}"')
    return f"select {', '.join(casts)} from read_csv('{path}', all_varchar=true, header=true)"


def connect(out: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with one typed view per raw table (regular batches only) and ``latest_orders``."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for table in gen.TABLES:
        selects = " union all ".join(typed_select(p, table) for p in data_files(out, table))
        con.execute(f"create view {table} as {selects}")
    con.execute("""
        create table latest_orders as
        select * from orders qualify row_number() over (partition by order_id order by updated_at desc) = 1
    """)
    con.execute("""
        create table customer_emails as
        select customer_id, lower(trim(email)) as email, min(created_at) as created_at
        from customers group by all
    """)
    con.execute("""
        create table order_owners as
        select o.*, coalesce(o.customer_id, c.customer_id) as owner_id
        from latest_orders as o
        left join customer_emails as c on o.customer_id is null and lower(trim(o.email)) = c.email
    """)
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    """First column of the first row."""
    return con.sql(sql).fetchone()[0]


def share_of_customers(con: duckdb.DuckDBPyConnection, sql_count: str) -> float:
    """A count of customers as a share of all registered customers."""
    return scalar(con, sql_count) / scalar(con, "select count(distinct customer_id) from customers")


# --- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict, duckdb.DuckDBPyConnection]:
    out = tmp_path_factory.mktemp("clean")
    manifest = run_generator(out)
    return out, manifest, connect(out)


@pytest.fixture(scope="module")
def with_bad_rows(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bad")
    return out, run_generator(out, customers=600, seed=3, inject_bad_rows=True)


# --- contract and layout ---------------------------------------------------------------------------

def test_generator_contract_matches_sources_yaml():
    sources = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    tables = {t["name"]: t for t in sources["sources"][0]["tables"]}
    for name, columns in CONTRACT.items():
        expected = [(c["name"], c["meta"]["type"]) for c in tables[name]["columns"]]
        assert list(columns) == expected, name
        assert TABLE_KEYS[name] == tables[name]["meta"]["key"]
    assert set(gen.TABLES) == set(tables) - {"exchange_rates"}


@pytest.mark.parametrize("fixture_name", ["clean", "with_bad_rows"])
def test_every_file_has_exactly_the_contract_columns_in_order(fixture_name, request):
    out = request.getfixturevalue(fixture_name)[0]
    for table in gen.TABLES:
        expected = [name for name, _ in CONTRACT[table]]
        files = data_files(out, table, include_bad=True)
        assert files, table
        for path in files:
            if path.suffix == ".parquet":
                assert pq.read_schema(path).names == expected, path
            else:
                with path.open(newline="", encoding="utf-8") as handle:
                    assert next(csv.reader(handle)) == expected, path
    assert not (out / "exchange_rates").exists()


def test_parquet_uses_natural_types_and_string_ids(clean):
    out = clean[0]
    expected_types = {"string": "string", "timestamp": "timestamp[us]", "date": "date32[day]",
                      "number": "double", "integer": "int64", "boolean": "bool"}
    for table in ("orders", "order_items", "returns", "web_events", "email_events"):
        schema = pq.read_schema(data_files(out, table)[0])
        for name, logical in CONTRACT[table]:
            assert str(schema.field(name).type) == expected_types[logical], (table, name)


def test_mixed_format_layout_and_batches(clean):
    out, manifest, _ = clean
    suffixes = {t: {p.suffix for p in data_files(out, t)} for t in gen.TABLES}
    assert suffixes["customers"] == {".csv"} and suffixes["products"] == {".csv"}
    assert suffixes["orders"] == {".csv", ".parquet"}
    for table in ("order_items", "returns", "web_events", "email_events"):
        assert suffixes[table] == {".parquet"}
    for table in ("customers", "orders", "order_items", "web_events", "email_events"):
        assert len(data_files(out, table)) >= 3, table
    assert manifest["row_counts"]["orders"] == sum(manifest["files"]["orders"].values())
    on_disk = json.loads((out / gen.MANIFEST_NAME).read_text())
    assert on_disk == manifest


def test_csv_keeps_leading_zeros_and_mixes_timestamp_spellings(clean):
    out = clean[0]
    ids, created = [], []
    for path in data_files(out, "customers"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                ids.append(row["customer_id"])
                created.append(row["created_at"])
    assert all(len(i) == 7 and i.isdigit() for i in ids)
    assert sum(i.startswith("000") for i in ids) > 0.5 * len(ids)
    assert any(t.endswith("Z") for t in created)
    assert any(t.endswith(("+01:00", "-05:00")) for t in created)
    assert sum(len(t) == 19 for t in created) > 0.6 * len(created)


# --- determinism and CLI ----------------------------------------------------------------------------

def file_bytes(out: Path) -> dict[str, bytes]:
    """Every data file's bytes, by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("part-*"))}


def test_same_arguments_give_identical_bytes_and_other_seed_differs(tmp_path):
    first = run_generator(tmp_path / "a", customers=300, inject_bad_rows=True)
    second = run_generator(tmp_path / "b", customers=300, inject_bad_rows=True)
    other = run_generator(tmp_path / "c", customers=300, inject_bad_rows=True, seed=43)
    assert file_bytes(tmp_path / "a") == file_bytes(tmp_path / "b")
    assert first["row_counts"] == second["row_counts"] and first["bad_rows"] == second["bad_rows"]
    a, c = file_bytes(tmp_path / "a"), file_bytes(tmp_path / "c")
    assert a["customers/part-0000.csv"] != c["customers/part-0000.csv"]
    assert first["row_counts"] != other["row_counts"]


def test_cli_writes_parquet_summary_and_clears_only_its_folders(tmp_path, capsys):
    out = tmp_path / "raw"
    (out / "orders").mkdir(parents=True)
    (out / "orders" / "part-9999.parquet").write_bytes(b"stale")
    (out / "exchange_rates").mkdir()
    (out / "exchange_rates" / "rates.csv").write_text("keep me")
    code = gen.main(["--customers", "200", "--seed", "5", "--end-date", "2025-06-30", "--years", "2",
                     "--format", "parquet", "--out", str(out), "--quiet"])
    assert code == 0
    assert not (out / "orders" / "part-9999.parquet").exists()
    assert (out / "exchange_rates" / "rates.csv").read_text() == "keep me"
    assert all(p.suffix == ".parquet" for t in gen.TABLES for p in data_files(out, t))
    manifest = json.loads((out / gen.MANIFEST_NAME).read_text())
    assert manifest["args"]["end_date"] == "2025-06-30" and manifest["bad_rows"] == []
    printed = capsys.readouterr().out
    for table in gen.TABLES:
        assert table in printed
    con = connect(out)
    assert scalar(con, "select max(occurred_at) from web_events") <= dt.datetime(2025, 6, 30, 23, 59, 59)
    assert scalar(con, "select min(ordered_at) from orders") >= dt.datetime(2023, 7, 1)


def test_cli_rejects_bad_arguments():
    with pytest.raises(SystemExit):
        gen.parse_args(["--customers", "10"])
    with pytest.raises(SystemExit):
        gen.parse_args(["--years", "1"])
    config = gen.parse_args([])
    assert (config.seed, config.end_date, config.years, config.file_format, config.out) == (
        42, END_DATE, 3, "mixed", Path("data/raw"))


# --- data shape: personas and behaviours ------------------------------------------------------------

def test_order_frequency_spread(clean):
    con = clean[2]
    per_customer = "select owner_id, count(*) as n from order_owners where owner_id is not null group by 1"
    assert share_of_customers(con, f"select count(*) from ({per_customer}) where n >= 5") > 0.2
    assert share_of_customers(con, f"select count(*) from ({per_customer}) where n = 1") > 0.05
    assert share_of_customers(con, f"select count(*) from ({per_customer}) where n >= 20") > 0.05
    never = "select count(*) from customer_emails where customer_id not in (select owner_id from order_owners " \
            "where owner_id is not null)"
    assert share_of_customers(con, never) > 0.05
    orders_per_customer = scalar(con, "select count(*) from latest_orders") / N_CUSTOMERS
    assert 7 < orders_per_customer < 13


def test_guest_checkouts_match_registered_emails(clean):
    con = clean[2]
    guests = "select * from latest_orders where customer_id is null"
    share = scalar(con, f"select count(*) from ({guests})") / scalar(con, "select count(*) from latest_orders")
    assert 0.03 < share < 0.07
    assert scalar(con, f"select count(*) from ({guests}) as g anti join customer_emails as c "
                       f"on lower(trim(g.email)) = c.email") == 0
    assert scalar(con, f"select count(*) from ({guests}) where email <> lower(trim(email))") > 10
    before_registration = f"""select count(*) from ({guests}) as g
        join customer_emails as c on lower(trim(g.email)) = c.email where g.ordered_at < c.created_at"""
    assert scalar(con, before_registration) > 10
    own_orders_before_registration = """select count(*) from latest_orders as o
        join customer_emails as c using (customer_id) where o.ordered_at < c.created_at"""
    assert scalar(con, own_orders_before_registration) == 0


def test_churn_reactivation_and_recency_personas(clean):
    con = clean[2]
    a_year_ago = "timestamp '2025-10-31 23:59:59'"
    history = "select owner_id, count(*) as n, max(ordered_at) as last_at from order_owners where owner_id is not null " \
              "group by 1"
    assert share_of_customers(con, f"select count(*) from ({history}) where n = 1 and last_at < {a_year_ago}") > 0.02
    assert share_of_customers(con, f"select count(*) from ({history}) where n >= 3 and last_at < {a_year_ago}") > 0.02
    reactivated = """select count(distinct owner_id) from (
        select owner_id, ordered_at,
               ordered_at - lag(ordered_at) over (partition by owner_id order by ordered_at) as gap
        from order_owners where owner_id is not null)
        where gap > interval 365 day and ordered_at > timestamp '2026-08-01'"""
    assert share_of_customers(con, reactivated) > 0.02
    loyal = f"select count(*) from ({history}) where n >= 10 and last_at > timestamp '2026-09-01'"
    assert share_of_customers(con, loyal) > 0.05
    recent_signups = "select count(*) from customer_emails where created_at > timestamp '2026-10-01'"
    assert share_of_customers(con, recent_signups) > 0.02
    by_year = con.sql("select year(created_at), count(*) from customer_emails group by 1").fetchall()
    assert len(by_year) >= 3


def test_spending_personas(clean):
    con = clean[2]
    history = """select owner_id, count(*) as n, avg(total_amount) as aov, avg((coupon_code is not null)::int) as coupons,
                        avg(discount_amount) as discount
                 from order_owners where owner_id is not null group by 1"""
    median = scalar(con, "select median(total_amount) from latest_orders")
    assert share_of_customers(con, f"select count(*) from ({history}) where n >= 3 and aov > 4 * {median}") > 0.02
    assert share_of_customers(con, f"select count(*) from ({history}) where n >= 3 and coupons >= 0.7") > 0.02
    assert share_of_customers(con, f"select count(*) from ({history}) where n >= 6 and aov < {median} / 2") > 0.02
    assert scalar(con, "select count(*) from latest_orders where coupon_code is not null and discount_amount > 0") > 0
    assert scalar(con, "select count(distinct currency) from latest_orders") >= 3
    new_customers = """select o.total_amount from order_owners as o join customer_emails as c on o.owner_id = c.customer_id
                       where c.created_at > timestamp '2026-10-01'"""
    assert scalar(con, f"select count(*) from ({new_customers}) where total_amount > 3 * {median}") > 0
    assert scalar(con, f"select count(*) from ({new_customers}) where total_amount < {median} / 3") > 0


def test_statuses_resends_and_returns(clean):
    con = clean[2]
    statuses = dict(con.sql("select status, count(*) from latest_orders group by 1").fetchall())
    total = sum(statuses.values())
    assert statuses["delivered"] / total > 0.8
    assert 0.015 < statuses["cancelled"] / total < 0.05 and 0.01 < statuses["refunded"] / total < 0.05
    resent = """select count(*) from (select order_id, count(*) as n, count(distinct status) as s,
                                        min(updated_at) as first_at, max(updated_at) as last_at
                                 from orders group by 1) where n = 2 and s = 2 and last_at > first_at"""
    assert 0.05 < scalar(con, resent) / total < 0.15
    out = clean[0]
    by_file = " union all ".join(f"select order_id, updated_at, '{p.name}' as file_name from ({typed_select(p, 'orders')})"
                                 for p in data_files(out, "orders"))
    resent_earlier_file = f"""select count(*) from (
        select order_id, arg_min(file_name, updated_at) as first_file, arg_max(file_name, updated_at) as last_file
        from ({by_file}) group by 1 having count(*) = 2) where last_file <= first_file"""
    assert scalar(con, resent_earlier_file) == 0
    returners = """select count(*) from (select o.owner_id from returns as r join order_owners as o using (order_id)
                   group by 1 having count(*) >= 5)"""
    assert share_of_customers(con, returners) > 0.02
    assert scalar(con, """select count(*) from returns as r join latest_orders as o using (order_id)
                          where r.returned_at < o.ordered_at + interval 3 day
                             or r.returned_at > o.ordered_at + interval 41 day""") == 0


def test_trendy_buyers_and_launches(clean):
    con = clean[2]
    trendy = """select count(*) from (select o.owner_id from order_items as i join order_owners as o using (order_id)
                join products as p using (product_id) where o.ordered_at::date - p.launched_at between 0 and 30
                group by 1 having count(*) >= 3)"""
    assert share_of_customers(con, trendy) > 0.02
    assert scalar(con, """select count(*) from order_items as i join latest_orders as o using (order_id)
                          join products as p using (product_id) where o.ordered_at < p.launched_at""") == 0
    assert scalar(con, "select count(*) from products where launched_at > date '2026-09-01'") > 0
    assert 500 <= scalar(con, "select count(*) from products") <= 2000
    categories = {row[0] for row in con.sql("select distinct category from products").fetchall()}
    assert {"baby", "shoes", "apparel", "accessories", "home", "beauty", "electronics", "sports"} <= categories


def test_web_behaviour_personas(clean):
    con = clean[2]
    abandoners = """select count(distinct customer_id) from web_events
        where event_type = 'add_to_cart' and occurred_at > timestamp '2026-10-01' and customer_id is not null
          and customer_id not in (select owner_id from order_owners
                                  where ordered_at > timestamp '2026-10-01' and owner_id is not null)"""
    assert share_of_customers(con, abandoners) > 0.02
    browsers = """select count(*) from (select customer_id, count(*) as view_count from web_events
                  where event_type = 'product_view' and customer_id is not null group by 1) as v
                  left join (select owner_id, count(*) as n from order_owners group by 1) as o on o.owner_id = v.customer_id
                  where view_count >= 50 and coalesce(n, 0) <= 1"""
    assert share_of_customers(con, browsers) > 0.02
    leads = """select count(*) from customer_emails as c
               where customer_id in (select customer_id from web_events where event_type = 'signup')
                 and customer_id in (select customer_id from web_events where event_type = 'page_view')
                 and customer_id not in (select owner_id from order_owners where owner_id is not null)"""
    assert share_of_customers(con, leads) > 0.02
    low_stock_wishlists = """select count(distinct w.customer_id) from web_events as w join products as p using (product_id)
                             where w.event_type = 'add_to_wishlist' and p.stock_quantity <= 5"""
    assert share_of_customers(con, low_stock_wishlists) > 0.02
    assert scalar(con, "select count(*) from web_events where event_type = 'remove_from_wishlist'") > 0


def test_identity_stitching_material(clean):
    con = clean[2]
    later_identified = """select count(*) from (
        select anonymous_id,
               min(occurred_at) filter (where customer_id is null) as first_anonymous,
               min(occurred_at) filter (where event_type in ('login', 'signup') and customer_id is not null) as ident
        from web_events group by 1) where first_anonymous < ident"""
    assert scalar(con, later_identified) > 0.2 * N_CUSTOMERS
    assert scalar(con, """select count(*) from web_events where event_type in ('login', 'signup')
                          and (customer_id is null or anonymous_id is null)""") == 0
    anonymous_ids = """select anonymous_id, count(*) filter (where customer_id is not null) as known,
                              max(occurred_at) as last_at, count(*) as n
                       from web_events group by 1"""
    total = scalar(con, f"select count(*) from ({anonymous_ids})")
    never_known = scalar(con, f"select count(*) from ({anonymous_ids}) where known = 0")
    assert 0.2 < never_known / total < 0.4
    assert scalar(con, f"select count(*) from ({anonymous_ids}) where known = 0 "
                       f"and last_at > timestamp '2026-10-01'") > 0
    assert scalar(con, "select count(*) from web_events where anonymous_id is null and customer_id is null") == 0


def test_sessions(clean):
    con = clean[2]
    with_id = scalar(con, "select avg((session_id is not null)::int) from web_events")
    assert 0.05 < with_id < 0.5
    assert scalar(con, """select count(*) from (select session_id, max(occurred_at) - min(occurred_at) as span
                          from web_events where session_id is not null group by 1)
                          where span > interval 6 hour""") == 0
    first_events = """select event_type, count(*) as n from (
        select event_type, row_number() over (partition by anonymous_id order by occurred_at, event_id) as r,
               occurred_at - lag(occurred_at) over (partition by anonymous_id order by occurred_at, event_id) as gap
        from web_events where session_id is null) where r = 1 or gap > interval 30 minute group by 1"""
    counts = dict(con.sql(first_events).fetchall())
    assert counts.pop("page_view") > 0.98 * (sum(counts.values()) + 1)
    purchases = """select count(*) as total, count(o.order_id) as matched,
                          max(abs(epoch(o.ordered_at) - epoch(w.occurred_at))) as max_seconds
                   from web_events as w left join latest_orders as o using (order_id) where w.event_type = 'purchase'"""
    total, matched, max_seconds = con.sql(purchases).fetchone()
    assert total > 0.5 * scalar(con, "select count(*) from latest_orders") and matched == total
    assert max_seconds <= 60
    assert scalar(con, "select count(*) from web_events where utm_source is not null") > 0
    assert scalar(con, "select count(*) from web_events where referrer is not null") > 0


def test_email_engagement(clean):
    con = clean[2]
    kinds = dict(con.sql("select event_type, count(*) from email_events group by 1").fetchall())
    assert set(kinds) == {"subscribe", "unsubscribe", "send", "open", "click", "bounce", "complaint"}
    subscribed_at_signup = """select count(*) from email_events as e join customer_emails as c using (customer_id)
        where e.event_type = 'subscribe' and e.occurred_at < c.created_at + interval 5 minute"""
    assert 0.45 < share_of_customers(con, subscribed_at_signup) < 0.8
    resubscribed = """select count(*) from (select event_type, lag(event_type) over (
        partition by customer_id order by occurred_at) as prev from email_events
        where event_type in ('subscribe', 'unsubscribe') and customer_id is not null)
        where event_type = 'subscribe' and prev = 'unsubscribe'"""
    assert scalar(con, resubscribed) > 0
    readers = "select count(*) from (select customer_id from email_events where event_type = 'open' " \
              "group by 1 having count(*) >= 20)"
    assert share_of_customers(con, readers) > 0.02
    email_only = "select * from email_events where customer_id is null"
    assert scalar(con, f"select count(*) from ({email_only})") > 0
    assert scalar(con, f"select count(*) from ({email_only}) where email <> lower(trim(email))") > 0
    assert scalar(con, f"select count(*) from ({email_only}) as e anti join customer_emails as c "
                       f"on lower(trim(e.email)) = c.email") == 0


def test_customer_profiles(clean):
    con = clean[2]
    versions = "select count(*) from (select customer_id from customers group by 1 having count(*) = 2)"
    assert 0.03 < share_of_customers(con, versions) < 0.08
    assert scalar(con, """select count(*) from (select customer_id, min(updated_at) as a, max(updated_at) as b
                          from customers group by 1 having count(*) = 2) where b <= a""") == 0
    assert scalar(con, "select count(*) from customers where updated_at < created_at") == 0
    null_birth = scalar(con, "select avg((birth_date is null)::int) from customers")
    assert 0.05 < null_birth < 0.15
    genders = {row[0] for row in con.sql("select distinct gender from customers").fetchall()}
    assert {"F", "female", "M", "male", None} <= genders
    assert scalar(con, "select count(*) from customers where country_code <> upper(country_code)") > 0
    assert scalar(con, "select count(distinct customer_type) from customers") >= 4
    assert 0.2 < scalar(con, "select avg((loyalty_member_since is not null)::int) from customers") < 0.45
    out = clean[0]
    raw_flags = set()
    for path in data_files(out, "customers"):
        with path.open(newline="", encoding="utf-8") as handle:
            raw_flags |= {row["accepts_marketing"] for row in csv.DictReader(handle)}
    assert raw_flags == {"true", "false", "yes", "no"}


# --- consistency ------------------------------------------------------------------------------------

def test_amounts_are_internally_consistent(clean):
    con = clean[2]
    subtotal_mismatch = """select count(*) from latest_orders as o join (
        select order_id, sum(quantity * unit_price - discount_amount) as s from order_items group by 1) as i using (order_id)
        where abs(o.subtotal_amount - i.s) > 0.005"""
    assert scalar(con, subtotal_mismatch) == 0
    assert scalar(con, "select count(*) from latest_orders anti join order_items using (order_id)") == 0
    total_mismatch = """select count(*) from latest_orders where abs(total_amount
        - (subtotal_amount - discount_amount + shipping_amount + tax_amount)) > 0.005"""
    assert scalar(con, total_mismatch) == 0
    refund_mismatch = """select count(*) from returns as r join order_items as i using (order_item_id)
        where abs(r.refund_amount - (r.quantity * i.unit_price - i.discount_amount * r.quantity / i.quantity)) > 0.011
           or r.quantity > i.quantity"""
    assert scalar(con, refund_mismatch) == 0
    assert scalar(con, "select count(*) from order_items where quantity < 1 or unit_price <= 0") == 0


def test_no_time_after_end_date(clean):
    con = clean[2]
    for table in gen.TABLES:
        for name, logical in CONTRACT[table]:
            if logical == "timestamp":
                latest = scalar(con, f'select max("{name}") from {table}')
                assert latest <= END_OF_HISTORY, (table, name, latest)


# --- injected bad rows ------------------------------------------------------------------------------

def test_manifest_lists_every_bad_kind_and_nothing_when_clean(clean, with_bad_rows):
    assert clean[1]["bad_rows"] == []
    assert not any(p.stem.startswith("part-bad") for t in gen.TABLES for p in data_files(clean[0], t, True))
    bad = with_bad_rows[1]["bad_rows"]
    found: dict[str, set[str]] = {}
    for entry in bad:
        assert set(entry) == {"table", "key", "kind", "expected_reason"}
        found.setdefault(entry["table"], set()).add(entry["expected_reason"])
    assert found == EXPECTED_BAD_REASONS
    kinds = {(e["table"], e["kind"]) for e in bad}
    assert len(kinds) >= sum(len(v) for v in EXPECTED_BAD_REASONS.values()) + 1  # two kinds of unresolved guests


def test_bad_rows_are_written_with_their_keys(with_bad_rows):
    out, manifest = with_bad_rows
    con = duckdb.connect()
    for table in gen.TABLES:
        key = TABLE_KEYS[table]
        entries = [e for e in manifest["bad_rows"] if e["table"] == table]
        bad_csv = out / table / "part-bad.csv"
        rows = list(csv.DictReader(bad_csv.open(newline="", encoding="utf-8")))
        keys = [row[key] or None for row in rows]
        for entry in entries:
            if entry["kind"] == "exact_replay":
                continue
            if entry["key"] is None:
                assert None in keys
            else:
                assert entry["key"] in keys and entry["key"].startswith("BAD-"), entry
        non_replay_keys = [e["key"] for e in entries if e["key"] is not None and e["kind"] != "exact_replay"]
        assert len(non_replay_keys) == len(set(non_replay_keys))
    lost = {e["key"] for e in manifest["bad_rows"] if e["expected_reason"] == "invalid_status"}
    items = list(csv.DictReader((out / "order_items" / "part-bad.csv").open(newline="", encoding="utf-8")))
    quarantined = {row["order_id"] for row in items if row["order_item_id"].startswith("BAD-OI-OF-QUARANTINED")}
    assert quarantined == lost
    orders = {row["order_id"]: row for row in csv.DictReader((out / "orders" / "part-bad.csv").open(encoding="utf-8"))}
    assert {orders[k]["status"] for k in lost} == {"lost"}
    customers = list(csv.DictReader((out / "customers" / "part-bad.csv").open(encoding="utf-8")))
    assert any(row["birth_date"] == "1985-02-30" for row in customers)
    assert any(row["created_at"] == "not-a-date" for row in customers)
    assert any(row["created_at"].startswith("2099") for row in customers)
    del con


def test_exact_replays_duplicate_real_rows(with_bad_rows):
    out, manifest = with_bad_rows
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for table in ("customers", "orders", "web_events"):
        replayed = {e["key"] for e in manifest["bad_rows"] if e["table"] == table and e["kind"] == "exact_replay"}
        assert len(replayed) == 5
        key = TABLE_KEYS[table]
        regular = " union all ".join(typed_select(p, table) for p in data_files(out, table))
        injected = " union all ".join(typed_select(p, table) for p in data_files(out, table, True)
                                      if p.stem in ("part-bad", "part-replay"))
        keys = ", ".join(f"'{k}'" for k in replayed)
        copies = con.sql(f"select * from ({injected}) where {key} in ({keys})").fetchall()
        originals = con.sql(f"select * from ({regular}) where {key} in ({keys})").fetchall()
        assert len(copies) == 5 and set(copies) <= set(originals)


def test_injected_future_rows_are_the_only_rows_after_end_date(with_bad_rows):
    out, manifest = with_bad_rows
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for table, time_column in (("customers", "created_at"), ("orders", "ordered_at"), ("web_events", "occurred_at")):
        every_file = " union all ".join(
            f"select {TABLE_KEYS[table]} as k, try_cast({time_column} as timestamptz)::timestamp as t "
            f"from ({typed_select(p, table) if p.suffix == '.parquet' else raw_select(p)})"
            for p in data_files(out, table, include_bad=True))
        late = {row[0] for row in con.sql(f"select k from ({every_file}) where t > '{END_OF_HISTORY}'").fetchall()}
        expected = {e["key"] for e in manifest["bad_rows"] if e["table"] == table and
                    e["expected_reason"].startswith("future_")}
        assert late == expected and len(expected) == 5


def raw_select(path: Path) -> str:
    """SQL reading a CSV file as text."""
    return f"select * from read_csv('{path}', all_varchar=true, header=true)"
