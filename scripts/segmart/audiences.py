"""Audience export: one CSV and one Parquet file per activatable segment, in a dated folder, swapped in atomically.

Reads the *published* warehouse (never the working one): what is exported is what BI sees. A segment is
activatable when `marts.segment_definitions.is_activatable` is true; without that column none is.

    exports/audiences/<as_of_date>              symlink -> .versions/<as_of_date>-<run id>
    exports/audiences/.versions/<as_of_date>-<run id>/
        <family>__<segment>.csv | .parquet      customer_id, email_hash, segment, as_of_date
        manifest.json                           as-of date, run id, published version, files and rows

The files are written into a temp folder, which is renamed into `.versions/` and then made the target of the
dated symlink with os.replace: a reader of `<as_of_date>/` sees the previous complete export or the new
complete one, never a mix. A rerun for the same date replaces the folder the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from segmart.faults import pause_at

VERSIONS = ".versions"


@dataclass
class AudienceExport:
    as_of_date: str | None
    folder: str | None
    files: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def safe_name(family: str, segment: str) -> str:
    """'rfm__cant_lose_them' from ('rfm', "Can't Lose Them"): lowercase ascii, digits and underscores (pure)."""
    def clean(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_") or "unnamed"
    return f"{clean(family)}__{clean(segment)}"


def unique_names(segments: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A distinct file stem per (family, segment), suffixing _2, _3 … on collisions (pure)."""
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for key in segments:
        stem, n = safe_name(*key), 1
        candidate = stem
        while candidate in taken:
            n += 1
            candidate = f"{stem}_{n}"
        taken.add(candidate)
        names[key] = candidate
    return names


def sql_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def activatable_segments(connection: duckdb.DuckDBPyConnection) -> tuple[list[tuple[str, str]], str]:
    """(family, segment) pairs marked activatable, and a note when the registry cannot say."""
    columns = {row[0] for row in connection.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'segment_definitions'").fetchall()}
    if not columns:
        return [], "no marts.segment_definitions in the published warehouse"
    if "is_activatable" not in columns:
        return [], "marts.segment_definitions has no is_activatable column: no segment is activatable"
    rows = connection.execute(
        "select segment_family, segment from marts.segment_definitions where is_activatable"
        " order by segment_family, segment").fetchall()
    return [(family, segment) for family, segment in rows], ""


def export_audiences(published_db: Path, exports_root: Path, run_id: str) -> AudienceExport:
    """Write every activatable segment of the published warehouse; see the module docstring."""
    exports_root.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(published_db), read_only=True)
    try:
        segments, note = activatable_segments(connection)
        as_of = connection.execute("select max(as_of_date) from marts.customer_segment_memberships").fetchone()[0]
        if as_of is None:
            return AudienceExport(None, None, [], note or "no segment memberships to export")
        as_of_date = as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of)
        versions = exports_root / VERSIONS
        versions.mkdir(exist_ok=True)
        final_name = f"{as_of_date}-{run_id}"
        incoming = versions / f".incoming-{final_name}"
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir()
        files = []
        for (family, segment), stem in unique_names(segments).items():
            query = f"""
                select memberships.customer_id, customers.email_hash, memberships.segment, memberships.as_of_date
                from marts.customer_segment_memberships as memberships
                left join marts.dim_customers as customers on customers.customer_id = memberships.customer_id
                where memberships.segment_family = {sql_literal(family)}
                  and memberships.segment = {sql_literal(segment)}
                order by memberships.customer_id"""
            connection.execute(f"copy ({query}) to {sql_literal(str(incoming / (stem + '.csv')))} (header)")
            connection.execute(f"copy ({query}) to {sql_literal(str(incoming / (stem + '.parquet')))} (format parquet)")
            rows = connection.execute(f"select count(*) from ({query})").fetchone()[0]
            files.append({"family": family, "segment": segment, "stem": stem, "rows": rows})
    finally:
        connection.close()
    manifest = {"as_of_date": as_of_date, "run_id": run_id, "source": str(published_db),
                "source_version": Path(os.path.realpath(published_db)).parent.name,
                "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "columns": ["customer_id", "email_hash", "segment", "as_of_date"], "files": files, "note": note}
    (incoming / "manifest.json").write_text(json.dumps(manifest, indent=2))
    pause_at("export")
    os.rename(incoming, versions / final_name)
    link = exports_root / as_of_date
    temporary_link = exports_root / f".{as_of_date}-{run_id}.link"
    temporary_link.unlink(missing_ok=True)
    os.symlink(Path(VERSIONS) / final_name, temporary_link)
    if link.exists() and not link.is_symlink():
        # A plain folder (written by hand or by an older layout) cannot be swapped atomically: move it aside.
        os.rename(link, versions / f"{as_of_date}-replaced-{run_id}")
    os.replace(temporary_link, link)
    for old in versions.glob(f"{as_of_date}-*"):
        if old.name != final_name:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in versions.glob(".incoming-*"):  # left by killed exports (the caller holds the lock)
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in exports_root.glob(".*.link"):
        leftover.unlink(missing_ok=True)
    return AudienceExport(as_of_date, str(link.absolute()), files, note)
