"""Hidden customer personas: the behaviours the demo data must exhibit, and their shares.

The persona is never written to any table; it only steers how each customer's orders,
web sessions and email engagement are generated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HISTORY = 10_000  # "no upper bound": clipped to the start of the history


@dataclass(frozen=True)
class Persona:
    """Behaviour parameters of one persona (counts are inclusive ranges)."""

    name: str
    share: float
    created_days_ago: tuple[int, int]  # registration between these many days before the end date
    orders: tuple[int, int] = (0, 0)  # orders over a typical (18-month) tenure
    cadence_days: tuple[int, int] = (0, 0)  # regular buyers (loyal, thrifty): days between orders
    basket: str = "all"  # product tier: all, cheap, premium, trendy
    extra_items: float = 1.7  # Poisson mean of items beyond the first
    max_quantity: int = 3
    coupon_rate: float = 0.08
    item_discount_rate: float = 0.1
    return_rate: float = 0.04  # share of delivered items returned
    browse_sessions: tuple[int, int] = (2, 6)
    browse_events: float = 2.5  # Poisson mean of events beyond the first two in a browse session
    subscribe_rate: float = 0.6
    campaign_rate: float = 0.3  # share of campaigns a subscriber is sent
    open_rate: float = 0.2
    click_rate: float = 0.12  # clicks per open


PERSONAS: tuple[Persona, ...] = (
    Persona("loyal_repeater", 0.10, (240, HISTORY), cadence_days=(9, 30), browse_sessions=(4, 12),
            subscribe_rate=0.75, open_rate=0.35, click_rate=0.15),
    Persona("one_timer", 0.11, (0, HISTORY), orders=(1, 1), extra_items=1.3, browse_sessions=(1, 4),
            subscribe_rate=0.5, open_rate=0.15, click_rate=0.08),
    Persona("big_spender", 0.03, (30, HISTORY), orders=(3, 10), basket="premium", extra_items=3.5,
            max_quantity=4, return_rate=0.08, browse_sessions=(3, 8), open_rate=0.25, click_rate=0.15),
    Persona("coupon_lover", 0.06, (30, HISTORY), orders=(6, 24), coupon_rate=0.85, item_discount_rate=0.3,
            browse_sessions=(3, 8), subscribe_rate=0.9, campaign_rate=0.5, open_rate=0.45, click_rate=0.25),
    Persona("frequent_returner", 0.05, (30, HISTORY), orders=(6, 24), extra_items=2.0, return_rate=0.45,
            browse_sessions=(3, 8)),
    Persona("cart_abandoner", 0.05, (60, HISTORY), orders=(0, 4), browse_sessions=(3, 8)),
    Persona("indecisive_browser", 0.05, (0, HISTORY), orders=(0, 1), browse_sessions=(20, 50),
            browse_events=8.0),
    Persona("registered_lead", 0.05, (0, HISTORY), browse_sessions=(3, 12), open_rate=0.25, click_rate=0.08),
    Persona("newsletter_reader", 0.06, (30, HISTORY), orders=(3, 12), browse_sessions=(2, 6),
            subscribe_rate=1.0, campaign_rate=1.0, open_rate=0.7, click_rate=0.45),
    Persona("trendy_buyer", 0.05, (60, HISTORY), orders=(5, 15), basket="trendy", browse_sessions=(4, 10),
            open_rate=0.3, click_rate=0.15),
    Persona("quick_churner", 0.05, (450, HISTORY), orders=(1, 1), extra_items=1.2, browse_sessions=(0, 2),
            subscribe_rate=0.5, open_rate=0.08, click_rate=0.03),
    Persona("late_churner", 0.06, (700, HISTORY), orders=(3, 10), browse_sessions=(2, 6),
            open_rate=0.1, click_rate=0.05),
    Persona("reactivated", 0.04, (650, HISTORY), orders=(3, 8), browse_sessions=(3, 8), open_rate=0.25),
    Persona("thrifty", 0.06, (240, HISTORY), cadence_days=(20, 45), basket="cheap", extra_items=0.4,
            max_quantity=2, coupon_rate=0.25, return_rate=0.02, browse_sessions=(3, 8)),
    Persona("wishlist_user", 0.05, (30, HISTORY), orders=(3, 12), browse_sessions=(4, 10)),
    Persona("regular", 0.09, (0, HISTORY), orders=(4, 30)),
    Persona("new_big_basket", 0.02, (1, 30), orders=(1, 1), basket="premium", extra_items=5.0,
            max_quantity=3, coupon_rate=0.0, return_rate=0.02, browse_sessions=(1, 3), open_rate=0.3),
    Persona("new_small_basket", 0.02, (1, 30), orders=(1, 1), basket="cheap", extra_items=0.0,
            max_quantity=1, return_rate=0.02, browse_sessions=(1, 3), open_rate=0.3),
)

PERSONA_NAMES: tuple[str, ...] = tuple(persona.name for persona in PERSONAS)
PERSONA_ID: dict[str, int] = {name: index for index, name in enumerate(PERSONA_NAMES)}
BASKET_TIERS: tuple[str, ...] = ("all", "cheap", "premium", "trendy")

# Personas whose orders may be placed as a guest: buyers whose segment a stray guest
# order does not change (never one-timers, churners, reactivated or non-buyers).
GUEST_CAPABLE: frozenset[str] = frozenset(
    {"loyal_repeater", "big_spender", "coupon_lover", "frequent_returner", "newsletter_reader",
     "trendy_buyer", "thrifty", "wishlist_user", "regular"}
)


def persona_column(attribute: str) -> np.ndarray:
    """One persona attribute as an array indexed by persona id."""
    return np.array([getattr(persona, attribute) for persona in PERSONAS])


def persona_range(attribute: str) -> tuple[np.ndarray, np.ndarray]:
    """A ``(low, high)`` range attribute as two arrays indexed by persona id."""
    values = np.array([getattr(persona, attribute) for persona in PERSONAS], dtype=np.int64)
    return values[:, 0], values[:, 1]


def assign_personas(rng: np.random.Generator, n_customers: int) -> np.ndarray:
    """Persona id per customer: exact shares (largest remainder), in random order."""
    shares = persona_column("share").astype(np.float64)
    exact = shares / shares.sum() * n_customers
    counts = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - counts), kind="stable")
    counts[remainder_order[: n_customers - counts.sum()]] += 1
    personas = np.repeat(np.arange(len(PERSONAS)), counts)
    return rng.permutation(personas).astype(np.int16)


def persona_is(persona: np.ndarray, *names: str) -> np.ndarray:
    """Mask of rows whose persona is one of ``names``."""
    return np.isin(persona, [PERSONA_ID[name] for name in names])
