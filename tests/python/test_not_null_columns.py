"""A model's not-null columns are checked by one not_null_columns test (tests/generic/not_null_columns.sql): it
passes on the built warehouse, and a null in any listed column fails it with one row naming the column."""

from __future__ import annotations

import duckdb
from conftest import run_dbt

SELECTOR = ["test", "--select", "int_customers_behaviour_tagged,test_name:not_null_columns", "--store-failures"]
FAILURE = "Failure in test int_customers_behaviour_tagged__not_null_columns"


def test_a_null_in_a_listed_column_fails_and_names_the_column(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    passing = run_dbt(SELECTOR, raw_dir, warehouse_copy, tmp_path / "target")
    assert passing.returncode == 0, passing.output
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute(
            "update intermediate.int_customers_behaviour_tagged set is_loyal = null where customer_id = "
            "(select min(customer_id) from intermediate.int_customers_behaviour_tagged)")
    failing = run_dbt(SELECTOR, raw_dir, warehouse_copy, tmp_path / "target")
    assert failing.returncode == 1 and FAILURE in failing.output, failing.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        rows = connection.execute(
            "select column_name, null_rows from dbt_test__audit.int_customers_behaviour_tagged__not_null_columns"
        ).fetchall()
    assert rows == [("is_loyal", 1)]
