"""Web/app behaviour events and email marketing events, built session by session as arrays.

A *visitor* is one anonymous id (a browser cookie or an app install). Visitor ``i`` is customer
``i``'s browser, visitor ``n + i`` the same customer's app, and visitors from ``2n`` on are
people who never identify. Events before a visitor signs up or logs in carry only the
anonymous id; from the ``signup``/``login`` event on they also carry the customer id.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from segmart._gen_catalog import TIER_ALL, TIER_LOW_STOCK, TIER_TRENDY, Catalog, pick_products
from segmart._gen_common import (
    DAY,
    HOUR,
    MINUTE,
    Timeline,
    dictionary_column,
    draw_from,
    email_variants,
    expand_counts,
    hex_ids,
    integers_between,
    prefixed_ids,
    random_times,
    uniform_times,
)
from segmart._gen_orders import APP, WEB, OrderBook
from segmart._gen_people import COUNTRIES, COUNTRY_SHARES, DEVICE_TYPES, WEB_DEVICE_SHARES, Population
from segmart._gen_personas import PERSONA_ID, persona_column, persona_is, persona_range

EVENT_TYPES: tuple[str, ...] = (
    "page_view", "product_view", "search", "add_to_cart", "remove_from_cart", "add_to_wishlist",
    "remove_from_wishlist", "begin_checkout", "purchase", "signup", "login",
)
(PAGE_VIEW, PRODUCT_VIEW, SEARCH, ADD_TO_CART, REMOVE_FROM_CART, ADD_TO_WISHLIST, REMOVE_FROM_WISHLIST,
 BEGIN_CHECKOUT, PURCHASE, SIGNUP, LOGIN) = range(len(EVENT_TYPES))
PRODUCT_EVENTS = (PRODUCT_VIEW, ADD_TO_CART, REMOVE_FROM_CART, ADD_TO_WISHLIST, REMOVE_FROM_WISHLIST)
BROWSE, CHECKOUT, ABANDON, WISHLIST = range(4)  # session kinds
NEVER = 1 << 40  # identification position of sessions that never identify

STATIC_PAGES: tuple[str, ...] = (
    "/", "/new-in", "/sale", "/c/apparel", "/c/shoes", "/c/accessories", "/c/home", "/c/beauty",
    "/c/electronics", "/c/sports", "/c/baby", "/blog/style-guide",
    "/search?q=sneakers", "/search?q=dress", "/search?q=gift", "/search?q=headphones", "/search?q=baby",
    "/cart", "/checkout", "/checkout/confirmation", "/account/signup", "/account/login", "/account/wishlist",
)
LANDING_PAGES = range(0, 12)
BROWSE_PAGES = range(1, 11)
SEARCH_PAGES = range(12, 17)
CART_PAGE, CHECKOUT_PAGE, CONFIRMATION_PAGE, SIGNUP_PAGE, LOGIN_PAGE, WISHLIST_PAGE = range(17, 23)
WEB_ORIGIN = "https://www.segmart.example"
APP_ORIGIN = "app://segmart"
REFERRERS = {None: 0.45, "https://www.google.com/": 0.25, "https://www.bing.com/": 0.04,
             "https://www.facebook.com/": 0.08, "https://www.instagram.com/": 0.08, "https://t.co/": 0.03,
             "https://mail.google.com/": 0.04, "https://www.pinterest.com/": 0.03}
UTM_TAGS: tuple[tuple[str, str, str], ...] = (
    ("google", "cpc", "brand_search"), ("google", "cpc", "generic_shopping"),
    ("facebook", "paid_social", "seasonal_sale"), ("instagram", "social", "new_collection"),
    ("newsletter", "email", "weekly_newsletter"), ("affiliate", "affiliate", "partner_network"),
    ("tiktok", "paid_social", "trend_drop"),
)
# Referrer (index into REFERRERS) that goes with each UTM tag's source.
UTM_REFERRER = (1, 1, 3, 4, 6, 0, 0)
NEWSLETTER_UTM = 4
UTM_SHARE = 0.3
ANONYMOUS_ONLY_SHARE = 0.3
PRE_SIGNUP_BROWSING_SHARE = 0.5

SESSION_FIELDS = ("customer", "visitor", "kind", "anchor", "anchor_pos", "n", "order", "ident_pos", "ident_type",
                  "device", "is_app", "country", "tier", "pairs", "ending")


def _sessions(size: int, **fields: np.ndarray | int) -> dict[str, np.ndarray]:
    """A block of sessions: every field broadcast to ``size`` rows (defaults for missing ones)."""
    defaults = {"order": -1, "anchor_pos": 0, "ident_pos": 0, "ident_type": 0, "is_app": False,
                "tier": TIER_ALL, "pairs": 0, "ending": 0}
    block = {}
    for name in SESSION_FIELDS:
        value = fields.get(name, defaults.get(name))
        block[name] = np.broadcast_to(np.asarray(value), (size,)).copy()
    return block


def _concat(blocks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Stack session blocks."""
    return {name: np.concatenate([block[name] for block in blocks]) for name in SESSION_FIELDS}


