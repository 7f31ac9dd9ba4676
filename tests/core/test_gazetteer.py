"""The gazetteer: typed town names to coordinates, offline, for every form and the API."""

import pytest

from apps.core.gazetteer import place_locate, place_normalise
from apps.core.geodesy import haversine_km

UTRECHT = (52.0907, 5.1214)


@pytest.mark.parametrize(
    ("city", "country", "expected", "near"),
    [
        ("Utrecht", "NL", "Utrecht", UTRECHT),
        ("  utrecht ", "nl", "Utrecht", UTRECHT),
        ("Den Haag", "NL", "The Hague", (52.0705, 4.3007)),
        ("'s-Hertogenbosch", "NL", "'s-Hertogenbosch", (51.6978, 5.3037)),
        ("Den Bosch", "NL", "'s-Hertogenbosch", (51.6978, 5.3037)),
        ("Koln", "DE", "Köln", (50.9375, 6.9603)),
        ("Cologne", "DE", "Köln", (50.9375, 6.9603)),
        ("Liège", "BE", "Liège", (50.6326, 5.5797)),
    ],
)
def test_known_towns_in_any_case_accent_or_common_name(city, country, expected, near):
    located = place_locate(city=city, country=country)
    assert located is not None and located.name == expected and located.country == country.strip().upper()
    assert haversine_km(located.point, near) < 10


def test_the_country_decides_which_town():
    """Utrecht in the Netherlands, not another country's; a name unknown in that country is None."""
    assert haversine_km(place_locate(city="Utrecht", country="NL").point, UTRECHT) < 10
    assert place_locate(city="Utrecht", country="BE") is None


@pytest.mark.parametrize(
    ("city", "country"), [("Atlantis", "NL"), ("", "NL"), ("   ", "NL"), ("Utrecht", ""), ("Utrecht", "ZZ")]
)
def test_unknown_places_are_none(city, country):
    assert place_locate(city=city, country=country) is None


def test_names_compare_without_accents_case_or_punctuation():
    assert place_normalise("  Liège ") == "liege"
    assert place_normalise("'s-Hertogenbosch") == "s hertogenbosch"
