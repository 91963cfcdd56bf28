"""Shared building blocks for the demo data generator: the time axis, samplers and array tricks.

Every time inside the generator is an ``int64`` number of seconds since the start of the
history (``Timeline.start_date`` at 00:00:00 UTC); conversion to calendar timestamps happens
only when a table is assembled (``Timeline.to_timestamps``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
HOUR = 3_600
MINUTE = 60

# Relative order intensity per calendar month (January first): busy November-December.
MONTH_FACTORS = np.array([0.85, 0.8, 0.9, 0.95, 1.0, 0.95, 0.9, 0.95, 1.0, 1.05, 1.55, 1.75])
# Monday first: a slightly busier weekend.
WEEKDAY_FACTORS = np.array([0.95, 0.95, 0.97, 1.0, 1.05, 1.12, 1.02])
BLACK_FRIDAY_WEEK_FACTOR = 1.6
# Relative activity per hour of the day (UTC): quiet nights, evening peak.
HOUR_WEIGHTS = np.array(
    [0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.0, 1.05, 1.1,
     1.2, 1.15, 1.05, 1.0, 1.0, 1.1, 1.3, 1.5, 1.6, 1.5, 1.1, 0.6]
)
HOUR_PROBABILITIES = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """An independent, reproducible random stream per generator stage.

    Tweaking one stage therefore never changes the random numbers another stage draws.
    """
    stage_key = int.from_bytes(stage.encode("utf-8"), "little") % (2**63)
    return np.random.default_rng([seed, stage_key])


def shift_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved back by whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Timeline:
    """The history window and its seasonal intensity (cumulative, per day)."""

    start_date: dt.date
    end_date: dt.date
    cumulative_intensity: np.ndarray = field(repr=False, compare=False)

    @property
    def n_days(self) -> int:
        """Days in the history, end date included."""
        return (self.end_date - self.start_date).days + 1

    @property
    def end(self) -> int:
        """The last second of the history (end date 23:59:59), relative to the start."""
        return self.n_days * DAY - 1

    @property
    def start_epoch(self) -> int:
        """Unix seconds of the start of the history."""
        return (self.start_date - dt.date(1970, 1, 1)).days * DAY

    def days_ago(self, days: float | np.ndarray) -> np.ndarray:
        """Relative seconds of ``days`` before the end of the history."""
        return (self.end - np.asarray(days) * DAY).astype(np.int64)

    def to_timestamps(self, seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        """Relative seconds as an Arrow ``timestamp[s]`` array (``mask`` marks nulls)."""
        absolute = np.asarray(seconds, dtype=np.int64) + self.start_epoch
        return pa.array(absolute, type=pa.timestamp("s"), mask=mask)

    def to_dates(self, seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        """Relative seconds as an Arrow ``date32`` array of their calendar day."""
        days = np.floor_divide(np.asarray(seconds, dtype=np.int64) + self.start_epoch, DAY)
        return pa.array(days.astype(np.int32), type=pa.date32(), mask=mask)

    def month_index(self, seconds: np.ndarray) -> np.ndarray:
        """Months since the start month (0 = the month the history starts in)."""
        absolute = (np.asarray(seconds, dtype=np.int64) + self.start_epoch).astype("datetime64[s]")
        months = absolute.astype("datetime64[M]").astype(np.int64)
        start_month = np.datetime64(self.start_date, "M").astype(np.int64)
        return (months - start_month).astype(np.int32)


def make_timeline(end_date: dt.date, years: int) -> Timeline:
    """The history ``years`` long ending on ``end_date``, with its seasonal day weights."""
    start_date = shift_years(end_date, years) + dt.timedelta(days=1)
    days = np.arange(np.datetime64(start_date), np.datetime64(end_date) + 1)
    weights = day_weights(days)
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    return Timeline(start_date, end_date, cumulative)


def day_weights(days: np.ndarray) -> np.ndarray:
    """Seasonal weight of each ``datetime64[D]`` day: month, weekday and Black Friday week."""
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    day_of_month = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weights = MONTH_FACTORS[months] * WEEKDAY_FACTORS[weekday]
    black_friday = (months == 10) & (day_of_month >= 22) & (day_of_month <= 30)
    return np.where(black_friday, weights * BLACK_FRIDAY_WEEK_FACTOR, weights)


def time_of_day(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds after midnight, following the hourly activity profile."""
    hours = rng.choice(24, size=size, p=HOUR_PROBABILITIES)
    return hours * HOUR + rng.integers(0, HOUR, size=size)


