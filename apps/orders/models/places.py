from django.db import models

from apps.core.coordinates import LATITUDE_VALIDATORS, LONGITUDE_VALIDATORS
from apps.core.countries import validate_country_code


class Place(models.Model):
    """A town of the demo region with real coordinates. Deprecated for customers (they type their town, which
    apps.core.gazetteer looks up); still honoured as `place` by the cart API and used by the demo seed."""

    name = models.CharField(max_length=100)
    province = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="NL", validators=[validate_country_code])
    postcode = models.CharField(max_length=12, blank=True, help_text="A representative postcode.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, validators=LATITUDE_VALIDATORS)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, validators=LONGITUDE_VALIDATORS)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="place_unique_name_country")]

    def __str__(self):
        return f"{self.name} ({self.province})" if self.province else self.name