def visitor_ids(seed: int, n_visitors: int) -> pa.Array:
    """Anonymous ids 'anon-<12 hex digits>' for every visitor slot."""
    return pa.array(hex_ids("anon-", np.arange(n_visitors), salt=seed * 7_919 + 17), type=pa.string())


def signup_sessions(rng: np.random.Generator, population: Population) -> dict[str, np.ndarray]:
    """One browser session per customer around registration; its second event is ``signup``."""
    n = population.size
    return _sessions(
        n, customer=np.arange(n), visitor=np.arange(n), kind=BROWSE, anchor=population.created, anchor_pos=1,
        n=3 + rng.poisson(2.0, n), ident_pos=1, ident_type=SIGNUP, device=population.web_device,
        country=population.country,
    )


def pre_signup_sessions(rng: np.random.Generator, timeline: Timeline, population: Population) -> dict[str, np.ndarray]:
    """Anonymous browsing before registration (later stitched through the signup event)."""
    created = population.created
    browsing = (rng.random(population.size) < PRE_SIGNUP_BROWSING_SHARE) & (created > 2 * HOUR)
    count = np.where(browsing, rng.integers(1, 4, population.size), 0)
    customer, _, _ = expand_counts(count)
    start = np.maximum(created[customer] - 45 * DAY, 0)
    anchor = random_times(rng, timeline, start, created[customer] - HOUR)
    return _sessions(
        customer.size, customer=customer, visitor=customer, kind=BROWSE, anchor=anchor,
        n=2 + rng.poisson(3.0, customer.size), ident_pos=NEVER, device=population.web_device[customer],
        country=population.country[customer],
    )


def activity_windows(timeline: Timeline, population: Population, book: OrderBook) -> tuple[np.ndarray, np.ndarray]:
    """``(start, stop)`` of each customer's browsing; churners stop a month after their last order."""
    start = population.created + HOUR
    stop = np.full(population.size, timeline.end, dtype=np.int64)
    last_order = np.full(population.size, -1, dtype=np.int64)
    registered = book.customer >= 0
    np.maximum.at(last_order, book.customer[registered], book.ordered[registered])
    churner = persona_is(population.persona, "quick_churner", "late_churner")
    went_quiet = np.where(last_order >= 0, last_order, population.created) + 30 * DAY
    stop = np.where(churner, np.minimum(went_quiet, timeline.days_ago(370)), stop)
    reactivated = population.persona == PERSONA_ID["reactivated"]
    stop = np.where(reactivated, np.minimum(population.created + 270 * DAY, timeline.days_ago(530)), stop)
    return start, np.maximum(stop, start)


