"""Safe publication: a read-only copy of the BI-facing schemas, swapped in atomically.

Layout under the published root (default warehouse/published):

    <version>/segmart.duckdb     read-only (0444) copy; version = <UTC yyyymmddThhmmssZ>-<run id>
    <version>/manifest.json      version, run id, as-of date, and per table its rows and content hash
    current -> <version>         symlink, swapped with os.replace (atomic on POSIX)

What is copied: every relation dbt builds (models and seeds, per target/manifest.json) in the schemas marts,
reference and data_quality, each written as a *table* (so the copy holds no views: dbt-duckdb views name
their catalog after the working file, and the raw views read raw files by relative path), with the descriptions of
the table and its columns from the dbt manifest as comments (what BI tools show; the working file has none). Staging and
intermediate stay private (staging holds raw emails and names). Tables that Python appends to after the
build (data_quality.validation_results and other validation logs) are left out: they are logs of every run,
kept in the working file and the run reports, and publishing them would change published rows on every run.
Without a dbt manifest, every relation of those schemas except EXCLUDED_RELATIONS is copied.

Content hashes compare tables order-independently (sum of row hashes), with double columns cast to single
precision first: DuckDB's parallel sums of doubles differ in the last bits from run to run (about 1e-16
relative, or 1e-14 where the value should be 0), and such noise is not a change worth a new version: doubles
below 1e-9 in magnitude hash as 0, others in single precision. Single precision (about 6e-8 relative) rather than
rounding to n decimals, because averages of money amounts often end exactly on a decimal rounding boundary
(185.9274625 vs 185.92746249999996) but practically never on a binary one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from segmart.faults import pause_at

PUBLISHED_SCHEMAS = ("marts", "reference", "data_quality")
EXCLUDED_RELATIONS = frozenset({("data_quality", "validation_results"), ("data_quality", "validated_segment_shares")})
DATABASE_FILE = "segmart.duckdb"   # keep the name: see DECISIONLOG "Views name their catalog"
CURRENT = "current"
DEFAULT_KEEP = 3


@dataclass
class Publication:
    version: str
    database: str                    # absolute path of the published read-only file (through `current`)
    changed: bool                    # False: content equal to the current version, nothing new published
    seconds: float
    size_bytes: int
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    removed_versions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def version_name(now: dt.datetime, run_id: str) -> str:
    """'20261031T060000Z-<run id>': sorts by time (pure)."""
    return f"{now.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{run_id}"


def versions_to_remove(versions: list[str], current: str | None, keep: int) -> list[str]:
    """Versions beyond the newest `keep` (never the current one), oldest first (pure)."""
    ordered = sorted(versions)
    kept = set(ordered[-keep:]) if keep > 0 else set()
    return [version for version in ordered if version not in kept and version != current]


def dbt_relations(manifest_path: Path | None) -> set[tuple[str, str]] | None:
    """(schema, name) of every model, seed and snapshot in dbt's manifest.json; None when it cannot be read."""
    if manifest_path is None:
        return None
    try:
        nodes = json.loads(manifest_path.read_text())["nodes"].values()
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return None
    return {(node["schema"], node.get("alias") or node["name"]) for node in nodes
            if node.get("resource_type") in ("model", "seed", "snapshot")}


