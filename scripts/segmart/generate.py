"""Generate the segmart demo raw data: customers, products, orders, items, returns and events.

Usage (from the repository root)::

    PYTHONPATH=scripts python -m segmart.generate --customers 2000 --seed 42 --end-date 2026-10-31 \\
        --out data/raw [--inject-bad-rows] [--format parquet|csv|mixed] [--years 3] [--quiet]

Writes ``<out>/<table>/part-XXXX.{parquet,csv}`` with exactly the columns of the raw contract
(``models/staging/shop/_shop__sources.yml``) and ``<out>/_generator_manifest.json``. Output is a
pure function of the arguments: the same arguments give byte-identical files.

Customers carry a hidden persona (loyal repeater, one-timer, big spender, coupon lover, ...)
that drives their orders, browsing and email engagement; see ``_gen_personas.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from segmart._gen_bad_rows import BadRows, build_bad_rows
from segmart._gen_catalog import build_catalog, catalog_size
from segmart._gen_common import make_timeline, stage_rng
from segmart._gen_events import build_email_events, build_web_events
from segmart._gen_orders import build_orders
from segmart._gen_people import build_population, customers_table
from segmart._gen_personas import PERSONA_NAMES
from segmart._gen_write import (
    csv_ready,
    parquet_ready,
    row_formats,
    string_table,
    write_batches,
    write_file,
)

TABLES: tuple[str, ...] = ("customers", "products", "orders", "order_items", "returns", "web_events",
                           "email_events")
FORMATS = ("mixed", "parquet", "csv")
MANIFEST_NAME = "_generator_manifest.json"
MIN_YEARS, MAX_YEARS = 2, 20


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything the output depends on (plus where to write it and how chatty to be)."""

    customers: int = 10_000
    seed: int = 42
    end_date: dt.date = dt.date(2026, 10, 31)
    years: int = 3
    out: Path = field(default=Path("data/raw"))
    inject_bad_rows: bool = False
    file_format: str = "mixed"
    quiet: bool = False

    def as_manifest_args(self) -> dict:
        """The arguments as JSON-friendly values."""
        return {"customers": self.customers, "seed": self.seed, "end_date": self.end_date.isoformat(),
                "years": self.years, "out": str(self.out), "inject_bad_rows": self.inject_bad_rows,
                "format": self.file_format}


def parse_args(argv: list[str] | None = None) -> GeneratorConfig:
    """Command-line arguments as a validated ``GeneratorConfig``."""
    parser = argparse.ArgumentParser(prog="python -m segmart.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=GeneratorConfig.customers, help="registered customers")
    parser.add_argument("--seed", type=int, default=GeneratorConfig.seed)
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=GeneratorConfig.end_date,
                        help="last day of the history (YYYY-MM-DD)")
    parser.add_argument("--years", type=int, default=GeneratorConfig.years, help="years of history")
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="raw data directory")
    parser.add_argument("--inject-bad-rows", action="store_true", help="add rows that break the contract")
    parser.add_argument("--format", dest="file_format", choices=FORMATS, default="mixed",
                        help="mixed: customers/products and one orders batch as CSV, the rest Parquet")
    parser.add_argument("--quiet", action="store_true", help="no progress bars (the summary is still printed)")
    args = parser.parse_args(argv)
    if args.customers < 100:
        parser.error("--customers must be at least 100")
    if not MIN_YEARS <= args.years <= MAX_YEARS:
        parser.error(f"--years must be between {MIN_YEARS} and {MAX_YEARS}")
    return GeneratorConfig(**vars(args))


@contextmanager
def stage(name: str, total: int, quiet: bool) -> Iterator[tqdm]:
    """A progress bar on stderr for one stage (disabled when quiet)."""
    bar = tqdm(total=total, desc=f"{name:<16}", unit="step", file=sys.stderr, disable=quiet, leave=True)
    try:
        yield bar
    finally:
        bar.close()


def build_tables(config: GeneratorConfig) -> tuple[dict[str, pa.Table], dict[str, int]]:
    """All raw tables in memory (with hidden ``_batch``/``_tz`` columns) and persona counts."""
    timeline = make_timeline(config.end_date, config.years)
    with stage("customers", 2, config.quiet) as bar:
        population = build_population(stage_rng(config.seed, "population"), timeline, config.customers)
        bar.update()
        customers = customers_table(stage_rng(config.seed, "customers"), timeline, population)
        bar.update()
    with stage("products", 1, config.quiet) as bar:
        catalog, products = build_catalog(stage_rng(config.seed, "products"), timeline,
                                          catalog_size(config.customers))
        bar.update()
    with stage("orders", 1, config.quiet) as bar:
        book, order_tables = build_orders(stage_rng(config.seed, "orders"), timeline, population, catalog)
        bar.update()
    with stage("web_events", 1, config.quiet) as bar:
        web_events = build_web_events(stage_rng(config.seed, "web_events"), config.seed, timeline, population,
                                      catalog, book)
        bar.update()
    with stage("email_events", 1, config.quiet) as bar:
        email_events = build_email_events(stage_rng(config.seed, "email_events"), timeline, population)
        bar.update()
    tables = {"customers": customers, "products": products, **order_tables, "web_events": web_events,
              "email_events": email_events}
    personas = np.bincount(population.persona, minlength=len(PERSONA_NAMES))
    return tables, {name: int(count) for name, count in zip(PERSONA_NAMES, personas)}


