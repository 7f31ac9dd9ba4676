"""Customers' reviews: one per delivered order line, by its own customer, 1–5 stars; shown with the average on
the product's and the designer's pages; the same rules over the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.designers.models import ProductReview
from apps.designers.reviews import (
    ReviewRefused,
    product_review_create,
    rating_of_designer,
    rating_of_template,
    reviews_of_template,
)
from tests.conftest import api_token_for, host_of, sign_in
from tests.designers.factories import make_ordered_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered_line(tenant_a, customer, designer_a):
    with schema_context(tenant_a.schema_name):
        return make_ordered_line(customer, designer_a.template)


# --- the rule ---------------------------------------------------------------------------------------------


def test_a_customer_reviews_a_delivered_line_once(in_tenant_a, customer, designer_a, delivered_line):
    review = product_review_create(actor=customer, line_id=delivered_line.pk, rating=4, text=" Lovely lamp ")

    assert (review.template, review.designer, review.rating, review.text) == (
        designer_a.template,
        designer_a.designer,
        4,
        "Lovely lamp",
    )
    with pytest.raises(ReviewRefused, match="already"):
        product_review_create(actor=customer, line_id=delivered_line.pk, rating=1)
    assert ProductReview.objects.count() == 1


def test_a_line_not_delivered_yet_cannot_be_reviewed(in_tenant_a, customer, designer_a):
    paid_only = make_ordered_line(customer, designer_a.template, delivered=False)
    with pytest.raises(ReviewRefused, match="delivered"):
        product_review_create(actor=customer, line_id=paid_only.pk, rating=5)
    assert not ProductReview.objects.exists()


def test_another_customers_line_is_missing(in_tenant_a, make_user, tenant_a, delivered_line):
    stranger = make_user(tenant_a, Role.CUSTOMER)
    for line_id in (delivered_line.pk, 10**9, "x"):
        with pytest.raises(Http404):
            product_review_create(actor=stranger, line_id=line_id, rating=5)
    assert not ProductReview.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, "five", None])
def test_the_rating_is_one_to_five_stars(in_tenant_a, customer, delivered_line, rating):
    with pytest.raises(ValidationError) as error:
        product_review_create(actor=customer, line_id=delivered_line.pk, rating=rating)
    assert "rating" in error.value.message_dict


def test_the_averages_of_a_product_and_its_designer(in_tenant_a, customer, make_user, tenant_a, designer_a):
    for rating in (5, 4, 4):
        buyer = make_user(tenant_a, Role.CUSTOMER)
        product_review_create(
            actor=buyer, line_id=make_ordered_line(buyer, designer_a.template).pk, rating=rating
        )

    assert rating_of_template(template=designer_a.template).average == 4.3
    summary = rating_of_designer(designer=designer_a.designer)
    assert (summary.count, summary.average, summary.stars) == (3, 4.3, "★★★★☆")


# --- pages ------------------------------------------------------------------------------------------------


def test_the_order_page_links_to_the_review_until_it_is_written(
    client_a, tenant_a, customer, designer_a, delivered_line
):
    sign_in(client_a, tenant_a, customer)
    order_page = f"/orders/{delivered_line.order_id}/"
    link = f"/reviews/order-lines/{delivered_line.pk}/"
    assert link in client_a.get(order_page).content.decode()
    assert client_a.get(link).status_code == 200

    response = client_a.post(link, {"rating": "5", "text": "Perfect light."})

    assert response.status_code == 302 and response["Location"] == order_page
    assert link not in client_a.get(order_page).content.decode()
    again = client_a.post(link, {"rating": "1"})
    assert again.status_code == 409
    for page in (f"/catalog/{designer_a.template.slug}/", f"/designers/{designer_a.designer.slug}/"):
        body = client_a.get(page).content.decode()
        assert "Perfect light." in body and "5.0 out of 5 · 1 review" in body, page


def test_the_review_page_refuses_bad_input_and_strangers(
    client_a, tenant_a, make_user, customer, delivered_line
):
    link = f"/reviews/order-lines/{delivered_line.pk}/"
    assert client_a.get(link).status_code == 302  # visitors sign in first
    sign_in(client_a, tenant_a, customer)
    assert client_a.post(link, {"rating": "9"}).status_code == 400
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert client_a.get(link).status_code == 404
    assert client_a.post(link, {"rating": "5"}).status_code == 404
    with schema_context(tenant_a.schema_name):
        assert not ProductReview.objects.exists()


def test_another_networks_customer_cannot_review_here(tenant_b, make_user, delivered_line):
    client = sign_in(Client(HTTP_HOST=host_of(tenant_b)), tenant_b, make_user(tenant_b, Role.CUSTOMER))
    assert client.post(f"/reviews/order-lines/{delivered_line.pk}/", {"rating": "5"}).status_code == 404


# --- API --------------------------------------------------------------------------------------------------


def _api(tenant, user) -> Client:
    with schema_context(tenant.schema_name):
        token = api_token_for(user)
    return Client(HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_review_api(tenant_a, tenant_b, make_user, customer, designer_a, delivered_line):
    api = _api(tenant_a, customer)
    url = "/api/v1/reviews/"

    assert (
        api.post(url, {"order_line": delivered_line.pk, "rating": 6}, "application/json").status_code == 400
    )
    created = api.post(url, {"order_line": delivered_line.pk, "rating": 3, "text": "OK"}, "application/json")
    assert created.status_code == 201, created.content
    assert created.json()["product"] == designer_a.template.slug
    assert created.json()["designer"] == designer_a.designer.slug
    again = api.post(url, {"order_line": delivered_line.pk, "rating": 5}, "application/json")
    assert again.status_code == 409

    stranger = _api(tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert (
        stranger.post(url, {"order_line": delivered_line.pk, "rating": 5}, "application/json").status_code
        == 404
    )
    other_network = _api(tenant_b, make_user(tenant_b, Role.CUSTOMER))
    assert (
        other_network.post(
            url, {"order_line": delivered_line.pk, "rating": 5}, "application/json"
        ).status_code
        == 404
    )
    assert Client(HTTP_HOST=host_of(tenant_a)).post(url, {}, "application/json").status_code in (401, 403)

    listed = Client(HTTP_HOST=host_of(tenant_a)).get(
        f"/api/v1/catalog/templates/{designer_a.template.slug}/reviews/"
    )
    assert listed.status_code == 200
    assert (listed.json()["count"], listed.json()["average"]) == (1, 3.0)
    assert listed.json()["reviews"][0]["text"] == "OK"
    assert (
        Client(HTTP_HOST=host_of(tenant_b))
        .get(f"/api/v1/catalog/templates/{designer_a.template.slug}/reviews/")
        .status_code
        == 404
    )


def test_a_products_reviews_follow_it_across_versions(in_tenant_a, customer, designer_a, delivered_line):
    """The customer received version 1; once version 2 is the published one, the product's page still shows the
    review (the versions are written directly here: the review flow has tests of its own)."""
    product_review_create(actor=customer, line_id=delivered_line.pk, rating=5, text="Great")
    first = designer_a.template
    ProductTemplate.objects.filter(pk=first.pk).update(status=TemplateStatus.SUPERSEDED)
    second = ProductTemplate.objects.create(
        name=first.name,
        slug=first.slug,
        category=first.category,
        designer=first.designer,
        family=first.family,
        version=2,
        status=TemplateStatus.PUBLISHED,
    )

    assert rating_of_template(template=second).count == 1
    assert [r.text for r in reviews_of_template(template=second)] == ["Great"]
