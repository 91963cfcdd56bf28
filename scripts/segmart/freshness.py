"""Source freshness: how old the newest raw file is.

Freshness is judged by file modification time, not by timestamps inside the data: it needs no query, works
before anything is built, and answers the scheduler's question ("did today's files land?"). Timestamps inside
the files say when things happened at the shop, which can legitimately be old (a quiet day, a late feed).
Files whose names start with `_` or `.` (the generator's manifest, temp files) do not count.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass
from pathlib import Path

RAW_SUFFIXES = (".csv", ".parquet", ".csv.gz")
DEFAULT_MAX_AGE_HOURS = 36.0


@dataclass
class Freshness:
    raw_dir: str
    newest_file: str | None
    newest_at: str | None          # ISO-8601 UTC
    age_hours: float | None
    max_age_hours: float
    is_stale: bool

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        if self.newest_file is None:
            return f"no raw files under {self.raw_dir}"
        return (f"newest raw file {self.newest_file} modified {self.newest_at} "
                f"({self.age_hours:.1f} h ago; limit {self.max_age_hours:g} h)")


def raw_files(raw_dir: Path) -> list[Path]:
    """Every raw data file under raw_dir (one folder per table, any depth)."""
    if not raw_dir.is_dir():
        return []
    return [path for path in raw_dir.rglob("*")
            if path.is_file() and path.name.endswith(RAW_SUFFIXES) and not path.name.startswith(("_", "."))]


def judge(newest_mtime: float | None, now: dt.datetime, max_age_hours: float) -> tuple[float | None, bool]:
    """(age in hours, is stale) of the newest file (pure). No file at all is stale."""
    if newest_mtime is None:
        return None, True
    age = (now.timestamp() - newest_mtime) / 3600
    return age, age > max_age_hours


def check(raw_dir: Path, max_age_hours: float = DEFAULT_MAX_AGE_HOURS, now: dt.datetime | None = None) -> Freshness:
    now = now or dt.datetime.now(dt.timezone.utc)
    files = raw_files(raw_dir)
    newest = max(files, key=lambda path: path.stat().st_mtime, default=None)
    mtime = newest.stat().st_mtime if newest else None
    age, stale = judge(mtime, now, max_age_hours)
    return Freshness(
        raw_dir=str(raw_dir),
        newest_file=str(newest.relative_to(raw_dir)) if newest else None,
        newest_at=dt.datetime.fromtimestamp(mtime, dt.timezone.utc).isoformat(timespec="seconds") if mtime else None,
        age_hours=round(age, 2) if age is not None else None,
        max_age_hours=max_age_hours,
        is_stale=stale,
    )


def max_age_from_env() -> float:
    """$SEGMART_MAX_SOURCE_AGE_HOURS, else the default."""
    return float(os.environ.get("SEGMART_MAX_SOURCE_AGE_HOURS", DEFAULT_MAX_AGE_HOURS))
