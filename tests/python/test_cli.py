"""The segmart command's pure parts, the lock, publication and the audience export, on a tiny fixture warehouse.

No dbt here (fast): test_refresh_faults.py runs real refreshes."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from segmart import audiences, cli, freshness, lock, publish, run_report
from segmart.warehouse import PROJECT_ROOT


# --- pure functions ------------------------------------------------------------------------------

def test_dbt_build_args_pass_vars_full_refresh_and_select():
    args = cli.dbt_build_args("dbt", Path("/t"), {"as_of_date": "2026-10-31"}, full_refresh=True,
                              select=["marts", "+dim_customers"], exclude=["test_type:unit"])
    assert args[:2] == ["dbt", "build"]
    assert args[args.index("--target-path") + 1] == "/t"
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of_date": "2026-10-31"}
    assert "--full-refresh" in args
    assert args[args.index("--select") + 1:args.index("--exclude")] == ["marts", "+dim_customers"]
    assert args[args.index("--exclude") + 1:] == ["test_type:unit"]


def test_dbt_build_args_minimal_has_no_vars_or_selection_and_leaves_out_unit_tests():
    args = cli.dbt_build_args("dbt", Path("/t"), {})
    assert not {"--vars", "--select", "--full-refresh"} & set(args)
    assert args[args.index("--exclude") + 1:] == ["test_type:unit"]


def test_dbt_build_args_with_unit_tests_excludes_nothing():
    assert "--exclude" not in cli.dbt_build_args("dbt", Path("/t"), {}, unit_tests=True)
    args = cli.dbt_build_args("dbt", Path("/t"), {}, exclude=["tag:marts"], unit_tests=True)
    assert args[args.index("--exclude") + 1:] == ["tag:marts"]


def test_full_refresh_refits_the_predictive_models_unless_told_otherwise():
    assert cli.dbt_vars(None, None, full_refresh=True) == {"predictive_refit_days": 0}
    assert cli.dbt_vars(None, {"predictive_refit_days": 3}, full_refresh=True) == {"predictive_refit_days": 3}
    assert "predictive_refit_days" not in cli.dbt_vars("2026-10-31", None)


def test_as_of_goes_in_the_environment_and_overrides_a_var_and_validation_gets_the_same_vars():
    variables = cli.dbt_vars("2026-10-31", cli.parse_vars("{as_of_date: 2020-01-01, idle_after_days: 90}"))
    # a var as_of_date would win over SEGMART_AS_OF_DATE: --as-of replaces it
    assert variables == {"idle_after_days": 90}
    assert cli.as_of_environment("2026-10-31") == ({"SEGMART_AS_OF_DATE": "2026-10-31"}, {})
    assert cli.as_of_environment(None, {"as_of_date": "2020-01-01"}) == ({}, {"as_of_date": "2020-01-01"})
    args = cli.validate_args("python", variables)
    assert args[:4] == ["python", "-m", "segmart.validate", "--quiet"]
    assert json.loads(args[-1]) == variables
    with pytest.raises(ValueError):
        cli.parse_vars("[1, 2]")


def test_dbt_gets_the_raw_folder_as_given_or_spelled_as_the_makefile_spells_it():
    """A bare `segmart refresh` after `make demo` gives dbt the default raw folder spelled as the Makefile spells it
    (dbt's logs and messages name it alike), not as the absolute path the CLI itself uses."""
    settings = cli.resolve_settings(argparse.Namespace(), {})
    assert settings.raw_dir == PROJECT_ROOT / "data" / "raw"
    assert cli.child_env(settings, {})["SEGMART_RAW_DIR"] == cli.DEFAULT_RAW_DIR == "data/raw"
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert re.search(r"^DEMO_RAW_DIR \?= (\S+)$", makefile, re.M).group(1) == cli.DEFAULT_RAW_DIR
    given = {"SEGMART_RAW_DIR": "/srv/shop"}
    assert cli.child_env(cli.resolve_settings(argparse.Namespace(), given), given)["SEGMART_RAW_DIR"] == "/srv/shop"


def test_exit_codes_are_distinct_and_named():
    codes = [value for name, value in vars(cli).items() if name.startswith("EXIT_")]
    assert len(codes) == len(set(codes)) and cli.EXIT_OK == 0
    assert set(codes) == set(cli.OUTCOMES)


def test_freshness_judge():
    now = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)
    assert freshness.judge(None, now, 36) == (None, True)
    age, stale = freshness.judge(now.timestamp() - 3600 * 10, now, 36)
    assert round(age) == 10 and not stale
    assert freshness.judge(now.timestamp() - 3600 * 40, now, 36)[1]


