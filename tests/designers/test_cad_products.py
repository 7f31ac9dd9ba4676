"""A designer's uploaded CAD part as a fixed product (apps/uploads/products.py): made of the designer's own
analysed upload, offering a subset of the options the network offers for it, reviewed and published like any
designer product and immutable then (services and the database), bought, quoted with the designer's royalty,
compiled and committed like a customer's own part; its file goes to the supplier of a job, never to the buyer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.catalog.versions import (
    TemplateFrozen,
    TemplateHasIssues,
    TemplateNotFound,
    template_retire,
    template_submit,
    template_version_create,
)
from apps.designers.models import DesignerMember
from apps.matching.services.modes import order_commit
from apps.orders import checkout
from apps.orders.models import OrderLine, WorkItem
from apps.orders.status import OrderStatus
from apps.uploads.access import part_file_readable
from apps.uploads.analysis.result import Finding, Severity
from apps.uploads.designs import InvalidPartOptions
from apps.uploads.models import PartUpload
from apps.uploads.products import (
    cad_product_compile,
    cad_product_create,
    cad_product_design_save,
    cad_product_update,
)
from apps.uploads.selectors import upload_for_design
from apps.uploads.services import UploadInUse, upload_delete, upload_repair, upload_units_set
from apps.uploads.status import UploadStatus
from tests.designers.cad_builders import (
    PLA_BLACK,
    cad_designer,
    cad_draft,
    cad_published,
    customer_user,
)
from tests.designers.factories import make_designer_member
from tests.orders.conftest import fill_cart, pay
from tests.suppliers.factories import make_member
from tests.uploads.part_network import analysed_upload, cube_mesh, parts_network  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def studio(parts_network):  # noqa: F811 - the fixture imported above
    return cad_designer()


def test_a_draft_is_the_designers_product_made_of_their_upload_with_the_options_they_chose(studio):
    designer, member = studio
    draft = cad_draft(designer, member)
    assert (draft.designer, draft.status, draft.version, draft.is_cad_product) == (
        designer,
        TemplateStatus.DRAFT,
        1,
        True,
    )
    assert draft.part_upload.owner == member and draft.part_kind == ""
    assert draft.part_options == {
        "colour": ["black", "white"],
        "material": ["petg", "pla"],
        "process": ["fdm_printing"],
    }
    assert (draft.royalty_kind, draft.royalty_bp) == ("percent", 1_000)


def test_another_designers_upload_or_product_is_missing(studio):
    designer, member = studio
    rival, rival_member = cad_designer("Rival")
    theirs = analysed_upload(rival_member, cube_mesh(40))
    with pytest.raises(Http404):
        cad_product_create(
            actor=member, designer=designer, upload_id=theirs.pk, definition={"name": "Stolen"}
        )
    with pytest.raises(Http404):  # acting for the rival with their own login is not enough either
        cad_product_create(actor=member, designer=rival, upload_id=theirs.pk, definition={"name": "Stolen"})
    draft = cad_draft(designer, member)
    with pytest.raises(TemplateNotFound):
        cad_product_update(actor=rival_member, designer=rival, template=draft, definition={"name": "Mine"})
    with pytest.raises(Http404):  # nor may a draft be pointed at another designer's upload
        cad_product_update(
            actor=member, designer=designer, template=draft, definition={"upload": str(theirs.pk)}
        )
    assert ProductTemplate.objects.get(pk=draft.pk).part_upload_id != theirs.pk


def test_options_the_part_does_not_have_or_the_network_does_not_offer_are_refused_by_field(studio):
    designer, member = studio
    with pytest.raises(ValidationError) as caught:
        cad_draft(designer, member, narrowing={"material": ["unobtainium"], "thickness_mm": [2]})
    assert set(caught.value.message_dict) == {"options.material", "options.thickness_mm"}
    assert "Not offered for this part: unobtainium" in caught.value.message_dict["options.material"][0]
    with pytest.raises(ValidationError) as caught:
        cad_draft(designer, member, narrowing={"material": []})
    assert set(caught.value.message_dict) == {"options.material"}
    assert not ProductTemplate.objects.filter(designer=designer).exists(), "nothing written"


def test_a_customers_options_outside_the_designers_subset_are_a_field_error(studio):
    designer, member = studio
    product = cad_published(designer, member)
    assert cad_product_compile(template=product, options=PLA_BLACK).options["material"] == "pla"
    with pytest.raises(InvalidPartOptions) as caught:
        cad_product_compile(template=product, options={**PLA_BLACK, "colour": "red"})
    assert set(caught.value.field_errors["options"]) == {"colour"}
    assert "black, white" in caught.value.field_errors["options"]["colour"][0]
    with pytest.raises(InvalidPartOptions) as caught:
        cad_product_compile(template=product, options={**PLA_BLACK, "material": "asa"})
    assert set(caught.value.field_errors["options"]) == {"material"}


def test_a_part_with_errors_failed_or_too_large_for_the_network_cannot_be_submitted(studio):
    designer, member = studio
    broken = Finding("mesh_not_watertight", Severity.ERROR, "The mesh has holes.", "Repair it.")
    holes = cad_draft(designer, member, features=cube_mesh(40))
    PartUpload.objects.filter(pk=holes.part_upload_id).update(
        analysis={**holes.part_upload.analysis, "findings": [_finding_json(broken)]}
    )
    with pytest.raises(TemplateHasIssues) as caught:
        template_submit(actor=member, designer=designer, template=ProductTemplate.objects.get(pk=holes.pk))
    assert caught.value.field_errors == {"part": ["The mesh has holes."]}

    PartUpload.objects.filter(pk=holes.part_upload_id).update(
        status=UploadStatus.FAILED, error_message="Not an STL file."
    )
    with pytest.raises(TemplateHasIssues) as caught:
        template_submit(actor=member, designer=designer, template=ProductTemplate.objects.get(pk=holes.pk))
    assert caught.value.field_errors == {"part": ["The file could not be analysed: Not an STL file."]}

    too_large = cad_draft(designer, member, features=cube_mesh(400), name="Big clip")
    with pytest.raises(TemplateHasIssues) as caught:
        template_submit(actor=member, designer=designer, template=too_large)
    assert list(caught.value.field_errors) == ["part"]
    assert ProductTemplate.objects.get(pk=too_large.pk).status == TemplateStatus.DRAFT


def _finding_json(finding: Finding) -> dict:
    from dataclasses import asdict

    row = asdict(finding)
    row["severity"] = finding.severity.value
    return row


def test_a_published_cad_product_is_immutable_in_the_services_the_database_and_its_upload(studio):
    designer, member = studio
    product = cad_published(designer, member)
    assert product.status == TemplateStatus.PUBLISHED
    with pytest.raises(TemplateFrozen):
        cad_product_update(actor=member, designer=designer, template=product, definition={"options": {}})
    for change in ({"part_options": {}}, {"part_upload": analysed_upload(member, cube_mesh(30))}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductTemplate.objects.filter(pk=product.pk).update(**change)
    upload = PartUpload.objects.get(pk=product.part_upload_id)
    with pytest.raises(UploadInUse):
        upload_units_set(actor=member, upload=upload, units="inch")
    with pytest.raises(UploadInUse):
        upload_repair(actor=member, upload=upload)
    with pytest.raises(UploadInUse):
        upload_delete(actor=member, upload=upload)
    assert PartUpload.objects.get(pk=upload.pk).units == "mm"


def test_a_drafts_part_is_changed_by_the_designers_members_not_by_a_member_who_left(studio):
    """The part belongs to the product, not to whoever uploaded it: another member may set its units; the
    uploader, once they have left the designer, may not (through their own parts pages they still reach it)."""
    designer, uploader = studio
    draft = cad_draft(designer, uploader)
    PartUpload.objects.filter(pk=draft.part_upload_id).update(units_from_file=False)  # an STL: units asked
    upload = PartUpload.objects.get(pk=draft.part_upload_id)
    colleague = make_designer_member(designer)

    assert upload_units_set(actor=colleague, upload=upload, units="inch").units == "inch"

    DesignerMember.objects.filter(designer=designer, user=uploader).delete()
    upload = PartUpload.objects.get(pk=upload.pk)
    for change in (
        lambda: upload_units_set(actor=uploader, upload=upload, units="mm"),
        lambda: upload_repair(actor=uploader, upload=upload),
        lambda: upload_delete(actor=uploader, upload=upload),
    ):
        with pytest.raises(PermissionDenied):
            change()
    assert PartUpload.objects.get(pk=upload.pk).units == "inch"


def test_a_new_version_keeps_the_part_and_may_change_it_then_retiring_keeps_the_orders(studio):
    designer, member = studio
    v1 = cad_published(designer, member)
    v2 = template_version_create(actor=member, designer=designer, template=v1)
    assert (v2.version, v2.part_upload_id, v2.part_options) == (2, v1.part_upload_id, v1.part_options)
    other = analysed_upload(member, cube_mesh(30))
    v2 = cad_product_update(
        actor=member,
        designer=designer,
        template=v2,
        definition={"upload": str(other.pk), "options": {"material": ["petg"]}},
    )
    assert (v2.part_upload_id, v2.part_options) == (other.pk, {"material": ["petg"]})
    assert ProductTemplate.objects.get(pk=v1.pk).part_upload_id != other.pk, "v1 unchanged"
    with pytest.raises(ValidationError) as caught:  # no parameters or routing on a CAD product
        from apps.catalog.drafts import template_draft_update

        template_draft_update(
            actor=member, designer=designer, template=v2, definition={"parameters": [{"key": "x"}]}
        )
    assert "definition" in caught.value.message_dict
    retired = template_retire(actor=member, designer=designer, template=v1)
    assert retired.status == TemplateStatus.RETIRED


def test_only_a_published_active_product_is_bought(studio):
    designer, member = studio
    draft = cad_draft(designer, member)
    with pytest.raises(Http404):
        cad_product_design_save(actor=customer_user(), template=draft, options=PLA_BLACK)


def test_a_customer_buys_it_with_the_royalty_and_the_order_compiles_and_commits_the_parts_steps(
    studio, stripe_server
):
    designer, member = studio
    product = cad_published(designer, member, royalty_bp=1_000)
    buyer = customer_user()
    version = cad_product_design_save(actor=buyer, template=product, options=PLA_BLACK)
    assert (version.design.template, version.design.owner, version.values["material"]) == (
        product,
        buyer,
        "pla",
    )
    assert [op["process"] for op in version.operations] == ["fdm_printing"]
    again = cad_product_design_save(actor=buyer, template=product, options=PLA_BLACK)
    assert again == version, "the same options: the same version"

    fill_cart(buyer, (version, 2))
    quoted = checkout.cart_quote(customer=buyer)
    assert quoted.quote is not None, quoted.error
    (line,) = quoted.quote.lines
    assert line.royalty_minor > 0
    assert abs(line.royalty_minor - (line.total_minor - line.royalty_minor) * 0.10) <= 1
    order = checkout.checkout_place(
        customer=buyer,
        checkout_key=quoted.cart.checkout_key,
        seen_total_minor=quoted.quote.total_minor,
        seen_delivery_date=quoted.quote.delivery_date,
    ).order
    ordered = OrderLine.objects.get(order=order)
    assert (ordered.design_version_id, ordered.designer_id, ordered.royalty_minor) == (
        version.pk,
        designer.pk,
        line.royalty_minor,
    )
    assert ordered.design_version.design.template_id == product.pk, "the order pins this version"
    assert pay(order).status == OrderStatus.PAID
    run = order_commit(order_id=order.pk)
    assert run.outcome == "applied", run.reasons if hasattr(run, "reasons") else run
    items = list(WorkItem.objects.filter(order=order))
    assert items and {item.process for item in items} == {"fdm_printing"}

    # The supplier of the job downloads the designer's file; the buyer gets the part, not the file.
    upload = product.part_upload
    assert upload_for_design(design_id=version.design_id) == upload
    supplier_user = make_member(items[0].asset_owner)
    name = upload.file.stored_name
    assert part_file_readable(supplier_user, name)
    assert not part_file_readable(buyer, name)


def test_the_file_is_for_the_designers_members_and_staff_not_other_designers_or_customers(studio):
    designer, member = studio
    product = cad_published(designer, member)
    name = product.part_upload.file.stored_name
    from tests.designers.cad_builders import staff_user
    from tests.designers.factories import make_designer_member

    fellow = make_designer_member(designer)
    _rival, rival_member = cad_designer("Rival")
    assert part_file_readable(member, name) and part_file_readable(fellow, name)
    assert part_file_readable(staff_user(), name)
    assert not part_file_readable(rival_member, name)
    assert not part_file_readable(customer_user(), name)


def test_the_file_follows_the_product_not_the_uploaders_membership(studio):
    """Access went by the uploader's current membership: when the uploading member left for another designer,
    their old colleagues lost the file of their own product and the new designer's members could read it."""
    from apps.designers.models import DesignerMember
    from apps.suppliers.services import participant_member_add
    from apps.suppliers.status import MemberRole
    from apps.uploads.access import upload_get_for_designer
    from tests.designers.factories import make_designer_member

    designer, member = studio
    product = cad_published(designer, member)
    name = product.part_upload.file.stored_name
    fellow = make_designer_member(designer)
    rival, rival_member = cad_designer("Rival")
    DesignerMember.objects.filter(user=member).delete()
    participant_member_add(participant=rival, user=member, role=MemberRole.OWNER)

    assert part_file_readable(fellow, name)
    assert upload_get_for_designer(actor=fellow, designer=designer, upload_id=product.part_upload_id)
    assert not part_file_readable(rival_member, name)
    with pytest.raises(Http404):
        upload_get_for_designer(actor=rival_member, designer=rival, upload_id=product.part_upload_id)
