"""The visual segment report: one self-contained HTML file (plotly, its JavaScript embedded), viewable offline.

    python -m segmart.report [--db PATH] [--out PATH]

Reads the warehouse read-only ($SEGMART_DB by default) and writes target/reports/segment_report.html
($SEGMART_REPORTS_DIR). Charts: segment sizes and revenue share per family, the RFM R x F grid, the lifecycle
grid, movement between the last two snapshot dates, segment sizes over time, cohort retention by first-purchase
month, predicted CLV by RFM segment, cluster profiles. A chart whose data is missing (one snapshot date, no
predictions, a table not built) is replaced by a note saying why; the report is always written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import duckdb
import plotly
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from segmart.config import dbt_vars
from segmart.warehouse import reports_dir, warehouse_path

REPORT_NAME = "segment_report.html"
LIFECYCLE_STAGES = ["loyal", "repeat", "one_timer", "signup"]
LIFECYCLE_STATUSES = ["active", "at_risk", "churned"]
PERCENT = ".1%"
COLOURS = plotly.colors.qualitative.Plotly + plotly.colors.qualitative.D3


@dataclass
class Section:
    """One chart of the report, or the note that replaces it."""
    key: str
    title: str
    description: str
    figure: go.Figure | None = None
    note: str | None = None


class MissingData(Exception):
    """The data a chart needs is not there; the message becomes the note shown instead."""


# --- reading the warehouse -----------------------------------------------------------------------

def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, list(parameters))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _has_table(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name]).fetchone()[0] > 0


def _require(connection: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for table in tables:
        schema, name = table.split(".")
        if not _has_table(connection, schema, name):
            raise MissingData(f"Table {table} is not in this warehouse; build the project to get this chart.")


# --- the charts ----------------------------------------------------------------------------------

def _layout(figure: go.Figure, title: str, height: int = 480, **layout: Any) -> go.Figure:
    figure.update_layout(title={"text": title, "x": 0.01}, height=height, template="plotly_white",
                         margin={"l": 70, "r": 30, "t": 80, "b": 70}, **layout)
    return figure


def segment_sizes(connection: duckdb.DuckDBPyConnection) -> go.Figure:
    """Customer share and 12-month revenue share of each segment, one family at a time (dropdown)."""
    _require(connection, "marts.segment_summary")
    rows = _rows(connection, """
        select segment_family, segment, customers, customer_share, net_revenue_last_365_days_share
        from marts.segment_summary
        order by segment_family, customers desc, segment
    """)
    if not rows:
        raise MissingData("marts.segment_summary is empty.")
    families = sorted({row["segment_family"] for row in rows}, key=lambda family: (family != "rfm", family))
    figure = go.Figure()
    for index, family in enumerate(families):
        members = [row for row in rows if row["segment_family"] == family]
        segments = [row["segment"] for row in members]
        figure.add_bar(x=segments, y=[row["customer_share"] for row in members], name="customers",
                       legendgroup="customers", marker_color=COLOURS[0], visible=index == 0,
                       customdata=[row["customers"] for row in members],
                       hovertemplate="%{x}: %{y:.1%} of customers (%{customdata:,})<extra></extra>")
        figure.add_bar(x=segments, y=[row["net_revenue_last_365_days_share"] for row in members],
                       name="net revenue, last 365 days", legendgroup="revenue", marker_color=COLOURS[1],
                       visible=index == 0,
                       hovertemplate="%{x}: %{y:.1%} of 12-month net revenue<extra></extra>")
    buttons = []
    for index, family in enumerate(families):
        visible = [False] * (2 * len(families))
        visible[2 * index] = visible[2 * index + 1] = True
        buttons.append({"label": family, "method": "update",
                        "args": [{"visible": visible},
                                 {"title.text": f"Segment size and revenue share: {family}"}]})
    figure.update_layout(barmode="group",
                         updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.18,
                                       "yanchor": "top", "direction": "down"}],
                         legend={"orientation": "h", "y": -0.25})
    figure.update_yaxes(title_text="share of all customers / of 12-month net revenue (%)", tickformat=PERCENT)
    figure.update_xaxes(title_text="segment")
    return _layout(figure, f"Segment size and revenue share: {families[0]}", height=520)


def rfm_grid(connection: duckdb.DuckDBPyConnection) -> go.Figure:
    """Customers per recency x frequency score, each cell labelled with its most common RFM segment."""
    _require(connection, "marts.customer_segments")
    rows = _rows(connection, """
        with cells as (
            select r_score, f_score, rfm_segment, count(*) as customers
            from marts.customer_segments
            where r_score is not null and f_score is not null
            group by all
        )
        select
            r_score, f_score, sum(customers) over (partition by r_score, f_score) as customers,
            rfm_segment as main_segment
        from cells
        qualify row_number() over (partition by r_score, f_score order by customers desc, rfm_segment) = 1
    """)
    if not rows:
        raise MissingData("No customer has R and F scores (no purchases yet).")
    cells = {(row["r_score"], row["f_score"]): row for row in rows}
    scores = [1, 2, 3, 4, 5]
    z = [[cells.get((r, f), {}).get("customers", 0) for f in scores] for r in scores]
    text = [[f"{cells[(r, f)]['customers']:,}<br>{cells[(r, f)]['main_segment']}" if (r, f) in cells else ""
             for f in scores] for r in scores]
    figure = go.Figure(go.Heatmap(
        x=scores, y=scores, z=z, text=text, texttemplate="%{text}", colorscale="Blues",
        colorbar={"title": {"text": "customers"}},
        hovertemplate="R %{y}, F %{x}: %{z:,} customers<extra></extra>"))
    figure.update_xaxes(title_text="F score (frequency, 5 = most purchases)", dtick=1)
    figure.update_yaxes(title_text="R score (recency, 5 = most recent)", dtick=1)
    return _layout(figure, "RFM grid: customers per recency and frequency score (label: main segment)",
                   height=560)


def lifecycle_grid(connection: duckdb.DuckDBPyConnection) -> go.Figure:
    """The 12 lifecycle cells: order stage x recency status."""
    _require(connection, "marts.customer_segments")
    rows = _rows(connection, """
        select lifecycle_order_stage, lifecycle_recency_status, count(*) as customers
        from marts.customer_segments
        group by all
    """)
    if not rows:
        raise MissingData("marts.customer_segments is empty.")
    counts = {(row["lifecycle_order_stage"], row["lifecycle_recency_status"]): row["customers"] for row in rows}
    total = sum(counts.values())
    z = [[counts.get((stage, status), 0) for status in LIFECYCLE_STATUSES] for stage in LIFECYCLE_STAGES]
    text = [[f"{value:,}<br>{value / total:.1%}" for value in line] for line in z]
    figure = go.Figure(go.Heatmap(
        x=LIFECYCLE_STATUSES, y=LIFECYCLE_STAGES, z=z, text=text, texttemplate="%{text}", colorscale="Greens",
        colorbar={"title": {"text": "customers"}},
        hovertemplate="%{y} x %{x}: %{z:,} customers<extra></extra>"))
    figure.update_xaxes(title_text="recency status (against the calibrated cut-offs)")
    figure.update_yaxes(title_text="order stage")
    return _layout(figure, "Lifecycle grid: customers per order stage and recency status", height=480)


def _last_two_transitions(connection: duckdb.DuckDBPyConnection, family: str) -> list[dict[str, Any]]:
    _require(connection, "marts.segment_transitions")
    rows = _rows(connection, """
        select from_date, to_date, from_segment, to_segment, customers
        from marts.segment_transitions
        where comparison = 'last_two' and segment_family = ?
        order by customers desc, from_segment, to_segment
    """, [family])
    if not rows:
        dates = connection.execute(
            "select count(distinct as_of_date) from marts.segment_membership_history").fetchone()[0] \
            if _has_table(connection, "marts", "segment_membership_history") else 0
        raise MissingData(f"Movement needs two snapshot dates in the segment history; it holds {dates}. "
                          "Backfill past month-ends (segmart backfill) or wait for the next refresh.")
    return rows


def movement_sankey(connection: duckdb.DuckDBPyConnection, family: str) -> go.Figure:
    """Sankey of customers from each segment at the earlier date to each segment at the later date."""
    rows = _last_two_transitions(connection, family)
    from_date, to_date = rows[0]["from_date"], rows[0]["to_date"]
    sources = sorted({row["from_segment"] for row in rows})
    targets = sorted({row["to_segment"] for row in rows})
    labels = [f"{segment} ({from_date})" for segment in sources] + [f"{segment} ({to_date})" for segment in targets]
    every_segment = sorted(set(sources) | set(targets))
    colour_of = {segment: COLOURS[index % len(COLOURS)] for index, segment in enumerate(every_segment)}
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "pad": 12, "thickness": 16,
              "color": [colour_of[segment] for segment in sources + targets]},
        link={"source": [sources.index(row["from_segment"]) for row in rows],
              "target": [len(sources) + targets.index(row["to_segment"]) for row in rows],
              "value": [row["customers"] for row in rows],
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,} customers<extra></extra>"}))
    return _layout(figure, f"Movement between {from_date} and {to_date}: {family} (customers; "
                           "(new) = not yet a customer, (gone) = deleted)", height=620)


def movement_matrix(connection: duckdb.DuckDBPyConnection, family: str) -> go.Figure:
    """Heatmap of customers from each segment (rows) to each segment (columns) between the last two dates."""
    rows = _last_two_transitions(connection, family)
    from_date, to_date = rows[0]["from_date"], rows[0]["to_date"]
    sources = sorted({row["from_segment"] for row in rows})
    targets = sorted({row["to_segment"] for row in rows})
    counts = {(row["from_segment"], row["to_segment"]): row["customers"] for row in rows}
    z = [[counts.get((source, target), 0) for target in targets] for source in sources]
    figure = go.Figure(go.Heatmap(
        x=targets, y=sources, z=z, text=[[f"{value:,}" if value else "" for value in line] for line in z],
        texttemplate="%{text}", colorscale="Purples", colorbar={"title": {"text": "customers"}},
        hovertemplate="%{y} → %{x}: %{z:,} customers<extra></extra>"))
    figure.update_xaxes(title_text=f"segment on {to_date}")
    figure.update_yaxes(title_text=f"segment on {from_date}", autorange="reversed")
    return _layout(figure, f"Movement matrix between {from_date} and {to_date}: {family} (customers)", height=560)


def size_over_time(connection: duckdb.DuckDBPyConnection) -> go.Figure:
    """Customer share of each segment at every snapshot date, one exclusive family at a time (dropdown)."""
    _require(connection, "marts.segment_size_history")
    rows = _rows(connection, """
        select as_of_date, segment_family, segment, customers, customer_share
        from marts.segment_size_history
        where is_exclusive_family
        order by segment_family, segment, as_of_date
    """)
    dates = sorted({row["as_of_date"] for row in rows})
    if len(dates) < 2:
        raise MissingData(f"Sizes over time need two snapshot dates in the segment history; it holds {len(dates)}. "
                          "Backfill past month-ends (segmart backfill) or wait for the next refresh.")
    families = sorted({row["segment_family"] for row in rows}, key=lambda family: (family != "rfm", family))
    figure = go.Figure()
    trace_family: list[str] = []
    for family in families:
        segments = sorted({row["segment"] for row in rows if row["segment_family"] == family})
        for index, segment in enumerate(segments):
            points = [row for row in rows if row["segment_family"] == family and row["segment"] == segment]
            figure.add_scatter(x=[row["as_of_date"] for row in points], y=[row["customer_share"] for row in points],
                               mode="lines+markers", name=segment, visible=family == families[0],
                               line={"color": COLOURS[index % len(COLOURS)]},
                               customdata=[row["customers"] for row in points],
                               hovertemplate=f"{segment}: " + "%{y:.1%} (%{customdata:,} customers) on %{x}"
                                             "<extra></extra>")
            trace_family.append(family)
    buttons = [{"label": family, "method": "update",
                "args": [{"visible": [owner == family for owner in trace_family]},
                         {"title.text": f"Segment size over time: {family}"}]} for family in families]
    figure.update_layout(updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.18,
                                       "yanchor": "top", "direction": "down"}],
                         legend={"title": {"text": "segment"}})
    figure.update_xaxes(title_text="snapshot date (as_of_date)", type="date", tickvals=dates,
                        tickformat="%Y-%m-%d")
    figure.update_yaxes(title_text="share of all customers (%)", tickformat=PERCENT, rangemode="tozero")
    return _layout(figure, f"Segment size over time: {families[0]}", height=520)


def cohort_retention(connection: duckdb.DuckDBPyConnection, cohort_months: int) -> go.Figure:
    """Share of each first-purchase-month cohort that purchases again N months later."""
    _require(connection, "marts.fct_orders")
    rows = _rows(connection, """
        with purchases as (
            select customer_id, date_trunc('month', ordered_date) as purchase_month
            from marts.fct_orders
            where is_purchase
            group by all
        ),
        cohorts as (
            select customer_id, min(purchase_month) as cohort_month
            from purchases
            group by customer_id
        ),
        latest as (
            select max(cohort_month) as last_cohort from cohorts
        ),
        activity as (
            select
                cohorts.cohort_month,
                datediff('month', cohorts.cohort_month, purchases.purchase_month) as months_since_first,
                count(distinct purchases.customer_id) as active_customers
            from purchases
            inner join cohorts on purchases.customer_id = cohorts.customer_id
            group by all
        ),
        sizes as (
            select cohort_month, count(*) as cohort_customers from cohorts group by cohort_month
        )
        select activity.cohort_month, activity.months_since_first, activity.active_customers,
               sizes.cohort_customers
        from activity
        inner join sizes on activity.cohort_month = sizes.cohort_month
        cross join latest
        where activity.cohort_month > latest.last_cohort - to_months(?)
        order by activity.cohort_month, activity.months_since_first
    """, [cohort_months])
    if not rows:
        raise MissingData("No purchases in marts.fct_orders: no cohorts to follow.")
    figure = go.Figure()
    cohorts = sorted({row["cohort_month"] for row in rows})
    colours = plotly.colors.sample_colorscale("Viridis", [index / max(len(cohorts) - 1, 1)
                                                          for index in range(len(cohorts))])
    for colour, cohort in zip(colours, cohorts):
        points = [row for row in rows if row["cohort_month"] == cohort and row["months_since_first"] > 0]
        if not points:
            continue
        size = points[0]["cohort_customers"]
        figure.add_scatter(x=[row["months_since_first"] for row in points],
                           y=[row["active_customers"] / size for row in points], mode="lines+markers",
                           name=f"{cohort:%Y-%m} ({size:,})", line={"color": colour},
                           hovertemplate=f"cohort {cohort:%Y-%m}: " + "%{y:.1%} bought in month %{x}<extra></extra>")
    if not figure.data:
        raise MissingData("No cohort has a month after its first purchase yet.")
    figure.update_xaxes(title_text="months since the first purchase", dtick=1)
    figure.update_yaxes(title_text="share of the cohort purchasing that month (%)", tickformat=PERCENT,
                        rangemode="tozero")
    figure.update_layout(legend={"title": {"text": "first-purchase month (customers)"}})
    return _layout(figure, f"Cohort retention: the last {len(cohorts)} first-purchase months", height=520)


def clv_by_segment(connection: duckdb.DuckDBPyConnection) -> go.Figure:
    """Box plot (quartiles, 1.5 IQR whiskers clipped to the data, computed in SQL) of predicted 365-day CLV
    per RFM segment."""
    _require(connection, "marts.dim_customers", "marts.customer_segments")
    rows = _rows(connection, """
        with values_per_segment as (
            select segments.rfm_segment, customers.predicted_clv_365d as clv
            from marts.dim_customers as customers
            inner join marts.customer_segments as segments on customers.customer_id = segments.customer_id
            where customers.predicted_clv_365d is not null
        ),
        quartiles as (
            select rfm_segment, count(*) as customers, avg(clv) as mean,
                   quantile_cont(clv, 0.25) as q1, median(clv) as median, quantile_cont(clv, 0.75) as q3
            from values_per_segment group by rfm_segment
        )
        select quartiles.*,
               min(values_per_segment.clv) filter (
                   where values_per_segment.clv >= quartiles.q1 - 1.5 * (quartiles.q3 - quartiles.q1)) as lowerfence,
               max(values_per_segment.clv) filter (
                   where values_per_segment.clv <= quartiles.q3 + 1.5 * (quartiles.q3 - quartiles.q1)) as upperfence
        from quartiles
        inner join values_per_segment on quartiles.rfm_segment = values_per_segment.rfm_segment
        group by all
        order by quartiles.median desc
    """)
    if not rows:
        raise MissingData("No customer has a predicted CLV (the BTYD models could not be fitted on this data, "
                          "see marts.clv_model_parameters).")
    figure = go.Figure()
    for index, row in enumerate(rows):
        figure.add_trace(go.Box(
            name=f"{row['rfm_segment']} ({row['customers']:,})", x=[row["rfm_segment"]], q1=[row["q1"]],
            median=[row["median"]], q3=[row["q3"]], mean=[row["mean"]], lowerfence=[row["lowerfence"]],
            upperfence=[row["upperfence"]], marker_color=COLOURS[index % len(COLOURS)], boxmean=True))
    currency = dbt_vars().get("reporting_currency", "USD")
    figure.update_yaxes(title_text=f"predicted 365-day CLV ({currency})")
    figure.update_xaxes(title_text="RFM segment (customers with a prediction)")
    figure.update_layout(legend={"title": {"text": "RFM segment (customers)"}})
    return _layout(figure, "Predicted 365-day CLV by RFM segment (box: quartiles; whiskers: 1.5 IQR; dashed: mean)",
                   height=540)


def cluster_profiles(connection: duckdb.DuckDBPyConnection) -> go.Figure:
    """Each k-means cluster's share and centre in original units."""
    _require(connection, "marts.cluster_profiles")
    rows = _rows(connection, """
        select cluster_id, cluster_name, customers, customer_share, centroid_days_since_last_purchase,
               centroid_purchase_days, centroid_purchase_day_value_mean
        from marts.cluster_profiles
        order by cluster_id
    """)
    if not rows:
        raise MissingData("marts.cluster_profiles is empty (too few purchasers to cluster).")
    currency = dbt_vars().get("reporting_currency", "USD")
    panels = [("customer_share", "share of purchasers (%)", PERCENT),
              ("centroid_days_since_last_purchase", "days since last purchase", ",.0f"),
              ("centroid_purchase_days", "purchase days", ",.1f"),
              ("centroid_purchase_day_value_mean", f"value per purchase day ({currency})", ",.0f")]
    figure = make_subplots(rows=1, cols=len(panels), subplot_titles=[title for _, title, _ in panels],
                           horizontal_spacing=0.07)
    names = [f"{row['cluster_id']}. {row['cluster_name']}" for row in rows]
    for column, (field, title, number_format) in enumerate(panels, start=1):
        for index, (name, row) in enumerate(zip(names, rows)):
            figure.add_bar(x=[str(row["cluster_id"])], y=[row[field]], name=name, legendgroup=name,
                           showlegend=column == 1, marker_color=COLOURS[index % len(COLOURS)],
                           hovertemplate=f"{name}: %{{y:{number_format}}} {title}<extra></extra>", row=1, col=column)
        figure.update_yaxes(title_text=title, row=1, col=column,
                            tickformat=number_format if number_format == PERCENT else None)
        figure.update_xaxes(title_text="cluster", row=1, col=column)
    figure.update_layout(legend={"title": {"text": "cluster (centre: a typical member)"}, "orientation": "h",
                                 "y": -0.25}, barmode="group")
    return _layout(figure, "Cluster profiles: size and centre of each k-means cluster", height=520)


