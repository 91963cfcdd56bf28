"""Customers: the population behind every other table, and the ``customers`` raw table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from segmart._gen_common import (
    DAY,
    HOUR,
    Timeline,
    dictionary_column,
    draw_from,
    email_variants,
    prefixed_ids,
    time_of_day,
    uniform_times,
)
from segmart._gen_personas import PERSONA_ID, assign_personas, persona_column, persona_range

COUNTRY_SHARES = {"US": 0.58, "GB": 0.10, "CA": 0.07, "DE": 0.06, "FR": 0.05, "NL": 0.03, "ES": 0.03,
                  "IT": 0.03, "AU": 0.05}
COUNTRIES: tuple[str, ...] = tuple(COUNTRY_SHARES)
CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP", "CAD")
COUNTRY_CURRENCY = {"US": "USD", "GB": "GBP", "CA": "CAD", "DE": "EUR", "FR": "EUR", "NL": "EUR", "ES": "EUR",
                    "IT": "EUR", "AU": "USD"}
COUNTRY_TAX_RATE = {"US": 0.07, "GB": 0.20, "CA": 0.13, "DE": 0.19, "FR": 0.20, "NL": 0.21, "ES": 0.21,
                    "IT": 0.22, "AU": 0.10}
DEVICE_TYPES: tuple[str, ...] = ("desktop", "mobile", "tablet", "other")
WEB_DEVICE_SHARES = {"desktop": 0.55, "mobile": 0.35, "tablet": 0.10}
APP_DEVICE_SHARES = {"mobile": 0.88, "tablet": 0.12}

# (region, city, postal code template: '#' becomes a digit)
PLACES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "US": (("MA", "Boston", "021##"), ("NY", "New York", "100##"), ("CA", "Los Angeles", "900##"),
           ("CA", "San Francisco", "941##"), ("TX", "Austin", "787##"), ("IL", "Chicago", "606##"),
           ("WA", "Seattle", "981##"), ("NJ", "Newark", "071##"), ("FL", "Miami", "331##"),
           ("CO", "Denver", "802##"), ("PR", "San Juan", "009##"), ("GA", "Atlanta", "303##")),
    "GB": (("England", "London", "SW1A #AA"), ("England", "Manchester", "M# #AB"),
           ("Scotland", "Edinburgh", "EH# #XY"), ("Wales", "Cardiff", "CF## #AA")),
    "CA": (("ON", "Toronto", "M5V #A#"), ("QC", "Montréal", "H2X #B#"), ("BC", "Vancouver", "V6B #C#")),
    "DE": (("Berlin", "Berlin", "10###"), ("Bayern", "München", "80###"), ("Hamburg", "Hamburg", "20###"),
           ("Sachsen", "Dresden", "01###")),
    "FR": (("Île-de-France", "Paris", "750##"), ("Auvergne-Rhône-Alpes", "Lyon", "6900#"),
           ("Provence-Alpes-Côte d'Azur", "Marseille", "130##")),
    "NL": (("Noord-Holland", "Amsterdam", "10## AB"), ("Zuid-Holland", "Rotterdam", "30## CD"),
           ("Utrecht", "Utrecht", "35## EF")),
    "ES": (("Madrid", "Madrid", "280##"), ("Cataluña", "Barcelona", "080##")),
    "IT": (("Lazio", "Roma", "001##"), ("Lombardia", "Milano", "201##")),
    "AU": (("NSW", "Sydney", "2000"), ("VIC", "Melbourne", "3000"), ("QLD", "Brisbane", "4000")),
}

FEMALE_NAMES = ("Jane", "Emma", "Olivia", "Sophie", "Mia", "Chloé", "Anna", "Lea", "Giulia", "Lucía", "Amelia",
                "Isla", "Hannah", "Zoe", "Grace", "Maya", "Nora", "Ava", "Emily", "Sara")
MALE_NAMES = ("John", "Liam", "Noah", "Lucas", "Ben", "Luca", "Mateo", "Jack", "Oliver", "Max", "Leon",
              "Hugo", "Ethan", "James", "Daniel", "Tom", "Pablo", "Marco", "Finn", "Samuel")
NEUTRAL_NAMES = ("Alex", "Sam", "Robin", "Charlie", "Jordan", "Taylor", "Kim", "Eden")
LAST_NAMES = ("Doe", "Smith", "Johnson", "Brown", "Müller", "Schmidt", "Martin", "Bernard", "De Jong",
              "Jansen", "García", "Rossi", "Bianchi", "Wilson", "Taylor", "Tremblay", "Roy", "Nguyen",
              "O'Brien", "Walker", "Lee", "Kowalski", "Dubois", "Fischer", "Evans", "Clarke", "Moreau",
              "Ricci", "López", "Van Dijk")
EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me",
                 "example.org", "web.de", "orange.fr", "btinternet.com")
GENDER_SPELLINGS = {
    "female": ("F", "female", "Female", "f", "FEMALE"),
    "male": ("M", "male", "Male", "m"),
    "other": ("non-binary", "Non-binary", "nb", "diverse"),
    "unknown": ("", "U", "prefer not to say"),
}
GENDER_SHARES = {"female": 0.49, "male": 0.46, "other": 0.02, "unknown": 0.03}
CUSTOMER_TYPE_SHARES = {"individual": 0.90, "business": 0.05, "school": 0.02, "nonprofit": 0.02, "other": 0.01}
ACQUISITION_SHARES = {"organic_search": 0.25, "paid_search": 0.2, "social": 0.15, "email": 0.05,
                      "referral": 0.1, "direct": 0.15, "affiliate": 0.05, "store": 0.05}
TZ_STYLE_SHARES = {"naive": 0.8, "utc_z": 0.1, "plus_one": 0.05, "minus_five": 0.05}


@dataclass
class Population:
    """The registered customers and the hidden attributes other stages need."""

    customer_ids: pa.Array  # '0000042'
    persona: np.ndarray  # persona id per customer
    created: np.ndarray  # relative seconds
    country: np.ndarray  # index into COUNTRIES
    emails: list[str]  # canonical (trimmed, lower-case) address
    first_names: list[str]
    last_names: list[str]
    gender_kind: np.ndarray  # index into GENDER_SHARES
    has_app: np.ndarray  # the customer also uses the app (a second device)
    web_device: np.ndarray  # index into DEVICE_TYPES
    app_device: np.ndarray  # index into DEVICE_TYPES
    subscribes_at_signup: np.ndarray  # newsletter opt-in when registering

    @property
    def size(self) -> int:
        """Number of customers."""
        return self.persona.size

    @property
    def currency(self) -> np.ndarray:
        """Index into CURRENCIES of each customer's currency (from the country)."""
        lookup = np.array([CURRENCIES.index(COUNTRY_CURRENCY[code]) for code in COUNTRIES])
        return lookup[self.country]


