"""segmart.compare_engines on hand-made marts: a DuckDB file and Spark-style Parquet table folders.

No Spark needed: the comparison reads Spark's tables as Parquet files, so these tests write such folders with DuckDB.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from segmart import compare_engines

DIM = """select * from (values
    ('C1', 10.0, 'a', date '2026-01-01', 0.9, 'high'),
    ('C2', 20.5, 'b', date '2026-02-01', 0.2, 'low')
) as t(customer_id, net_revenue_lifetime, top_category, first_order_date, probability_alive, churn_risk_tier)"""
SEGMENTS = """select * from (values ('C1', 'Champions', true, 'cluster_1'), ('C2', 'Hibernating', false, 'cluster_2'))
    as t(customer_id, rfm_segment, is_loyal, cluster)"""
SUMMARY = """select * from (values ('rfm', 'Champions', 1, 0.5), ('rfm', 'Hibernating', 1, 0.5),
    ('cluster', 'cluster_1', 1, 0.5)) as t(segment_family, segment, customers, customer_share)"""


def build(tmp_path: Path, spark_dim: str = DIM, spark_summary: str = SUMMARY) -> tuple[Path, Path]:
    """A DuckDB warehouse with the three marts, and the same (or changed) marts as Spark table folders."""
    database = tmp_path / "duck.duckdb"
    spark_dir = tmp_path / "spark"
    connection = duckdb.connect(str(database))
    connection.execute("create schema marts")
    for name, query, spark_query in (("dim_customers", DIM, spark_dim), ("customer_segments", SEGMENTS, SEGMENTS),
                                      ("segment_summary", SUMMARY, spark_summary)):
        connection.execute(f"create table marts.{name} as {query}")
        folder = compare_engines.spark_table_path(spark_dir, "marts", name)
        folder.mkdir(parents=True)
        connection.execute(f"copy ({spark_query}) to '{folder}/part-00000.parquet' (format parquet)")
    connection.close()
    return database, spark_dir


def test_equal_marts_agree_and_exit_zero(tmp_path, capsys):
    database, spark_dir = build(tmp_path)
    assert compare_engines.main(["--duckdb", str(database), "--spark-dir", str(spark_dir), "--times", "1.5,9"]) == 0
    output = capsys.readouterr().out
    assert "engines agree" in output
    assert "DuckDB     1.5 s" in output


def test_predictions_and_predictive_families_are_left_out(tmp_path):
    spark_dim = DIM.replace("0.9, 'high'", "null, 'none'")
    spark_summary = SUMMARY.replace("('cluster', 'cluster_1', 1, 0.5)", "('cluster', 'none', 2, 1.0)")
    database, spark_dir = build(tmp_path, spark_dim=spark_dim, spark_summary=spark_summary)
    reports = compare_engines.compare(database, spark_dir)
    assert [report.problems for report in reports] == [[], [], []]


def test_a_value_beyond_the_tolerance_is_reported_with_its_row(tmp_path, capsys):
    database, spark_dir = build(tmp_path, spark_dim=DIM.replace("20.5", "20.6").replace("'b'", "'x'"))
    assert compare_engines.main(["--duckdb", str(database), "--spark-dir", str(spark_dir)]) == 1
    output = capsys.readouterr().out
    assert "net_revenue_lifetime: 1 row(s) differ" in output and "'C2'" in output
    assert "top_category: 1 row(s) differ" in output
    assert "ENGINES DIFFER" in output


def test_a_missing_row_and_a_tiny_difference(tmp_path):
    spark_dim = DIM.replace(",\n    ('C2', 20.5, 'b', date '2026-02-01', 0.2, 'low')", "").replace("10.0", "10.0000000001")
    database, spark_dir = build(tmp_path, spark_dim=spark_dim)
    dim_report = compare_engines.compare(database, spark_dir)[0]
    assert "row count: duckdb 2, spark 1" in dim_report.problems
    assert any("key only on duckdb" in problem and "C2" in problem for problem in dim_report.problems)
    assert not any(problem.startswith("net_revenue_lifetime") for problem in dim_report.problems)


def test_a_salt_left_in_a_build_folder_fails_the_comparison(tmp_path, capsys, monkeypatch):
    """--salt-free: the salt as written, SQL-quoted or as the Spark profile's UTF-8 hex, in any file, fails."""
    database, spark_dir = build(tmp_path)
    salt = "it's ü"
    monkeypatch.setenv("SEGMART_EMAIL_SALT", salt)
    clean, leaky = tmp_path / "clean", tmp_path / "leaky"
    (clean / "run").mkdir(parents=True)
    (clean / "run" / "dim_customers.sql").write_text("getvariable('segmart_email_salt')")
    leaked = {"compiled.sql": "sha2('it''s ü' || email, 256)", "spark.sql": "'it\\'s ü'",
              "dbt.log": f"conf {salt.encode('utf-8').hex()}", "raw.msgpack": salt}
    for name, text in leaked.items():
        (leaky / name).parent.mkdir(parents=True, exist_ok=True)
        (leaky / name).write_text(text, encoding="utf-8")
    arguments = ["--duckdb", str(database), "--spark-dir", str(spark_dir)]
    assert compare_engines.main([*arguments, "--salt-free", str(clean)]) == 0
    assert "email salt in dbt's files under" in capsys.readouterr().out
    assert compare_engines.main([*arguments, "--salt-free", str(clean), "--salt-free", str(leaky)]) == 1
    assert "FOUND in 4 file(s)" in capsys.readouterr().out
    assert [path.name for path in compare_engines.files_holding_salt(salt, [leaky])] == sorted(leaked)
    assert compare_engines.files_holding_salt("", [leaky]) == []
