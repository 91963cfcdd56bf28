"""Compare the marts of a DuckDB build and a Spark build of the same raw data (make test-spark, docs/spark.md).

    python -m segmart.compare_engines --duckdb warehouse/spark_compare.duckdb --spark-dir warehouse/spark_compare

Reads dim_customers, customer_segments and segment_summary from both engines and checks that they hold the
same rows (same customers, same segments), the same text, dates and booleans, and numbers within a tolerance.
The Spark side is read from the Parquet files of Spark's managed tables (<spark dir>/tables/<schema>.db/<table>/)
with DuckDB, so no second Spark session is started. The predictive outputs are not compared: dbt-spark cannot
run the Python models outside Databricks, so on Spark every prediction is null and the predictive families
(churn_risk_tier, predicted_clv_tier, cluster) are 'none'.

Prints every difference (a few example rows per column) and exits 1 on any; 0 when the engines agree; 2 when a
table cannot be read.

With --salt-free DIR (repeatable) it also checks that no file under DIR (a build's target and log folders) holds
the email salt of the environment, SEGMART_EMAIL_SALT, as written, as SQL would quote it or as the UTF-8 hex the
Spark profile passes: each engine hands the salt to the database without rendering it (DECISIONLOG.md, "The email
salt stays out of dbt's files"). A file holding it fails the run like a difference.
"""

from __future__ import annotations

import argparse
import math
import numbers
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from segmart.config import email_salt

PREDICTIVE_FAMILIES = ("churn_risk_tier", "predicted_clv_tier", "cluster")
PREDICTION_COLUMNS = (
    "probability_alive", "churn_probability", "churn_risk_tier", "expected_purchases_next_30_days",
    "expected_purchases_next_90_days", "expected_purchases_next_365_days", "expected_average_order_value",
    "predicted_clv_365d", "predicted_clv_tier", "cluster_id", "cluster_name", "cluster",
)


@dataclass(frozen=True)
class TableSpec:
    """A mart to compare: its key columns and the rows/columns left out."""

    name: str
    keys: tuple[str, ...]
    skip_columns: tuple[str, ...] = PREDICTION_COLUMNS
    row_filter: str = "true"


TABLES = (
    TableSpec("dim_customers", ("customer_id",)),
    TableSpec("customer_segments", ("customer_id",)),
    TableSpec(
        "segment_summary", ("segment_family", "segment"),
        row_filter="segment_family not in (" + ", ".join(f"'{family}'" for family in PREDICTIVE_FAMILIES) + ")",
    ),
)


@dataclass
class TableReport:
    """Differences found in one table."""

    name: str
    rows_duckdb: int = 0
    rows_spark: int = 0
    columns_compared: int = 0
    problems: list[str] = field(default_factory=list)


def spark_table_path(spark_dir: Path, schema: str, table: str) -> Path:
    """The folder of a Spark managed table under the profile's warehouse dir (<spark dir>/tables)."""
    return spark_dir / "tables" / f"{schema}.db" / table


def is_number(value: object) -> bool:
    """Integers, floats and decimals (either engine may hand back any of them), not booleans."""
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def values_differ(left: object, right: object, tolerance: float) -> bool:
    """True when two cell values differ: numbers beyond the tolerance (relative to their size), others at all."""
    if left is None or right is None:
        return (left is None) != (right is None)
    if is_number(left) and is_number(right):
        left_number, right_number = float(left), float(right)
        if math.isnan(left_number) and math.isnan(right_number):
            return False
        return abs(left_number - right_number) > tolerance * max(1.0, abs(left_number), abs(right_number))
    if hasattr(left, "isoformat") and hasattr(right, "isoformat"):
        return str(left)[:19] != str(right)[:19]
    return left != right


