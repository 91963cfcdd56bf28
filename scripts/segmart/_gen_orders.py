"""Orders, order items and returns, generated per persona as whole arrays (no per-row loops)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from segmart._gen_catalog import (
    PRICE_FX,
    TIER_ALL,
    TIER_CHEAP,
    TIER_PREMIUM,
    TIER_TRENDY,
    Catalog,
    pick_products,
)
from segmart._gen_common import (
    DAY,
    HOUR,
    MINUTE,
    Timeline,
    cents_to_amount,
    dictionary_column,
    draw_from,
    email_variants,
    expand_counts,
    integers_between,
    prefixed_ids,
    time_of_day,
    times_at_quantiles,
    uniform_times,
)
from segmart._gen_people import (
    COUNTRIES,
    COUNTRY_TAX_RATE,
    CURRENCIES,
    DEVICE_TYPES,
    TZ_STYLE_SHARES,
    Population,
)
from segmart._gen_personas import (
    BASKET_TIERS,
    GUEST_CAPABLE,
    PERSONA_ID,
    persona_column,
    persona_is,
    persona_range,
)

STATUSES: tuple[str, ...] = ("placed", "paid", "shipped", "delivered", "cancelled", "refunded")
PLACED, PAID, SHIPPED, DELIVERED, CANCELLED, REFUNDED = range(6)
CHANNELS: tuple[str, ...] = ("web", "app", "store", "marketplace", "other")
WEB, APP, STORE, MARKETPLACE, OTHER = range(5)
# code: (percent off, fixed cents off, free shipping)
COUPONS: dict[str, tuple[int, int, bool]] = {
    "WELCOME10": (10, 0, False), "SPRING15": (15, 0, False), "SUMMER20": (20, 0, False), "BF25": (25, 0, False),
    "XMAS10": (10, 0, False), "VIP20": (20, 0, False), "SAVE5": (0, 500, False), "FREESHIP": (0, 0, True),
}
RETURN_REASONS: tuple[str, ...] = ("too small", "too large", "changed my mind", "damaged on arrival",
                                   "not as described", "arrived too late", "better price elsewhere",
                                   "wrong item sent", "Quality not as expected", "")
GUEST_SHARE = 0.05
GUEST_FIRST_SHARE = 0.2  # guest-capable customers whose first order was a guest checkout before registering
RESENT_SHARE = 0.10
CANCELLED_SHARE = 0.03
REFUNDED_SHARE = 0.018
FREE_SHIPPING_CENTS = 5_000
SHIPPING_CENTS = 499
TENURE_DAYS_FOR_BASE_COUNT = 430


@dataclass
class OrderBook:
    """Orders and their items as arrays, for the web events and the bad-row injector."""

    order_ids: pa.Array
    customer: np.ndarray  # registered customer index, -1 for a guest checkout
    owner: np.ndarray  # the customer behind the order (for guests: whose email was used)
    ordered: np.ndarray  # relative seconds
    channel: np.ndarray  # index into CHANNELS
    device: np.ndarray  # index into DEVICE_TYPES, -1 when unknown
    item_first: np.ndarray
    item_count: np.ndarray
    item_product: np.ndarray


@dataclass
class OrderStreams:
    """Per customer (and per activity period) how many orders fall in which window."""

    customer: np.ndarray
    count: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    regular: np.ndarray  # evenly spaced (cadence) rather than random times


def order_streams(rng: np.random.Generator, timeline: Timeline, population: Population) -> OrderStreams:
    """Order count and time window per customer, following its persona."""
    persona, created, end = population.persona, population.created, timeline.end
    n = population.size
    start = created + HOUR
    stop = np.full(n, end, dtype=np.int64)
    low, high = persona_range("orders")
    drawn = integers_between(rng, low[persona], high[persona])
    tenure_days = (end - created) / DAY
    scale = np.clip(tenure_days / TENURE_DAYS_FOR_BASE_COUNT, 0.1, 1.6)
    count = np.maximum(low[persona], np.round(drawn * scale)).astype(np.int64)
    count = np.minimum(count, (tenure_days / 3).astype(np.int64) + 1)
    unscaled = persona_is(persona, "late_churner", "reactivated") | (low[persona] == high[persona])
    count = np.where(unscaled, drawn, count)  # fixed windows or exact counts (one-timers)

    regular = persona_is(persona, "loyal_repeater", "thrifty")
    gap_low, gap_high = persona_range("cadence_days")
    gap = integers_between(rng, gap_low[persona], gap_high[persona]) * DAY
    count = np.where(regular, np.maximum(3, (stop - start) // np.maximum(gap, DAY)), count)

    def window(name: str, new_stop: np.ndarray) -> None:
        """Shorten the order window of every customer of persona ``name``."""
        rows = persona == PERSONA_ID[name]
        stop[rows] = np.minimum(new_stop[rows], stop[rows])

    window("one_timer", created + 60 * DAY)
    window("quick_churner", np.minimum(created + 20 * DAY, timeline.days_ago(400)))
    window("late_churner", np.minimum(created + 330 * DAY, timeline.days_ago(420)))
    window("reactivated", np.minimum(created + 240 * DAY, timeline.days_ago(560)))
    window("cart_abandoner", np.full(n, timeline.days_ago(35)))
    window("new_big_basket", created + 3 * DAY)
    window("new_small_basket", created + 3 * DAY)
    browser = persona == PERSONA_ID["indecisive_browser"]
    count = np.where(browser, (rng.random(n) < 0.2).astype(np.int64), count)
    count = np.where(stop > start, count, 0)

    comeback = np.flatnonzero(persona == PERSONA_ID["reactivated"])
    return OrderStreams(
        customer=np.concatenate([np.arange(n), comeback]),
        count=np.concatenate([count, rng.integers(1, 4, comeback.size)]),
        start=np.concatenate([start, np.full(comeback.size, timeline.days_ago(90))]),
        stop=np.concatenate([stop, np.full(comeback.size, end - HOUR)]),
        regular=np.concatenate([regular, np.zeros(comeback.size, dtype=bool)]),
    )


def order_times(rng: np.random.Generator, timeline: Timeline, streams: OrderStreams) -> tuple[np.ndarray, np.ndarray]:
    """``(customer, ordered)`` per order: cadence buyers evenly spaced, others at random."""
    stream, position, _ = expand_counts(streams.count)
    count = streams.count[stream]
    cadence_quantile = (position + 0.5 + 0.25 * rng.standard_normal(stream.size)) / np.maximum(count, 1)
    quantile = np.where(streams.regular[stream], cadence_quantile, rng.random(stream.size))
    ordered = times_at_quantiles(rng, timeline, streams.start[stream], streams.stop[stream], quantile)
    return streams.customer[stream], ordered


def follow_collections(
    rng: np.random.Generator, catalog: Catalog, ordered: np.ndarray, trendy: np.ndarray, earliest: np.ndarray,
    latest: int,
) -> np.ndarray:
    """Move trendy buyers' orders to within 25 days after the latest collection launch."""
    launch_index = np.searchsorted(catalog.collection_launches, ordered, side="right") - 1
    launch = catalog.collection_launches[np.maximum(launch_index, 0)]
    moved = launch + rng.integers(0, 25, ordered.size) * DAY + time_of_day(rng, ordered.size)
    usable = trendy & (launch_index >= 0) & (moved >= earliest) & (moved <= latest)
    return np.where(usable, moved, ordered)


