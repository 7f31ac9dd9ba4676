"""The demo region's places: Dutch towns with real coordinates (WGS 84, town centres) customers pick from."""

from decimal import Decimal

# (name, province, representative postcode, latitude, longitude)
DUTCH_PLACES = [
    ("Alkmaar", "Noord-Holland", "1811", "52.632400", "4.753400"),
    ("Almere", "Flevoland", "1315", "52.350800", "5.264700"),
    ("Amersfoort", "Utrecht", "3811", "52.156100", "5.387800"),
    ("Amsterdam", "Noord-Holland", "1012", "52.367600", "4.904100"),
    ("Apeldoorn", "Gelderland", "7311", "52.211200", "5.969900"),
    ("Arnhem", "Gelderland", "6811", "51.985100", "5.898700"),
    ("Assen", "Drenthe", "9401", "52.992500", "6.564900"),
    ("Breda", "Noord-Brabant", "4811", "51.571900", "4.768300"),
    ("Delft", "Zuid-Holland", "2611", "52.011600", "4.357100"),
    ("Den Haag", "Zuid-Holland", "2511", "52.070500", "4.300700"),
    ("Den Helder", "Noord-Holland", "1781", "52.956300", "4.760800"),
    ("Deventer", "Overijssel", "7411", "52.255000", "6.163900"),
    ("Dordrecht", "Zuid-Holland", "3311", "51.813300", "4.690100"),
    ("Eindhoven", "Noord-Brabant", "5611", "51.441600", "5.469700"),
    ("Emmen", "Drenthe", "7811", "52.779200", "6.906900"),
    ("Enschede", "Overijssel", "7511", "52.221500", "6.893700"),
    ("Gouda", "Zuid-Holland", "2801", "52.011500", "4.710500"),
    ("Groningen", "Groningen", "9711", "53.219400", "6.566500"),
    ("Haarlem", "Noord-Holland", "2011", "52.387400", "4.646200"),
    ("Helmond", "Noord-Brabant", "5701", "51.479300", "5.657000"),
    ("'s-Hertogenbosch", "Noord-Brabant", "5211", "51.697800", "5.303700"),
    ("Hilversum", "Noord-Holland", "1211", "52.229200", "5.166900"),
    ("Leeuwarden", "Friesland", "8911", "53.201200", "5.799900"),
    ("Leiden", "Zuid-Holland", "2311", "52.160100", "4.497000"),
    ("Lelystad", "Flevoland", "8232", "52.518500", "5.471400"),
    ("Maastricht", "Limburg", "6211", "50.851400", "5.691000"),
    ("Middelburg", "Zeeland", "4331", "51.498800", "3.613600"),
    ("Nijmegen", "Gelderland", "6511", "51.812600", "5.837200"),
    ("Roermond", "Limburg", "6041", "51.194200", "5.987000"),
    ("Rotterdam", "Zuid-Holland", "3011", "51.924400", "4.477700"),
    ("Tilburg", "Noord-Brabant", "5038", "51.555500", "5.091300"),
    ("Utrecht", "Utrecht", "3511", "52.090700", "5.121400"),
    ("Venlo", "Limburg", "5911", "51.370400", "6.172400"),
    ("Vlissingen", "Zeeland", "4381", "51.442600", "3.573600"),
    ("Zaandam", "Noord-Holland", "1506", "52.442000", "4.829200"),
    ("Zwolle", "Overijssel", "8011", "52.516800", "6.083000"),
]


def places_ensure(place_model=None) -> int:
    """Creates the missing demo places (idempotent); returns how many were added. Used by the data migration."""
    if place_model is None:
        from apps.orders.models import Place

        place_model = Place
    added = 0
    for name, province, postcode, latitude, longitude in DUTCH_PLACES:
        _, created = place_model.objects.get_or_create(
            name=name,
            country="NL",
            defaults={
                "province": province,
                "postcode": postcode,
                "latitude": Decimal(latitude),
                "longitude": Decimal(longitude),
            },
        )
        added += created
    return added