# --- assembling the report -----------------------------------------------------------------------

def build_sections(connection: duckdb.DuckDBPyConnection, variables: dict[str, Any] | None = None) -> list[Section]:
    """Every section of the report, each with a figure or a note (never raises for missing data)."""
    variables = {**dbt_vars(), **(variables or {})}
    movement_families = list(variables.get("report_movement_families") or ["rfm"])
    plan: list[tuple[str, str, str, Callable[[], go.Figure]]] = [
        ("segment_sizes", "Segment sizes and revenue share",
         "Share of all customers and of the last 365 days' net revenue in each segment; pick a family in the menu.",
         lambda: segment_sizes(connection)),
        ("rfm_grid", "RFM grid", "Customers per recency (R) and frequency (F) score; the label is the cell's "
                                 "main RFM segment.", lambda: rfm_grid(connection)),
        ("lifecycle_grid", "Lifecycle grid", "The 12 lifecycle cells: order stage by recency status.",
         lambda: lifecycle_grid(connection)),
    ]
    for index, family in enumerate(movement_families):
        chart = movement_sankey if index == 0 else movement_matrix
        plan.append((f"movement_{family}", f"Movement: {family}",
                     "Customers moving between segments from the previous snapshot date to the latest one.",
                     lambda chart=chart, family=family: chart(connection, family)))
    plan += [
        ("size_over_time", "Segment size over time",
         "Customer share of each segment at every snapshot date of the segment history; pick a family in the menu.",
         lambda: size_over_time(connection)),
        ("cohort_retention", "Cohort retention",
         "For customers grouped by the month of their first purchase: the share who purchase in each later month.",
         lambda: cohort_retention(connection, int(variables.get("report_cohort_months") or 12))),
        ("clv_by_segment", "Predicted CLV by segment",
         "Distribution of the predicted 365-day customer lifetime value (BG/NBD + Gamma-Gamma) per RFM segment.",
         lambda: clv_by_segment(connection)),
        ("cluster_profiles", "Cluster profiles",
         "Size and centre (recency, frequency, value) of each k-means cluster of purchasers.",
         lambda: cluster_profiles(connection)),
    ]
    sections = []
    for key, title, description, make in plan:
        try:
            sections.append(Section(key, title, description, figure=make()))
        except MissingData as missing:
            sections.append(Section(key, title, description, note=str(missing)))
    return sections


