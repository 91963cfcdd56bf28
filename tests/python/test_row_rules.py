"""A model's row rules (not-null columns, expressions and accepted values) are checked by one row_rules test
(tests/generic/row_rules.sql): it passes on the built warehouse, and each broken rule fails it with one row naming
the rule and counting the rows that break it. A text value with a quote ("Can't Lose Them") is accepted."""

from __future__ import annotations

import duckdb
from conftest import run_dbt

MODEL = "intermediate.int_customers_rfm_scored"
SELECTOR = ["test", "--select", "int_customers_rfm_scored,test_name:row_rules", "--store-failures"]
FAILURE = "Failure in test int_customers_rfm_scored__row_rules"


def test_each_broken_rule_fails_with_its_name_and_row_count(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    passing = run_dbt(SELECTOR, raw_dir, warehouse_copy, tmp_path / "target")
    assert passing.returncode == 0, passing.output
    with duckdb.connect(str(warehouse_copy)) as connection:
        purchasers = [row[0] for row in connection.execute(
            f"select customer_id from {MODEL} where rfm_map = 'rf_classic' and r_score is not null "
            "order by customer_id limit 3").fetchall()]
        assert len(purchasers) == 3
        for customer_id, segment in zip(purchasers, ["Can't Lose Them", "Unclassified", "Bogus"]):
            connection.execute(f"update {MODEL} set rfm_segment = ? where customer_id = ?", [segment, customer_id])
        connection.execute(f"update {MODEL} set rfm_map = null where customer_id = ?", [purchasers[0]])
    failing = run_dbt(SELECTOR, raw_dir, warehouse_copy, tmp_path / "target")
    assert failing.returncode == 1 and FAILURE in failing.output, failing.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        rows = connection.execute(
            "select rule, broken_rows from dbt_test__audit.int_customers_rfm_scored__row_rules order by rule"
        ).fetchall()
    assert [(rule.split(" (")[0], broken) for rule, broken in rows] == [
        ("rfm_map is not null", 1), ("rfm_nobody_is_unclassified_with_the_classic_map", 1), ("rfm_segment in", 1)]
    assert "'Can't Lose Them'" in rows[2][0]
