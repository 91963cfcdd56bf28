"""The raw data contract at the edges: what a newcomer's own files may and may not look like."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_dbt
from segmart import compare_engines, contract

STAGING_ONLY = ["build", "--select", "path:seeds", "path:models/staging", "path:models/marts/data_quality",
                "--exclude", "test_type:unit", "--indirect-selection", "cautious"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def minimal_shop(root: Path) -> Path:
    """Two customers (CSV, ids with leading zeros, an unknown extra column), one order, one line."""
    write_csv(
        root / "customers" / "batch-1.csv",
        ["customer_id", "email", "created_at", "loyalty_tier_from_another_system"],
        [["00042", "Ann@Example.com", "2024-01-02T10:00:00Z", "gold"], ["00043", "bo@example.com", "2024-02-02", "x"]],
    )
    write_csv(
        root / "orders" / "batch-1.csv",
        ["order_id", "customer_id", "ordered_at", "status", "currency", "total_amount"],
        [["0001", "00042", "2024-03-01T12:00:00+01:00", "delivered", "USD", "20.00"]],
    )
    write_csv(
        root / "order_items" / "batch-1.csv",
        ["order_item_id", "order_id", "quantity", "unit_price"],
        [["0001-1", "0001", "2", "10.00"]],
    )
    return root


def test_contract_generated_files_are_current():
    assert contract.main(["--check"]) == 0, "run: python -m segmart.contract"


def test_contract_lists_required_tables():
    tables = contract.load_contract()
    assert [name for name, table in tables.items() if table.required] == ["customers", "orders", "order_items"]
    assert tables["orders"].columns[0].name == "order_id" and tables["orders"].columns[0].required


def test_minimal_shop_builds_with_absent_optional_tables(tmp_path, dbt_runner):
    raw = minimal_shop(tmp_path / "raw")
    result = dbt_runner.run(STAGING_ONLY, raw)
    assert result.returncode == 0, result.output
    assert "optional raw table 'web_events' has no files" in result.output
    assert dbt_runner.query("select customer_id from staging.stg_shop__customers order by 1") == [("00042",), ("00043",)]
    assert dbt_runner.query("select count(*) from staging.stg_shop__web_events") == [(0,)]
    assert dbt_runner.query("select ordered_at::varchar, total_amount_reporting from staging.stg_shop__orders") == [
        ("2024-03-01 11:00:00", 20)
    ]
    assert dbt_runner.query("select bool_and(is_balanced) from data_quality.source_reconciliation") == [(True,)]


def test_missing_required_table_fails_naming_table_and_location(tmp_path, dbt_runner):
    raw = minimal_shop(tmp_path / "raw")
    for file in (raw / "order_items").iterdir():
        file.unlink()
    result = dbt_runner.run(STAGING_ONLY, raw)
    assert result.returncode != 0
    assert "required table 'order_items' has no files under" in result.output
    assert str(raw / "order_items") in result.output


def test_missing_required_column_fails_naming_table_column_and_location(tmp_path, dbt_runner):
    raw = minimal_shop(tmp_path / "raw")
    write_csv(raw / "orders" / "batch-1.csv", ["order_id", "customer_id", "ordered_at", "status", "currency"],
              [["0001", "00042", "2024-03-01", "delivered", "USD"]])
    result = dbt_runner.run(STAGING_ONLY, raw)
    assert result.returncode != 0
    assert "required column 'total_amount' is missing from raw table 'orders'" in result.output
    assert str(raw / "orders") in result.output


def test_foreign_parquet_meeting_the_contract_builds_unchanged(tmp_path, dbt_runner):
    """Someone else's Parquet: native types, zoned timestamps, other column order, extra columns, two batches."""
    raw = tmp_path / "raw"
    (raw / "customers").mkdir(parents=True)
    (raw / "orders" / "year=2024").mkdir(parents=True)
    (raw / "order_items").mkdir(parents=True)
    pq.write_table(
        pa.table({
            "created_at": pa.array([pa.scalar(1704189600000000, pa.timestamp("us", tz="UTC")).value] * 2,
                                   pa.timestamp("us", tz="UTC")),
            "customer_id": ["A1", "A2"],
            "household_income": [55000.5, None],
            "accepts_marketing": [True, False],
            "crm_score": [0.3, 0.9],
        }),
        raw / "customers" / "part-0.parquet",
    )
    orders = pa.table({
        "order_id": ["X1", "X2"],
        "customer_id": ["A1", "A2"],
        "ordered_at": pa.array([1709290800000000, 1709377200000000], pa.timestamp("us")),
        "status": ["Completed", "canceled"],
        "currency": ["EUR", "USD"],
        "total_amount": [10.0, 5.5],
        "warehouse_code": ["W1", "W2"],
    })
    pq.write_table(orders.slice(0, 1), raw / "orders" / "year=2024" / "a.parquet")
    pq.write_table(orders.slice(1, 1), raw / "orders" / "year=2024" / "b.parquet")
    pq.write_table(
        pa.table({"order_item_id": ["L1", "L2"], "order_id": ["X1", "X2"], "quantity": pa.array([1, 3], pa.int32()),
                  "unit_price": [10.0, 1.5]}),
        raw / "order_items" / "part-0.parquet",
    )
    result = dbt_runner.run(STAGING_ONLY, raw)
    assert result.returncode == 0, result.output
    assert dbt_runner.query("select order_id, order_status from staging.stg_shop__orders order by 1") == [
        ("X1", "delivered"), ("X2", "cancelled")]
    assert dbt_runner.query("select quantity from staging.stg_shop__order_items order by 1") == [(1,), (3,)]
    assert dbt_runner.query("select count(*) from data_quality.quarantined_rows") == [(0,)]


