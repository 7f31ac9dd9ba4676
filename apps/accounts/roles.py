"""The roles a person can have inside one network. Each role is a Django group of the same name."""

from django.db import models


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    SUPPLIER_MEMBER = "supplier_member", "Supplier member"
    CARRIER_MEMBER = "carrier_member", "Carrier member"
    DESIGNER_MEMBER = "designer_member", "Designer member"
    STAFF = "staff", "Platform staff"
    FINANCE = "finance", "Finance"


# Roles that work in the Django admin of their network.
ADMIN_ROLES = frozenset({Role.STAFF, Role.FINANCE})