def build_population(rng: np.random.Generator, timeline: Timeline, n_customers: int) -> Population:
    """Personas, registration times, countries, emails and devices of ``n_customers`` customers."""
    persona = assign_personas(rng, n_customers)
    created = registration_times(rng, timeline, persona)
    country = draw_from(rng, COUNTRY_SHARES, n_customers)
    gender_kind = draw_from(rng, GENDER_SHARES, n_customers)
    first_names = first_names_for(rng, gender_kind)
    last_names = [LAST_NAMES[i] for i in rng.integers(0, len(LAST_NAMES), n_customers)]
    subscribe_rate = persona_column("subscribe_rate")[persona]
    return Population(
        customer_ids=prefixed_ids("", np.arange(1, n_customers + 1), 7),
        persona=persona,
        created=created,
        country=country,
        emails=canonical_emails(rng, first_names, last_names),
        first_names=first_names,
        last_names=last_names,
        gender_kind=gender_kind,
        has_app=rng.random(n_customers) < 0.4,
        web_device=np.array([DEVICE_TYPES.index(d) for d in WEB_DEVICE_SHARES])[
            draw_from(rng, WEB_DEVICE_SHARES, n_customers)],
        app_device=np.array([DEVICE_TYPES.index(d) for d in APP_DEVICE_SHARES])[
            draw_from(rng, APP_DEVICE_SHARES, n_customers)],
        subscribes_at_signup=rng.random(n_customers) < subscribe_rate,
    )


def registration_times(rng: np.random.Generator, timeline: Timeline, persona: np.ndarray) -> np.ndarray:
    """Registration time per customer inside its persona's window, denser in recent years."""
    fewest_days, most_days = persona_range("created_days_ago")
    latest = timeline.days_ago(fewest_days[persona])
    earliest = np.maximum(timeline.days_ago(most_days[persona]), 0)
    growth = rng.random(persona.size) ** (1 / 1.6)  # density grows with time
    day_start = (earliest + (latest - earliest) * growth) // DAY * DAY
    created = day_start + time_of_day(rng, persona.size)
    return np.clip(created, earliest, latest - HOUR).astype(np.int64)


