"""A short account of a built warehouse: rows per layer and what went to quarantine.

    python -m segmart.summary
"""

from __future__ import annotations

import sys

import duckdb

from segmart.warehouse import connect, warehouse_path


def layer_counts(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table and view dbt built, raw views excluded."""
    relations = connection.execute(
        """select table_schema, table_name from information_schema.tables
           where table_schema in ('staging', 'intermediate', 'marts', 'data_quality')
             and table_name not like 'base_%'
           order by table_schema, table_name"""
    ).fetchall()
    return [
        (schema, name, connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])
        for schema, name in relations
    ]


def main() -> int:
    try:
        connection = connect(read_only=True)
    except (FileNotFoundError, duckdb.Error) as error:
        print(f"segmart summary: {error}", file=sys.stderr)
        return 2
    with connection:
        print(f"\nsegmart warehouse: {warehouse_path()}")
        print("\nRows per model")
        for schema, name, rows in layer_counts(connection):
            print(f"  {schema + '.' + name:<45} {rows:>12,}")
        print("\nRaw rows: staged / quarantined / duplicates / deferred (reconciliation)")
        for row in connection.execute(
            """select source_table, raw_rows, staged_rows, quarantined_rows, duplicate_rows, deferred_rows,
                      value_nulled_rows, is_balanced
               from data_quality.source_reconciliation order by source_table"""
        ).fetchall():
            table, raw, staged, quarantined, duplicates, deferred, nulled, balanced = row
            print(f"  {table:<15} raw {raw:>10,}  staged {staged:>10,}  quarantined {quarantined:>6,}  "
                  f"duplicates {duplicates:>7,}  deferred {deferred:>6,}  values nulled {nulled:>5,}  "
                  f"{'balanced' if balanced else 'NOT BALANCED'}")
        print("\nQuarantine by reason (data_quality.quarantined_rows)")
        for table, action, reasons, rows in connection.execute(
            """select source_table, quarantine_action, reasons, count(*) from data_quality.quarantined_rows
               group by all order by source_table, quarantine_action, reasons"""
        ).fetchall():
            print(f"  {table:<15} {action:<13} {rows:>6,}  {reasons}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
