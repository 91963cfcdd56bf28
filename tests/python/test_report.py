"""The visual report as a person sees it: rendered in headless Chromium, screenshotted, charts checked.

The warehouse is the session's built test warehouse plus one backfilled month-end (through segmart.history, so
the backfill path is exercised too), giving two snapshot dates for the movement and history charts.
A report written without plotly's JavaScript must fail the same checks: that proves they see rendering.
"""

from __future__ import annotations

import html.parser
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest
from PIL import Image

from segmart import history, report

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WINDOW = (1400, 7600)
MIN_CHARTS = 8


def chromium_executable() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is needed to render the report: `make chromium` (Debian package chromium).")


def chromium(html_path: Path, profile_dir: Path, *options: str) -> subprocess.CompletedProcess:
    """One headless Chromium run over the file; JavaScript gets a virtual-time budget to finish drawing."""
    command = [chromium_executable(), "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
               "--disable-dev-shm-usage", "--no-first-run", "--mute-audio", f"--user-data-dir={profile_dir}",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=30000",
               "--run-all-compositor-stages-before-draw", *options, html_path.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


class SectionSvgCounter(html.parser.HTMLParser):
    """Counts plotly's <svg class="main-svg"> elements inside each <section data-chart=...>."""

    def __init__(self):
        super().__init__()
        self.svgs: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self._current: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "data-chart" in attributes:
            self._current, self._depth = attributes["data-chart"], 0
            self.svgs.setdefault(self._current, 0)
            self.kinds[self._current] = attributes.get("data-rendered-by", "")
        elif tag == "section" and self._current:
            self._depth += 1
        if self._current and tag == "svg" and "main-svg" in (attributes.get("class") or "").split():
            self.svgs[self._current] += 1

    def handle_endtag(self, tag):
        if tag == "section" and self._current:
            if self._depth == 0:
                self._current = None
            else:
                self._depth -= 1


def rendered_svgs(dom: str) -> tuple[dict[str, int], dict[str, str]]:
    counter = SectionSvgCounter()
    counter.feed(dom)
    return counter.svgs, counter.kinds


@dataclass
class Colours:
    share: float      # share of strongly coloured pixels
    distinct: int     # distinct coarse colours among them
    bands: int        # 400-pixel-high bands of the page with more than 0.5% coloured pixels

    def look_like_charts(self) -> bool:
        """Text, notes and the page are grey, black or white, links one blue: charts make the page colourful
        from top to bottom (on the test warehouse: 4.7%, 166 colours, 13 bands; without plotly 0.07%, 6, 1)."""
        return self.share > 0.02 and self.distinct >= 12 and self.bands >= 8


def colour_figures(png: Path) -> Colours:
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    saturation = pixels.max(axis=2) - pixels.min(axis=2)
    coloured = saturation > 60
    coarse = (pixels[coloured] // 32).astype(np.int32)
    distinct = len({tuple(colour) for colour in coarse[:: max(1, len(coarse) // 200000)].tolist()})
    bands = sum(1 for top in range(0, coloured.shape[0], 400) if coloured[top:top + 400].mean() > 0.005)
    return Colours(float(coloured.mean()), distinct, bands)


def render(html_path: Path, workdir: Path) -> tuple[str, Path, float]:
    started = time.perf_counter()
    dump = chromium(html_path, workdir / "profile-dom", "--dump-dom")
    assert dump.returncode == 0, dump.stderr[-2000:]
    screenshot = workdir / f"{html_path.stem}.png"
    shot = chromium(html_path, workdir / "profile-shot", f"--screenshot={screenshot}")
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    return dump.stdout, screenshot, time.perf_counter() - started


@pytest.fixture(scope="module")
def two_date_warehouse(built_test_warehouse, tmp_path_factory) -> Path:
    """A copy of the built test warehouse (as of 2026-10-31) with 2026-09-30 backfilled into the history
    (models only: the data tests ran on the build, and they would double this fixture's time)."""
    raw_dir, db_path = built_test_warehouse
    root = tmp_path_factory.mktemp("report")
    copy = root / db_path.name
    shutil.copy(db_path, copy)
    env = {**os.environ, "SEGMART_RAW_DIR": str(raw_dir), "SEGMART_DB": str(copy),
           "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "SEGMART_EMAIL_SALT": os.environ.get("SEGMART_EMAIL_SALT", "pytest-salt")}
    lines: list[str] = []
    result = history.backfill(history.dt.date(2026, 9, 1), history.dt.date(2026, 9, 30), "month",
                              dbt=str(Path(sys.executable).with_name("dbt")), target_path=root / "target",
                              env=env, data_tests=False, log=lines.append)
    assert result.ok, "\n".join(lines)
    return copy


def test_backfill_adds_a_date_and_keeps_the_others(two_date_warehouse):
    with duckdb.connect(str(two_date_warehouse), read_only=True) as connection:
        dates = [row[0].isoformat() for row in connection.execute(
            "select distinct as_of_date from marts.segment_membership_history order by 1").fetchall()]
        pairs = connection.execute(
            "select distinct comparison, from_date, to_date from marts.segment_transitions order by 1").fetchall()
    assert dates == ["2026-09-30", "2026-10-31"]
    assert [(c, f.isoformat(), t.isoformat()) for c, f, t in pairs] == [
        ("last_two", "2026-09-30", "2026-10-31"), ("month_over_month", "2026-09-30", "2026-10-31")]


def test_report_renders_every_chart_in_chromium(two_date_warehouse, tmp_path):
    started = time.perf_counter()
    out = report.write_report(two_date_warehouse, tmp_path / "segment_report.html")
    written_seconds = time.perf_counter() - started
    manifest = json.loads(out.read_text().split('id="report-manifest">', 1)[1].split("</script>", 1)[0])
    assert manifest["notes"] == [], manifest
    assert len(manifest["charts"]) >= MIN_CHARTS

    dom, screenshot, render_seconds = render(out, tmp_path)
    svgs, kinds = rendered_svgs(dom)
    assert set(svgs) == set(manifest["charts"])
    not_drawn = [chart for chart, count in svgs.items() if count == 0]
    assert not_drawn == [], f"plotly drew nothing in {not_drawn}"

    colours = colour_figures(screenshot)
    assert colours.look_like_charts(), colours
    print(f"\nreport {out.stat().st_size / 1e6:.1f} MB written in {written_seconds:.1f} s, rendered in "
          f"{render_seconds:.1f} s; {colours}")


def test_the_checks_fail_when_plotly_does_not_run(two_date_warehouse, tmp_path):
    out = report.write_report(two_date_warehouse, tmp_path / "broken_report.html", include_plotlyjs=False)
    dom, screenshot, _ = render(out, tmp_path)
    svgs, _ = rendered_svgs(dom)
    assert svgs and all(count == 0 for count in svgs.values()), svgs
    colours = colour_figures(screenshot)
    assert not colours.look_like_charts(), colours


def test_report_degrades_to_notes_with_one_snapshot_date(built_test_warehouse, tmp_path):
    _, db_path = built_test_warehouse
    with duckdb.connect(str(db_path), read_only=True) as connection:
        dates = connection.execute(
            "select count(distinct as_of_date) from marts.segment_membership_history").fetchone()[0]
    if dates != 1:
        pytest.skip(f"the shared test warehouse holds {dates} snapshot dates")
    out = report.write_report(db_path, tmp_path / "one_date.html")
    text = out.read_text()
    manifest = json.loads(text.split('id="report-manifest">', 1)[1].split("</script>", 1)[0])
    assert "size_over_time" in manifest["notes"] and "movement_rfm" in manifest["notes"]
    assert "rfm_grid" in manifest["charts"] and "cohort_retention" in manifest["charts"]
    assert "two snapshot dates" in text


def test_report_notes_missing_predictions_instead_of_failing(two_date_warehouse, tmp_path):
    copy_dir = tmp_path / "nulls"
    copy_dir.mkdir()
    copy = copy_dir / two_date_warehouse.name
    shutil.copy(two_date_warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("update marts.dim_customers set predicted_clv_365d = null")
        connection.execute("delete from marts.cluster_profiles")
    out = report.write_report(copy, tmp_path / "no_predictions.html")
    manifest = json.loads(out.read_text().split('id="report-manifest">', 1)[1].split("</script>", 1)[0])
    assert {"clv_by_segment", "cluster_profiles"} <= set(manifest["notes"])
    assert "rfm_grid" in manifest["charts"]