def browse_sessions(rng: np.random.Generator, timeline: Timeline, population: Population,
                    book: OrderBook) -> dict[str, np.ndarray]:
    """Identified browsing, product-view heavy for indecisive browsers."""
    persona = population.persona
    start, stop = activity_windows(timeline, population, book)
    low, high = persona_range("browse_sessions")
    tenure_scale = np.clip((timeline.end - population.created) / DAY / 548, 0.15, 1.6)
    count = np.round(integers_between(rng, low[persona], high[persona]) * tenure_scale).astype(np.int64)
    count = np.maximum(count, np.minimum(low[persona], 1))
    reactivated = np.flatnonzero(persona == PERSONA_ID["reactivated"])
    customer = np.concatenate([np.arange(population.size), reactivated])
    count = np.concatenate([count, rng.integers(1, 5, reactivated.size)])
    start = np.concatenate([start, np.full(reactivated.size, timeline.days_ago(100))])
    stop = np.concatenate([stop, np.full(reactivated.size, timeline.end)])

    stream, _, _ = expand_counts(count)
    who = customer[stream]
    anchor = random_times(rng, timeline, start[stream], stop[stream])
    on_app = population.has_app[who] & (rng.random(who.size) < 0.5)
    trendy = persona[who] == PERSONA_ID["trendy_buyer"]
    return _sessions(
        who.size, customer=who, visitor=np.where(on_app, population.size + who, who), kind=BROWSE, anchor=anchor,
        n=2 + rng.poisson(persona_column("browse_events")[persona[who]]),
        device=np.where(on_app, population.app_device[who], population.web_device[who]), is_app=on_app,
        country=population.country[who], tier=np.where(trendy, TIER_TRENDY, TIER_ALL),
    )


def cart_sessions(rng: np.random.Generator, timeline: Timeline, population: Population) -> dict[str, np.ndarray]:
    """Cart abandoners: recent sessions that add to cart and never reach a purchase."""
    abandoners = np.flatnonzero(population.persona == PERSONA_ID["cart_abandoner"])
    who = np.repeat(abandoners, rng.integers(1, 4, abandoners.size))
    pairs = rng.integers(1, 4, who.size)
    ending = rng.integers(0, 3, who.size)  # 0 none, 1 begin_checkout, 2 remove_from_cart
    anchor = random_times(rng, timeline, np.full(who.size, timeline.days_ago(29)),
                          np.full(who.size, timeline.end - 2 * HOUR))
    return _sessions(
        who.size, customer=who, visitor=who, kind=ABANDON, anchor=anchor, n=1 + 2 * pairs + (ending > 0),
        device=population.web_device[who], country=population.country[who], pairs=pairs, ending=ending,
    )


def wishlist_sessions(rng: np.random.Generator, timeline: Timeline, population: Population) -> dict[str, np.ndarray]:
    """Wishlist users: view then wishlist products (often low in stock), sometimes remove one."""
    users = np.flatnonzero(population.persona == PERSONA_ID["wishlist_user"])
    who = np.repeat(users, rng.integers(2, 7, users.size))
    pairs = rng.integers(1, 4, who.size)
    ending = (rng.random(who.size) < 0.4).astype(np.int64)
    anchor = random_times(rng, timeline, population.created[who] + HOUR, np.full(who.size, timeline.end))
    return _sessions(
        who.size, customer=who, visitor=who, kind=WISHLIST, anchor=anchor, n=1 + 2 * pairs + ending,
        device=population.web_device[who], country=population.country[who],
        tier=np.where(rng.random(who.size) < 0.35, TIER_LOW_STOCK, TIER_ALL), pairs=pairs, ending=ending,
    )


def checkout_sessions(rng: np.random.Generator, population: Population, book: OrderBook) -> dict[str, np.ndarray]:
    """One session per web/app order ending in ``purchase`` seconds before the order time."""
    orders = np.flatnonzero(np.isin(book.channel, [WEB, APP]))
    owner = book.owner[orders]
    on_app = book.channel[orders] == APP
    extra_views = np.minimum(rng.poisson(0.3, orders.size), 3)
    n = 1 + extra_views + 2 * book.item_count[orders] + 2
    registered = book.customer[orders] >= 0
    return _sessions(
        orders.size, customer=owner, visitor=np.where(on_app, population.size + owner, owner), kind=CHECKOUT,
        anchor=book.ordered[orders] - rng.integers(5, 60, orders.size), anchor_pos=n - 1, n=n, order=orders,
        ident_pos=np.where(registered, 0, NEVER), device=book.device[orders], is_app=on_app,
        country=population.country[owner], pairs=book.item_count[orders], ending=extra_views,
    )