def warehouse_facts(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Header facts: as_of_date, customers, snapshot dates in the history."""
    facts: dict[str, Any] = {"as_of_date": None, "customers": None, "snapshot_dates": 0}
    if _has_table(connection, "marts", "customer_segments"):
        facts["as_of_date"], facts["customers"] = connection.execute(
            "select max(as_of_date), count(*) from marts.customer_segments").fetchone()
    if _has_table(connection, "marts", "segment_membership_history"):
        facts["snapshot_dates"] = connection.execute(
            "select count(distinct as_of_date) from marts.segment_membership_history").fetchone()[0]
    return facts


STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0 auto; max-width: 1280px;
       padding: 16px 24px; color: #222; background: #fff; }
header { border-bottom: 1px solid #ddd; margin-bottom: 8px; }
h1 { font-size: 1.6em; margin: 0.3em 0; }
h2 { font-size: 1.2em; margin: 1.2em 0 0.2em; }
.facts { color: #555; margin: 0.3em 0 0.8em; }
.description { color: #555; margin: 0.2em 0 0.4em; }
.note { background: #f6f6f6; border-left: 4px solid #999; padding: 12px 16px; color: #444; }
nav a { margin-right: 12px; }
"""


def render_html(sections: list[Section], facts: dict[str, Any], include_plotlyjs: bool = True) -> str:
    """The report as one HTML document. include_plotlyjs=False leaves plotly's JavaScript out (the charts then
    do not render: the screenshot test uses it to prove it notices)."""
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = []
    for section in sections:
        parts.append(f'<section class="chart" id="section-{section.key}" data-chart="{section.key}" '
                     f'data-rendered-by="{"plotly" if section.figure is not None else "note"}">')
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        parts.append(f'<p class="description">{html.escape(section.description)}</p>')
        if section.figure is not None:
            parts.append(section.figure.to_html(full_html=False, include_plotlyjs=False,
                                                div_id=f"chart-{section.key}",
                                                config={"displaylogo": False, "responsive": True}))
        else:
            parts.append(f'<p class="note">{html.escape(section.note or "")}</p>')
        parts.append("</section>")
    manifest = {"charts": [section.key for section in sections if section.figure is not None],
                "notes": [section.key for section in sections if section.figure is None],
                "plotly_version": plotly.__version__, **{key: str(value) for key, value in facts.items()}}
    navigation = " ".join(f'<a href="#section-{section.key}">{html.escape(section.title)}</a>' for section in sections)
    plotly_script = f'<script type="text/javascript">{get_plotlyjs()}</script>' if include_plotlyjs else ""
    customers = f"{facts['customers']:,}" if isinstance(facts.get("customers"), int) else "unknown"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>segmart segment report</title>",
        f"<style>{STYLE}</style>",
        plotly_script,
        f'<script type="application/json" id="report-manifest">{json.dumps(manifest)}</script>',
        "</head><body>",
        "<header><h1>segmart: customer segments</h1>",
        f'<p class="facts">As of {html.escape(str(facts.get("as_of_date")))} · {customers} customers · '
        f'{facts.get("snapshot_dates", 0)} snapshot date(s) in the segment history · generated {generated} · '
        f"amounts in {html.escape(str(dbt_vars().get('reporting_currency', 'USD')))}</p>",
        f"<nav>{navigation}</nav></header>",
        *parts,
        "</body></html>",
    ])


def write_report(db_path: Path | None = None, out_path: Path | None = None, include_plotlyjs: bool = True,
                 variables: dict[str, Any] | None = None) -> Path:
    """Read the warehouse read-only and write the report; returns its path."""
    db_path = Path(db_path) if db_path else warehouse_path()
    out_path = Path(out_path) if out_path else reports_dir() / REPORT_NAME
    if not db_path.exists():
        raise FileNotFoundError(f"No warehouse at {db_path}. Build it first, or pass --db.")
    with duckdb.connect(str(db_path), read_only=True) as connection:
        sections = build_sections(connection, variables)
        facts = warehouse_facts(connection)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = out_path.with_name(out_path.name + ".tmp")
    temporary.write_text(render_html(sections, facts, include_plotlyjs), encoding="utf-8")
    temporary.replace(out_path)
    return out_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m segmart.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="warehouse file (default $SEGMART_DB), opened read-only")
    parser.add_argument("--out", type=Path, help=f"HTML file (default $SEGMART_REPORTS_DIR/{REPORT_NAME})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        path = write_report(args.db, args.out)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"report: {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
