"""Studio fixtures: network alpha with the demo catalog (processes), an approved designer with a signed-in member,
and a draft of theirs built from the demo phone stand."""

import copy

import pytest
from django.test import Client

from apps.catalog.drafts import template_draft_create
from apps.demo.catalog import catalog_demo_seed
from apps.demo.catalog_templates import PHONE_STAND
from tests.conftest import host_of, sign_in
from tests.designers.factories import make_designer, make_designer_member


def stand_definition(slug: str = "designer-stand", name: str = "Designer stand") -> dict:
    definition = copy.deepcopy(PHONE_STAND)
    definition.update(slug=slug, name=name)
    return definition


@pytest.fixture
def catalog_a(in_tenant_a):
    return {template.slug: template for template in catalog_demo_seed()}


@pytest.fixture
def studio_designer(catalog_a):
    return make_designer("Nordic Forms")


@pytest.fixture
def studio_member(studio_designer):
    return make_designer_member(studio_designer, email="ines@nordic.test")


@pytest.fixture
def studio(client_a, tenant_a, studio_member) -> Client:
    """The designer's member signed in on alpha."""
    return sign_in(client_a, tenant_a, studio_member)


@pytest.fixture
def draft_a(studio_designer, studio_member):
    return template_draft_create(actor=studio_member, designer=studio_designer, definition=stand_definition())


@pytest.fixture
def other_designer_draft(catalog_a):
    other = make_designer("Other Studio")
    member = make_designer_member(other)
    return template_draft_create(
        actor=member, designer=other, definition=stand_definition(slug="other-stand", name="Other stand")
    )


@pytest.fixture
def other_client(tenant_a) -> Client:
    return Client(HTTP_HOST=host_of(tenant_a))
