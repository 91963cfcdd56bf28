"""The raw data contract as the generator writes it, and the Parquet/CSV batch writer.

In memory every table holds its contract columns in natural Arrow types plus two hidden
columns: ``_batch`` (which batch file the row goes to) and ``_tz`` (how the row's timestamps
are spelled when written as CSV: 0 naive, 1 ``Z``, 2 ``+01:00``, 3 ``-05:00``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from segmart.contract import load_contract

# The contract's one written form is models/staging/shop/_shop__sources.yml (read by segmart.contract).
_CONTRACT_TABLES = load_contract()
CONTRACT: dict[str, tuple[tuple[str, str], ...]] = {
    name: tuple((column.name, column.type) for column in table.columns) for name, table in _CONTRACT_TABLES.items()
}
TABLE_KEYS: dict[str, str] = {name: table.key for name, table in _CONTRACT_TABLES.items()}
PARQUET_TYPES = {"string": pa.string(), "timestamp": pa.timestamp("us"), "date": pa.date32(),
                 "number": pa.float64(), "integer": pa.int64(), "boolean": pa.bool_()}
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"
TRUE_SPELLINGS = ["true", "yes", "1"]
CSV_TABLES_IN_MIXED = ("customers", "products")


def column_names(table_name: str) -> list[str]:
    """Contract column names of a raw table, in order."""
    return [name for name, _ in CONTRACT[table_name]]


def parquet_ready(table: pa.Table, table_name: str) -> pa.Table:
    """Contract columns only, in natural Parquet types (ids and text as plain strings)."""
    columns = {}
    for name, logical_type in CONTRACT[table_name]:
        column = table[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        if logical_type == "boolean" and pa.types.is_string(column.type):
            as_bool = pc.is_in(pc.utf8_lower(column), value_set=pa.array(TRUE_SPELLINGS))
            column = pc.if_else(pc.is_null(column), pa.scalar(None, pa.bool_()), as_bool)
        columns[name] = column.cast(PARQUET_TYPES[logical_type])
    return pa.table(columns)


def csv_ready(table: pa.Table, table_name: str) -> pa.Table:
    """Contract columns only, all as text the way a CSV export spells them."""
    tz_style = table["_tz"]
    columns = {}
    for name, logical_type in CONTRACT[table_name]:
        column = table[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        if logical_type == "timestamp" and pa.types.is_timestamp(column.type):
            column = format_timestamps(column, tz_style)
        elif logical_type == "date" and pa.types.is_date(column.type):
            column = pc.strftime(column.cast(pa.timestamp("s")), format="%Y-%m-%d")
        columns[name] = column.cast(pa.string())
    return pa.table(columns)


def format_timestamps(column: pa.ChunkedArray, tz_style: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO-8601 text: naive UTC, or with ``Z``, ``+01:00`` or ``-05:00`` per row style."""
    seconds = column.cast(pa.timestamp("s"))

    def shifted(hours: int, suffix: str) -> pa.ChunkedArray:
        """The same instants as local time at a fixed UTC offset, with the offset appended."""
        moved = pc.add(seconds, pa.scalar(hours * 3600, pa.duration("s")))
        return pc.binary_join_element_wise(pc.strftime(moved, format=TIMESTAMP_FORMAT), suffix, "")

    naive = pc.strftime(seconds, format=TIMESTAMP_FORMAT)
    utc = pc.binary_join_element_wise(naive, "Z", "")
    return pc.if_else(pc.equal(tz_style, 1), utc,
                      pc.if_else(pc.equal(tz_style, 2), shifted(1, "+01:00"),
                                 pc.if_else(pc.equal(tz_style, 3), shifted(-5, "-05:00"), naive)))


def batch_formats(table_name: str, batches: list[int], file_format: str) -> dict[int, str]:
    """File format per batch: ``mixed`` writes customers/products as CSV and one orders batch as CSV."""
    if file_format in ("csv", "parquet"):
        return {batch: file_format for batch in batches}
    formats = {batch: "csv" if table_name in CSV_TABLES_IN_MIXED else "parquet" for batch in batches}
    if table_name == "orders" and batches:
        formats[batches[len(batches) // 2]] = "csv"
    return formats


def batch_groups(table: pa.Table) -> list[tuple[int, np.ndarray]]:
    """Row indices per ``_batch`` value, batches ascending, rows in table order."""
    batch = table["_batch"].to_numpy()
    order = np.argsort(batch, kind="stable")
    values, starts = np.unique(batch[order], return_index=True)
    ends = np.append(starts[1:], order.size)
    return [(int(value), order[start:end]) for value, start, end in zip(values, starts, ends)]


def write_file(table: pa.Table, path: Path, file_format: str) -> None:
    """Write one ready table (``parquet_ready`` / ``csv_ready``) as Parquet or CSV."""
    if file_format == "parquet":
        pq.write_table(table, path, compression="zstd")
    else:
        pa_csv.write_csv(table, path)


def write_batches(table: pa.Table, table_name: str, folder: Path, file_format: str,
                  on_file=lambda: None) -> dict[str, int]:
    """Write every batch of ``table`` into ``folder``; returns rows per file name."""
    groups = batch_groups(table)
    formats = batch_formats(table_name, [batch for batch, _ in groups], file_format)
    written = {}
    for batch, rows in groups:
        part = table.take(pa.array(rows))
        fmt = formats[batch]
        ready = parquet_ready(part, table_name) if fmt == "parquet" else csv_ready(part, table_name)
        path = folder / f"part-{batch:04d}.{fmt}"
        write_file(ready, path, fmt)
        written[path.name] = part.num_rows
        on_file()
    return written


def row_formats(table: pa.Table, table_name: str, file_format: str, rows: np.ndarray) -> np.ndarray:
    """The file format ('csv' or 'parquet') the given rows of ``table`` are written in."""
    batch = table["_batch"].to_numpy()
    formats = batch_formats(table_name, [int(b) for b in np.unique(batch)], file_format)
    return np.array([formats[int(b)] for b in batch[rows]], dtype=object)


def string_table(rows: list[dict[str, str | None]], table_name: str) -> pa.Table:
    """Hand-written rows (all text) as a table with the contract columns."""
    names = column_names(table_name)
    return pa.table({name: pa.array([row.get(name) for row in rows], type=pa.string()) for name in names})
