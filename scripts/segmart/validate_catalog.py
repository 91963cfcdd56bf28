"""Validation of the segment families added after RFM, lifecycle, tags and tiers: lifecycle events, profile
families, campaign audiences, visitor segments; exclusive-family coverage; segment-share drift.

Each rule is recomputed in pandas from dim_customers (plus fct_order_items for product-line and category
audiences, dim_visitors for visitor segments) and the vars in force, independently of the SQL that assigned
it, and compared with the published memberships customer by customer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from segmart.validation_base import Suite, configuration, relation_exists

SHARES_TABLE = "data_quality.validated_segment_shares"

PROFILE_COLUMNS = {
    "age_band": "age_band",
    "gender": "gender",
    "region": "region",
    "country": "country_code",
    "income_band": "income_band",
    "customer_type": "customer_type",
    "primary_device": "primary_device_type",
    "primary_channel": "primary_channel",
}

EVENT_INPUT_COLUMNS = (
    "customer_id, order_count, days_since_last_order, days_since_signup, days_between_last_two_purchases,"
    " first_order_date, first_order_value, net_revenue_first_period, orders_first_period, last_order_date,"
    " birthday_month, is_subscribed, low_stock_wishlist_items, is_loyalty_member, first_seen_at, last_seen_at,"
    " age_band, gender, region, country_code, income_band, customer_type, primary_device_type, primary_channel,"
    " churn_probability, probability_alive, predicted_clv_365d, expected_purchases_next_30_days,"
    " expected_purchases_next_365_days, cluster_name, as_of_date"
)


def window_start(as_of: dt.date, days: int) -> pd.Timestamp:
    """The first instant of "the last `days` days ending with as_of" (as macro within_last_days)."""
    return pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.Timedelta(days=int(days))


def recency_statuses(c: pd.DataFrame, active_max_days: int, churn_after_days: int) -> pd.Series:
    """active / at_risk / churned from days since the last order (or signup), inclusive cut-offs."""
    days = c["days_since_last_order"].fillna(c["days_since_signup"])
    status = pd.Series("churned", index=c.index)
    status[days <= churn_after_days] = "at_risk"
    status[days <= active_max_days] = "active"
    return status


def lifecycle_events_recomputed(c: pd.DataFrame, as_of: dt.date, active_max_days: int, churn_after_days: int,
                                v: dict[str, Any]) -> pd.DataFrame:
    """Long form (customer_id, segment) of every lifecycle event, recomputed from dim_customers columns."""
    orders = c["order_count"]
    status = recency_statuses(c, active_max_days, churn_after_days)
    is_new = (orders > 0) & (pd.to_datetime(c["first_order_date"])
                             >= window_start(as_of, v["new_customer_window_days"]))
    measure = {"net_revenue": "net_revenue_first_period", "orders": "orders_first_period"}[v["new_potential_measure"]]
    new_values = c.loc[is_new, measure].astype(float)
    potential_threshold = new_values.quantile(1 - float(v["new_high_potential_top_share"])) if len(new_values) else None
    first_values = c.loc[orders > 0, "first_order_value"].astype(float)
    basket_threshold = first_values.quantile(float(v["large_first_basket_quantile"])) if len(first_values) else None

    def at_least(column: str, threshold: float | None) -> pd.Series:
        if threshold is None:
            return pd.Series(False, index=c.index)
        return c[column].astype(float) >= threshold

    def below(column: str, threshold: float | None) -> pd.Series:
        if threshold is None:
            return pd.Series(False, index=c.index)
        return c[column].astype(float) < threshold

    rules = {
        "quick_churn": (status == "churned") & (orders == 1),
        "late_churn": (status == "churned") & (orders >= 2),
        "back_from_churn": (c["days_between_last_two_purchases"] > churn_after_days) & (status != "churned"),
        "new_high_potential": is_new & at_least(measure, potential_threshold),
        "new_low_potential": is_new & below(measure, potential_threshold),
        "large_first_basket": (orders > 0) & at_least("first_order_value", basket_threshold),
        "small_first_basket": (orders > 0) & below("first_order_value", basket_threshold),
    }
    return _long_form(c["customer_id"], rules)


def audiences_recomputed(c: pd.DataFrame, purchases: pd.DataFrame, as_of: dt.date, active_max_days: int,
                         churn_after_days: int, v: dict[str, Any]) -> pd.DataFrame:
    """Long form (customer_id, segment) of every campaign audience. `purchases` has one row per purchased
    order line: customer_id, product_line, category, ordered_at."""
    orders = c["order_count"]
    last_order = pd.to_datetime(c["last_order_date"])
    visitor_start = window_start(as_of, v["audience_visitor_window_days"])
    first_seen, last_seen = pd.to_datetime(c["first_seen_at"]), pd.to_datetime(c["last_seen_at"])
    status = recency_statuses(c, active_max_days, churn_after_days)
    rules = {
        "recent_purchaser": last_order >= window_start(as_of, v["audience_recent_purchase_days"]),
        "lapsed_customer": (orders > 0) & ~(last_order >= window_start(as_of, v["audience_lapsed_after_days"])),
        "birthday_this_month": c["birthday_month"] == as_of.month,
        "low_stock_wishlist_alert": (c["is_subscribed"] == True) & (c["low_stock_wishlist_items"] > 0),  # noqa: E712
        "loyalty_prospect": (status == "active") & (orders > 0) & (c["is_loyalty_member"] == False),  # noqa: E712
        "returning_visitor": (last_seen >= visitor_start) & (first_seen < visitor_start),
        "new_visitor": first_seen >= visitor_start,
    }
    lines_bought = purchases.groupby("customer_id")["product_line"].agg(set)
    customer_lines = c["customer_id"].map(lines_bought)
    for pair in v["audience_cross_sell_pairs"]:
        from_line, to_line = pair["from_line"], pair["to_line"]
        rules[f"cross_sell_{from_line}_to_{to_line}"] = customer_lines.map(
            lambda lines, a=from_line, b=to_line: isinstance(lines, set) and a in lines and b not in lines)
    for event in v["audience_life_event_categories"]:
        category = event["category"]
        first_bought = (purchases[purchases["category"] == category]
                        .groupby("customer_id")["ordered_at"].min())
        rules[f"life_event_{category}"] = (
            pd.to_datetime(c["customer_id"].map(first_bought)) >= window_start(as_of, event["within_days"]))
    return _long_form(c["customer_id"], rules)


def profiles_recomputed(c: pd.DataFrame) -> pd.DataFrame:
    """Long form (customer_id, segment_family, segment) of the profile families, 'unknown' when missing."""
    frames = []
    for family, column in PROFILE_COLUMNS.items():
        frames.append(pd.DataFrame({"customer_id": c["customer_id"], "segment_family": family,
                                    "segment": c[column].astype(object).where(c[column].notna(), "unknown")}))
    membership = c["is_loyalty_member"].map({True: "member", False: "non_member"}).fillna("unknown")
    frames.append(pd.DataFrame({"customer_id": c["customer_id"], "segment_family": "loyalty_membership",
                                "segment": membership}))
    return pd.concat(frames, ignore_index=True)


def predictive_tiers_recomputed(c: pd.DataFrame, v: dict[str, Any]) -> pd.DataFrame:
    """Long form (customer_id, segment_family, segment) of churn-risk and predicted-CLV tiers and clusters,
    recomputed from dim_customers' churn_probability, predicted_clv_365d and cluster_name with the vars."""
    churn = c["churn_probability"].astype(float)
    risk = pd.Series("low", index=c.index)
    risk[churn >= float(v["churn_risk_medium_min_probability"])] = "medium"
    risk[churn >= float(v["churn_risk_high_min_probability"])] = "high"
    risk[churn.isna()] = "none"
    clv = c["predicted_clv_365d"].astype(float)
    scored = clv.dropna()
    tier = pd.Series("medium", index=c.index)
    if len(scored):
        tier[clv > scored.quantile(float(v["predicted_clv_tier_high_quantile"]))] = "high"
        tier[clv < scored.quantile(float(v["predicted_clv_tier_low_quantile"]))] = "low"
    tier[clv.isna()] = "none"
    cluster = c["cluster_name"].astype(object).where(c["cluster_name"].notna(), "none")
    return pd.concat([
        pd.DataFrame({"customer_id": c["customer_id"], "segment_family": family, "segment": values})
        for family, values in (("churn_risk_tier", risk), ("predicted_clv_tier", tier), ("cluster", cluster))
    ], ignore_index=True)


