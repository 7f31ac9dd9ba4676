"""Customers' ratings and reviews of what they received: one per delivered order line, by the line's customer.

`product_review_create` is the only writer (pages and API call it); the summaries and lists are the reads the
product page, the designer's public page and the designer's portal show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.http import Http404

from apps.accounts.access import is_signed_in
from apps.core.errors import Conflict
from apps.designers.models import REVIEW_TEXT_MAX, Designer, ProductReview
from apps.orders.models import OrderLine

RATINGS = range(1, 6)
ALREADY_REVIEWED = "You have reviewed this already."


class ReviewRefused(Conflict):
    """The line cannot be reviewed in its state: not delivered yet, or reviewed already (409, nothing written)."""


def reviewable_line_get(*, user, line_id) -> OrderLine:
    """The user's own order line, or Http404 for a missing one, another customer's, or a malformed id."""
    if not is_signed_in(user):
        raise Http404("No such order line.")
    try:
        pk = int(line_id)
    except (TypeError, ValueError):
        raise Http404("No such order line.") from None
    line = (
        OrderLine.objects.select_related("order", "design_version__design__template__designer")
        .filter(pk=pk, order__customer=user)
        .first()
    )
    if line is None:
        raise Http404("No such order line.")
    return line


@transaction.atomic
def product_review_create(*, actor, line_id, rating, text: str = "") -> ProductReview:
    """`actor` rates (1–5) and reviews one line of their own delivered order, once.

    Http404 when the line is not the actor's (or missing); ReviewRefused when its order has not been delivered
    or the line has its review already; ValidationError (per field) for a rating out of 1–5 or a text too long."""
    line = reviewable_line_get(user=actor, line_id=line_id)
    if line.order.delivered_at is None:
        raise ReviewRefused("You can review what you ordered once it has been delivered.")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    errors = {}
    if rating not in RATINGS:
        errors["rating"] = "Give 1 to 5 stars."
    text = (text or "").strip()
    if len(text) > REVIEW_TEXT_MAX:
        errors["text"] = f"At most {REVIEW_TEXT_MAX} characters."
    if errors:
        raise ValidationError(errors)
    if ProductReview.objects.filter(order_line=line).exists():
        raise ReviewRefused(ALREADY_REVIEWED)
    template = line.design_version.design.template
    try:
        with transaction.atomic():
            return ProductReview.objects.create(
                order_line=line,
                author=actor,
                template=template,
                designer=template.designer,
                rating=rating,
                text=text,
            )
    except IntegrityError:  # a concurrent second submission of the same line
        raise ReviewRefused(ALREADY_REVIEWED) from None


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None  # None without reviews

    @property
    def stars(self) -> str:
        """The average rounded to whole stars, as text (for the eye; screen readers get the number)."""
        return "" if self.average is None else "★" * round(self.average) + "☆" * (5 - round(self.average))


def _summary(reviews: QuerySet[ProductReview]) -> RatingSummary:
    row = reviews.aggregate(count=Count("pk"), average=Avg("rating"))
    average = None if row["average"] is None else round(float(row["average"]), 1)
    return RatingSummary(count=row["count"], average=average)


def reviews_of_template(*, template) -> QuerySet[ProductReview]:
    """The product's reviews, whichever of its versions each customer received (the template's family)."""
    return ProductReview.objects.filter(template__family=template.family).select_related("author")


def reviews_of_designer(*, designer: Designer) -> QuerySet[ProductReview]:
    return ProductReview.objects.filter(designer=designer).select_related("author", "template")


def rating_of_template(*, template) -> RatingSummary:
    return _summary(ProductReview.objects.filter(template__family=template.family))


def rating_of_designer(*, designer: Designer) -> RatingSummary:
    return _summary(ProductReview.objects.filter(designer=designer))


def reviewed_line_ids(*, lines) -> set[int]:
    """Which of `lines` (OrderLine rows or ids) have their review already: one query for an order's page."""
    ids = [getattr(line, "pk", line) for line in lines]
    return set(ProductReview.objects.filter(order_line_id__in=ids).values_list("order_line_id", flat=True))