def times_at_quantiles(
    rng: np.random.Generator, timeline: Timeline, start: np.ndarray, stop: np.ndarray, quantile: np.ndarray
) -> np.ndarray:
    """Times in ``[start, stop]`` at the given quantiles of the seasonal intensity.

    The day follows the seasonal curve between the bounds; the time of day follows the
    hourly profile; results are clipped into the bounds.
    """
    start = np.asarray(start, dtype=np.int64)
    stop = np.maximum(np.asarray(stop, dtype=np.int64), start)
    grid = np.arange(timeline.cumulative_intensity.size, dtype=np.float64)
    low = np.interp(start / DAY, grid, timeline.cumulative_intensity)
    high = np.interp(stop / DAY, grid, timeline.cumulative_intensity)
    target = low + np.clip(quantile, 0.0, 1.0) * (high - low)
    day = np.floor(np.interp(target, timeline.cumulative_intensity, grid)).astype(np.int64)
    seconds = day * DAY + time_of_day(rng, start.size)
    return np.clip(seconds, start, stop)


def random_times(rng: np.random.Generator, timeline: Timeline, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Independent random times in ``[start, stop]`` following the seasonal intensity."""
    return times_at_quantiles(rng, timeline, start, stop, rng.random(np.size(start)))


def uniform_times(rng: np.random.Generator, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Uniform random integer seconds in ``[start, stop]`` (no seasonality)."""
    start = np.asarray(start, dtype=np.int64)
    stop = np.maximum(np.asarray(stop, dtype=np.int64), start)
    return start + np.floor(rng.random(start.size) * (stop - start + 1)).astype(np.int64)


def expand_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Explode per-owner counts into rows.

    Returns ``(owner, position, first)``: the owner of each row, the row's position within
    its owner (0-based) and the index of each owner's first row.
    """
    counts = np.asarray(counts, dtype=np.int64)
    first = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(counts.size), counts)
    position = np.arange(owner.size, dtype=np.int64) - first[owner]
    return owner, position, first


def draw_from(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """Indices into ``list(shares)`` drawn with the given (normalised) shares."""
    weights = np.array(list(shares.values()), dtype=np.float64)
    return rng.choice(weights.size, size=size, p=weights / weights.sum())


def integers_between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Uniform integers in ``[low, high]`` (inclusive, element-wise)."""
    low = np.asarray(low, dtype=np.int64)
    high = np.maximum(np.asarray(high, dtype=np.int64), low)
    return low + np.floor(rng.random(low.size) * (high - low + 1)).astype(np.int64)


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """String ids ``prefix`` + zero-padded ``numbers`` (``'O'``, 42, 8 -> ``'O00000042'``)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    if not prefix:
        return digits
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def dictionary_column(values: pa.Array | list, indices: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    """A dictionary-encoded column: ``values[indices]`` without copying the strings."""
    values = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    idx = np.asarray(indices, dtype=np.int64)
    if null_mask is not None:
        idx = np.where(null_mask, 0, idx)
    index_array = pa.array(idx.astype(np.int32), type=pa.int32(), mask=null_mask)
    return pa.DictionaryArray.from_arrays(index_array, values)


def cents_to_amount(cents: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Integer cents as a ``double`` amount rounded to the cent."""
    return pa.array(np.round(np.asarray(cents, dtype=np.int64) / 100.0, 2), type=pa.float64(), mask=mask)


def email_variants(rng: np.random.Generator, emails: list[str]) -> list[str]:
    """The same addresses as a person might type them: other case, stray whitespace.

    Normalising (trim + lower-case) any result gives back the input address.
    """
    styles = rng.integers(0, 5, size=len(emails))
    return [_email_variant(email, int(style)) for email, style in zip(emails, styles)]


def _email_variant(email: str, style: int) -> str:
    """One deterministic variant of ``email`` (see ``email_variants``)."""
    local, _, domain = email.partition("@")
    titled = ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()
    if style == 0:
        return titled
    if style == 1:
        return email.upper()
    if style == 2:
        return "  " + titled + " "
    if style == 3:
        return email + "  "
    return " " + email.upper()


def hex_ids(prefix: str, numbers: np.ndarray, salt: int) -> list[str]:
    """Unique, random-looking ids ``prefix`` + 12 hex digits (a bijection of ``numbers``)."""
    mask = (1 << 48) - 1
    mixed = (np.asarray(numbers, dtype=np.uint64) * np.uint64(0x9E3779B97F4B)) & np.uint64(mask)
    mixed ^= np.uint64(salt & mask)
    return [f"{prefix}{int(value):012x}" for value in mixed]