def visitor_segments_recomputed(visitors: pd.DataFrame, as_of: dt.date, v: dict[str, Any]) -> pd.DataFrame:
    """Long form (visitor_id, segment) of the anonymous-visitor segments."""
    first_seen, last_seen = pd.to_datetime(visitors["first_seen_at"]), pd.to_datetime(visitors["last_seen_at"])
    visitor_start = window_start(as_of, v["audience_visitor_window_days"])
    rules = {
        "curious_browser": (last_seen >= window_start(as_of, v["curious_browser_window_days"]))
        & (visitors["product_views"] >= int(v["curious_browser_min_product_views"])),
        "returning_visitor": (last_seen >= visitor_start) & (first_seen < visitor_start),
        "new_visitor": first_seen >= visitor_start,
    }
    return _long_form(visitors["visitor_id"], rules).rename(columns={"customer_id": "visitor_id"})


def _long_form(ids: pd.Series, rules: dict[str, pd.Series]) -> pd.DataFrame:
    """(customer_id, segment) for every rule that is true; a null input makes a rule false."""
    frames = [pd.DataFrame({"customer_id": ids[rule.fillna(False).astype(bool)], "segment": name})
              for name, rule in rules.items()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["customer_id", "segment"])


def compared(expected: pd.DataFrame, assigned: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Outer join of expected and assigned memberships: one row per membership either side has, with
    `agreement` 'both', 'left_only' (expected, not assigned) or 'right_only' (assigned, not expected)."""
    merged = expected[keys].drop_duplicates().merge(assigned[keys].drop_duplicates(), on=keys, how="outer",
                                                    indicator="agreement")
    merged["agreement"] = merged["agreement"].astype(str)
    merged["membership"] = merged[keys].astype(str).agg(" / ".join, axis=1)
    return merged


def catalog_suites(connection: duckdb.DuckDBPyConnection) -> list[Suite]:
    """Lifecycle events, profile families, audiences and visitor segments recomputed and compared; every
    customer in exactly one segment of every exclusive family; ranges of the features these rules read."""
    import great_expectations as gx

    expect = gx.expectations
    if not relation_exists(connection, "marts", "visitor_segment_memberships"):
        return []
    in_force = configuration()
    customers = connection.execute(f"select {EVENT_INPUT_COLUMNS} from marts.dim_customers").df()
    as_of = pd.Timestamp(customers["as_of_date"].iloc[0]).date() if len(customers) else dt.date.today()
    active_max_days, churn_after_days = connection.execute(
        "select active_max_days, churn_after_days from marts.lifecycle_cutoffs").fetchone()
    memberships = connection.execute(
        "select customer_id, segment_family, segment from marts.customer_segment_memberships").df()
    purchases = connection.execute(
        "select customer_id, product_line, category, ordered_at from marts.fct_order_items where is_purchase").df()
    visitors = connection.execute(
        "select visitor_id, first_seen_at, last_seen_at, product_views from marts.dim_visitors").df()
    visitor_memberships = connection.execute(
        "select visitor_id, segment from marts.visitor_segment_memberships").df()
    definitions = connection.execute(
        "select segment_family, segment, is_exclusive from marts.segment_definitions where segment_subject = 'customer'"
    ).df()

    def family(name: str) -> pd.DataFrame:
        return memberships[memberships["segment_family"] == name]

    def agreement() -> list[Any]:
        return [expect.ExpectColumnValuesToBeInSet(column="agreement", value_set=["both"])]

    suites = [
        Suite("lifecycle_events", "recomputed", agreement(), frame=compared(
            lifecycle_events_recomputed(customers, as_of, active_max_days, churn_after_days, in_force),
            family("lifecycle_event"), ["customer_id", "segment"])),
        Suite("campaign_audiences", "recomputed", agreement(), frame=compared(
            audiences_recomputed(customers, purchases, as_of, active_max_days, churn_after_days, in_force),
            family("audience"), ["customer_id", "segment"])),
        Suite("profile_families", "recomputed", agreement(), frame=compared(
            profiles_recomputed(customers),
            memberships[memberships["segment_family"].isin([*PROFILE_COLUMNS, "loyalty_membership"])],
            ["customer_id", "segment_family", "segment"])),
        Suite("predictive_tiers", "recomputed", agreement(), frame=compared(
            predictive_tiers_recomputed(customers, in_force),
            memberships[memberships["segment_family"].isin(["churn_risk_tier", "predicted_clv_tier", "cluster"])],
            ["customer_id", "segment_family", "segment"])),
        Suite("visitor_segments", "recomputed", agreement(), frame=compared(
            visitor_segments_recomputed(visitors, as_of, in_force), visitor_memberships, ["visitor_id", "segment"])),
    ]

    # exclusive families: every customer exactly once, in a registered segment
    exclusive = definitions.loc[definitions["is_exclusive"], "segment_family"].unique().tolist()
    counts = (memberships[memberships["segment_family"].isin(exclusive)]
              .groupby(["customer_id", "segment_family"]).size().rename("memberships").reset_index())
    grid = customers[["customer_id"]].merge(pd.DataFrame({"segment_family": exclusive}), how="cross")
    coverage = grid.merge(counts, on=["customer_id", "segment_family"], how="left").fillna({"memberships": 0})
    registered = memberships.merge(definitions, on=["segment_family", "segment"], how="left", indicator="registry")
    suites.append(Suite("exclusive_families", "coverage", [
        expect.ExpectColumnValuesToBeBetween(column="memberships", min_value=1, max_value=1),
        expect.ExpectTableRowCountToEqual(value=len(customers) * len(exclusive)),
    ], frame=coverage))
    suites.append(Suite("memberships_registered", "registry", [
        expect.ExpectColumnValuesToBeInSet(column="registry", value_set=["both"]),
    ], frame=registered.assign(registry=registered["registry"].astype(str))))

    # the features these rules read
    suites.append(Suite(
        "catalog_rule_features",
        f"select {EVENT_INPUT_COLUMNS} from marts.dim_customers",
        [
            expect.ExpectColumnValuesToBeBetween(column="days_between_last_two_purchases", min_value=1),
            expect.ExpectColumnValuesToNotBeNull(column="net_revenue_first_period"),
            expect.ExpectColumnValuesToBeBetween(column="orders_first_period", min_value=0),
            expect.ExpectColumnValuesToNotBeNull(column="orders_first_period"),
            expect.ExpectColumnValuesToBeBetween(column="birthday_month", min_value=1, max_value=12),
            expect.ExpectColumnValuesToBeBetween(column="low_stock_wishlist_items", min_value=0),
            expect.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="last_seen_at", column_B="first_seen_at", or_equal=True, ignore_row_if="either_value_is_missing"),
            expect.ExpectColumnValuesToBeBetween(column="probability_alive", min_value=0, max_value=1),
            expect.ExpectColumnValuesToBeBetween(column="churn_probability", min_value=0, max_value=1),
            expect.ExpectColumnValuesToBeBetween(column="expected_purchases_next_30_days", min_value=0),
            expect.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="expected_purchases_next_365_days", column_B="expected_purchases_next_30_days", or_equal=True,
                ignore_row_if="either_value_is_missing"),
        ],
    ))
    return suites


# --- segment-share drift ----------------------------------------------------------------------

def _ensure_shares_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists data_quality")
    connection.execute(
        f"""create table if not exists {SHARES_TABLE} (
            run_id varchar, validated_at timestamp, as_of_date date, segment_family varchar, segment varchar,
            customers bigint, customer_share double)"""
    )


def share_drift(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Per family and segment: previous and current customer share (0 when absent) and their absolute change."""
    keys = ["segment_family", "segment"]
    merged = current[[*keys, "customer_share"]].merge(
        previous[[*keys, "customer_share"]], on=keys, how="outer", suffixes=("", "_previous"))
    merged = merged.fillna({"customer_share": 0.0, "customer_share_previous": 0.0})
    merged["share_change"] = (merged["customer_share"] - merged["customer_share_previous"]).abs()
    return merged


def drift_suites(connection: duckdb.DuckDBPyConnection) -> list[Suite]:
    """Warning (not failure) when a segment's share moved more than var segment_share_drift_warn since the
    last run whose validation passed (data_quality.validated_segment_shares)."""
    import great_expectations as gx

    if not relation_exists(connection, "marts", "segment_summary"):
        return []
    _ensure_shares_table(connection)
    threshold = float(configuration()["segment_share_drift_warn"])
    current = connection.execute("select segment_family, segment, customer_share from marts.segment_summary").df()
    previous = connection.execute(
        f"""select segment_family, segment, customer_share from {SHARES_TABLE}
            where run_id = (select run_id from {SHARES_TABLE} order by validated_at desc limit 1)"""
    ).df()
    frame = share_drift(current, previous if len(previous) else current)
    # the segment and its move as the checked value, so that the report's examples say what moved
    frame["share_move"] = (frame["segment_family"] + " / " + frame["segment"] + ": "
                           + frame["customer_share_previous"].map("{:.1%}".format) + " -> "
                           + frame["customer_share"].map("{:.1%}".format))
    within = sorted(frame.loc[frame["share_change"] <= threshold, "share_move"])
    return [Suite("segment_share_drift", "drift", [
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="share_move", value_set=within, meta={"segment_share_drift_warn": threshold}),
    ], frame=frame, severity="warning")]