def compare_table(connection: duckdb.DuckDBPyConnection, spec: TableSpec, spark_dir: Path, tolerance: float,
                  examples: int) -> TableReport:
    """Load both sides of one table into DuckDB and list their differences."""
    report = TableReport(spec.name)
    spark_files = spark_table_path(spark_dir, "marts", spec.name)
    if not spark_files.is_dir():
        report.problems.append(f"Spark table not found: {spark_files}")
        return report
    connection.execute(
        f"create or replace temp view spark_side as select * from read_parquet('{spark_files}/*.parquet') "
        f"where {spec.row_filter}")
    connection.execute(f"create or replace temp view duck_side as select * from duck.marts.{spec.name} "
                       f"where {spec.row_filter}")
    report.rows_duckdb = connection.execute("select count(*) from duck_side").fetchone()[0]
    report.rows_spark = connection.execute("select count(*) from spark_side").fetchone()[0]
    if report.rows_duckdb != report.rows_spark:
        report.problems.append(f"row count: duckdb {report.rows_duckdb:,}, spark {report.rows_spark:,}")

    duck_columns = [row[0] for row in connection.execute("describe duck_side").fetchall()]
    spark_columns = {row[0] for row in connection.execute("describe spark_side").fetchall()}
    missing = [column for column in duck_columns if column not in spark_columns]
    if missing:
        report.problems.append(f"columns missing on Spark: {', '.join(missing)}")
    extra = sorted(spark_columns - set(duck_columns))
    if extra:
        report.problems.append(f"columns only on Spark: {', '.join(extra)}")

    key_list = ", ".join(spec.keys)
    join = " and ".join(f"d.{key} is not distinct from s.{key}" for key in spec.keys)
    only = connection.execute(
        f"select 'duckdb' as side, {key_list} from duck_side except select 'duckdb', {key_list} from spark_side "
        f"union all select 'spark', {key_list} from spark_side except select 'spark', {key_list} from duck_side "
        f"order by 1, 2 limit {examples * 2}").fetchall()
    for row in only:
        report.problems.append(f"key only on {row[0]}: {dict(zip(spec.keys, row[1:]))}")

    compared = [column for column in duck_columns
                if column in spark_columns and column not in spec.keys and column not in spec.skip_columns]
    report.columns_compared = len(compared)
    select_list = ", ".join(f"d.{column} as d_{column}, s.{column} as s_{column}" for column in compared)
    rows = connection.execute(
        f"select {', '.join('d.' + key for key in spec.keys)}, {select_list} "
        f"from duck_side as d inner join spark_side as s on {join}").fetchall()
    differences: dict[str, list[str]] = {}
    key_count = len(spec.keys)
    for row in rows:
        key = dict(zip(spec.keys, row[:key_count]))
        for index, column in enumerate(compared):
            left, right = row[key_count + 2 * index], row[key_count + 2 * index + 1]
            if values_differ(left, right, tolerance):
                differences.setdefault(column, []).append(f"{key}: duckdb={left!r} spark={right!r}")
    for column, found in sorted(differences.items()):
        shown = "; ".join(found[:examples])
        report.problems.append(f"{column}: {len(found):,} row(s) differ, e.g. {shown}")
    return report


def compare(duckdb_path: Path, spark_dir: Path, tolerance: float = 1e-6, examples: int = 3) -> list[TableReport]:
    """Every table's report."""
    connection = duckdb.connect()
    connection.execute(f"attach '{duckdb_path}' as duck (read_only)")
    try:
        return [compare_table(connection, spec, spark_dir, tolerance, examples) for spec in TABLES]
    finally:
        connection.close()


def salt_forms(salt: str) -> list[bytes]:
    """The byte strings a leaked salt would show as (pure): as written, quoted for SQL (doubled or backslashed
    quotes), and as UTF-8 hex (the Spark profile's form)."""
    forms = {salt, salt.replace("'", "''"), salt.replace("'", "\\'")}
    return sorted({form.encode("utf-8") for form in forms} | {salt.encode("utf-8").hex().encode("ascii")})


def files_holding_salt(salt: str, roots: list[Path]) -> list[Path]:
    """Every file under roots that holds the salt in one of its forms; none for an empty salt."""
    if not salt:
        return []
    forms = salt_forms(salt)
    return sorted(path for root in roots if root.exists() for path in root.rglob("*")
                  if path.is_file() and any(form in path.read_bytes() for form in forms))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duckdb", type=Path, required=True, help="the DuckDB warehouse file")
    parser.add_argument("--spark-dir", type=Path, required=True, help="the Spark build's SEGMART_SPARK_DIR")
    parser.add_argument("--tolerance", type=float, default=1e-6,
                        help="largest numeric difference, relative to the value (absolute below 1)")
    parser.add_argument("--examples", type=int, default=3, help="example rows shown per differing column")
    parser.add_argument("--salt-free", type=Path, action="append", default=[], metavar="DIR",
                        help="a folder no file of which may hold SEGMART_EMAIL_SALT (repeatable)")
    parser.add_argument("--times", default=None,
                        help="build times to print, as 'duckdb_seconds,spark_seconds' (make test-spark)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        reports = compare(args.duckdb, args.spark_dir, args.tolerance, args.examples)
    except duckdb.Error as error:
        print(f"segmart compare-engines: {error}", file=sys.stderr)
        return 2
    print(f"\nDuckDB {args.duckdb}  vs  Spark {args.spark_dir}  (tolerance {args.tolerance:g}; predictive "
          f"families {', '.join(PREDICTIVE_FAMILIES)} and prediction columns left out)")
    failed = False
    for report in reports:
        status = "differs" if report.problems else "equal"
        print(f"  {report.name:<20} rows duckdb {report.rows_duckdb:>7,}  spark {report.rows_spark:>7,}  "
              f"columns compared {report.columns_compared:>3}  {status}")
        for problem in report.problems:
            print(f"      - {problem}")
        failed = failed or bool(report.problems)
    if args.times:
        duck_seconds, spark_seconds = (float(value) for value in args.times.split(","))
        print(f"\n  dbt build (models, seeds, data and unit tests): DuckDB {duck_seconds:7.1f} s   Spark {spark_seconds:7.1f} s")
    leaks = files_holding_salt(email_salt(), args.salt_free)
    if args.salt_free:
        print(f"\n  email salt in dbt's files under {', '.join(map(str, args.salt_free))}: "
              + ("none" if not leaks else f"FOUND in {len(leaks)} file(s): " + ", ".join(map(str, leaks[:5]))))
    print("\nengines agree" if not failed else "\nENGINES DIFFER (see above)")
    return 1 if failed or leaks else 0


if __name__ == "__main__":
    sys.exit(main())
