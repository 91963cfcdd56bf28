"""Split generated raw data into arrival batches, to replay incremental builds (issue 6).

    python -m segmart.batches --raw DIR --out DIR --cut 2026-09-30 --cut 2026-10-30 [--late-share 0.03]

Each raw file is split by the time its rows were written into batch folders batch-01, batch-02, ...: a row
belongs to the first batch whose cut date (inclusive, whole days) it is not after; rows after the last cut go into
the last batch. The time a row was written is its `updated_at` when the table has one (so a later version of an
order arrives in a later batch), else its event time; order items follow their order's first version. With
`late_share`, that share of the web events and orders of each batch but the last is held back to the next batch
(late-arriving rows: their event time is older than the previous batch). Products are reference data: batch 1.
Each part keeps its source file's format and is named <file stem>-b<NN>.<ext>, so file names never repeat.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

# Per table: the columns that say when a row was written, the first that is set wins.
WRITTEN_AT = {
    "customers": ("updated_at", "created_at"),
    "orders": ("updated_at", "ordered_at"),
    "returns": ("returned_at",),
    "web_events": ("occurred_at",),
    "email_events": ("occurred_at",),
}
LATE_TABLES = ("web_events", "orders")


def _ts(expression: str) -> str:
    """A lenient timestamp of a raw value (text or timestamp): the first 19 characters, offsets ignored."""
    return f"try_cast(replace(left(cast({expression} as varchar), 19), 'T', ' ') as timestamp)"


def _reader(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header = true, all_varchar = true)"


def split_batches(raw_dir: Path, out_dir: Path, cuts: list[str], late_share: float = 0.0,
                  seed: int = 1) -> list[Path]:
    """Write batch folders under out_dir (batch-01 ... batch-<len(cuts)+1 or len(cuts)>); return them in order."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    batches = len(cuts)
    folders = [out_dir / f"batch-{number:02d}" for number in range(1, batches + 1)]
    connection = duckdb.connect()
    connection.execute(f"select setseed({(seed % 1000) / 1000})")
    batch_case = "case " + " ".join(
        f"when written_at < cast('{cut}' as date) + interval 1 day then {number}"
        for number, cut in enumerate(cuts[:-1], start=1)) + f" else {batches} end"
    order_written = None
    if (raw_dir / "orders").exists():
        # An order line arrives with its order's first version.
        connection.execute(
            "create temp table order_first_written as select trim(cast(order_id as varchar)) as order_id, "
            f"min({_ts('ordered_at')}) as written_at from ("
            + " union all by name ".join(f"select order_id, ordered_at from {_reader(path)}"
                                         for path in sorted((raw_dir / "orders").rglob("*.*"))
                                         if path.suffix in (".parquet", ".csv"))
            + ") group by 1")
        order_written = "order_first_written"
    for table_dir in sorted(path for path in raw_dir.iterdir() if path.is_dir()):
        table = table_dir.name
        for path in sorted(file for file in table_dir.rglob("*") if file.suffix in (".parquet", ".csv")):
            relative = path.relative_to(raw_dir).with_suffix("")
            if table == "products" or (table not in WRITTEN_AT and table != "order_items"):
                source = f"select *, cast(null as timestamp) as written_at from {_reader(path)}"
            elif table == "order_items":
                source = (f"select rows.*, parents.written_at from {_reader(path)} as rows left join {order_written}"
                          " as parents on trim(cast(rows.order_id as varchar)) = parents.order_id")
            else:
                written = "coalesce(" + ", ".join(_ts(column) for column in WRITTEN_AT[table]) + ")"
                source = f"select *, {written} as written_at from {_reader(path)}"
            late = (f" + case when random() < {late_share} and ({batch_case}) < {batches} then 1 else 0 end"
                    if table in LATE_TABLES and late_share > 0 else "")
            connection.execute(f"create or replace temp table parts as select *, "
                               f"case when written_at is null then 1 else ({batch_case}){late} end as _batch "
                               f"from ({source})")
            for number in [row[0] for row in connection.execute("select distinct _batch from parts").fetchall()]:
                target = folders[number - 1] / f"{relative}-b{number:02d}{path.suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                fmt = "parquet" if path.suffix == ".parquet" else "csv, header true"
                connection.execute(f"copy (select * exclude (_batch, written_at) from parts where _batch = {number})"
                                   f" to '{target}' (format {fmt})")
    connection.close()
    return folders


def add_batch(batch_dir: Path, raw_dir: Path) -> None:
    """Copy one batch folder's files into the raw folder (the batch 'arrives')."""
    shutil.copytree(batch_dir, raw_dir, dirs_exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--cut", action="append", required=True, help="last day of a batch (repeat)")
    parser.add_argument("--late-share", type=float, default=0.0)
    args = parser.parse_args(argv)
    for folder in split_batches(args.raw, args.out, args.cut, args.late_share):
        print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
