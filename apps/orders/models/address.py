from django.db import models

from apps.core.coordinates import LATITUDE_VALIDATORS, LONGITUDE_VALIDATORS
from apps.core.countries import validate_country_code


class ShippingAddress(models.Model):
    """Where the goods go: a street address plus the coordinates the matcher routes the last leg to."""

    recipient_name = models.CharField(max_length=150, blank=True)
    recipient_phone = models.CharField(
        max_length=40,
        blank=True,
        help_text="For the driver of the last leg; shown only while it is on its way.",
    )
    address_line = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="NL", validators=[validate_country_code])
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE_VALIDATORS
    )
    place = models.ForeignKey(
        "orders.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def address_text(self) -> str:
        return address_text(self.address_line, self.postcode, self.city, self.country)


def address_text(address_line: str, postcode: str, city: str, country: str) -> str:
    """ "Street 1, 1234 AB Town, NL": also for readers holding the columns without the model (the legs board)."""
    parts = [address_line, " ".join(p for p in (postcode, city) if p), country]
    return ", ".join(p for p in parts if p)