def test_rows_after_as_of_date_are_deferred_not_quarantined(tmp_path, dbt_runner):
    raw = minimal_shop(tmp_path / "raw")
    result = dbt_runner.run(STAGING_ONLY, raw, as_of="2024-02-01")
    assert result.returncode == 0, result.output
    counts = dict(
        (row[0], row[1:]) for row in dbt_runner.query(
            "select source_table, staged_rows, deferred_rows, quarantined_rows from data_quality.source_reconciliation")
    )
    assert counts["customers"] == (1, 1, 0)
    assert counts["orders"] == (0, 1, 0)
    assert counts["order_items"] == (0, 1, 0)


def test_quarantined_share_above_threshold_warns_without_failing(tmp_path, dbt_runner):
    raw = minimal_shop(tmp_path / "raw")
    write_csv(raw / "orders" / "batch-2.csv", ["order_id", "customer_id", "ordered_at", "status", "currency", "total_amount"],
              [["0002", "00042", "2024-03-02", "lost", "USD", "5"]])
    result = dbt_runner.run(STAGING_ONLY, raw, extra_vars={"quarantine_warn_share": 0.1})
    assert result.returncode == 0, result.output
    assert "WARN" in result.output and "quarantined_share_below_warning_threshold" in result.output
    assert dbt_runner.query(
        "select quarantined_rows, raw_rows from data_quality.source_reconciliation where source_table = 'orders'"
    ) == [(1, 2)]


def test_email_hash_is_salted_and_the_salt_stays_out_of_dbt_files(tmp_path, dbt_runner):
    """email_hash is SHA-256 of the salt and the normalised email. The salt reaches DuckDB through the profile's
    plugin, so no file dbt writes (compiled and run SQL, manifest, partial parse, logs) and none of its output
    holds it; without a salt the hashing model stops with an explanation and the table built before is kept."""
    raw = minimal_shop(tmp_path / "raw")
    salt = "needle-7Hq'salt"
    built = dbt_runner.run(["build", "--select", "+dim_customers", "--exclude", "test_type:unit",
                            "--indirect-selection", "cautious"], raw,
                           env_overrides={"SEGMART_EMAIL_SALT": salt})
    assert built.returncode == 0, built.output
    hashes = dict(dbt_runner.query("select customer_id, email_hash from marts.dim_customers"))
    assert hashes == {customer_id: hashlib.sha256((salt + email).encode()).hexdigest()
                      for customer_id, email in [("00042", "ann@example.com"), ("00043", "bo@example.com")]}
    assert (tmp_path / "target" / "partial_parse.msgpack").exists()
    # as written, as SQL would quote it, or in hex: the check make test-spark runs on both engines' builds
    assert compare_engines.files_holding_salt(salt, [tmp_path / "target"]) == []
    assert salt not in built.output

    unsalted = dbt_runner.run(["run", "--select", "dim_customers"], raw, env_overrides={"SEGMART_EMAIL_SALT": ""})
    assert unsalted.returncode != 0
    assert "SEGMART_EMAIL_SALT is not set" in unsalted.output
    assert dict(dbt_runner.query("select customer_id, email_hash from marts.dim_customers")) == hashes


