"""Run reports: what one refresh did, as JSON for machines and Markdown for people.

    <runs dir>/<run_id>.json   the report           <runs dir>/<run_id>.md   the readable summary
    <runs dir>/latest.json     the newest report    <runs dir>/latest.md

The runs dir defaults to warehouse/runs: reports are operational state next to the lock and the published
versions (`segmart status` and the next run read them), not build artefacts that `dbt clean` may remove.
Segment sizes are compared with the previous *successful* run's report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import duckdb


def _relation_exists(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchone()[0] > 0


def warehouse_facts(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Rows in and out per layer, quarantine counts and segment sizes, from a built warehouse."""
    facts: dict[str, Any] = {"sources": [], "models": {}, "quarantine": [], "segments": []}
    if _relation_exists(connection, "data_quality", "source_reconciliation"):
        frame = connection.execute(
            """select source_table, raw_rows, staged_rows, quarantined_rows, duplicate_rows, deferred_rows,
                      value_nulled_rows, is_balanced
               from data_quality.source_reconciliation order by source_table""").df()
        facts["sources"] = json.loads(frame.to_json(orient="records"))
    for schema, name in connection.execute(
            """select table_schema, table_name from information_schema.tables
               where table_schema in ('staging', 'intermediate', 'marts', 'data_quality') and table_type = 'BASE TABLE'
               order by table_schema, table_name""").fetchall():
        rows = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        facts["models"][f"{schema}.{name}"] = rows
    if _relation_exists(connection, "data_quality", "quarantined_rows"):
        facts["quarantine"] = [
            {"source_table": table, "action": action, "reasons": reasons, "rows": rows}
            for table, action, reasons, rows in connection.execute(
                """select source_table, quarantine_action, reasons, count(*) from data_quality.quarantined_rows
                   group by all order by source_table, quarantine_action, reasons""").fetchall()]
    if _relation_exists(connection, "marts", "segment_summary"):
        facts["segments"] = [
            {"family": family, "segment": segment, "customers": customers, "customer_share": share}
            for family, segment, customers, share in connection.execute(
                """select segment_family, segment, customers, customer_share from marts.segment_summary
                   order by segment_family, segment""").fetchall()]
    return facts