def test_freshness_ignores_manifests(tmp_path):
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "part-0.csv").write_text("a\n")
    (tmp_path / "_generator_manifest.json").write_text("{}")
    result = freshness.check(tmp_path, 36)
    assert result.newest_file == "orders/part-0.csv" and not result.is_stale
    assert freshness.check(tmp_path / "missing", 36).is_stale


def test_versions_to_remove_keeps_newest_and_current():
    versions = ["20261101T000000Z-a", "20261102T000000Z-b", "20261103T000000Z-c", "20261104T000000Z-d"]
    assert publish.versions_to_remove(versions, "20261104T000000Z-d", keep=2) == versions[:2]
    assert publish.versions_to_remove(versions, "20261101T000000Z-a", keep=2) == versions[1:2]
    assert publish.version_name(dt.datetime(2026, 11, 1, 6, tzinfo=dt.timezone.utc), "ab") == "20261101T060000Z-ab"


def test_safe_and_unique_file_names():
    assert audiences.safe_name("rfm", "Can't Lose Them") == "rfm__cant_lose_them"
    assert audiences.safe_name("x", "../../etc") == "x__etc"
    names = audiences.unique_names([("a", "b c"), ("a", "b-c"), ("a", "B C")])
    assert sorted(names.values()) == ["a__b_c", "a__b_c_2", "a__b_c_3"]


def test_segment_changes_against_previous_run():
    current = [{"family": "rfm", "segment": "Champions", "customers": 12, "customer_share": 0.1}]
    previous = [{"family": "rfm", "segment": "Champions", "customers": 10},
                {"family": "rfm", "segment": "Gone", "customers": 3}]
    changes = run_report.segment_changes(current, previous)
    assert changes[0]["change"] == 2 and changes[0]["previous_customers"] == 10
    assert changes[1] == {"family": "rfm", "segment": "Gone", "customers": 0, "customer_share": 0.0,
                          "previous_customers": 3, "change": -3}
    assert run_report.segment_changes(current, None)[0]["change"] is None


def test_usage_error_and_backfill_codes(tmp_path, capsys):
    with pytest.raises(SystemExit) as raised:
        cli.main(["refresh", "--as-of", "31/10/2026"])
    assert raised.value.code == cli.EXIT_USAGE
    assert cli.main(["backfill", "--from", "2026-01-01", "--warehouse-dir", str(tmp_path)]) == cli.EXIT_USAGE
    assert "backfill needs --from and --to" in capsys.readouterr().err


def test_refresh_and_backfill_refuse_to_start_without_a_salt(tmp_path, capsys, monkeypatch):
    """A missing salt is a configuration error found before the lock, not after dbt rebuilt most of the warehouse."""
    monkeypatch.setenv("SEGMART_EMAIL_SALT", "")
    assert cli.main(["refresh", "--warehouse-dir", str(tmp_path)]) == cli.EXIT_USAGE
    assert cli.main(["backfill", "--from", "2026-01-01", "--to", "2026-02-01",
                     "--warehouse-dir", str(tmp_path)]) == cli.EXIT_USAGE
    assert capsys.readouterr().err.count("SEGMART_EMAIL_SALT is not set, nothing done") == 2
    assert list(tmp_path.iterdir()) == []
    assert cli.missing_salt({}) and cli.missing_salt({"SEGMART_EMAIL_SALT": ""})
    assert not cli.missing_salt({"SEGMART_EMAIL_SALT": "s"})