def test_csv_dialect_is_configuration_and_quoted_fields_keep_delimiters_and_quotes(tmp_path, dbt_runner):
    """The CSV dialect is given (vars raw_csv_delimiter, raw_csv_quote), not sniffed: a quoted field keeps the
    delimiter and a doubled quote, a semicolon file reads with raw_csv_delimiter ';', and without that var its
    header is one unknown column, so the run stops naming the missing required column."""
    raw = minimal_shop(tmp_path / "raw")
    (raw / "customers" / "batch-1.csv").write_text(
        "customer_id,email,first_name,last_name,created_at\n"
        '00042,ann@example.com,Ann,"O""Brien, Jr",2024-01-02\n')
    result = dbt_runner.run(STAGING_ONLY, raw)
    assert result.returncode == 0, result.output
    assert dbt_runner.query("select last_name from staging.stg_shop__customers") == [('O"Brien, Jr',)]

    for table in ("customers", "orders", "order_items"):
        for file in (raw / table).iterdir():
            file.write_text(file.read_text().replace(",", ";"))
    result = dbt_runner.run(STAGING_ONLY, raw, extra_vars={"raw_csv_delimiter": ";"})
    assert result.returncode == 0, result.output
    assert dbt_runner.query("select customer_id, last_name from staging.stg_shop__customers") == [
        ("00042", 'O"Brien; Jr')]
    assert dbt_runner.query("select total_amount_reporting from staging.stg_shop__orders") == [(20,)]

    result = dbt_runner.run(STAGING_ONLY, raw)
    assert result.returncode != 0
    assert "required column 'customer_id' is missing from raw table 'customers'" in result.output


