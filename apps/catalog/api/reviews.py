"""Staff review API: the versions waiting for review, one version with its checks and its changes against the
published version, and the decision. Anyone but network staff gets 404, as for a missing version."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import is_network_staff
from apps.catalog.api.version_serializers import (
    DecisionSerializer,
    ReviewDetailSerializer,
    TemplateVersionSerializer,
)
from apps.catalog.diff import template_diff
from apps.catalog.selectors import (
    template_get_for_review,
    template_published_baseline,
    template_review_queue,
)
from apps.catalog.versions import template_review

NOT_STAFF = OpenApiResponse(description="Not network staff: answered as for a page that does not exist.")
CONFLICT = OpenApiResponse(description='The version is not in review: {"detail": "…"}; nothing changed.')


class IsNetworkStaff(BasePermission):
    """Staff only; the others are answered 404 by the views (has_permission raising NotFound)."""

    def has_permission(self, request, view):
        if not is_network_staff(request.user):
            raise NotAuthenticated() if not request.user.is_authenticated else NotFound()
        return True


class ReviewQueueApi(generics.ListAPIView):
    permission_classes = [IsNetworkStaff]
    serializer_class = TemplateVersionSerializer

    @extend_schema(
        summary="Product versions waiting for review (staff)",
        responses={200: TemplateVersionSerializer(many=True), 404: NOT_STAFF},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return template_review_queue()


def _review_payload(template) -> dict:
    published = template_published_baseline(template=template)
    return ReviewDetailSerializer(
        {"version": template, "published": published, "changes": template_diff(published, template)}
    ).data


class ReviewDetailApi(APIView):
    permission_classes = [IsNetworkStaff]

    @extend_schema(
        summary="A product version with its checks and changes (staff)", responses=ReviewDetailSerializer
    )
    def get(self, request, template_id: int):
        return Response(_review_payload(template_get_for_review(template_id=template_id)))


class ReviewDecisionApi(APIView):
    permission_classes = [IsNetworkStaff]

    @extend_schema(
        summary="Approve (publish) or request changes on a version in review (staff)",
        request=DecisionSerializer,
        responses={
            200: ReviewDetailSerializer,
            400: OpenApiResponse(description="Field errors."),
            409: CONFLICT,
        },
    )
    def post(self, request, template_id: int):
        template = template_get_for_review(template_id=template_id)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reviewed = template_review(actor=request.user, template=template, **serializer.validated_data)
        return Response(_review_payload(template_get_for_review(template_id=reviewed.pk)))
