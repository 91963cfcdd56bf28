"""int_anonymous_ids_paired is incremental (DECISIONLOG.md "The identity map follows the touched anonymous ids"): a
run recomputes the anonymous ids with a base web event (re)processed since its latest stamp, all of their rows,
and leaves every other anonymous id alone. A pair whose events all left staging disappears; the map then links
the anonymous id to its next customer, or to no one."""

from __future__ import annotations

import duckdb
from conftest import run_dbt

RUN = ["run", "--select", "int_anonymous_ids_paired", "int_identities_stitched"]
PAIRS = "intermediate.int_anonymous_ids_paired"
SENTINEL = "tampered"


def two_paired_anonymous_ids(connection: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    rows = connection.execute(
        f"select distinct anonymous_id from {PAIRS} where customer_id is not null order by 1 limit 2").fetchall()
    assert len(rows) == 2, "the test shop has no two anonymous ids seen with a customer"
    return rows[0][0], rows[1][0]


def test_a_run_recomputes_only_the_touched_anonymous_ids(built_test_warehouse, warehouse_copy, tmp_path):
    raw_dir, _ = built_test_warehouse
    with duckdb.connect(str(warehouse_copy)) as connection:
        touched, untouched = two_paired_anonymous_ids(connection)
        # Both anonymous ids' stored pairs are tampered with; only the touched one's must be recomputed.
        connection.execute(f"update {PAIRS} set first_event_id = ? where customer_id is not null "
                           "and anonymous_id in (?, ?)", [SENTINEL, touched, untouched])
        # The touched anonymous id's identified events leave staging (a later version quarantined them), stamped
        # after the pairs' latest run, as the base model stamps the rows it re-processes.
        connection.execute(
            f"""update staging.base_shop__web_events
                set row_status = 'quarantined',
                    processed_at = (select max(processed_at) from {PAIRS}) + interval 1 second
                where anonymous_id = ? and customer_id is not null""", [touched])
    result = run_dbt(RUN, raw_dir, warehouse_copy, tmp_path / "target")
    assert result.returncode == 0, result.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        assert connection.execute(
            f"select customer_id from {PAIRS} where anonymous_id = ?", [touched]).fetchall() == [(None,)], \
            "the pairs of events that left staging must disappear, the anonymous id's own row stay"
        assert connection.execute(
            f"select count(*), count(*) filter (where first_event_id = ?) from {PAIRS} "
            "where anonymous_id = ? and customer_id is not null", [SENTINEL, untouched]).fetchone()[1] > 0, \
            "an anonymous id with no re-processed event was recomputed: the run redid every anonymous id"
        assert connection.execute(
            "select count(*) from intermediate.int_identities_stitched "
            "where identifier_type = 'anonymous_id' and identifier_value = ?", [touched]).fetchone() == (0,), \
            "an anonymous id seen with no staged customer must link to no one"
