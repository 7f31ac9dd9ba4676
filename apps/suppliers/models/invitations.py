"""Invitations of a company's owner to a colleague: join the asset owner or carrier as a portal member."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.suppliers.models.participants import AssetOwner, Carrier
from apps.suppliers.status import MemberRole

_OPEN = Q(accepted_at__isnull=True, revoked_at__isnull=True)


class MemberInvitation(models.Model):
    """An e-mailed, single-use link to join one company (exactly one of asset owner or carrier).

    Only the SHA-256 of the link's secret is stored (`token_hash`); the secret is drawn when the e-mail is sent
    (apps/suppliers/services/invitations.py), so it exists in the e-mail alone. At most one open invitation
    per company and address: inviting again replaces the previous one.
    """

    asset_owner = models.ForeignKey(
        AssetOwner, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    carrier = models.ForeignKey(
        Carrier, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.OPERATOR)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(asset_owner__isnull=False, carrier__isnull=True))
                | (Q(asset_owner__isnull=True, carrier__isnull=False)),
                name="invitation_one_participant",
            ),
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="invitation_role_valid"),
            models.UniqueConstraint(
                fields=["token_hash"], condition=~Q(token_hash=""), name="invitation_token_unique"
            ),
            models.UniqueConstraint(
                fields=["asset_owner", "email"], condition=_OPEN, name="invitation_one_open_per_asset_owner"
            ),
            models.UniqueConstraint(
                fields=["carrier", "email"], condition=_OPEN, name="invitation_one_open_per_carrier"
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.participant}"

    @property
    def participant(self):
        return self.asset_owner or self.carrier

    def state_at(self, moment) -> str:
        """accepted, revoked, expired or pending."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= moment else "pending"
