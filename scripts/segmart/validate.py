"""Great-expectations validation of the built warehouse.

Each check is a `Suite`: a SQL query over the warehouse (read through DuckDB into pandas, because
great-expectations 1.24 cannot validate DuckDB through its SQL data source) and the expectations its
rows must meet. Suites are built from the warehouse's own configuration tables (the vocabulary seed
now; the segment registry as the catalog grows), so a rule changed in configuration changes the check.

Results are appended to data_quality.validation_results in the warehouse and written as
target/reports/validation.{json,html}. Exit code 0 when every expectation passed, 1 otherwise,
2 when the warehouse cannot be read.

    python -m segmart.validate [--quiet]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import logging
import sys
import uuid
import warnings
from typing import Any, Callable

import duckdb
import pandas as pd
import yaml

from segmart.validation_base import VAR_OVERRIDES, Outcome, Suite, configuration, relation_exists
from segmart.validate_catalog import catalog_suites, drift_suites, empty_segment_suites, save_validated_shares
from segmart.warehouse import connect, reports_dir

RESULTS_TABLE = "data_quality.validation_results"


# --- suite builders ------------------------------------------------------------------------

def vocabulary(connection: duckdb.DuckDBPyConnection, domain: str) -> list[str]:
    """The standard values of one vocabulary_map domain, as the staging models map to them."""
    rows = connection.execute(
        "select distinct value from reference.vocabulary_map where domain = ? order by value", [domain]
    ).fetchall()
    return [row[0] for row in rows]


def foundation_suites(connection: duckdb.DuckDBPyConnection) -> list[Suite]:
    """Checks on staging and data-quality marts: the rows every later model trusts."""
    import great_expectations as gx

    expect = gx.expectations
    unmapped = configuration()["unmapped_vocabulary_value"]
    return [
        Suite(
            "staged_customers",
            "select customer_id, created_at, gender, customer_type, country_code from staging.stg_shop__customers",
            [
                expect.ExpectColumnValuesToNotBeNull(column="customer_id"),
                expect.ExpectColumnValuesToBeUnique(column="customer_id"),
                expect.ExpectColumnValuesToNotBeNull(column="created_at"),
                expect.ExpectColumnValuesToBeInSet(column="gender", value_set=vocabulary(connection, "gender")),
                expect.ExpectColumnValuesToBeInSet(
                    column="customer_type", value_set=sorted({*vocabulary(connection, "customer_type"), unmapped})
                ),
                expect.ExpectColumnValueLengthsToEqual(column="country_code", value=2),
            ],
        ),
        Suite(
            "staged_orders",
            "select order_id, order_status, currency_code, total_amount_reporting, rate_to_reporting, ordered_at"
            " from staging.stg_shop__orders",
            [
                expect.ExpectColumnValuesToNotBeNull(column="order_id"),
                expect.ExpectColumnValuesToBeUnique(column="order_id"),
                expect.ExpectColumnValuesToBeInSet(column="order_status", value_set=vocabulary(connection, "order_status")),
                expect.ExpectColumnValuesToMatchRegex(column="currency_code", regex=r"^[A-Z]{3}$"),
                expect.ExpectColumnValuesToBeBetween(column="total_amount_reporting", min_value=0),
                expect.ExpectColumnValuesToBeBetween(column="rate_to_reporting", min_value=0, strict_min=True),
                expect.ExpectColumnValuesToNotBeNull(column="ordered_at"),
            ],
        ),
        Suite(
            "staged_order_items",
            "select order_item_id, quantity, unit_price from staging.stg_shop__order_items",
            [
                expect.ExpectColumnValuesToNotBeNull(column="order_item_id"),
                expect.ExpectColumnValuesToBeBetween(column="quantity", min_value=0),
                expect.ExpectColumnValuesToBeBetween(column="unit_price", min_value=0),
            ],
        ),
        Suite(
            "staged_returns",
            "select return_id, refund_amount from staging.stg_shop__returns",
            [
                expect.ExpectColumnValuesToNotBeNull(column="return_id"),
                expect.ExpectColumnValuesToBeBetween(column="refund_amount", min_value=0),
            ],
        ),
        Suite(
            "staged_web_events",
            "select event_type, anonymous_id is not null or customer_id is not null as has_visitor_id"
            " from staging.stg_shop__web_events",
            [
                expect.ExpectColumnValuesToBeInSet(column="event_type", value_set=vocabulary(connection, "web_event_type")),
                expect.ExpectColumnValuesToBeInSet(column="has_visitor_id", value_set=[True]),
            ],
        ),
        Suite(
            "staged_email_events",
            "select event_type, customer_id is not null or email is not null as has_recipient"
            " from staging.stg_shop__email_events",
            [
                expect.ExpectColumnValuesToBeInSet(
                    column="event_type", value_set=vocabulary(connection, "email_event_type")
                ),
                expect.ExpectColumnValuesToBeInSet(column="has_recipient", value_set=[True]),
            ],
        ),
        Suite(
            "source_reconciliation",
            "select source_table, is_balanced, raw_rows - staged_rows - quarantined_rows - duplicate_rows"
            " - deferred_rows as unexplained_rows from data_quality.source_reconciliation",
            [
                expect.ExpectTableRowCountToBeBetween(min_value=1),
                expect.ExpectColumnValuesToBeInSet(column="is_balanced", value_set=[True]),
                expect.ExpectColumnValuesToBeBetween(column="unexplained_rows", min_value=0, max_value=0),
            ],
        ),
        Suite(
            "quarantined_rows",
            "select source_table, quarantine_action, reasons, raw_values from data_quality.quarantined_rows",
            [
                expect.ExpectColumnValuesToNotBeNull(column="reasons"),
                expect.ExpectColumnValuesToNotBeNull(column="raw_values"),
                expect.ExpectColumnValuesToBeInSet(column="quarantine_action", value_set=["rejected", "value_nulled"]),
            ],
        ),
    ]


def rfm_scores_recomputed(frame: pd.DataFrame, levels: int = 5) -> pd.DataFrame:
    """R, F and M scores recomputed in pandas from dim_customers, independently of the SQL that assigned them.

    Rule: over purchasers, score = 1 + floor(levels * (rank - 1) / n) with ties sharing their lowest rank;
    recency ranks fewer days higher. `frame` has customer_id, order_count, days_since_last_order and
    net_revenue_lifetime; the result adds expected_r_score, expected_f_score, expected_m_score (null for
    customers without a purchase)."""
    out = frame.copy()
    purchasers = out["order_count"] > 0
    n = int(purchasers.sum())
    for column, source, ascending in (
        ("expected_r_score", "days_since_last_order", False),
        ("expected_f_score", "order_count", True),
        ("expected_m_score", "net_revenue_lifetime", True),
    ):
        ranks = out.loc[purchasers, source].rank(method="min", ascending=ascending)
        out[column] = pd.NA
        if n:
            out.loc[purchasers, column] = (1 + ((ranks - 1) * levels // n)).astype("int64")
        out[column] = out[column].astype("Int64")
    return out


def rfm_segments_recomputed(scores: pd.DataFrame, segment_map: pd.DataFrame) -> pd.Series:
    """The segment each customer should have under `segment_map` (rows of seed rfm_segment_maps for one map):
    the matching row with the lowest precedence (then name); Prospects without scores; Unclassified otherwise."""
    rows = segment_map.sort_values(["precedence", "segment"]).to_dict("records")

    def segment_of(r, f, m):
        if pd.isna(r):
            return "Prospects"
        for row in rows:
            if row["r_min"] <= r <= row["r_max"] and row["f_min"] <= f <= row["f_max"] and row["m_min"] <= m <= row["m_max"]:
                return row["segment"]
        return "Unclassified"

    return pd.Series(
        [segment_of(r, f, m) for r, f, m in zip(scores["r_score"], scores["f_score"], scores["m_score"])],
        index=scores.index,
    )


def lifecycle_cells_recomputed(frame: pd.DataFrame, active_max_days: int, churn_after_days: int,
                               loyal_min_orders: int) -> pd.Series:
    """Lifecycle cell from order count and days since the last order (or signup), with inclusive cut-offs."""
    days = frame["days_since_last_order"].fillna(frame["days_since_signup"])
    orders = frame["order_count"]
    stage = pd.Series("signup", index=frame.index)
    stage[orders == 1] = "one_timer"
    stage[(orders >= 2) & (orders < loyal_min_orders)] = "repeat"
    stage[orders >= loyal_min_orders] = "loyal"
    status = pd.Series("churned", index=frame.index)
    status[days <= churn_after_days] = "at_risk"
    status[days <= active_max_days] = "active"
    return stage + "_" + status



def segment_suites(connection: duckdb.DuckDBPyConnection) -> list[Suite]:
    """Every RFM and lifecycle assignment recomputed from dim_customers and the configuration in force
    (the seed map named in the model, the published cut-offs) and compared, customer by customer."""
    import great_expectations as gx

    expect = gx.expectations
    if not relation_exists(connection, "intermediate", "int_customers_rfm_scored"):
        return []
    customers = connection.execute(
        """select customer_id, order_count, days_since_last_order, days_since_signup, net_revenue_lifetime
           from marts.dim_customers"""
    ).df()
    assigned = connection.execute(
        "select customer_id, r_score, f_score, m_score, rfm_segment, rfm_map from intermediate.int_customers_rfm_scored"
    ).df()
    [map_name] = assigned["rfm_map"].dropna().unique().tolist() or [configuration()["rfm_segment_map"]]
    segment_map = connection.execute(
        "select * from reference.rfm_segment_maps where map_name = ?", [map_name]
    ).df()
    rfm = rfm_scores_recomputed(customers).merge(assigned, on="customer_id", how="outer", indicator=True)
    rfm["expected_rfm_segment"] = rfm_segments_recomputed(rfm, segment_map)
    for score in ("r_score", "f_score", "m_score"):
        rfm[score] = rfm[score].astype("Int64").astype(str)
        rfm["expected_" + score] = rfm["expected_" + score].astype(str)
    rfm["in_both"] = rfm["_merge"] == "both"

    cutoffs = connection.execute("select active_max_days, churn_after_days from marts.lifecycle_cutoffs").fetchall()
    lifecycle = customers.merge(
        connection.execute("select customer_id, lifecycle_cell from intermediate.int_customers_lifecycle_staged").df(),
        on="customer_id", how="left",
    )
    if len(cutoffs) == 1:
        active_max_days, churn_after_days = cutoffs[0]
        lifecycle["expected_lifecycle_cell"] = lifecycle_cells_recomputed(
            lifecycle, active_max_days, churn_after_days, int(configuration()["lifecycle_loyal_min_orders"]))
    else:
        lifecycle["expected_lifecycle_cell"] = None
    cells = [f"{stage}_{status}" for stage in ("signup", "one_timer", "repeat", "loyal")
             for status in ("active", "at_risk", "churned")]
    return [
        Suite(
            "rfm_segments",
            "rfm",
            [
                expect.ExpectColumnValuesToBeInSet(column="in_both", value_set=[True]),
                expect.ExpectColumnPairValuesToBeEqual(column_A="r_score", column_B="expected_r_score"),
                expect.ExpectColumnPairValuesToBeEqual(column_A="f_score", column_B="expected_f_score"),
                expect.ExpectColumnPairValuesToBeEqual(column_A="m_score", column_B="expected_m_score"),
                expect.ExpectColumnPairValuesToBeEqual(column_A="rfm_segment", column_B="expected_rfm_segment"),
                expect.ExpectColumnValuesToBeInSet(
                    column="rfm_segment", value_set=sorted(set(segment_map["segment"]) | {"Prospects"})),
            ],
            frame=rfm,
        ),
        Suite(
            "lifecycle_cells",
            "lifecycle",
            [
                expect.ExpectColumnPairValuesToBeEqual(column_A="lifecycle_cell", column_B="expected_lifecycle_cell"),
                expect.ExpectColumnValuesToBeInSet(column="lifecycle_cell", value_set=cells),
            ],
            frame=lifecycle,
        ),
    ]


TAG_INPUT_COLUMNS = (
    "customer_id, order_count, net_revenue_last_365_days, orders_last_365_days, discounted_order_share,"
    " days_between_orders_cv, distinct_purchase_days, average_order_value, returned_item_share,"
    " abandoned_carts_last_30_days, last_abandoned_cart_at, last_order_date, product_views_last_30_days,"
    " sessions_last_30_days, total_sessions, is_subscribed, email_opens_last_90_days, last_activity_at,"
    " new_collection_spend_share, low_stock_wishlist_items, as_of_date"
)


def behaviour_tags_recomputed(c: pd.DataFrame, v: dict[str, Any]) -> pd.DataFrame:
    """Every behavioural tag recomputed in pandas from dim_customers columns and the vars (see the registry
    segment_definitions for the rules in words). Missing inputs make a tag false."""
    recent = c[c["orders_last_365_days"] > 0]
    revenue = recent["net_revenue_last_365_days"].astype(float)
    big_threshold = revenue.mean() + float(v["big_spender_stddevs"]) * (revenue.std(ddof=0) if len(revenue) else 0.0)
    average_orders = recent["orders_last_365_days"].astype(float).mean()
    median_aov = c.loc[c["order_count"] > 0, "average_order_value"].astype(float).median()
    as_of = pd.to_datetime(c["as_of_date"])
    days_idle = (as_of - pd.to_datetime(c["last_activity_at"]).dt.normalize()).dt.days
    abandoned_day = pd.to_datetime(c["last_abandoned_cart_at"]).dt.normalize()
    orders = c["order_count"]
    out = pd.DataFrame({"customer_id": c["customer_id"]})
    rules = {
        "is_one_timer": orders == 1,
        "is_loyal": orders >= int(v["lifecycle_loyal_min_orders"]),
        "is_big_spender": (c["orders_last_365_days"] > 0) & (c["net_revenue_last_365_days"] > big_threshold)
        & (c["orders_last_365_days"] >= average_orders),
        "is_coupon_lover": (c["discounted_order_share"] >= float(v["coupon_lover_min_share"]))
        & (orders >= int(v["coupon_lover_min_orders"])),
        "is_thrifty": (c["days_between_orders_cv"] <= float(v["thrifty_max_gap_cv"]))
        & (c["distinct_purchase_days"] >= int(v["thrifty_min_purchase_days"]))
        & (c["average_order_value"] < median_aov),
        "is_frequent_returner": (c["returned_item_share"] >= float(v["frequent_returner_min_share"]))
        & (orders >= int(v["frequent_returner_min_orders"])),
        "is_no_returner": (c["returned_item_share"] == 0) & (orders >= int(v["frequent_returner_min_orders"])),
        "is_cart_abandoner": (c["abandoned_carts_last_30_days"] > 0)
        & (c["last_order_date"].isna() | (pd.to_datetime(c["last_order_date"]) < abandoned_day)),
        "is_indecisive_shopper": (orders == 0)
        & ((c["product_views_last_30_days"] >= int(v["indecisive_min_product_views"]))
           | (c["sessions_last_30_days"] >= int(v["indecisive_min_sessions"]))),
        "is_registered_lead": (orders == 0) & (c["total_sessions"] > 0),
        "is_newsletter_reader": c["is_subscribed"].astype(bool)
        & (c["email_opens_last_90_days"] >= int(v["newsletter_reader_min_opens"])),
        "is_idle": days_idle > int(v["idle_after_days"]),
        "is_trendy": (c["new_collection_spend_share"] >= float(v["trendy_min_new_collection_share"])) & (orders >= 1),
        "has_low_stock_wishlist": c["low_stock_wishlist_items"] > 0,
    }
    for name, rule in rules.items():
        out["expected_" + name] = rule.fillna(False).astype(bool)
    return out


def value_tiers_recomputed(c: pd.DataFrame, v: dict[str, Any]) -> pd.DataFrame:
    """Spend and AOV tiers recomputed with continuous quantiles (linear interpolation, as percentile_cont)."""
    def tiers(values: pd.Series, eligible: pd.Series, high_q: float, low_q: float) -> pd.Series:
        pool = values[eligible].astype(float)
        high, low = (pool.quantile(high_q), pool.quantile(low_q)) if len(pool) else (None, None)
        tier = pd.Series("medium", index=values.index)
        tier[values > high] = "high"
        tier[values < low] = "low"
        tier[~eligible] = "none"
        return tier

    out = pd.DataFrame({"customer_id": c["customer_id"]})
    out["expected_spend_tier"] = tiers(c["net_revenue_last_365_days"], c["orders_last_365_days"] > 0,
                                       float(v["spend_tier_high_quantile"]), float(v["spend_tier_low_quantile"]))
    out["expected_aov_tier"] = tiers(c["average_order_value"], (c["order_count"] > 0) & c["average_order_value"].notna(),
                                     float(v["aov_tier_high_quantile"]), float(v["aov_tier_low_quantile"]))
    return out


def tag_and_tier_suites(connection: duckdb.DuckDBPyConnection) -> list[Suite]:
    """Every behavioural tag and value tier recomputed from dim_customers and the vars, customer by customer."""
    import great_expectations as gx

    expect = gx.expectations
    if not relation_exists(connection, "marts", "customer_segments"):
        return []
    customers = connection.execute(f"select {TAG_INPUT_COLUMNS} from marts.dim_customers").df()
    assigned = connection.execute("select * from marts.customer_segments").df()
    in_force = configuration()
    frame = (assigned.merge(behaviour_tags_recomputed(customers, in_force), on="customer_id")
             .merge(value_tiers_recomputed(customers, in_force), on="customer_id"))
    tag_columns = [column[len("expected_"):] for column in frame.columns
                   if column.startswith("expected_is_") or column.startswith("expected_has_")]
    expectations = [
        expect.ExpectColumnPairValuesToBeEqual(column_A=column, column_B="expected_" + column)
        for column in [*tag_columns, "spend_tier", "aov_tier"]
    ]
    expectations.append(expect.ExpectTableRowCountToEqual(value=len(customers)))
    return [Suite("behaviour_tags_and_value_tiers", "recomputed", expectations, frame=frame)]


# Every builder returns suites; catalog_suites also covers the predictive tiers. Drift and empty-segment
# suites have severity 'warning'.
SUITE_BUILDERS: list[Callable[[duckdb.DuckDBPyConnection], list[Suite]]] = [
    foundation_suites, segment_suites, tag_and_tier_suites, catalog_suites, drift_suites,
    empty_segment_suites,
]


# --- running -------------------------------------------------------------------------------

def _quiet_great_expectations() -> None:
    warnings.filterwarnings("ignore", module="great_expectations")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def run_suites(suites: list[Suite], load: Callable[[str], pd.DataFrame]) -> list[Outcome]:
    """Validate each suite's query result with great-expectations; one Outcome per expectation."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _quiet_great_expectations()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    datasource = context.data_sources.add_pandas("segmart_warehouse")
    outcomes: list[Outcome] = []
    for suite in suites:
        frame = suite.frame if suite.frame is not None else load(suite.query)
        batch_definition = datasource.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("all")
        expectation_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        for expectation in suite.expectations:
            expectation_suite.add_expectation(expectation)
        result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
            expectation_suite, result_format="SUMMARY"
        )
        for item in result.results:
            config = item.expectation_config
            details = item.result or {}
            arguments = {k: v for k, v in config.kwargs.items() if k not in ("column", "column_A", "column_B", "batch_id")}
            outcomes.append(
                Outcome(
                    suite=suite.name,
                    expectation=config.type,
                    column=config.kwargs.get("column") or (
                        f"{config.kwargs['column_A']} vs {config.kwargs['column_B']}"
                        if "column_A" in config.kwargs else None),
                    success=bool(item.success),
                    element_count=details.get("element_count"),
                    unexpected_count=details.get("unexpected_count"),
                    unexpected_examples=[str(v) for v in (details.get("partial_unexpected_list") or [])[:5]],
                    arguments=arguments,
                    severity=suite.severity,
                )
            )
    return outcomes