def choose_guest_orders(
    rng: np.random.Generator, population: Population, customer: np.ndarray, ordered: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mark ~5% of orders as guest checkouts; some become a guest order before registration.

    Returns ``(is_guest, ordered)`` with the moved order times.
    """
    created = population.created[customer]
    capable = persona_is(population.persona[customer], *GUEST_CAPABLE)
    by_customer = np.lexsort((ordered, customer))
    first_rows = by_customer[np.unique(customer[by_customer], return_index=True)[1]]
    counts = np.bincount(customer, minlength=population.size)
    first_is_eligible = capable[first_rows] & (counts[customer[first_rows]] >= 2) & (created[first_rows] > 2 * DAY)
    guest_first = first_rows[first_is_eligible & (rng.random(first_rows.size) < GUEST_FIRST_SHARE)]

    is_guest = np.zeros(customer.size, dtype=bool)
    is_guest[guest_first] = True
    lead_time = uniform_times(rng, np.full(guest_first.size, HOUR), np.minimum(30 * DAY, created[guest_first] - 1))
    ordered = ordered.copy()
    ordered[guest_first] = created[guest_first] - lead_time

    remaining = capable & ~is_guest
    wanted = max(GUEST_SHARE * customer.size - guest_first.size, 0)
    probability = wanted / max(remaining.sum(), 1)
    is_guest |= remaining & (rng.random(customer.size) < probability)
    return is_guest, ordered


def build_orders(
    rng: np.random.Generator, timeline: Timeline, population: Population, catalog: Catalog
) -> tuple[OrderBook, dict[str, pa.Table]]:
    """The order book and the ``orders``, ``order_items`` and ``returns`` raw tables."""
    streams = order_streams(rng, timeline, population)
    owner, ordered = order_times(rng, timeline, streams)
    trendy = population.persona[owner] == PERSONA_ID["trendy_buyer"]
    ordered = follow_collections(rng, catalog, ordered, trendy, population.created[owner] + HOUR, timeline.end)
    is_guest, ordered = choose_guest_orders(rng, population, owner, ordered)

    chronological = np.argsort(ordered, kind="stable")
    owner, ordered, is_guest = owner[chronological], ordered[chronological], is_guest[chronological]
    n_orders = owner.size
    order_ids = prefixed_ids("O", np.arange(1, n_orders + 1), 8)
    persona = population.persona[owner]
    currency = population.currency[owner]
    country = population.country[owner]

    channel = order_channels(rng, population.has_app[owner], is_guest)
    device = order_devices(rng, channel, population.web_device[owner], population.app_device[owner])
    items = order_items(rng, catalog, persona, currency, ordered)
    amounts = order_amounts(rng, persona, country, channel, items, n_orders)
    status = final_status(rng, timeline, persona, ordered)
    returns = order_returns(rng, timeline, persona, status, ordered, items)
    final_updated = final_update_times(rng, timeline, status, ordered, returns, n_orders)

    book = OrderBook(order_ids, np.where(is_guest, -1, owner), owner, ordered, channel, device,
                     items["first"], items["count"], items["product"])
    emails = order_emails(rng, population, owner, is_guest)
    orders = orders_table(rng, timeline, book, emails, status, final_updated, currency, country, amounts,
                          population)
    tables = {
        "orders": orders,
        "order_items": order_items_table(timeline, book, items, catalog),
        "returns": returns_table(rng, timeline, book, items, returns),
    }
    return book, tables


def order_channels(rng: np.random.Generator, has_app: np.ndarray, is_guest: np.ndarray) -> np.ndarray:
    """Channel per order: mostly online (app when the customer has it), some store and marketplace."""
    draw = draw_from(rng, {"online": 0.80, "store": 0.10, "marketplace": 0.08, "other": 0.02}, has_app.size)
    online = np.where(has_app & (rng.random(has_app.size) < 0.55), APP, WEB)
    channel = np.choose(draw, [online, np.full_like(online, STORE), np.full_like(online, MARKETPLACE),
                               np.full_like(online, OTHER)])
    guest_channel = np.where(rng.random(has_app.size) < 0.85, WEB, MARKETPLACE)
    return np.where(is_guest, guest_channel, channel).astype(np.int8)


def order_devices(rng: np.random.Generator, channel: np.ndarray, web_device: np.ndarray,
                  app_device: np.ndarray) -> np.ndarray:
    """Device type per order (index into DEVICE_TYPES; -1 when not captured)."""
    marketplace_device = np.where(rng.random(channel.size) < 0.5, 0, 1)
    return np.select(
        [channel == WEB, channel == APP, channel == STORE, channel == MARKETPLACE],
        [web_device, app_device, np.full(channel.size, DEVICE_TYPES.index("other")), marketplace_device],
        default=-1,
    ).astype(np.int8)


def order_items(rng: np.random.Generator, catalog: Catalog, persona: np.ndarray, currency: np.ndarray,
                ordered: np.ndarray) -> dict[str, np.ndarray]:
    """Order lines: product, quantity, unit price and line discount in integer cents."""
    extra = np.minimum(rng.poisson(persona_column("extra_items")[persona]), 11)
    count = 1 + extra
    order, _, first = expand_counts(count)
    item_persona = persona[order]
    basket = np.array([BASKET_TIERS.index(p) for p in persona_column("basket")])[item_persona]
    tier_of_basket = np.array([TIER_ALL, TIER_CHEAP, TIER_PREMIUM, TIER_TRENDY])[basket]
    roll = rng.random(order.size)
    keep_basket = np.select([tier_of_basket == TIER_TRENDY, tier_of_basket == TIER_CHEAP], [0.8, 0.95], 0.85)
    tier = np.where(tier_of_basket == TIER_ALL,
                    np.select([roll < 0.05, roll < 0.15], [TIER_PREMIUM, TIER_CHEAP], TIER_ALL),
                    np.where(roll < keep_basket, tier_of_basket, TIER_ALL))
    product = pick_products(rng, catalog, ordered[order], tier)

    roll = rng.random(order.size)
    quantity = 1 + (roll > 0.80).astype(np.int64) + (roll > 0.95).astype(np.int64)
    big = item_persona == PERSONA_ID["big_spender"]
    quantity = np.where(big, rng.integers(1, 5, order.size), quantity)
    quantity = np.minimum(quantity, persona_column("max_quantity")[item_persona])
    fx = np.array([PRICE_FX[c] for c in CURRENCIES])[currency[order]]
    unit_cents = np.round(catalog.price_cents[product] * fx).astype(np.int64)
    discounted = rng.random(order.size) < persona_column("item_discount_rate")[item_persona]
    percent = rng.choice(np.array([10, 15, 20, 30]), order.size)
    discount_cents = np.where(discounted, np.round(quantity * unit_cents * percent / 100), 0).astype(np.int64)
    return {"order": order, "first": first, "count": count, "product": product, "quantity": quantity,
            "unit_cents": unit_cents, "discount_cents": discount_cents}


def order_amounts(rng: np.random.Generator, persona: np.ndarray, country: np.ndarray, channel: np.ndarray,
                  items: dict[str, np.ndarray], n_orders: int) -> dict[str, np.ndarray]:
    """Header amounts in cents: subtotal from the lines, coupon discount, shipping, tax, total."""
    line_cents = items["quantity"] * items["unit_cents"] - items["discount_cents"]
    subtotal = np.bincount(items["order"], weights=line_cents, minlength=n_orders).astype(np.int64)
    has_coupon = rng.random(n_orders) < persona_column("coupon_rate")[persona]
    code = rng.integers(0, len(COUPONS), n_orders)
    specs = list(COUPONS.values())
    percent = np.array([s[0] for s in specs])[code]
    fixed = np.array([s[1] for s in specs])[code]
    free_shipping = has_coupon & np.array([s[2] for s in specs])[code]
    discount = np.where(has_coupon, np.minimum(np.round(subtotal * percent / 100) + fixed, subtotal), 0)
    discount = discount.astype(np.int64)
    net = subtotal - discount
    shipping = np.where((channel == STORE) | free_shipping | (net >= FREE_SHIPPING_CENTS), 0, SHIPPING_CENTS)
    tax_rate = np.array([COUNTRY_TAX_RATE[c] for c in COUNTRIES])[country]
    tax = np.round(net * tax_rate).astype(np.int64)
    return {"subtotal": subtotal, "discount": discount, "shipping": shipping.astype(np.int64), "tax": tax,
            "total": net + shipping + tax, "coupon": np.where(has_coupon, code, -1)}


def final_status(rng: np.random.Generator, timeline: Timeline, persona: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Latest status per order: recent orders still in flight, some cancelled or refunded."""
    age = timeline.end - ordered
    roll = rng.random(ordered.size)
    status = np.select(
        [age < DAY, age < 4 * DAY, age < 10 * DAY],
        [np.where(roll < 0.5, PLACED, PAID), np.where(roll < 0.3, PAID, SHIPPED),
         np.where(roll < 0.6, SHIPPED, DELIVERED)],
        default=DELIVERED,
    )
    refund_rate = np.where(persona == PERSONA_ID["frequent_returner"], 0.08, REFUNDED_SHARE)
    refunded = (age > 50 * DAY) & (rng.random(ordered.size) < refund_rate)
    cancelled = rng.random(ordered.size) < CANCELLED_SHARE
    return np.select([cancelled, refunded], [CANCELLED, REFUNDED], status).astype(np.int8)


def order_returns(rng: np.random.Generator, timeline: Timeline, persona: np.ndarray, status: np.ndarray,
                  ordered: np.ndarray, items: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Returned lines: all lines of refunded orders, a persona-dependent share of delivered ones."""
    order = items["order"]
    item_status = status[order]
    chance = persona_column("return_rate")[persona[order]]
    returned = (item_status == REFUNDED) | ((item_status == DELIVERED) & (rng.random(order.size) < chance))
    returned_at = ordered[order] + uniform_times(rng, np.full(order.size, 3 * DAY), np.full(order.size, 40 * DAY))
    rows = np.flatnonzero(returned & (returned_at <= timeline.end))
    quantity = items["quantity"][rows]
    partial = (quantity > 1) & (rng.random(rows.size) < 0.25)
    returned_quantity = np.where(partial, integers_between(rng, np.ones(rows.size), quantity - 1), quantity)
    refund = (returned_quantity * items["unit_cents"][rows]
              - np.round(items["discount_cents"][rows] * returned_quantity / quantity).astype(np.int64))
    return {"item": rows, "order": order[rows], "returned_at": returned_at[rows], "quantity": returned_quantity,
            "refund_cents": refund}


def final_update_times(rng: np.random.Generator, timeline: Timeline, status: np.ndarray, ordered: np.ndarray,
                       returns: dict[str, np.ndarray], n_orders: int) -> np.ndarray:
    """When each order's latest status was written (refunds after their last return)."""
    delay_bounds = {PLACED: (0, 10 * MINUTE), PAID: (10 * MINUTE, 6 * HOUR), SHIPPED: (DAY, 3 * DAY),
                    DELIVERED: (3 * DAY, 10 * DAY), CANCELLED: (HOUR, 2 * DAY), REFUNDED: (HOUR, 2 * DAY)}
    low = np.array([delay_bounds[s][0] for s in range(len(STATUSES))])[status]
    high = np.array([delay_bounds[s][1] for s in range(len(STATUSES))])[status]
    last_return = np.zeros(n_orders, dtype=np.int64)
    np.maximum.at(last_return, returns["order"], returns["returned_at"])
    base = np.where((status == REFUNDED) & (last_return > 0), last_return, ordered)
    return np.clip(base + uniform_times(rng, low, high), ordered, timeline.end)


def order_emails(rng: np.random.Generator, population: Population, owner: np.ndarray, is_guest: np.ndarray) -> pa.Array:
    """Checkout email: the account's address; guests type it with other case or whitespace."""
    guest_rows = np.flatnonzero(is_guest)
    typed = [population.emails[i] for i in owner[guest_rows]]
    retyped = rng.random(guest_rows.size) < 0.8
    variants = email_variants(rng, typed)
    typed = [v if r else t for t, v, r in zip(typed, variants, retyped)]
    values = pa.array(population.emails + typed, type=pa.string())
    index = owner.copy()
    index[guest_rows] = population.size + np.arange(guest_rows.size)
    missing = ~is_guest & (rng.random(owner.size) < 0.03)
    return dictionary_column(values, index, missing)


def orders_table(rng: np.random.Generator, timeline: Timeline, book: OrderBook, emails: pa.Array,
                 status: np.ndarray, final_updated: np.ndarray, currency: np.ndarray, country: np.ndarray,
                 amounts: dict[str, np.ndarray], population: Population) -> pa.Table:
    """Order header rows; ~10% of orders appear twice: first version, then a later re-sent row."""
    n = book.ordered.size
    age = timeline.end - book.ordered
    eligible = (age > 2 * DAY) & (status != PLACED)
    probability = RESENT_SHARE * n / max(eligible.sum(), 1)
    resent = np.flatnonzero(eligible & (rng.random(n) < probability))
    first_status = status.copy()
    early = np.isin(status[resent], [PAID, CANCELLED]) | (rng.random(resent.size) < 0.5)
    first_status[resent] = np.where(early, PLACED, PAID)
    first_updated = final_updated.copy()
    first_updated[resent] = book.ordered[resent] + rng.integers(MINUTE, 15 * MINUTE, resent.size)
    later_updated = np.clip(np.maximum(final_updated[resent], first_updated[resent] + MINUTE), None, timeline.end)

    rows = np.concatenate([np.arange(n), resent])
    first_batch = timeline.month_index(book.ordered)
    resent_batch = np.maximum(timeline.month_index(later_updated), first_batch[resent] + 1)
    coupon = amounts["coupon"][rows]

    def amount(name: str) -> pa.Array:
        """One header amount (cents) for every written row, as a double."""
        return cents_to_amount(amounts[name][rows])

    return pa.table({
        "order_id": book.order_ids.take(pa.array(rows)),
        "customer_id": dictionary_column(population.customer_ids, np.maximum(book.customer[rows], 0),
                                         book.customer[rows] < 0),
        "email": emails.take(pa.array(rows)),
        "ordered_at": timeline.to_timestamps(book.ordered[rows]),
        "status": dictionary_column(list(STATUSES), np.concatenate([first_status, status[resent]])),
        "currency": dictionary_column(list(CURRENCIES), currency[rows]),
        "subtotal_amount": amount("subtotal"),
        "discount_amount": amount("discount"),
        "shipping_amount": amount("shipping"),
        "tax_amount": amount("tax"),
        "total_amount": amount("total"),
        "coupon_code": dictionary_column(list(COUPONS), np.maximum(coupon, 0), coupon < 0),
        "channel": dictionary_column(list(CHANNELS), book.channel[rows]),
        "device_type": dictionary_column(list(DEVICE_TYPES), np.maximum(book.device[rows], 0),
                                         book.device[rows] < 0),
        "shipping_country_code": dictionary_column(list(COUNTRIES), country[rows]),
        "updated_at": timeline.to_timestamps(np.concatenate([first_updated, later_updated])),
        "_batch": pa.array(np.concatenate([first_batch, resent_batch]).astype(np.int32)),
        "_tz": pa.array(draw_from(rng, TZ_STYLE_SHARES, rows.size).astype(np.int8)),
    })


def order_items_table(timeline: Timeline, book: OrderBook, items: dict[str, np.ndarray], catalog: Catalog) -> pa.Table:
    """Order lines, batched with the first version of their order."""
    n = items["order"].size
    return pa.table({
        "order_item_id": prefixed_ids("OI", np.arange(1, n + 1), 9),
        "order_id": dictionary_column(book.order_ids, items["order"]),
        "product_id": dictionary_column(catalog.product_ids, items["product"]),
        "quantity": pa.array(items["quantity"], type=pa.int64()),
        "unit_price": cents_to_amount(items["unit_cents"]),
        "discount_amount": cents_to_amount(items["discount_cents"]),
        "_batch": pa.array(timeline.month_index(book.ordered[items["order"]]).astype(np.int32)),
        "_tz": pa.array(np.zeros(n, dtype=np.int8)),
    })


def returns_table(rng: np.random.Generator, timeline: Timeline, book: OrderBook, items: dict[str, np.ndarray],
                  returns: dict[str, np.ndarray]) -> pa.Table:
    """Returns in time order, batched per 12 months of the return."""
    chronological = np.argsort(returns["returned_at"], kind="stable")
    item = returns["item"][chronological]
    returned_at = returns["returned_at"][chronological]
    n = item.size
    unknown_line = rng.random(n) < 0.08  # some returns do not say which line
    reason = rng.integers(0, len(RETURN_REASONS), n)
    return pa.table({
        "return_id": prefixed_ids("R", np.arange(1, n + 1), 8),
        "order_id": dictionary_column(book.order_ids, items["order"][item]),
        "order_item_id": pc.if_else(pa.array(unknown_line), pa.scalar(None, pa.string()),
                                    prefixed_ids("OI", item + 1, 9)),
        "returned_at": timeline.to_timestamps(returned_at),
        "quantity": pa.array(returns["quantity"][chronological], type=pa.int64()),
        "refund_amount": cents_to_amount(returns["refund_cents"][chronological]),
        "reason": dictionary_column(list(RETURN_REASONS), reason),
        "_batch": pa.array((timeline.month_index(returned_at) // 12).astype(np.int32)),
        "_tz": pa.array(np.zeros(n, dtype=np.int8)),
    })