def dbt_descriptions(manifest_path: Path | None) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(schema, name) -> (description, {column: description}) of every model and seed in dbt's manifest.json, doc
    blocks resolved; {} when it cannot be read. Empty descriptions are left out."""
    if manifest_path is None:
        return {}
    try:
        nodes = json.loads(manifest_path.read_text())["nodes"].values()
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return {}
    return {(node["schema"], node.get("alias") or node["name"]): (
        (node.get("description") or "").strip(),
        {column["name"]: column["description"].strip() for column in (node.get("columns") or {}).values()
         if (column.get("description") or "").strip()})
        for node in nodes if node.get("resource_type") in ("model", "seed", "snapshot")}


def comment_statements(catalog: str, schema: str, name: str, columns: list[str],
                       descriptions: tuple[str, dict[str, str]] | None) -> list[str]:
    """COMMENT ON statements giving a copied table its dbt descriptions and those of its columns that it has (pure).
    Names are quoted, texts are SQL literals."""
    if not descriptions:
        return []
    table_description, column_descriptions = descriptions
    table = f'{catalog}."{schema}"."{name}"'
    statements = [f"comment on table {table} is {_literal(table_description)}"] if table_description else []
    for column in columns:
        if column_descriptions.get(column):
            statements.append(f'comment on column {table}."{column}" is {_literal(column_descriptions[column])}')
    return statements


def descriptions_hash(descriptions: dict[tuple[str, str], tuple[str, dict[str, str]]],
                      relations: list[tuple[str, str]]) -> str:
    """A digest of the published relations' descriptions (pure): a changed description is a change to publish, as a
    changed row is."""
    published = [[schema, name, *descriptions.get((schema, name), ("", {}))] for schema, name in sorted(relations)]
    return hashlib.sha256(json.dumps(published, sort_keys=True).encode()).hexdigest()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def relations_to_publish(connection: duckdb.DuckDBPyConnection,
                         built_by_dbt: set[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    rows = connection.execute(
        f"""select table_schema, table_name from information_schema.tables
            where table_catalog = current_database() and table_schema in ({placeholders})
            order by table_schema, table_name""",
        list(PUBLISHED_SCHEMAS),
    ).fetchall()
    if built_by_dbt is not None:
        return [(schema, name) for schema, name in rows if (schema, name) in built_by_dbt]
    return [(schema, name) for schema, name in rows if (schema, name) not in EXCLUDED_RELATIONS]


def content_hashes(connection: duckdb.DuckDBPyConnection, relations: list[tuple[str, str]],
                   catalog: str | None = None) -> dict[str, dict[str, Any]]:
    """Per relation: row count and an order-independent content hash (sum of row hashes, doubles as floats)."""
    prefix = f'"{catalog}".' if catalog else ""
    out = {}
    for schema, name in relations:
        columns = connection.execute(
            """select column_name, data_type from information_schema.columns
               where table_catalog = coalesce(?, current_database()) and table_schema = ? and table_name = ?
               order by ordinal_position""", [catalog, schema, name]).fetchall()
        row = ", ".join(
            f'case when abs("{column}") < 1e-9 then 0 else cast("{column}" as float) end' if data_type == "DOUBLE"
            else f'"{column}"'
            for column, data_type in columns)
        rows, digest = connection.execute(
            f'select count(*), coalesce(sum(hash({row})::hugeint), 0)::varchar from {prefix}"{schema}"."{name}"'
        ).fetchone()
        out[f"{schema}.{name}"] = {"rows": rows, "hash": digest}
    return out


def current_version(root: Path) -> str | None:
    link = root / CURRENT
    if not link.is_symlink():
        return None
    target = os.readlink(link)
    return Path(target).name if (root / target / DATABASE_FILE).exists() else None


def current_database(root: Path) -> Path | None:
    """The published read-only file as readers should open it (through `current`), or None."""
    return (root / CURRENT / DATABASE_FILE).absolute() if current_version(root) else None


def read_manifest(root: Path, version: str | None) -> dict[str, Any]:
    if not version:
        return {}
    try:
        return json.loads((root / version / "manifest.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy(connection: duckdb.DuckDBPyConnection, relations: list[tuple[str, str]], target: Path,
          descriptions: dict[tuple[str, str], tuple[str, dict[str, str]]]) -> None:
    """Each relation as a table in a new DuckDB file at `target`, with its dbt descriptions as comments."""
    connection.execute(f"attach '{target}' as published_copy")
    try:
        for schema in sorted({schema for schema, _ in relations}):
            connection.execute(f'create schema if not exists published_copy."{schema}"')
        for index, (schema, name) in enumerate(relations):
            connection.execute(
                f'create table published_copy."{schema}"."{name}" as select * from "{schema}"."{name}"')
            columns = [row[0] for row in connection.execute(
                """select column_name from duckdb_columns()
                   where database_name = 'published_copy' and schema_name = ? and table_name = ?
                   order by column_index""", [schema, name]).fetchall()]
            for statement in comment_statements("published_copy", schema, name, columns,
                                                descriptions.get((schema, name))):
                connection.execute(statement)
            if index == 0:
                pause_at("publish-copy")
        connection.execute("checkpoint published_copy")
    finally:
        connection.execute("detach published_copy")


def clean_leftovers(root: Path) -> list[str]:
    """Remove what killed runs left: half-written `.incoming-*` folders and `.current-*` temp links."""
    removed = []
    for path in root.glob(".incoming-*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for path in root.glob(".current-*"):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def publish(working_db: Path, root: Path, run_id: str, keep: int = DEFAULT_KEEP, force: bool = False,
            now: dt.datetime | None = None, dbt_manifest: Path | None = None) -> Publication:
    """Publish the working warehouse (the caller holds the refresh lock). See the module docstring."""
    started = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    clean_leftovers(root)
    previous = current_version(root)
    connection = duckdb.connect(str(working_db))
    try:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute("checkpoint")
        relations = relations_to_publish(connection, dbt_relations(dbt_manifest))
        if not relations:
            raise RuntimeError(f"nothing to publish: no tables in {', '.join(PUBLISHED_SCHEMAS)} of {working_db}")
        hashes = content_hashes(connection, relations)
        descriptions = dbt_descriptions(dbt_manifest)
        docs_hash = descriptions_hash(descriptions, relations)
        previous_manifest = read_manifest(root, previous)
        if (previous and not force and previous_manifest.get("tables") == hashes
                and previous_manifest.get("descriptions_hash") == docs_hash):
            database = root / CURRENT / DATABASE_FILE
            return Publication(previous, str(database.absolute()), False, round(time.perf_counter() - started, 2),
                               database.stat().st_size, hashes)
        version = version_name(now or dt.datetime.now(dt.timezone.utc), run_id)
        incoming = root / f".incoming-{version}"
        incoming.mkdir()
        target = incoming / DATABASE_FILE
        _copy(connection, relations, target, descriptions)
    finally:
        connection.close()

    manifest = {"version": version, "run_id": run_id, "published_at": dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"), "source": str(working_db), "tables": hashes, "descriptions_hash": docs_hash}
    (incoming / "manifest.json").write_text(json.dumps(manifest, indent=2))
    os.chmod(target, 0o444)
    for path in (target, incoming / "manifest.json", incoming):
        _fsync(path)
    os.rename(incoming, root / version)
    _fsync(root)

    pause_at("publish-swap")
    temporary_link = root / f".current-{run_id}"
    temporary_link.unlink(missing_ok=True)
    os.symlink(version, temporary_link)
    os.replace(temporary_link, root / CURRENT)
    _fsync(root)

    versions = [path.name for path in root.iterdir() if path.is_dir() and not path.is_symlink()
                and not path.name.startswith(".")]
    removed = versions_to_remove(versions, version, keep)
    for old in removed:
        shutil.rmtree(root / old, ignore_errors=True)
    database = root / CURRENT / DATABASE_FILE
    return Publication(version, str(database.absolute()), True, round(time.perf_counter() - started, 2),
                       (root / version / DATABASE_FILE).stat().st_size, hashes, removed)