def first_names_for(rng: np.random.Generator, gender_kind: np.ndarray) -> list[str]:
    """A first name per person that fits the gender (neutral names for other/unknown)."""
    kinds = list(GENDER_SHARES)
    pools = [FEMALE_NAMES if k == "female" else MALE_NAMES if k == "male" else NEUTRAL_NAMES for k in kinds]
    picks = rng.integers(0, 1_000, gender_kind.size)
    return [pools[k][p % len(pools[k])] for k, p in zip(gender_kind, picks)]


def canonical_emails(rng: np.random.Generator, first_names: list[str], last_names: list[str]) -> list[str]:
    """Unique lower-case addresses like ``jane.doe42@gmail.com`` (the number is the customer)."""
    n = len(first_names)
    domain = rng.integers(0, len(EMAIL_DOMAINS), n)
    pattern = rng.integers(0, 3, n)
    emails = []
    for number, (first, last, d, p) in enumerate(zip(first_names, last_names, domain, pattern), start=1):
        given, family = _ascii(first), _ascii(last)
        local = (f"{given}.{family}{number}", f"{given}{family}_{number}", f"{given[0]}.{family}.{number}")[p]
        emails.append(f"{local}@{EMAIL_DOMAINS[d]}".lower())
    return emails


def _ascii(name: str) -> str:
    """A name as it appears in an email address: ASCII letters only."""
    plain = name.translate(str.maketrans("üéíóáñ", "ueioan"))
    return "".join(ch for ch in plain if ch.isalpha())


def customers_table(rng: np.random.Generator, timeline: Timeline, population: Population) -> pa.Table:
    """The ``customers`` raw table: one row per customer, plus a later version for ~5%.

    Batches are 12-month slices of registration time; the later versions come in one last batch.
    """
    n = population.size
    profile = customer_profiles(rng, timeline, population)
    revised, revision, revision_updated = customer_revisions(rng, timeline, population, profile)
    rows = np.concatenate([np.arange(n), revised])
    columns = {name: (np.concatenate([col, revision[name]]) if isinstance(col, np.ndarray) else col + revision[name])
               for name, col in profile.items()}
    updated_all = np.concatenate([population.created + rng.integers(0, 120, n), revision_updated])
    batch = timeline.month_index(population.created) // 12
    batch_all = np.concatenate([batch, np.full(revised.size, batch.max(initial=0) + 1)]).astype(np.int32)
    created = population.created[rows]
    return pa.table({
        "customer_id": population.customer_ids.take(pa.array(rows)),
        "email": pa.array(columns["email"], type=pa.string()),
        "first_name": pa.array(columns["first_name"], type=pa.string()),
        "last_name": pa.array(columns["last_name"], type=pa.string()),
        "created_at": timeline.to_timestamps(created),
        "birth_date": timeline.to_dates(columns["birth"], mask=columns["birth_missing"]),
        "gender": pa.array(columns["gender"], type=pa.string()),
        "country_code": pa.array(columns["country_code"], type=pa.string()),
        "region": pa.array(columns["region"], type=pa.string()),
        "city": pa.array(columns["city"], type=pa.string()),
        "postal_code": pa.array(columns["postal_code"], type=pa.string()),
        "customer_type": pa.array(columns["customer_type"], type=pa.string()),
        "household_income": pa.array(columns["income"], type=pa.float64(), mask=columns["income_missing"]),
        "accepts_marketing": pa.array(columns["accepts_marketing"], type=pa.string()),
        "loyalty_member_since": timeline.to_dates(columns["loyalty"], mask=columns["loyalty_missing"]),
        "acquisition_channel": pa.array(columns["acquisition_channel"], type=pa.string()),
        "updated_at": timeline.to_timestamps(updated_all),
        "_batch": pa.array(batch_all, type=pa.int32()),
        "_tz": pa.array(draw_from(rng, TZ_STYLE_SHARES, rows.size).astype(np.int8)),
    })


