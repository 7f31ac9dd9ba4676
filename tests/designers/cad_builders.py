"""Builders of designers' CAD products: a designer of alpha with a member, their analysed upload, a product made
of it, and the review steps (they write to whatever schema the connection is set to)."""

from __future__ import annotations

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.versions import APPROVE, template_review, template_submit
from apps.uploads.products import cad_product_create
from tests.conftest import PASSWORD
from tests.designers.factories import make_designer, make_designer_member
from tests.suppliers.factories import _seq
from tests.uploads.part_network import analysed_upload, cube_mesh

PLA_BLACK = {
    "process": "fdm_printing",
    "material": "pla",
    "colour": "black",
    "infill_percent": 100,
    "finish": "as_printed",
}
# What the designer offers: PLA and PETG in black or white, FDM only.
NARROWING = {"process": ["fdm_printing"], "material": ["pla", "petg"], "colour": ["black", "white"]}


def staff_user():
    return user_create(email=f"staff{next(_seq)}@example.test", password=PASSWORD, role=Role.STAFF)


def customer_user():
    return user_create(email=f"buyer{next(_seq)}@example.test", password=PASSWORD, role=Role.CUSTOMER)


def cad_designer(name: str = "Part Studio"):
    designer = make_designer(name)
    return designer, make_designer_member(designer)


def cad_draft(
    designer, member, *, features=None, upload=None, narrowing=NARROWING, royalty_bp: int = 1_000, **fields
):
    upload = upload or analysed_upload(member, features or cube_mesh(40))
    definition = {
        "name": fields.pop("name", "Cable clip"),
        "description": "Clips a cable to a desk.",
        "category": "Parts",
        "royalty_kind": "percent",
        "royalty_bp": royalty_bp,
        "options": narrowing,
        **fields,
    }
    return cad_product_create(actor=member, designer=designer, upload_id=upload.pk, definition=definition)


def cad_published(designer, member, **kwargs):
    draft = cad_draft(designer, member, **kwargs)
    submitted = template_submit(actor=member, designer=designer, template=draft)
    return template_review(actor=staff_user(), template=submitted, decision=APPROVE)
