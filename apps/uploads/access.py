"""Who may see an uploaded part and its files. "Not yours" answers like "missing" (Http404, or False).

- the upload (API, pages): the customer who uploaded it; the network's staff may read it, never change it;
- its stored files (original, repaired copy, preview; apps.core.media's view asks `part_file_readable`): the
  uploading customer, the network's staff, and the members of a workshop with a job on an order line of the design
  the part became (or of a design of a designer's CAD product made of it: apps/uploads/products.py), or of a
  carrier with a leg carrying that line's work; for the part of a designer's product, the designer's members. The preview of
  a product in the shop is every visitor's (its page shows it). Everyone else — a customer who bought a CAD
  product included: they get the part, not the file — gets 404.
"""

from __future__ import annotations

import uuid

from django.db.models import Q
from django.http import Http404

from apps.accounts.access import is_network_staff, is_signed_in
from apps.catalog.models import TemplateStatus
from apps.catalog.versions import acts_for_designer
from apps.suppliers.models import AssetOwner, Carrier
from apps.uploads.models import PartUpload
from apps.uploads.storage import sha_of_stored_name


def _upload_id(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("No such upload.") from None


def _upload_where(upload_id, condition: Q) -> PartUpload:
    upload = (
        PartUpload.objects.select_related("file", "repaired_file")
        .filter(condition, pk=_upload_id(upload_id))
        .distinct()
        .first()
    )
    if upload is None:
        raise Http404("No such upload.")
    return upload


def _upload_get(*, user, upload_id, staff_reads: bool) -> PartUpload:
    if not is_signed_in(user):
        raise Http404("No such upload.")
    return _upload_where(upload_id, Q() if staff_reads and is_network_staff(user) else Q(owner=user))


def upload_get_for_designer(*, actor, designer, upload_id) -> PartUpload:
    """An upload the member `actor` builds `designer`'s CAD product from, or Http404: their own, or the part of one
    of the designer's products. The tie is the product's, not the uploader's membership: a member who leaves
    takes no product's file with them, and brings none to another designer."""
    if not acts_for_designer(actor, designer):
        raise Http404("No such upload.")
    return _upload_where(upload_id, Q(owner=actor) | Q(products__designer=designer))


def upload_get_for_reader(*, user, upload_id) -> PartUpload:
    """The upload for its owner or the network's staff, or Http404."""
    return _upload_get(user=user, upload_id=upload_id, staff_reads=True)


def upload_get_for_owner(*, user, upload_id) -> PartUpload:
    """The user's own upload, to change it, or Http404 (staff included: they only read)."""
    return _upload_get(user=user, upload_id=upload_id, staff_reads=False)


def _worked_on_by(user) -> Q:
    """Uploads whose design — the customer's own part, or a design of a designer's CAD product made of it — is on an
    order line where a workshop `user` is a member of has a job, or a carrier of theirs a leg from or to such a
    job: subqueries, so the caller's check stays one query."""
    design = "line__design_version__design"
    workshops = AssetOwner.objects.filter(members__user=user)
    carriers = Carrier.objects.filter(members__user=user)
    worked = Q()
    for designs in (
        workshops.values(f"work_items__{design}"),
        carriers.values(f"transport_legs__from_work_item__{design}"),
        carriers.values(f"transport_legs__to_work_item__{design}"),
    ):
        worked |= Q(design__in=designs) | Q(products__designs__in=designs)
    return worked


def _designer_of(user) -> Q:
    """The parts of the products of the designer `user` works for (by the product, not by who uploaded it)."""
    return Q(products__designer__members__user=user)


def _shop_preview(name: str) -> Q:
    """The preview (never the file) of the part of a product in the shop: every visitor sees it on its page."""
    return Q(preview_name=name, products__status=TemplateStatus.PUBLISHED, products__active=True)


def part_file_readable(user, name: str) -> bool:
    """Whether `user` may fetch the stored file `name` ("uploads/ab/<sha256>/original.stl" or a preview beside
    it). The bytes belong to every upload of the same content, so any of them that the user may see opens them.
    Asked on every fetch, so one query whoever asks (a shop product's preview is asked in the same one)."""
    sha256 = sha_of_stored_name(name)
    if sha256 is None:
        return False
    if not is_signed_in(user):
        return PartUpload.objects.filter(_shop_preview(name)).exists()
    if is_network_staff(user):
        return True
    own = (Q(file__sha256=sha256) | Q(repaired_file__sha256=sha256)) & (
        Q(owner=user) | _worked_on_by(user) | _designer_of(user)
    )
    return PartUpload.objects.filter(own | _shop_preview(name)).exists()