def customer_revisions(rng: np.random.Generator, timeline: Timeline, population: Population,
                       profile: dict) -> tuple[np.ndarray, dict, np.ndarray]:
    """Second versions of ~5% of customers: moved city and/or flipped marketing consent.

    Returns ``(customer indices, their revised profile columns, update times)``.
    """
    revised = np.flatnonzero((population.created < timeline.days_ago(31))
                             & (rng.random(population.size) < 0.055))
    revision = {name: column[revised] if isinstance(column, np.ndarray) else [column[i] for i in revised]
                for name, column in profile.items()}
    moved = rng.random(revised.size) < 0.6
    new_place = rng.integers(0, 1_000_000, revised.size)
    for j in np.flatnonzero(moved):
        country = COUNTRIES[population.country[revised[j]]]
        region, city, postal = _place(country, int(new_place[j]), int(new_place[j] // 7))
        revision["region"][j], revision["city"][j], revision["postal_code"][j] = region, city, postal
    flipped = ~moved | (rng.random(revised.size) < 0.3)
    revision["accepts_marketing"] = [_flip_flag(v) if f else v
                                     for v, f in zip(revision["accepts_marketing"], flipped)]
    updated = uniform_times(rng, population.created[revised] + 30 * DAY, np.full(revised.size, timeline.end))
    return revised, revision, updated


def _flip_flag(value: str) -> str:
    """The opposite marketing consent, in the same spelling family."""
    return {"true": "false", "false": "true", "yes": "no", "no": "yes"}[value]


def customer_profiles(rng: np.random.Generator, timeline: Timeline, population: Population) -> dict:
    """Per-customer profile columns (Python lists for text, arrays for numbers and masks)."""
    n = population.size
    emails = list(population.emails)
    recased = np.flatnonzero(rng.random(n) < 0.05)
    for i, variant in zip(recased, email_variants(rng, [emails[i] for i in recased])):
        emails[i] = variant.strip()

    country_codes = [COUNTRIES[c] for c in population.country]
    places = [_place(code, int(a), int(b)) for code, a, b in
              zip(country_codes, rng.integers(0, 1_000_000, n), rng.integers(0, 1_000_000, n))]
    lower_code = rng.random(n) < 0.05
    customer_type = draw_from(rng, CUSTOMER_TYPE_SHARES, n)
    organisation = customer_type > 0
    ages = np.clip(rng.normal(40, 14, n), 16, 85)
    end_day = timeline.end // DAY * DAY
    birth = end_day - (ages * 365.25 * DAY).astype(np.int64) - rng.integers(0, 300, n) * DAY
    loyal = population.persona == PERSONA_ID["loyal_repeater"]
    loyalty_missing = rng.random(n) >= np.where(loyal, 0.7, 0.25)
    consent = np.where(population.subscribes_at_signup, rng.random(n) < 0.93, rng.random(n) < 0.08)
    yes_no = rng.random(n) < 0.12
    return {
        "email": emails,
        "first_name": list(population.first_names),
        "last_name": list(population.last_names),
        "birth": birth,
        "birth_missing": rng.random(n) < 0.10,
        "gender": messy_genders(rng, population.gender_kind),
        "country_code": [code.lower() if low else code for code, low in zip(country_codes, lower_code)],
        "region": [place[0] for place in places],
        "city": [place[1] for place in places],
        "postal_code": [place[2] for place in places],
        "customer_type": [list(CUSTOMER_TYPE_SHARES)[t] for t in customer_type],
        "income": np.round(np.exp(rng.normal(np.log(65_000), 0.6, n)), -2),
        "income_missing": rng.random(n) < np.where(organisation, 0.7, 0.2),
        "accepts_marketing": [("yes" if c else "no") if yn else ("true" if c else "false")
                              for c, yn in zip(consent, yes_no)],
        "loyalty": uniform_times(rng, population.created, np.full(n, timeline.end)),
        "loyalty_missing": loyalty_missing,
        "acquisition_channel": [list(ACQUISITION_SHARES)[a] for a in draw_from(rng, ACQUISITION_SHARES, n)],
    }


def messy_genders(rng: np.random.Generator, gender_kind: np.ndarray) -> list[str | None]:
    """Gender as captured: free text in many spellings, some empty, some null."""
    kinds = list(GENDER_SHARES)
    picks = rng.integers(0, 1_000, gender_kind.size)
    missing = rng.random(gender_kind.size) < 0.06
    genders: list[str | None] = []
    for kind_index, pick, is_missing in zip(gender_kind, picks, missing):
        spellings = GENDER_SPELLINGS[kinds[kind_index]]
        genders.append(None if is_missing else spellings[pick % len(spellings)])
    return genders


def _place(country: str, pick: int, digits: int) -> tuple[str, str, str]:
    """(region, city, postal code) for a country; ``digits`` seeds the postal code digits."""
    region, city, template = PLACES[country][pick % len(PLACES[country])]
    postal = []
    for ch in template:
        if ch == "#":
            postal.append(str(digits % 10))
            digits //= 10
        else:
            postal.append(ch)
    return region, city, "".join(postal)
