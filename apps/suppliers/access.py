"""Access helpers: the requesting user's company and the objects inside it, or Http404.

"Not yours" and "does not exist" look the same. Every portal page and API view resolves its objects here.
"""

from django.http import Http404

from apps.accounts.access import is_signed_in, may_read_money
from apps.suppliers.models import AssetOwner, AssetOwnerMember, CarrierMember, Certification, Resource
from apps.suppliers.status import PORTAL_OPEN


def asset_owner_membership_get(*, user) -> AssetOwnerMember:
    """The user's membership of an asset owner whose portal is open (not rejected); else Http404."""
    if not is_signed_in(user):
        raise Http404("No supplier here.")
    member = (
        AssetOwnerMember.objects.select_related("asset_owner")
        .filter(user=user, asset_owner__status__in=PORTAL_OPEN)
        .first()
    )
    if member is None:
        raise Http404("No supplier here.")
    return member


def carrier_membership_get(*, user) -> CarrierMember:
    if not is_signed_in(user):
        raise Http404("No carrier here.")
    member = (
        CarrierMember.objects.select_related("carrier")
        .filter(user=user, carrier__status__in=PORTAL_OPEN)
        .first()
    )
    if member is None:
        raise Http404("No carrier here.")
    return member


def _get(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def resource_get(*, asset_owner: AssetOwner, resource_id) -> Resource:
    return _get(Resource.objects.select_related("asset_owner"), pk=resource_id, asset_owner=asset_owner)


def certificate_file_readable(user, name: str) -> bool:
    """Whether `user` may fetch the certificate stored as `name`: a member of its company, or staff and finance.

    Registered with the media view (apps.core.media) for the certificates folder."""
    if may_read_money(user):
        return True
    return (
        is_signed_in(user)
        and Certification.objects.filter(file=name, asset_owner__members__user=user).exists()
    )