# --- the lock ------------------------------------------------------------------------------------

def test_second_lock_is_refused_with_the_holder(tmp_path):
    path = tmp_path / ".segmart.lock"
    with lock.RefreshLock(path, "first"):
        with pytest.raises(lock.LockHeld) as held:
            lock.RefreshLock(path, "second").acquire()
        assert held.value.holder["pid"] == os.getpid() and held.value.holder["run_id"] == "first"
        assert f"lock held by pid {os.getpid()}" in str(held.value)
        assert lock.probe(path)["run_id"] == "first"
    assert lock.probe(path) is None
    with lock.RefreshLock(path, "third") as again:
        assert again.cleared is None  # released cleanly: no record left


def test_record_left_by_a_dead_process_is_cleared(tmp_path):
    path = tmp_path / ".segmart.lock"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket
    path.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(),
                                "started_at": "2026-11-01T00:00:00+00:00", "run_id": "killed"}))
    with lock.RefreshLock(path, "next") as taken:
        assert taken.cleared["run_id"] == "killed" and taken.cleared["alive"] is False
        assert json.loads(path.read_text())["run_id"] == "next"


# --- publication and export on a fixture warehouse ---------------------------------------------

def make_fixture_warehouse(path: Path, champions: int = 3, activatable: bool = True) -> None:
    """A tiny working warehouse with the tables publication, export and the run report read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        for schema in ("marts", "reference", "data_quality", "staging"):
            connection.execute(f"create schema if not exists {schema}")
        connection.execute("create or replace table staging.stg_secret as select 'raw@example.com' as email")
        connection.execute("""create or replace table marts.dim_customers as
            select 'c' || i as customer_id, md5('c' || i) as email_hash from range(10) as t(i)""")
        connection.execute(f"""create or replace table marts.customer_segment_memberships as
            select 'c' || i as customer_id, 'rfm' as segment_family,
                   case when i < {champions} then 'Champions' else 'Can''t Lose Them' end as segment,
                   date '2026-10-31' as as_of_date
            from range(10) as t(i)""")
        activatable_column = ", segment = 'Champions' as is_activatable" if activatable else ""
        connection.execute(f"""create or replace table marts.segment_definitions as
            select segment_family, segment {activatable_column}
            from (values ('rfm', 'Champions'), ('rfm', 'Can''t Lose Them')) as t(segment_family, segment)""")
        connection.execute("""create or replace table marts.segment_summary as
            select segment_family, segment, count(*) as customers, count(*) / 10 as customer_share
            from marts.customer_segment_memberships group by all""")
        connection.execute("create or replace view marts.champions as "
                           "select * from marts.customer_segment_memberships where segment = 'Champions'")
        connection.execute("create or replace table reference.vocabulary_map as select 'gender' as domain")
        connection.execute("""create or replace table data_quality.source_reconciliation as
            select 'orders' as source_table, 5 as raw_rows, 4 as staged_rows, 1 as quarantined_rows,
                   0 as duplicate_rows, 0 as deferred_rows, 0 as value_nulled_rows, true as is_balanced""")
        connection.execute("create table if not exists data_quality.validation_results (run_id varchar)")
        connection.execute("insert into data_quality.validation_results values (gen_random_uuid()::varchar)")


def test_publish_copies_tables_only_read_only_and_is_idempotent(tmp_path):
    working, root = tmp_path / "work" / "segmart.duckdb", tmp_path / "published"
    make_fixture_warehouse(working)
    first = publish.publish(working, root, "run1")
    assert first.changed and (root / "current").is_symlink()
    database = Path(first.database)
    assert database == (root / "current" / "segmart.duckdb").absolute()
    assert stat.S_IMODE(os.stat(os.path.realpath(database)).st_mode) == 0o444
    with duckdb.connect(str(database), read_only=True) as reader:
        tables = set(reader.execute("select table_schema || '.' || table_name || ':' || table_type"
                                    " from information_schema.tables").fetchall())
    names = {row[0] for row in tables}
    assert "marts.champions:BASE TABLE" in names          # a view is published as a table
    assert not any(name.startswith("staging.") for name in names)
    assert "data_quality.validation_results:BASE TABLE" not in names

    # A new validation run appends to the log only: nothing to publish.
    with duckdb.connect(str(working)) as connection:
        connection.execute("insert into data_quality.validation_results values ('another')")
    second = publish.publish(working, root, "run2")
    assert not second.changed and second.version == first.version

    # A changed mart publishes a new version; `keep` prunes the oldest after the swap.
    versions = [first.version]
    for n, champions in enumerate((4, 5, 6), start=3):
        make_fixture_warehouse(working, champions=champions)
        result = publish.publish(working, root, f"run{n}", keep=2,
                                 now=dt.datetime(2030, 1, n, tzinfo=dt.timezone.utc))
        assert result.changed
        versions.append(result.version)
    remaining = sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and p.name != "current")
    assert remaining == versions[-2:] and publish.current_version(root) == versions[-1]


def test_publish_writes_dbt_descriptions_as_comments_and_republishes_when_they_change(tmp_path):
    working, root, manifest = tmp_path / "work" / "segmart.duckdb", tmp_path / "published", tmp_path / "manifest.json"
    make_fixture_warehouse(working)

    def write_manifest(table_description):
        manifest.write_text(json.dumps({"nodes": {
            "model.segmart.dim_customers": {
                "resource_type": "model", "schema": "marts", "name": "dim_customers", "alias": "dim_customers",
                "description": table_description,
                "columns": {"customer_id": {"name": "customer_id", "description": "Customer key."},
                            "email_hash": {"name": "email_hash", "description": ""},
                            "not_a_column": {"name": "not_a_column", "description": "Documented, not built."}}},
            "seed.segmart.vocabulary_map": {
                "resource_type": "seed", "schema": "reference", "name": "vocabulary_map",
                "description": "Vocabularies.", "columns": {}}}}))

    def comments(database):
        with duckdb.connect(str(database), read_only=True) as reader:
            tables = dict(reader.execute("select schema_name || '.' || table_name, comment from duckdb_tables()"
                                         " where not internal").fetchall())
            columns = dict(reader.execute("select table_name || '.' || column_name, comment from duckdb_columns()"
                                          " where table_name = 'dim_customers'").fetchall())
        return tables, columns

    write_manifest("The customer 360 (it's one row per customer).")
    first = publish.publish(working, root, "run1", dbt_manifest=manifest)
    tables, columns = comments(first.database)
    assert tables["marts.dim_customers"] == "The customer 360 (it's one row per customer)."
    assert tables["reference.vocabulary_map"] == "Vocabularies."
    assert columns == {"dim_customers.customer_id": "Customer key.", "dim_customers.email_hash": None}
    # the same rows and descriptions: nothing new; a changed description alone: a new version that carries it
    assert not publish.publish(working, root, "run2", dbt_manifest=manifest).changed
    write_manifest("The customer 360.")
    third = publish.publish(working, root, "run3", dbt_manifest=manifest,
                            now=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
    assert third.changed and comments(third.database)[0]["marts.dim_customers"] == "The customer 360."


def test_publish_cleans_leftovers_of_a_killed_run(tmp_path):
    working, root = tmp_path / "work" / "segmart.duckdb", tmp_path / "published"
    make_fixture_warehouse(working)
    (root / ".incoming-20200101T000000Z-dead").mkdir(parents=True)
    (root / ".incoming-20200101T000000Z-dead" / "segmart.duckdb").write_bytes(b"half")
    publish.publish(working, root, "run1")
    assert not list(root.glob(".incoming-*"))


def test_export_writes_activatable_segments_atomically(tmp_path):
    working, root, exports = tmp_path / "work" / "segmart.duckdb", tmp_path / "published", tmp_path / "exports"
    make_fixture_warehouse(working)
    database = Path(publish.publish(working, root, "run1").database)
    first = audiences.export_audiences(database, exports, "run1")
    folder = exports / "2026-10-31"
    assert folder.is_symlink() and first.folder == str(folder.absolute())
    assert [f["stem"] for f in first.files] == ["rfm__champions"]
    with open(folder / "rfm__champions.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["customer_id"] for r in rows] == ["c0", "c1", "c2"]
    assert set(rows[0]) == {"customer_id", "email_hash", "segment", "as_of_date"}
    assert len(pd.read_parquet(folder / "rfm__champions.parquet")) == 3
    # A rerun replaces the dated folder and leaves no older copy or temp folder behind.
    audiences.export_audiences(database, exports, "run2")
    assert os.readlink(folder).endswith("2026-10-31-run2")
    assert sorted(p.name for p in (exports / ".versions").iterdir()) == ["2026-10-31-run2"]


def test_export_without_is_activatable_exports_nothing(tmp_path):
    working, root = tmp_path / "work" / "segmart.duckdb", tmp_path / "published"
    make_fixture_warehouse(working, activatable=False)
    database = Path(publish.publish(working, root, "run1").database)
    exported = audiences.export_audiences(database, tmp_path / "exports", "run1")
    assert exported.files == [] and "is_activatable" in exported.note


def test_status_and_report_rendering(tmp_path, capsys, monkeypatch):
    working, warehouse = tmp_path / "work" / "segmart.duckdb", tmp_path / "warehouse"
    make_fixture_warehouse(working)
    publication = publish.publish(working, warehouse / "published", "run1")
    with duckdb.connect(str(working), read_only=True) as connection:
        facts = run_report.warehouse_facts(connection)
    report = {"run_id": "run1", "outcome": "success", "exit_code": 0, "started_at": "a", "finished_at": "b",
              "as_of_date": "2026-10-31", "options": {}, "stages": [{"name": "publish", "status": "ok",
                                                                       "seconds": 1.0, "detail": ""}],
              "facts": facts, "published": publication.as_dict(),
              "segments": run_report.segment_changes(facts["segments"], None)}
    run_report.save(report, warehouse / "runs")
    text = run_report.render_markdown(report)
    assert "| orders | 5 | 4 | 1 |" in text and "Champions" in text
    monkeypatch.setenv("SEGMART_RAW_DIR", str(tmp_path / "raw"))
    assert cli.main(["status", "--json", "--warehouse-dir", str(warehouse)]) == cli.EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert document["last_run"]["run_id"] == "run1" and document["published"]["version"] == publication.version
    assert document["published"]["database"].endswith("published/current/segmart.duckdb")
    assert document["freshness"]["is_stale"] is True and document["lock"] is None


def test_validation_summary_separates_failures_from_warnings(tmp_path):
    path = tmp_path / "validation.json"
    path.write_text(json.dumps({"run_id": "v", "outcomes": [
        {"suite": "a", "expectation": "e", "success": True, "severity": "error"},
        {"suite": "a", "expectation": "e", "success": False, "severity": "error"},
        {"suite": "b", "expectation": "e", "success": False, "severity": "warning"},
        {"suite": "c", "expectation": "e", "success": False}]}))
    summary = run_report.validation_summary(path)
    assert (summary["passed"], summary["failed"], summary["warned"], summary["suites"]) == (1, 2, 1, 3)
    assert run_report.validation_summary(tmp_path / "missing.json") == {}
