"""The marts that read the segment history (segment_transitions, segment_size_history) are incremental: a run
recomputes the date it wrote into the history, the dates (and month-over-month pairs) they lack, and the
'last_two' pair. What they hold must equal a full rebuild from the same history, and what no run touched must be
left alone (the work is a slice a day, not the whole history)."""

from __future__ import annotations

import shutil

import duckdb
from conftest import run_dbt

HISTORY_MARTS = ["segment_transitions", "segment_size_history"]
RUN = ["run", "--select", *HISTORY_MARTS]
# A tampered cell the incremental run must leave alone, because its date or pair was not recomputed.
SENTINEL = -1


def add_history_slice(connection: duckdb.DuckDBPyConnection, as_of_date: str, every_nth_moves: int,
                      every_nth_absent: int) -> None:
    """A past snapshot: the 2026-10-31 slice dated as_of_date, with every nth customer in another segment of the
    family (the segment of the next customer) and every mth customer absent."""
    connection.execute(f"""
        insert into marts.segment_membership_history
        select
            date '{as_of_date}', customer_id, segment_family,
            case when customer_rank % {every_nth_moves} = 0
                then coalesce(lead(segment) over (partition by segment_family order by customer_id), segment)
                else segment end,
            is_exclusive_family, net_revenue_last_365_days
        from (select *, dense_rank() over (order by customer_id) as customer_rank
              from marts.segment_membership_history where as_of_date = date '2026-10-31')
        where customer_rank % {every_nth_absent} <> 0""")


def differences(incremental_db, full_db) -> dict[str, tuple[int, int]]:
    connection = duckdb.connect()
    connection.execute(f"attach '{incremental_db}' as incremental (read_only)")
    connection.execute(f"attach '{full_db}' as full_build (read_only)")
    found = {}
    for table in HISTORY_MARTS:
        columns = connection.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'full_build' "
            "and table_name = ?", [table]).fetchall()
        # sums of doubles in another order differ in the last bits
        select_list = ", ".join(f'round("{column}", 8)' if data_type in ("DOUBLE", "FLOAT") else f'"{column}"'
                                for column, data_type in columns)
        found[table] = tuple(connection.execute(
            f"select count(*) from (select {select_list} from {left}.marts.{table} "
            f"except all select {select_list} from {right}.marts.{table})").fetchone()[0]
            for left, right in (("incremental", "full_build"), ("full_build", "incremental")))
    connection.close()
    return found


def assert_equal_to_a_full_rebuild(raw_dir, warehouse, tmp_path, label: str) -> None:
    full = tmp_path / label / warehouse.name
    full.parent.mkdir()
    shutil.copy(warehouse, full)
    rebuilt = run_dbt([*RUN, "--full-refresh"], raw_dir, full, tmp_path / "target_full")
    assert rebuilt.returncode == 0, rebuilt.output[-3000:]
    assert differences(warehouse, full) == {table: (0, 0) for table in HISTORY_MARTS}, label


def test_history_marts_follow_the_history_a_slice_at_a_time(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    target = tmp_path / "target"
    # Two past month-ends the marts have never seen (as a backfill that left them out would leave them).
    with duckdb.connect(str(warehouse_copy)) as connection:
        assert connection.execute("select count(distinct as_of_date) from marts.segment_membership_history"
                                  ).fetchone() == (1,)
        add_history_slice(connection, "2026-08-31", every_nth_moves=5, every_nth_absent=7)
        add_history_slice(connection, "2026-09-30", every_nth_moves=3, every_nth_absent=11)
    result = run_dbt(RUN, raw_dir, warehouse_copy, target)
    assert result.returncode == 0, result.output[-3000:]
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        pairs = connection.execute("select distinct comparison, from_date::varchar, to_date::varchar "
                                   "from marts.segment_transitions order by all").fetchall()
        dates = connection.execute("select distinct as_of_date::varchar from marts.segment_size_history "
                                   "order by all").fetchall()
    assert pairs == [("last_two", "2026-09-30", "2026-10-31"), ("month_over_month", "2026-08-31", "2026-09-30"),
                     ("month_over_month", "2026-09-30", "2026-10-31")]
    assert dates == [("2026-08-31",), ("2026-09-30",), ("2026-10-31",)]
    assert_equal_to_a_full_rebuild(raw_dir, warehouse_copy, tmp_path, "full_after_new_dates")

    # The run's own date changes (a refresh of 2026-10-31 rewrites its slice): its size and the pairs ending there
    # are recomputed; the older pair and the older dates' sizes are not (the sentinels survive).
    with duckdb.connect(str(warehouse_copy)) as connection:
        connection.execute("""
            update marts.segment_membership_history set segment = 'Hibernating'
            where as_of_date = date '2026-10-31' and segment_family = 'rfm'
              and customer_id in (select customer_id from marts.segment_membership_history
                                  where as_of_date = date '2026-10-31' order by customer_id limit 40)""")
        connection.execute(f"update marts.segment_transitions set customers = {SENTINEL} "
                           "where from_date = date '2026-08-31'")
        connection.execute(f"update marts.segment_size_history set customers = {SENTINEL} "
                           "where as_of_date = date '2026-08-31'")
    result = run_dbt(RUN, raw_dir, warehouse_copy, target)
    assert result.returncode == 0, result.output[-3000:]
    with duckdb.connect(str(warehouse_copy)) as connection:
        untouched = connection.execute(
            f"select (select bool_and(customers = {SENTINEL}) from marts.segment_transitions "
            "where from_date = date '2026-08-31'), "
            f"(select bool_and(customers = {SENTINEL}) from marts.segment_size_history "
            "where as_of_date = date '2026-08-31')").fetchone()
        assert untouched == (True, True), "an incremental run recomputed a date or pair it did not write"
        assert connection.execute(f"select count(*) from marts.segment_transitions where customers = {SENTINEL} "
                                  "and from_date <> date '2026-08-31'").fetchone() == (0,)
        # put the old pair's true rows back before comparing with a full rebuild
        connection.execute("delete from marts.segment_transitions where from_date = date '2026-08-31'")
        connection.execute("delete from marts.segment_size_history where as_of_date = date '2026-08-31'")
    result = run_dbt(RUN, raw_dir, warehouse_copy, target)
    assert result.returncode == 0, result.output[-3000:]
    assert_equal_to_a_full_rebuild(raw_dir, warehouse_copy, tmp_path, "full_after_a_changed_slice")
