"""Products: collections launched every few months, prices, stock, and product picking."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from segmart._gen_common import DAY, Timeline, draw_from, prefixed_ids, uniform_times

# category: (share, base price in USD, product lines it belongs to, nouns for names)
CATEGORIES: dict[str, tuple[float, float, tuple[str, ...], tuple[str, ...]]] = {
    "apparel": (0.25, 45.0, ("womenswear", "menswear", "kids"), ("T-Shirt", "Hoodie", "Dress", "Jacket", "Jeans")),
    "shoes": (0.15, 90.0, ("womenswear", "menswear", "kids", "outdoor"), ("Sneaker", "Boot", "Sandal", "Loafer")),
    "accessories": (0.12, 35.0, ("womenswear", "menswear"), ("Tote", "Belt", "Scarf", "Cap", "Wallet")),
    "home": (0.12, 40.0, ("home",), ("Candle", "Throw", "Mug Set", "Cushion", "Vase")),
    "beauty": (0.10, 22.0, ("beauty",), ("Serum", "Lip Balm", "Face Cream", "Shampoo")),
    "electronics": (0.08, 180.0, ("tech",), ("Earbuds", "Speaker", "Smartwatch", "Charger")),
    "sports": (0.10, 60.0, ("outdoor",), ("Yoga Mat", "Running Vest", "Water Bottle", "Backpack")),
    "baby": (0.08, 25.0, ("kids",), ("Onesie", "Blanket", "Rattle", "Bib Set")),
}
BRANDS = ("Northwind", "Lumen", "Atelier Nord", "Kestrel", "Maple & Co", "Orbit", "Saltwater", "Fable",
          "Tidewell", "Ursa", "Verve", "Wren", "Copperleaf", "Driftwood", "Evergrain", "Halcyon")
ADJECTIVES = ("Classic", "Essential", "Cloud", "Urban", "Heritage", "Pro", "Everyday", "Organic", "Retro", "Air")
# Exchange rates used to price products in the order's currency (units per USD).
PRICE_FX = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CAD": 1.36}

TIER_ALL, TIER_CHEAP, TIER_PREMIUM, TIER_TRENDY, TIER_LOW_STOCK = range(5)
COLLECTION_SPACING_DAYS = 91
NEWEST_COLLECTION_DAYS_AGO = 21
TRENDY_WINDOW_DAYS = 30
LOW_STOCK_MAX = 5


@dataclass
class Catalog:
    """The products and per-tier lookups to pick a product launched before a given time."""

    product_ids: pa.Array
    launch: np.ndarray  # relative seconds of the launch day (negative = before the history)
    price_cents: np.ndarray  # list price in USD cents
    low_stock: np.ndarray
    collection_launches: np.ndarray  # relative seconds, ascending
    tier_members: dict[int, np.ndarray]  # product indices per tier, ordered by launch

    @property
    def size(self) -> int:
        """Number of products."""
        return self.launch.size


def catalog_size(n_customers: int) -> int:
    """Products in the catalogue: 500 to 2,000 growing with the customer base."""
    return int(np.clip(500 + n_customers // 100, 500, 2000))


def collection_launch_days(timeline: Timeline) -> np.ndarray:
    """Relative seconds of each collection launch, every ~3 months, the newest three weeks ago."""
    days_ago = np.arange(NEWEST_COLLECTION_DAYS_AGO, timeline.n_days + COLLECTION_SPACING_DAYS,
                         COLLECTION_SPACING_DAYS)
    return np.sort((timeline.end // DAY - days_ago) * DAY)


def build_catalog(rng: np.random.Generator, timeline: Timeline, n_products: int) -> tuple[Catalog, pa.Table]:
    """The catalogue (for picking products) and the ``products`` raw table."""
    category_names = list(CATEGORIES)
    category = draw_from(rng, {name: spec[0] for name, spec in CATEGORIES.items()}, n_products)
    base_price = np.array([CATEGORIES[name][1] for name in category_names])[category]
    price = np.maximum(np.floor(base_price * np.exp(rng.normal(0, 0.5, n_products))) + 0.99, 2.99)
    price_cents = np.round(price * 100).astype(np.int64)

    launches = collection_launch_days(timeline)
    evergreen = rng.random(n_products) < 0.35
    collection = rng.integers(0, launches.size, n_products)
    evergreen_launch = -(rng.integers(1, 3 * 365, n_products)) * DAY
    launch = np.where(evergreen, evergreen_launch, launches[collection]).astype(np.int64)

    stock = np.where(rng.random(n_products) < 0.10, rng.integers(0, LOW_STOCK_MAX + 1, n_products),
                     rng.integers(LOW_STOCK_MAX + 1, 400, n_products))
    old = launch < timeline.days_ago(730)
    active = rng.random(n_products) >= np.where(old, 0.25, 0.05)
    updated = uniform_times(rng, np.maximum(launch, 0), np.full(n_products, timeline.end))

    product_ids = prefixed_ids("P", np.arange(1, n_products + 1), 5)
    catalog = Catalog(product_ids, launch, price_cents, stock <= LOW_STOCK_MAX, launches,
                      tier_members=_tier_members(launch, price_cents, stock <= LOW_STOCK_MAX))
    table = pa.table({
        "product_id": product_ids,
        "product_name": pa.array(_product_names(rng, category, category_names), type=pa.string()),
        "category": pa.array([category_names[c] for c in category], type=pa.string()),
        "product_line": pa.array(_product_lines(rng, category, category_names), type=pa.string()),
        "brand": pa.array([BRANDS[b] for b in rng.integers(0, len(BRANDS), n_products)], type=pa.string()),
        "list_price": pa.array(np.round(price, 2), type=pa.float64()),
        "currency": pa.array(["USD"] * n_products, type=pa.string()),
        "launched_at": timeline.to_dates(launch),
        "stock_quantity": pa.array(stock.astype(np.int64), type=pa.int64()),
        "is_active": pa.array(active, type=pa.bool_()),
        "updated_at": timeline.to_timestamps(updated),
        "_batch": pa.array(np.zeros(n_products, dtype=np.int32)),
        "_tz": pa.array(np.zeros(n_products, dtype=np.int8)),
    })
    return catalog, table


def _tier_members(launch: np.ndarray, price_cents: np.ndarray, low_stock: np.ndarray) -> dict[int, np.ndarray]:
    """Product indices of each tier, ordered by launch time."""
    by_launch = np.argsort(launch, kind="stable")
    cheap = price_cents <= np.quantile(price_cents, 0.25)
    premium = price_cents >= np.quantile(price_cents, 0.8)
    return {
        TIER_ALL: by_launch,
        TIER_CHEAP: by_launch[cheap[by_launch]],
        TIER_PREMIUM: by_launch[premium[by_launch]],
        TIER_LOW_STOCK: by_launch[low_stock[by_launch]],
    }


def _product_names(rng: np.random.Generator, category: np.ndarray, category_names: list[str]) -> list[str]:
    """Names like 'Northwind Classic Sneaker'."""
    picks = rng.integers(0, 1_000, (category.size, 3))
    names = []
    for c, (b, a, noun) in zip(category, picks):
        nouns = CATEGORIES[category_names[c]][3]
        names.append(f"{BRANDS[b % len(BRANDS)]} {ADJECTIVES[a % len(ADJECTIVES)]} {nouns[noun % len(nouns)]}")
    return names


def _product_lines(rng: np.random.Generator, category: np.ndarray, category_names: list[str]) -> list[str]:
    """A product line the category belongs to."""
    picks = rng.integers(0, 1_000, category.size)
    return [CATEGORIES[category_names[c]][2][p % len(CATEGORIES[category_names[c]][2])]
            for c, p in zip(category, picks)]


def pick_products(rng: np.random.Generator, catalog: Catalog, when: np.ndarray, tier: np.ndarray) -> np.ndarray:
    """A product index per row, launched on or before ``when``, from the row's tier.

    Within a tier newer products are somewhat more popular. The trendy tier picks products
    launched in the 30 days before ``when`` and falls back to any product when none was.
    """
    when = np.asarray(when, dtype=np.int64)
    tier = np.asarray(tier)
    chosen = np.empty(when.size, dtype=np.int64)
    trendy = np.flatnonzero(tier == TIER_TRENDY)
    fallback = np.zeros(when.size, dtype=bool)
    if trendy.size:
        members = catalog.tier_members[TIER_ALL]
        launched = catalog.launch[members]
        low = np.searchsorted(launched, when[trendy] - TRENDY_WINDOW_DAYS * DAY, side="left")
        high = np.searchsorted(launched, when[trendy], side="right")
        has_new = high > low
        offset = np.floor(rng.random(trendy.size) * (high - low)).astype(np.int64)
        chosen[trendy[has_new]] = members[(low + offset)[has_new]]
        fallback[trendy[~has_new]] = True
    for tier_code, members in catalog.tier_members.items():
        rows = np.flatnonzero((tier == tier_code) | (fallback & (tier_code == TIER_ALL)))
        if rows.size == 0:
            continue
        available = np.searchsorted(catalog.launch[members], when[rows], side="right")
        available = np.clip(available, 1, members.size)
        position = np.floor(available * rng.random(rows.size) ** 0.75).astype(np.int64)
        chosen[rows] = members[np.minimum(position, available - 1)]
    return chosen