# --- reporting -----------------------------------------------------------------------------

def save_results(connection: duckdb.DuckDBPyConnection, outcomes: list[Outcome], run_id: str, run_at: dt.datetime) -> None:
    """Append the outcomes to data_quality.validation_results (created on first use)."""
    connection.execute("create schema if not exists data_quality")
    connection.execute(
        f"""create table if not exists {RESULTS_TABLE} (
            run_id varchar, validated_at timestamp, suite varchar, expectation varchar, column_name varchar,
            success boolean, element_count bigint, unexpected_count bigint, unexpected_examples varchar,
            arguments varchar)"""
    )
    connection.execute(f"alter table {RESULTS_TABLE} add column if not exists severity varchar")
    rows = [
        (
            run_id, run_at, o.suite, o.expectation, o.column, o.success, o.element_count, o.unexpected_count,
            json.dumps(o.unexpected_examples), json.dumps(o.arguments, default=str), o.severity,
        )
        for o in outcomes
    ]
    connection.executemany(
        f"insert into {RESULTS_TABLE} (run_id, validated_at, suite, expectation, column_name, success, element_count,"
        " unexpected_count, unexpected_examples, arguments, severity) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def render_html(outcomes: list[Outcome], run_id: str, run_at: dt.datetime) -> str:
    """A self-contained page: one row per expectation, failures first."""
    failed = sum(not o.success and o.severity == "error" for o in outcomes)
    warned = sum(not o.success and o.severity != "error" for o in outcomes)
    rows = []
    for o in sorted(outcomes, key=lambda o: (o.success, o.suite)):
        status = "pass" if o.success else ("FAIL" if o.severity == "error" else "WARN")
        rows.append(
            "<tr class='{cls}'><td>{status}</td><td>{suite}</td><td>{exp}</td><td>{col}</td><td>{args}</td>"
            "<td>{n}</td><td>{bad}</td><td>{examples}</td></tr>".format(
                cls="pass" if o.success else ("fail" if o.severity == "error" else "warn"),
                status=status,
                suite=html.escape(o.suite),
                exp=html.escape(o.expectation),
                col=html.escape(o.column or ""),
                args=html.escape(json.dumps(o.arguments, default=str))[:300],
                n="" if o.element_count is None else o.element_count,
                bad="" if o.unexpected_count is None else o.unexpected_count,
                examples=html.escape(", ".join(o.unexpected_examples)),
            )
        )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>segmart validation {run_id}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
tr.fail {{ background: #fde2e2; }} tr.warn {{ background: #fff4ce; }} tr.pass td:first-child {{ color: #1a7f37; }}
</style></head><body>
<h1>segmart validation</h1>
<p>Run {run_id} at {run_at.isoformat(timespec="seconds")} UTC: {len(outcomes) - failed - warned} of {len(outcomes)}
expectations passed, {failed} failed, {warned} warned (segment-share drift warns, never fails).</p>
<table><tr><th>status</th><th>suite</th><th>expectation</th><th>column</th><th>arguments</th>
<th>rows</th><th>unexpected</th><th>examples</th></tr>
{''.join(rows)}
</table></body></html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate the built warehouse with great-expectations.")
    parser.add_argument("--quiet", action="store_true", help="print only failures and the final line")
    parser.add_argument("--vars", default="{}", help="the --vars given to dbt build, as YAML, e.g. '{idle_after_days: 90}'")
    args = parser.parse_args(argv)
    VAR_OVERRIDES.clear()
    overrides = yaml.safe_load(args.vars) or {}
    if not isinstance(overrides, dict):
        print("segmart validate: --vars must be a YAML mapping", file=sys.stderr)
        return 2
    VAR_OVERRIDES.update(overrides)
    try:
        connection = connect(read_only=False)
    except (FileNotFoundError, duckdb.Error) as error:
        print(f"segmart validate: cannot open the warehouse: {error}", file=sys.stderr)
        return 2
    run_id = uuid.uuid4().hex[:12]
    run_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with connection:
        suites = [suite for build in SUITE_BUILDERS for suite in build(connection)]
        outcomes = run_suites(suites, lambda query: connection.execute(query).df())
        save_results(connection, outcomes, run_id, run_at)
        if not any(not o.success and o.severity == "error" for o in outcomes):
            save_validated_shares(connection, run_id, run_at)
    out = reports_dir()
    (out / "validation.json").write_text(
        json.dumps({"run_id": run_id, "validated_at": run_at.isoformat(), "outcomes": [o.__dict__ for o in outcomes]},
                   indent=2, default=str)
    )
    (out / "validation.html").write_text(render_html(outcomes, run_id, run_at))
    failed = [o for o in outcomes if not o.success and o.severity == "error"]
    warned = [o for o in outcomes if not o.success and o.severity != "error"]
    for o in outcomes:
        if not o.success or not args.quiet:
            mark = "ok  " if o.success else ("FAIL" if o.severity == "error" else "WARN")
            detail = "" if o.success else f" ({o.unexpected_count} unexpected, e.g. {', '.join(o.unexpected_examples)})"
            print(f"{mark} {o.suite}: {o.expectation}{' on ' + o.column if o.column else ''}{detail}")
    print(f"validation: {len(outcomes) - len(failed) - len(warned)} passed, {len(failed)} failed, {len(warned)} warned "
          f"({len(suites)} suites); report: {out / 'validation.html'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