def test_loaded_files_are_known_relative_to_the_raw_folder(built_test_warehouse, warehouse_copy, tmp_path):
    """A loaded file is known by its path relative to SEGMART_RAW_DIR. From a moved copy of the raw folder, an
    incremental base model finds nothing new and rewrites nothing; when a loaded file is renamed there, it stops with
    the advice before it writes anything (read again under its new name, its rows without a key would be kept
    twice)."""
    raw_dir, _ = built_test_warehouse
    returns_only = ["build", "--select", "base_shop__returns", "--exclude", "test_type:unit"]
    rows = ("select return_id, source_file, row_status, quarantine_reasons from staging.base_shop__returns"
            " order by all")
    stamp = "select max(processed_at) from staging.base_shop__returns"

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    before = query(rows)
    assert before[0][1].startswith("returns/part-"), before[0]
    moved = tmp_path / "moved_raw"
    shutil.copytree(raw_dir, moved)
    result = run_dbt(returns_only, moved, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    assert "base_shop__returns: 0 new file(s)" in result.output
    assert query(rows) == before
    stamped = query(stamp)

    first = sorted((moved / "returns").iterdir())[0]
    first.rename(first.with_name("renamed-" + first.name))
    result = run_dbt(returns_only, moved, warehouse_copy, tmp_path / "target")
    assert result.returncode != 0
    assert (f"raw files it has loaded are no longer under {moved / 'returns'} (the first: returns/{first.name})"
            in result.output), result.output
    assert "--full-refresh" in result.output
    assert (query(rows), query(stamp)) == (before, stamped)


def test_a_loaded_file_that_changed_stops_the_run(built_test_warehouse, warehouse_copy, tmp_path):
    """Every raw file an incremental base model has loaded is recorded with its size. A loaded file that changed
    (here, rewritten with one row fewer) stops the next incremental run before it writes anything: its changed rows
    would only be read for keys that new rows touch. Put back, the run goes on; a full refresh reads the file as it is
    now and records its new size, so the next incremental run goes on too."""
    raw_dir, _ = built_test_warehouse
    returns_only = ["build", "--select", "base_shop__returns", "--exclude", "test_type:unit"]
    rows = ("select return_id, source_file, row_status, quarantine_reasons from staging.base_shop__returns"
            " order by all")
    stamp = "select max(processed_at) from staging.base_shop__returns"
    records = ("select source_file, size_bytes from operations.raw_files_loaded as recorded where raw_table = 'returns'"
               " and processed_at = (select max(processed_at) from operations.raw_files_loaded as later"
               " where later.source_file = recorded.source_file) order by source_file")

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    copied = tmp_path / "raw"
    shutil.copytree(raw_dir, copied)
    files = sorted((copied / "returns").iterdir())
    assert query(records) == [(f"returns/{path.name}", path.stat().st_size) for path in files]
    before, stamped = query(rows), query(stamp)

    changed = next(path for path in files if path.suffix == ".parquet")
    table = pq.read_table(changed)
    pq.write_table(table.slice(0, table.num_rows - 1), changed)
    result = run_dbt(returns_only, copied, warehouse_copy, tmp_path / "target")
    assert result.returncode != 0
    assert (f"base_shop__returns: 1 raw file(s) it has loaded changed since they were loaded (the first: "
            f"returns/{changed.name} under {copied}, {(raw_dir / 'returns' / changed.name).stat().st_size} bytes "
            f"when loaded, {changed.stat().st_size} bytes now)") in result.output, result.output
    assert "--full-refresh" in result.output and "incremental_lookback_days" in result.output
    assert (query(rows), query(stamp)) == (before, stamped)

    shutil.copyfile(raw_dir / "returns" / changed.name, changed)
    result = run_dbt(returns_only, copied, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    assert "base_shop__returns: 0 new file(s)" in result.output
    assert query(rows) == before

    pq.write_table(table.slice(0, table.num_rows - 1), changed)
    result = run_dbt([*returns_only, "--full-refresh"], copied, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    assert (f"returns/{changed.name}", changed.stat().st_size) in query(records)
    assert len(query(rows)) == len(before) - 1
    result = run_dbt(returns_only, copied, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    assert "base_shop__returns: 0 new file(s)" in result.output


def test_a_loaded_file_rewritten_to_the_same_size_stops_the_run(built_test_warehouse, warehouse_copy, tmp_path):
    """A loaded file rewritten to exactly its size (one refund amount's digit changed) has another modification time;
    its contents are then compared with the MD5 recorded when it was loaded, and the run stops. The same contents
    under a new modification time (a copied or touched file) let the run go on, and its new time is recorded. A
    record table from before times and checksums were kept gets their columns, and the next run fills them in."""
    raw_dir, _ = built_test_warehouse
    returns_only = ["build", "--select", "base_shop__returns", "--exclude", "test_type:unit"]
    rows = "select return_id, refund_amount, source_file from staging.base_shop__returns order by all"
    latest = ("select source_file, size_bytes, epoch(modified_at), content_md5 from operations.raw_files_loaded as"
              " recorded where raw_table = 'returns' and processed_at = (select max(processed_at) from"
              " operations.raw_files_loaded as later where later.source_file = recorded.source_file)"
              " order by source_file")

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def recorded_as_now(directory: Path) -> list[tuple]:
        return [(f"returns/{path.name}", path.stat().st_size, int(path.stat().st_mtime),
                 hashlib.md5(path.read_bytes()).hexdigest()) for path in sorted(directory.iterdir())]

    copied = tmp_path / "raw"
    shutil.copytree(raw_dir, copied)
    assert query(latest) == recorded_as_now(copied / "returns")
    before = query(rows)

    changed = copied / "returns" / "part-bad.csv"
    original = changed.read_bytes()
    assert b'"139.99"' in original
    changed.write_bytes(original.replace(b'"139.99"', b'"149.99"', 1))
    os.utime(changed, (changed.stat().st_atime, changed.stat().st_mtime + 5))
    result = run_dbt(returns_only, copied, warehouse_copy, tmp_path / "target")
    assert result.returncode != 0
    assert (f"base_shop__returns: 1 raw file(s) it has loaded changed since they were loaded (the first: "
            f"returns/part-bad.csv under {copied}, the same {len(original)} bytes") in result.output, result.output
    assert f"MD5 {hashlib.md5(original).hexdigest()} then" in result.output, result.output
    assert query(rows) == before

    changed.write_bytes(original)
    os.utime(changed, (changed.stat().st_atime, changed.stat().st_mtime + 5))
    result = run_dbt(returns_only, copied, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    assert "base_shop__returns: 0 new file(s)" in result.output
    assert query(rows) == before
    assert query(latest) == recorded_as_now(copied / "returns")

    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute("alter table operations.raw_files_loaded drop column modified_at")
        connection.execute("alter table operations.raw_files_loaded drop column content_md5")
    result = run_dbt(returns_only, copied, warehouse_copy, tmp_path / "target")
    assert result.returncode != 0
    assert "without the columns modified_at and content_md5" in result.output, result.output
    result = run_dbt(["build", "--select", "raw_files_loaded", "base_shop__returns", "--exclude", "test_type:unit"],
                     copied, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    assert query(latest) == recorded_as_now(copied / "returns")
    assert query(rows) == before
