from zoneinfo import ZoneInfo

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from apps.core.timezones import validate_time_zone, zone_or_utc


class TenantStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    TEMPLATE = "template", "Template"


DEFAULT_ACCENT_COLOR = "#2458d3"  # Cloud Factory's own blue: a network still on it has not chosen its brand


class Tenant(TenantMixin):
    """One platform owner's network: its own schema, storefront host, users, suppliers and money."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True, help_text="The subdomain of the network's host.")
    currency = models.CharField(max_length=3, default="EUR")
    time_zone = models.CharField(max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone])
    accent_color = models.CharField(max_length=7, default=DEFAULT_ACCENT_COLOR)
    status = models.CharField(max_length=16, choices=TenantStatus.choices, default=TenantStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    # Provisioning is explicit (tenant_create): saving a row never creates a schema behind the caller's back.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.slug})"

    @property
    def zone(self) -> ZoneInfo:
        return zone_or_utc(self.time_zone)

    @property
    def is_template(self) -> bool:
        return self.status == TenantStatus.TEMPLATE


class Domain(DomainMixin):
    def __str__(self):
        return self.domain