def anonymous_sessions(rng: np.random.Generator, timeline: Timeline, first_visitor: int,
                       n_visitors: int) -> dict[str, np.ndarray]:
    """Visitors who never identify: some recent, some returning over several sessions."""
    visitors = first_visitor + np.arange(n_visitors)
    recent = rng.random(n_visitors) < 0.25
    first_start = np.where(recent, timeline.days_ago(30), 0)
    first_visit = random_times(rng, timeline, first_start, np.full(n_visitors, timeline.end))
    count = rng.geometric(0.55, n_visitors)
    owner, position, _ = expand_counts(count)
    later = first_visit[owner] + uniform_times(rng, np.full(owner.size, 2 * HOUR), np.full(owner.size, 60 * DAY))
    anchor = np.where(position == 0, first_visit[owner], np.minimum(later, timeline.end))
    device = np.array([DEVICE_TYPES.index(d) for d in WEB_DEVICE_SHARES])[
        draw_from(rng, WEB_DEVICE_SHARES, n_visitors)]
    country = draw_from(rng, COUNTRY_SHARES, n_visitors)
    return _sessions(
        owner.size, customer=-1, visitor=visitors[owner], kind=BROWSE, anchor=anchor,
        n=2 + rng.poisson(2.5, owner.size), ident_pos=NEVER, device=device[owner], country=country[owner],
    )


def mark_app_logins(sessions: dict[str, np.ndarray]) -> None:
    """The first identified app session of each customer starts anonymous and logs in."""
    candidates = np.flatnonzero(sessions["is_app"] & (sessions["ident_pos"] == 0) & (sessions["customer"] >= 0))
    ordered = candidates[np.lexsort((sessions["anchor"][candidates], sessions["customer"][candidates]))]
    _, first = np.unique(sessions["customer"][ordered], return_index=True)
    login = ordered[first]
    sessions["ident_pos"][login] = 1
    sessions["ident_type"][login] = LOGIN


def build_web_events(rng: np.random.Generator, seed: int, timeline: Timeline, population: Population,
                     catalog: Catalog, book: OrderBook) -> pa.Table:
    """The ``web_events`` raw table."""
    n = population.size
    used_visitors = n + int(population.has_app.sum())
    n_anonymous = int(round(used_visitors * ANONYMOUS_ONLY_SHARE / (1 - ANONYMOUS_ONLY_SHARE)))
    sessions = _concat([
        signup_sessions(rng, population),
        pre_signup_sessions(rng, timeline, population),
        browse_sessions(rng, timeline, population, book),
        cart_sessions(rng, timeline, population),
        wishlist_sessions(rng, timeline, population),
        checkout_sessions(rng, population, book),
        anonymous_sessions(rng, timeline, 2 * n, n_anonymous),
    ])
    mark_app_logins(sessions)
    events = session_events(rng, timeline, population, catalog, book, sessions)
    return web_events_table(rng, seed, timeline, population, catalog, book, sessions, events, 2 * n + n_anonymous)