def clear_table_folders(out: Path) -> None:
    """Remove the generator's own table folders and manifest (nothing else under ``out``)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        folder = out / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
    (out / MANIFEST_NAME).unlink(missing_ok=True)


def write_bad_rows(table: pa.Table, table_name: str, bad: BadRows, folder: Path, file_format: str) -> dict[str, int]:
    """Broken rows to ``part-bad.csv``; replays next to them or in ``part-replay.parquet``."""
    written = {}
    replays = np.array(bad.replays, dtype=np.int64)
    formats = row_formats(table, table_name, file_format, replays) if replays.size else np.array([], dtype=object)
    csv_parts = [string_table(bad.rows, table_name)]
    csv_replays = replays[formats == "csv"]
    if csv_replays.size:
        csv_parts.append(csv_ready(table.take(pa.array(csv_replays)), table_name))
    bad_csv = pa.concat_tables(csv_parts)
    if bad_csv.num_rows:
        write_file(bad_csv, folder / "part-bad.csv", "csv")
        written["part-bad.csv"] = bad_csv.num_rows
    parquet_replays = replays[formats == "parquet"]
    if parquet_replays.size:
        write_file(parquet_ready(table.take(pa.array(parquet_replays)), table_name),
                   folder / "part-replay.parquet", "parquet")
        written["part-replay.parquet"] = int(parquet_replays.size)
    return written


def write_tables(config: GeneratorConfig, tables: dict[str, pa.Table],
                 bad: dict[str, BadRows] | None) -> dict[str, dict[str, int]]:
    """Write every table's batches (and bad rows); returns rows per file per table."""
    clear_table_folders(config.out)
    files = {}
    for name in TABLES:
        table = tables[name]
        n_batches = len(np.unique(table["_batch"].to_numpy()))
        with stage(f"write {name}", n_batches + (1 if bad else 0), config.quiet) as bar:
            files[name] = write_batches(table, name, config.out / name, config.file_format, on_file=bar.update)
            if bad:
                files[name].update(write_bad_rows(table, name, bad[name], config.out / name, config.file_format))
                bar.update()
    return files


def build_manifest(config: GeneratorConfig, files: dict[str, dict[str, int]], personas: dict[str, int],
                   bad: dict[str, BadRows] | None) -> dict:
    """The manifest: arguments, row counts, files, persona counts and the injected bad rows."""
    timeline = make_timeline(config.end_date, config.years)
    return {
        "generator": "segmart.generate",
        "args": config.as_manifest_args(),
        "history": {"start_date": timeline.start_date.isoformat(), "end_date": timeline.end_date.isoformat()},
        "row_counts": {name: sum(files[name].values()) for name in TABLES},
        "files": {name: dict(sorted(files[name].items())) for name in TABLES},
        "persona_counts": personas,
        "bad_rows": [entry for name in TABLES for entry in bad[name].manifest] if bad else [],
    }


def generate(config: GeneratorConfig) -> dict:
    """Generate, write and describe the raw data; returns the manifest."""
    tables, personas = build_tables(config)
    bad = None
    if config.inject_bad_rows:
        with stage("bad rows", 1, config.quiet) as bar:
            bad = build_bad_rows(stage_rng(config.seed, "bad_rows"), tables)
            bar.update()
    files = write_tables(config, tables, bad)
    manifest = build_manifest(config, files, personas, bad)
    (config.out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def summary(manifest: dict, seconds: float) -> str:
    """Row counts per table as a small text table."""
    lines = [f"{'table':<14}{'rows':>12}{'files':>7}"]
    for name, rows in manifest["row_counts"].items():
        lines.append(f"{name:<14}{rows:>12,}{len(manifest['files'][name]):>7}")
    lines.append(f"bad rows injected: {len(manifest['bad_rows'])}; took {seconds:.1f}s; "
                 f"manifest: {manifest['args']['out']}/{MANIFEST_NAME}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    config = parse_args(argv)
    started = time.perf_counter()
    manifest = generate(config)
    print(summary(manifest, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