def validation_summary(validation_json: Path) -> dict[str, Any]:
    """Passed/failed counts and the failures, from validate's target/reports/validation.json."""
    try:
        document = json.loads(validation_json.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    outcomes = document.get("outcomes", [])
    keys = ("suite", "expectation", "column", "unexpected_count", "severity")
    # An outcome without a severity is an error (validation before severities existed).
    failures = [{key: o.get(key) for key in keys} for o in outcomes
                if not o.get("success") and o.get("severity", "error") == "error"]
    warnings = [{key: o.get(key) for key in keys} for o in outcomes
                if not o.get("success") and o.get("severity", "error") != "error"]
    return {"validation_run_id": document.get("run_id"), "validated_at": document.get("validated_at"),
            "expectations": len(outcomes), "passed": len(outcomes) - len(failures) - len(warnings),
            "failed": len(failures), "warned": len(warnings),
            "suites": len({o.get("suite") for o in outcomes}), "failures": failures, "warnings": warnings}


def segment_changes(current: list[dict[str, Any]], previous: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Current segment sizes with previous_customers and change (None when there is no previous run) (pure)."""
    before = {(s["family"], s["segment"]): s["customers"] for s in previous or []}
    out = []
    for s in current:
        old = before.get((s["family"], s["segment"])) if previous is not None else None
        out.append({**s, "previous_customers": old,
                    "change": None if previous is None else s["customers"] - (old or 0)})
    if previous is not None:
        seen = {(s["family"], s["segment"]) for s in current}
        for (family, segment), old in sorted(before.items()):
            if (family, segment) not in seen:
                out.append({"family": family, "segment": segment, "customers": 0, "customer_share": 0.0,
                            "previous_customers": old, "change": -old})
    return out


def previous_success(runs_dir: Path, exclude_run_id: str | None = None) -> dict[str, Any] | None:
    """The newest successful refresh report in runs_dir, or None."""
    best = None
    for path in runs_dir.glob("*.json"):
        if path.name == "latest.json":
            continue
        try:
            report = json.loads(path.read_text())
        except (json.JSONDecodeError, OSError):
            continue
        if report.get("outcome") != "success" or report.get("run_id") == exclude_run_id:
            continue
        if best is None or report.get("finished_at", "") > best.get("finished_at", ""):
            best = report
    return best


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def save(report: dict[str, Any], runs_dir: Path) -> tuple[Path, Path]:
    """Write <run_id>.json/.md and latest.json/.md; return the two per-run paths."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    text_json = json.dumps(report, indent=2, default=str)
    text_md = render_markdown(report)
    json_path, md_path = runs_dir / f"{report['run_id']}.json", runs_dir / f"{report['run_id']}.md"
    _write_atomically(json_path, text_json)
    _write_atomically(md_path, text_md)
    _write_atomically(runs_dir / "latest.json", text_json)
    _write_atomically(runs_dir / "latest.md", text_md)
    return json_path, md_path


def latest(runs_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((runs_dir / "latest.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _signed(value: int | None) -> str:
    return "" if value is None else f"{value:+,}"


def render_markdown(report: dict[str, Any]) -> str:
    """The readable summary of a run report (pure)."""
    lines = [f"# segmart refresh {report['run_id']}: {report['outcome']} (exit {report['exit_code']})", "",
             f"- started {report.get('started_at')}, finished {report.get('finished_at')}",
             f"- as of date: {report.get('as_of_date') or 'run date'}; options: {report.get('options')}"]
    if report.get("message"):
        lines.append(f"- {report['message']}")
    freshness = report.get("freshness") or {}
    if freshness:
        lines.append(f"- sources: newest raw file {freshness.get('newest_file')} at {freshness.get('newest_at')} "
                     f"({freshness.get('age_hours')} h old, limit {freshness.get('max_age_hours')} h)")
    published = report.get("published") or {}
    if published:
        state = "new version" if published.get("changed") else "unchanged, no new version"
        lines.append(f"- published: {published.get('version')} ({state}) at {published.get('database')}")
    exports = report.get("exports") or {}
    if exports:
        lines.append(f"- audiences: {len(exports.get('files') or [])} segments in {exports.get('folder')}"
                     + (f" ({exports['note']})" if exports.get("note") else ""))
    lines += ["", "## Stages", "", "| stage | status | seconds | detail |", "|---|---|---:|---|"]
    for stage in report.get("stages", []):
        lines.append(f"| {stage['name']} | {stage['status']} | {stage['seconds']:.1f} | {stage.get('detail', '')} |")
    facts = report.get("facts") or {}
    if facts.get("sources"):
        lines += ["", "## Rows in and out (raw = staged + quarantined + duplicates + deferred)", "",
                  "| source | raw | staged | quarantined | duplicates | deferred | values nulled | balanced |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for s in facts["sources"]:
            lines.append(f"| {s['source_table']} | {s['raw_rows']:,} | {s['staged_rows']:,} | {s['quarantined_rows']:,}"
                         f" | {s['duplicate_rows']:,} | {s['deferred_rows']:,} | {s['value_nulled_rows']:,}"
                         f" | {'yes' if s['is_balanced'] else 'NO'} |")
    if facts.get("models"):
        marts = {name: rows for name, rows in facts["models"].items() if name.startswith("marts.")}
        lines += ["", "## Marts", "", "| table | rows |", "|---|---:|"]
        lines += [f"| {name} | {rows:,} |" for name, rows in marts.items()]
    if facts.get("quarantine"):
        lines += ["", "## Quarantine", "", "| source | action | reasons | rows |", "|---|---|---|---:|"]
        lines += [f"| {q['source_table']} | {q['action']} | {q['reasons']} | {q['rows']:,} |"
                  for q in facts["quarantine"]]
    validation = report.get("validation") or {}
    if validation:
        lines += ["", f"## Validation: {validation.get('passed')} of {validation.get('expectations')} expectations "
                      f"passed, {validation.get('failed')} failed, {validation.get('warned', 0)} warned "
                      f"({validation.get('suites')} suites)"]
        for mark, items in (("FAIL", validation.get("failures", [])), ("WARN", validation.get("warnings", []))):
            for item in items:
                lines.append(f"- {mark} {item['suite']}: {item['expectation']} on {item.get('column')}"
                             f" ({item.get('unexpected_count')} unexpected)")
    if report.get("segments"):
        previous = report.get("previous_run_id")
        lines += ["", f"## Segments (change since run {previous})" if previous else "## Segments (no previous run)", "",
                  "| family | segment | customers | change |", "|---|---|---:|---:|"]
        lines += [f"| {s['family']} | {s['segment']} | {s['customers']:,} | {_signed(s.get('change'))} |"
                  for s in report["segments"]]
    return "\n".join(lines) + "\n"