def session_events(rng: np.random.Generator, timeline: Timeline, population: Population, catalog: Catalog,
                   book: OrderBook, sessions: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Expand sessions into events: type, time, product and whether the customer is known."""
    session, position, first = expand_counts(sessions["n"])
    kind = sessions["kind"][session]
    event_type = event_types(rng, sessions, session, position, kind, population)

    gap = np.clip(np.exp(rng.normal(3.4, 0.9, session.size)), 2, 20 * MINUTE).astype(np.int64)
    gap[position == 0] = 0
    elapsed = np.cumsum(gap)
    offset = elapsed - elapsed[first][session]
    anchor_offset = offset[first + sessions["anchor_pos"]]
    occurred = sessions["anchor"][session] + offset - anchor_offset[session]

    product = np.full(session.size, -1, dtype=np.int64)
    pairs, ending = sessions["pairs"][session], sessions["ending"][session]
    item_position = position - 1 - ending  # checkout sessions: 'ending' holds the extra views
    in_cart = (kind == CHECKOUT) & (item_position >= 0) & (item_position < 2 * pairs)
    order = sessions["order"][session]
    product[in_cart] = book.item_product[book.item_first[order[in_cart]] + item_position[in_cart] // 2]
    needs_pick = np.isin(event_type, PRODUCT_EVENTS) & ~in_cart
    product[needs_pick] = pick_products(rng, catalog, occurred[needs_pick], sessions["tier"][session][needs_pick])
    paired = np.isin(kind, [ABANDON, WISHLIST])
    adds = np.flatnonzero(paired & np.isin(event_type, [ADD_TO_CART, ADD_TO_WISHLIST]))
    product[adds] = product[adds - 1]
    removes = np.flatnonzero(paired & np.isin(event_type, [REMOVE_FROM_CART, REMOVE_FROM_WISHLIST]))
    product[removes] = product[first[session[removes]] + 2]

    identifying = (position == sessions["ident_pos"][session]) & (sessions["ident_type"][session] > 0)
    event_type[identifying] = sessions["ident_type"][session][identifying]
    product[identifying] = -1
    customer = sessions["customer"][session]
    known = (customer >= 0) & (position >= sessions["ident_pos"][session])
    known &= occurred >= population.created[np.maximum(customer, 0)]  # nobody is known before registering

    keep = occurred <= timeline.end
    return {"session": session[keep], "position": position[keep], "type": event_type[keep],
            "occurred": occurred[keep], "product": product[keep], "known": known[keep]}


def event_types(rng: np.random.Generator, sessions: dict[str, np.ndarray], session: np.ndarray,
                position: np.ndarray, kind: np.ndarray, population: Population) -> np.ndarray:
    """Event type by session kind and position (signup/login are applied afterwards)."""
    event_type = np.full(session.size, PAGE_VIEW, dtype=np.int8)
    customer = sessions["customer"][session]
    browser = (customer >= 0) & (population.persona[np.maximum(customer, 0)] == PERSONA_ID["indecisive_browser"])
    product_share = np.where(browser, 0.8, 0.6)
    roll = rng.random(session.size)
    browse = (kind == BROWSE) & (position > 0)
    browse_type = np.select([roll < product_share, roll < product_share + 0.12, roll < product_share + 0.14],
                            [PRODUCT_VIEW, SEARCH, ADD_TO_WISHLIST], PAGE_VIEW)
    event_type[browse] = browse_type[browse]

    pairs, ending = sessions["pairs"][session], sessions["ending"][session]
    checkout = kind == CHECKOUT
    item_position = position - 1 - ending
    event_type[checkout & (position > 0) & (item_position < 0)] = PRODUCT_VIEW
    in_cart = checkout & (item_position >= 0) & (item_position < 2 * pairs)
    event_type[in_cart] = np.where(item_position[in_cart] % 2 == 0, PRODUCT_VIEW, ADD_TO_CART)
    event_type[checkout & (item_position == 2 * pairs)] = BEGIN_CHECKOUT
    event_type[checkout & (item_position == 2 * pairs + 1)] = PURCHASE

    for session_kind, add, last_types in ((ABANDON, ADD_TO_CART, (BEGIN_CHECKOUT, REMOVE_FROM_CART)),
                                          (WISHLIST, ADD_TO_WISHLIST, (REMOVE_FROM_WISHLIST, REMOVE_FROM_WISHLIST))):
        rows = (kind == session_kind) & (position > 0)
        step = position - 1
        paired = rows & (step < 2 * pairs)
        event_type[paired] = np.where(step[paired] % 2 == 0, PRODUCT_VIEW, add)
        last = rows & (step == 2 * pairs)
        event_type[last] = np.where(ending[last] == 1, last_types[0], last_types[1])
    return event_type


def page_codes(rng: np.random.Generator, event_type: np.ndarray, position: np.ndarray,
               product: np.ndarray) -> np.ndarray:
    """Index of each event's page in the URL dictionary (products after the static pages)."""
    size = event_type.size
    landing = rng.integers(LANDING_PAGES.start, LANDING_PAGES.stop, size)
    browsing = rng.integers(BROWSE_PAGES.start, BROWSE_PAGES.stop, size)
    search = rng.integers(SEARCH_PAGES.start, SEARCH_PAGES.stop, size)
    product_page = len(STATIC_PAGES) + np.maximum(product, 0)
    return np.select(
        [event_type == PAGE_VIEW, event_type == SEARCH, event_type == REMOVE_FROM_CART,
         event_type == REMOVE_FROM_WISHLIST, np.isin(event_type, PRODUCT_EVENTS), event_type == BEGIN_CHECKOUT,
         event_type == PURCHASE, event_type == SIGNUP, event_type == LOGIN],
        [np.where(position == 0, landing, browsing), search, CART_PAGE, WISHLIST_PAGE, product_page, CHECKOUT_PAGE,
         CONFIRMATION_PAGE, SIGNUP_PAGE, LOGIN_PAGE],
        default=0,
    )


def web_events_table(rng: np.random.Generator, seed: int, timeline: Timeline, population: Population,
                     catalog: Catalog, book: OrderBook, sessions: dict[str, np.ndarray],
                     events: dict[str, np.ndarray], n_visitors: int) -> pa.Table:
    """Assemble the events in time order with ids, URLs, campaign tags and session ids."""
    chronological = np.argsort(events["occurred"], kind="stable")
    events = {name: values[chronological] for name, values in events.items()}
    session, position, event_type = events["session"], events["position"], events["type"]
    n_events = session.size
    customer = sessions["customer"][session]
    is_app = sessions["is_app"][session]

    n_sessions = sessions["n"].size
    has_session_id = sessions["is_app"] | (rng.random(n_sessions) < 0.03)
    session_number = np.cumsum(has_session_id) - 1
    session_ids = prefixed_ids("S", np.arange(1, int(has_session_id.sum()) + 1), 9)

    paths = list(STATIC_PAGES) + [f"/p/{pid}" for pid in catalog.product_ids.to_pylist()]
    urls = [WEB_ORIGIN + path for path in paths] + [APP_ORIGIN + path for path in paths]
    page = page_codes(rng, event_type, position, events["product"]) + np.where(is_app, len(paths), 0)

    first_event = position == 0
    newsletter_fan = (customer >= 0) & (population.persona[np.maximum(customer, 0)]
                                        == PERSONA_ID["newsletter_reader"])
    from_newsletter = newsletter_fan & (rng.random(n_sessions)[session] < 0.5)
    utm_pick = np.where(from_newsletter, NEWSLETTER_UTM, rng.integers(0, len(UTM_TAGS), n_sessions)[session])
    tagged = first_event & (from_newsletter | (rng.random(n_sessions)[session] < UTM_SHARE))
    utm = [dictionary_column([tag[part] for tag in UTM_TAGS], utm_pick, ~tagged) for part in range(3)]
    referrer_pick = np.where(tagged, np.array(UTM_REFERRER)[utm_pick], draw_from(rng, REFERRERS, n_sessions)[session])
    no_referrer = ~first_event | is_app | (referrer_pick == 0)
    order = sessions["order"][session]

    return pa.table({
        "event_id": prefixed_ids("E", np.arange(1, n_events + 1), 10),
        "occurred_at": timeline.to_timestamps(events["occurred"]),
        "event_type": dictionary_column(list(EVENT_TYPES), event_type),
        "anonymous_id": dictionary_column(visitor_ids(seed, n_visitors), sessions["visitor"][session]),
        "customer_id": dictionary_column(population.customer_ids, np.maximum(customer, 0), ~events["known"]),
        "session_id": dictionary_column(session_ids, session_number[session], ~has_session_id[session]),
        "product_id": dictionary_column(catalog.product_ids, np.maximum(events["product"], 0),
                                        events["product"] < 0),
        "order_id": dictionary_column(book.order_ids, np.maximum(order, 0), event_type != PURCHASE),
        "page_url": dictionary_column(urls, page),
        "referrer": dictionary_column([r or "" for r in REFERRERS], referrer_pick, no_referrer),
        "utm_source": utm[0],
        "utm_medium": utm[1],
        "utm_campaign": utm[2],
        "device_type": dictionary_column(list(DEVICE_TYPES), sessions["device"][session]),
        "country_code": dictionary_column(list(COUNTRIES), sessions["country"][session]),
        "_batch": pa.array(timeline.month_index(events["occurred"])),
        "_tz": pa.array(np.zeros(n_events, dtype=np.int8)),
    })


# --- email ---------------------------------------------------------------------------------------

EMAIL_EVENT_TYPES: tuple[str, ...] = ("subscribe", "unsubscribe", "send", "open", "click", "bounce", "complaint")
SUBSCRIBE, UNSUBSCRIBE, SEND, OPEN, CLICK, BOUNCE, COMPLAINT = range(len(EMAIL_EVENT_TYPES))
CAMPAIGN_INTERVAL_DAYS = 7
UNSUBSCRIBE_SHARE = 0.12
RESUBSCRIBE_SHARE = 0.25
LATE_SUBSCRIBE_SHARE = 0.08
BOUNCE_SHARE = 0.01
COMPLAINT_SHARE = 0.003
EMAIL_ONLY_SHARE = 0.05


def campaign_times(timeline: Timeline) -> np.ndarray:
    """Relative send time of each weekly campaign (Tuesdays-ish, 10:00 UTC)."""
    return np.arange(3 * DAY + 10 * HOUR, timeline.end, CAMPAIGN_INTERVAL_DAYS * DAY, dtype=np.int64)


def subscriptions(rng: np.random.Generator, timeline: Timeline, population: Population) -> dict[str, np.ndarray]:
    """Subscription intervals: opt-in at signup or later, some unsubscribe, a few come back."""
    n, end = population.size, timeline.end
    created = population.created
    at_signup = population.subscribes_at_signup
    late = ~at_signup & (rng.random(n) < LATE_SUBSCRIBE_SHARE) & (created < end - 2 * DAY)
    start = np.where(at_signup, created + rng.integers(1, 120, n), uniform_times(rng, created + DAY, np.full(n, end)))
    subscribed = at_signup | late
    loyal_reader = population.persona == PERSONA_ID["newsletter_reader"]
    leaves = subscribed & ~loyal_reader & (rng.random(n) < UNSUBSCRIBE_SHARE) & (start < end - 8 * DAY)
    leave_at = uniform_times(rng, start + 7 * DAY, np.full(n, end))
    returns = leaves & (rng.random(n) < RESUBSCRIBE_SHARE) & (leave_at < end - 8 * DAY)
    return_at = uniform_times(rng, leave_at + 7 * DAY, np.full(n, end))

    first = np.flatnonzero(subscribed)
    again = np.flatnonzero(returns)
    return {
        "customer": np.concatenate([first, again]),
        "start": np.concatenate([start[first], return_at[again]]),
        "stop": np.concatenate([np.where(leaves[first], leave_at[first], end), np.full(again.size, end)]),
        "left": np.concatenate([leaves[first], np.zeros(again.size, dtype=bool)]),
    }


def build_email_events(rng: np.random.Generator, timeline: Timeline, population: Population) -> pa.Table:
    """The ``email_events`` raw table."""
    campaigns = campaign_times(timeline)
    subs = subscriptions(rng, timeline, population)
    low = np.searchsorted(campaigns, subs["start"], side="right")
    high = np.searchsorted(campaigns, subs["stop"], side="left")
    interval, position, _ = expand_counts(np.maximum(high - low, 0))
    customer = subs["customer"][interval]
    campaign = low[interval] + position
    sent = rng.random(customer.size) < persona_column("campaign_rate")[population.persona[customer]]
    customer, campaign = customer[sent], campaign[sent]
    send_at = campaigns[campaign] + rng.integers(0, 2 * HOUR, customer.size)

    persona = population.persona[customer]
    bounced = rng.random(customer.size) < BOUNCE_SHARE
    opened = ~bounced & (rng.random(customer.size) < persona_column("open_rate")[persona])
    open_at = send_at + np.minimum(rng.exponential(6 * HOUR, customer.size), 7 * DAY).astype(np.int64) + 30
    clicked = opened & (rng.random(customer.size) < persona_column("click_rate")[persona])
    click_at = open_at + rng.integers(10, 10 * MINUTE, customer.size)
    complained = opened & (rng.random(customer.size) < COMPLAINT_SHARE)
    complaint_at = open_at + rng.integers(MINUTE, HOUR, customer.size)

    left = subs["left"]
    parts = [
        (subs["customer"], np.full(left.size, -1), np.full(left.size, SUBSCRIBE), subs["start"]),
        (subs["customer"][left], np.full(left.sum(), -1), np.full(left.sum(), UNSUBSCRIBE), subs["stop"][left]),
        (customer, campaign, np.full(customer.size, SEND), send_at),
        (customer[bounced], campaign[bounced], np.full(bounced.sum(), BOUNCE), send_at[bounced] + 40),
        (customer[opened], campaign[opened], np.full(opened.sum(), OPEN), open_at[opened]),
        (customer[clicked], campaign[clicked], np.full(clicked.sum(), CLICK), click_at[clicked]),
        (customer[complained], campaign[complained], np.full(complained.sum(), COMPLAINT), complaint_at[complained]),
    ]
    who, campaign_of, kind, occurred = (np.concatenate([part[i] for part in parts]) for i in range(4))
    keep = occurred <= timeline.end
    who, campaign_of, kind, occurred = who[keep], campaign_of[keep], kind[keep], occurred[keep]
    chronological = np.argsort(occurred, kind="stable")
    who, campaign_of, kind, occurred = (a[chronological] for a in (who, campaign_of, kind, occurred))
    return email_events_table(rng, timeline, population, who, campaign_of, kind, occurred, campaigns.size)


def email_events_table(rng: np.random.Generator, timeline: Timeline, population: Population, who: np.ndarray,
                       campaign: np.ndarray, kind: np.ndarray, occurred: np.ndarray, n_campaigns: int) -> pa.Table:
    """Email events with ids; a few carry only a (messily typed) email, a few only the customer id."""
    n = who.size
    roll = rng.random(n)
    email_only = roll < EMAIL_ONLY_SHARE
    id_only = (roll >= EMAIL_ONLY_SHARE) & (roll < 2 * EMAIL_ONLY_SHARE)
    email_only_rows = np.flatnonzero(email_only)
    typed = email_variants(rng, [population.emails[i] for i in who[email_only_rows]])
    email_values = pa.array(population.emails + typed, type=pa.string())
    email_index = who.copy()
    email_index[email_only_rows] = population.size + np.arange(email_only_rows.size)
    campaign_ids = prefixed_ids("C", np.arange(1, n_campaigns + 1), 5)
    quarter = (timeline.month_index(occurred) // 3).astype(np.int32)
    return pa.table({
        "event_id": prefixed_ids("M", np.arange(1, n + 1), 10),
        "customer_id": dictionary_column(population.customer_ids, who, email_only),
        "email": dictionary_column(email_values, email_index, id_only),
        "campaign_id": dictionary_column(campaign_ids, np.maximum(campaign, 0), campaign < 0),
        "event_type": dictionary_column(list(EMAIL_EVENT_TYPES), kind),
        "occurred_at": timeline.to_timestamps(occurred),
        "_batch": pa.array(quarter),
        "_tz": pa.array(np.zeros(n, dtype=np.int8)),
    })