def empty_segment_suites(connection: duckdb.DuckDBPyConnection) -> list[Suite]:
    """Warning when a registered customer segment has no member (a rule that can never fire on this data,
    or a threshold set out of range)."""
    import great_expectations as gx

    if not relation_exists(connection, "marts", "segment_summary"):
        return []
    frame = connection.execute(
        """select definitions.segment_family, definitions.segment, coalesce(summary.customers, 0) as customers
           from marts.segment_definitions as definitions
           left join marts.segment_summary as summary
               on definitions.segment_family = summary.segment_family and definitions.segment = summary.segment
           where definitions.segment_subject = 'customer'"""
    ).df()
    frame["membership"] = frame["segment_family"] + " / " + frame["segment"]
    # as a value set, so that the report's examples name the empty segments
    with_members = sorted(frame.loc[frame["customers"] > 0, "membership"])
    return [Suite("empty_segments", "registry", [
        gx.expectations.ExpectColumnValuesToBeInSet(column="membership", value_set=with_members),
    ], frame=frame, severity="warning")]


def save_validated_shares(connection: duckdb.DuckDBPyConnection, run_id: str, run_at: dt.datetime) -> None:
    """Record this run's segment shares as the baseline of the next drift check (called when it passed)."""
    if not relation_exists(connection, "marts", "segment_summary"):
        return
    _ensure_shares_table(connection)
    connection.execute(
        f"""insert into {SHARES_TABLE}
            select ?, ?, as_of_date, segment_family, segment, customers, customer_share from marts.segment_summary""",
        [run_id, run_at],
    )
