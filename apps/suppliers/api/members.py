"""Members and invitations of the requesting member's own company, and accepting an invitation, over the API.

Every member may list; only an owner may invite, withdraw an invitation or remove a member (403 otherwise).
Another company's rows are 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.suppliers import access
from apps.suppliers.models import AssetOwnerMember, MemberInvitation
from apps.suppliers.selectors import invitation_list_open, member_list_for_participant
from apps.suppliers.services.invitations import (
    InvitationRefused,
    invitation_accept,
    invitation_link_base,
    invitation_revoke,
    member_invite,
    member_remove,
)
from apps.suppliers.status import MemberRole


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = AssetOwnerMember  # the carrier's member has the same fields
        fields = ["id", "email", "full_name", "role", "created_at"]
        read_only_fields = fields


NOT_A_MEMBER = OpenApiResponse(
    description="You are not a member of such a company, or the row is not your company's."
)
NOT_OWNER = OpenApiResponse(description="Only the company's owner can do this.")
BAD_INPUT = OpenApiResponse(description="Field errors, by field name (or non_field_errors).")


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.EmailField(
        source="invited_by.email", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = MemberInvitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "invited_by", "created_at", "expires_at"]
        extra_kwargs = {"email": {"max_length": 254}, "role": {"default": MemberRole.OPERATOR}}


class AcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100, help_text="The secret at the end of the e-mailed link.")
    full_name = serializers.CharField(
        max_length=150,
        required=False,
        default="",
        allow_blank=True,
        help_text="Only when not signed in: your name.",
    )
    password = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        write_only=True,
        help_text="Only when not signed in: your new password.",
    )


class AcceptedSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    company = serializers.CharField()
    kind = serializers.CharField()
    role = serializers.CharField()


class InvitationUnusable(APIException):
    """Expired, used or withdrawn (410); for another account (403); the address must sign in (409)."""

    def __init__(self, refused: InvitationRefused):
        self.status_code = refused.status_code
        super().__init__(detail={"detail": refused.message, "reason": refused.reason})


class _OwnCompany:
    """`self.member` is the requesting user's membership of a company of `kind` (Http404 for non-members)."""

    kind = ""  # "supplier" or "carrier"

    @property
    def member(self):
        if not hasattr(self, "_member"):
            get = (
                access.asset_owner_membership_get
                if self.kind == "supplier"
                else access.carrier_membership_get
            )
            self._member = get(user=self.request.user)
        return self._member

    @property
    def company(self):
        return self.member.asset_owner if self.kind == "supplier" else self.member.carrier

    def call(self, service, **kwargs):
        return service(member=self.member, **kwargs)


@extend_schema_view(get=extend_schema(responses={200: MemberSerializer(many=True), 404: NOT_A_MEMBER}))
class _MemberList(_OwnCompany, generics.ListAPIView):
    """Your company's members, owners first."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssetOwnerMember.objects.none()
        return member_list_for_participant(participant=self.company)


class _MemberDetail(_OwnCompany, APIView):
    @extend_schema(responses={204: None, 400: BAD_INPUT, 403: NOT_OWNER, 404: NOT_A_MEMBER})
    def delete(self, request, pk: int):
        """Removes a member (owners only). The last owner cannot be removed (400)."""
        self.call(member_remove, member_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(responses={200: InvitationSerializer(many=True), 404: NOT_A_MEMBER}),
    post=extend_schema(
        responses={201: InvitationSerializer, 400: BAD_INPUT, 403: NOT_OWNER, 404: NOT_A_MEMBER}
    ),
)
class _InvitationList(_OwnCompany, generics.ListCreateAPIView):
    """GET: invitations not yet accepted, withdrawn or expired. POST: invite a colleague (owners only); the
    e-mail with the link goes out after commit; inviting an address again replaces its open invitation."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberInvitation.objects.none()
        return invitation_list_open(participant=self.company)

    def perform_create(self, serializer):
        serializer.instance = self.call(
            member_invite, accept_url=invitation_link_base(self.request), **serializer.validated_data
        )


class _InvitationDetail(_OwnCompany, APIView):
    @extend_schema(responses={204: None, 403: NOT_OWNER, 404: NOT_A_MEMBER})
    def delete(self, request, pk: int):
        """Withdraws an invitation (owners only): its link stops working."""
        self.call(invitation_revoke, invitation_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SupplierMemberListView(_MemberList):
    kind = "supplier"


class SupplierMemberDetailView(_MemberDetail):
    kind = "supplier"


class SupplierInvitationListView(_InvitationList):
    kind = "supplier"


class SupplierInvitationDetailView(_InvitationDetail):
    kind = "supplier"


class CarrierMemberListView(_MemberList):
    kind = "carrier"


class CarrierMemberDetailView(_MemberDetail):
    kind = "carrier"


class CarrierInvitationListView(_InvitationList):
    kind = "carrier"


class CarrierInvitationDetailView(_InvitationDetail):
    kind = "carrier"


class InvitationAcceptView(APIView):
    """Accepts an invitation: signed in (session or token), you join if it was sent to your address; not
    signed in, an account is created for the invited address with `full_name` and `password`.

    Unknown link 404; expired, used or withdrawn 410; signed in as someone else 403; the address already has
    an account and must sign in 409."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=AcceptSerializer,
        responses={
            201: AcceptedSerializer,
            400: BAD_INPUT,
            403: OpenApiResponse(description="Signed in as someone the invitation is not for."),
            404: OpenApiResponse(description="No invitation has this secret on this network."),
            409: OpenApiResponse(
                description="The invited address has an account here: sign in, then accept."
            ),
            410: OpenApiResponse(description="Expired, already used, or withdrawn (`reason` says which)."),
        },
    )
    def post(self, request):
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        try:
            member = invitation_accept(
                token=data.validated_data["token"],
                user=user,
                full_name=data.validated_data["full_name"] if user is None else "",
                password=data.validated_data["password"] if user is None else "",
            )
        except InvitationRefused as refused:
            raise InvitationUnusable(refused) from None
        company = member.asset_owner if isinstance(member, AssetOwnerMember) else member.carrier
        body = {"member_id": member.pk, "company": company.name, "kind": company.kind, "role": member.role}
        return Response(AcceptedSerializer(body).data, status=status.HTTP_201_CREATED)
