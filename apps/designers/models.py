"""Designers: people (or studios) who compose products for the network and earn a share of their sales.

A designer is a participant like an asset owner or a carrier (same address, status machine and Stripe Connect
state, apps/suppliers/models/participants.py) with a public page (`slug`, `bio`). The products it owns are the
catalog's templates whose `designer` points at it; customers review what they received (ProductReview).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.suppliers.models.participants import Participant, participant_constraints
from apps.suppliers.status import MemberRole, ParticipantKind

BIO_MAX = 2000
REVIEW_TEXT_MAX = 2000


class Designer(Participant):
    """A designer (a person or a studio): `name` is the name the storefront shows ("designed by …")."""

    kind = ParticipantKind.DESIGNER

    slug = models.SlugField(
        max_length=80, unique=True, help_text="The address of the designer's public page."
    )
    bio = models.TextField(blank=True, max_length=BIO_MAX, help_text="Shown on the designer's public page.")

    class Meta(Participant.Meta):
        constraints = participant_constraints("designer")


class DesignerMember(models.Model):
    """A portal login of a designer. A user belongs to at most one designer."""

    designer = models.ForeignKey(Designer, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="designer_member"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.OPERATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["designer", "user__email"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.designer})"


class ProductReview(models.Model):
    """A customer's rating (1–5) and review of one delivered order line: at most one per line.

    Written only by `product_review_create` (apps/designers/reviews.py), which checks the line is the
    customer's own and delivered. The template and designer are copied from the line's design when it is written,
    so the product's and the designer's pages read their reviews without walking the order."""

    order_line = models.OneToOneField("orders.OrderLine", on_delete=models.CASCADE, related_name="review")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="product_reviews"
    )
    template = models.ForeignKey("catalog.ProductTemplate", on_delete=models.CASCADE, related_name="reviews")
    designer = models.ForeignKey(
        Designer, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(blank=True, max_length=REVIEW_TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="product_review_rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.rating}★ on {self.template} by {self.author}"
