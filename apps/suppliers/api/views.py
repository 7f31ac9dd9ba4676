"""Supplier and carrier API. Every view works inside the requesting member's own company (others → 404)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.suppliers import access, calendars
from apps.suppliers.api.serializers import (
    AssetOwnerSerializer,
    CalendarExceptionSerializer,
    CarrierSerializer,
    ClosedIntervalSerializer,
    OpeningHoursSerializer,
    RateCardSerializer,
    ResourceSerializer,
)
from apps.suppliers.models import AssetOwner, CalendarException, Carrier, OpeningHours, RateCard, Resource
from apps.suppliers.selectors import network_settings, resource_calendar
from apps.suppliers.services import (
    calendar_exception_add,
    calendar_exception_delete,
    opening_hours_add,
    opening_hours_delete,
    participant_profile_update,
    rate_card_update,
    resource_create,
    resource_delete,
    resource_update,
)


class SupplierScoped:
    """Base for supplier endpoints: `self.asset_owner` is the member's company (Http404 for non-members) and
    `get_queryset` filters `scoped_model` by it. Subclasses refine with `scope_queryset`, never replace it."""

    scoped_model: type | None = None
    scope_lookup = "asset_owner"

    @property
    def asset_owner(self) -> AssetOwner:
        if not hasattr(self, "_asset_owner"):
            self._asset_owner = access.asset_owner_membership_get(user=self.request.user).asset_owner
        return self._asset_owner

    def scope_queryset(self, queryset):
        return queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.scoped_model.objects.none()
        queryset = self.scoped_model.objects.filter(**{self.scope_lookup: self.asset_owner})
        return self.scope_queryset(queryset)


class CarrierScoped:
    @property
    def carrier(self) -> Carrier:
        if not hasattr(self, "_carrier"):
            self._carrier = access.carrier_membership_get(user=self.request.user).carrier
        return self._carrier


# --- supplier -------------------------------------------------------------------------------------------------


class SupplierProfileView(SupplierScoped, generics.RetrieveUpdateAPIView):
    """The member's own company: profile, status, payout readiness and quality score."""

    serializer_class = AssetOwnerSerializer
    scoped_model = AssetOwner
    scope_lookup = "pk"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssetOwner.objects.none()
        return AssetOwner.objects.filter(pk=self.asset_owner.pk)

    def get_object(self):
        return self.asset_owner

    def perform_update(self, serializer):
        serializer.instance = participant_profile_update(
            participant=self.asset_owner, **serializer.validated_data
        )


class ResourceViewSet(SupplierScoped, viewsets.ModelViewSet):
    """Resources (machines, work cells) of the member's company."""

    serializer_class = ResourceSerializer
    scoped_model = Resource

    def scope_queryset(self, queryset):
        return queryset.order_by("name", "id")

    def perform_create(self, serializer):
        serializer.instance = resource_create(asset_owner=self.asset_owner, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = resource_update(resource=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        resource_delete(resource=instance)


class _ResourceChild(SupplierScoped):
    """Calendar rows of one of the member's resources (`resource_pk` in the URL)."""

    @property
    def resource(self) -> Resource:
        if not hasattr(self, "_resource"):
            self._resource = access.resource_get(
                asset_owner=self.asset_owner, resource_id=self.kwargs["resource_pk"]
            )
        return self._resource

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.scoped_model.objects.none()
        return self.scoped_model.objects.filter(
            resource=self.resource, resource__asset_owner=self.asset_owner
        )


class OpeningHoursViewSet(
    _ResourceChild,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Weekly opening hours of a resource in the network's time zone (closes 00:00 = midnight)."""

    serializer_class = OpeningHoursSerializer
    scoped_model = OpeningHours
    pagination_class = None

    def perform_create(self, serializer):
        serializer.instance = opening_hours_add(resource=self.resource, **serializer.validated_data)

    def perform_destroy(self, instance):
        opening_hours_delete(opening_hours=instance)


class CalendarExceptionViewSet(
    _ResourceChild,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Dated closures (maintenance, holidays) and extra openings of a resource."""

    serializer_class = CalendarExceptionSerializer
    scoped_model = CalendarException
    pagination_class = None

    def perform_create(self, serializer):
        serializer.instance = calendar_exception_add(resource=self.resource, **serializer.validated_data)

    def perform_destroy(self, instance):
        calendar_exception_delete(exception=instance)


class ResourceClosedView(_ResourceChild, APIView):
    """When the resource is closed over the next `days` days (UTC), weekly hours and exceptions applied."""

    scoped_model = Resource

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Horizon in days (1–60, default 14).")],
        responses=ClosedIntervalSerializer(many=True),
    )
    def get(self, request, resource_pk: int):
        try:
            days = min(60, max(1, int(request.query_params.get("days", 14))))
        except ValueError:
            raise ValidationError({"days": "Give a whole number of days."}) from None
        start = timezone.now().replace(second=0, microsecond=0)
        spans = calendars.closed_intervals(
            resource_calendar(resource=self.resource), start, start + timedelta(days=days)
        )
        data = [{"starts_at": s, "ends_at": e} for s, e in spans]
        return Response(ClosedIntervalSerializer(data, many=True).data)


# --- carrier ----------------------------------------------------------------------------------------------------


class CarrierProfileView(CarrierScoped, generics.RetrieveUpdateAPIView):
    """The member's own carrier: profile, base coordinates, speed, handling time and coverage radius."""

    serializer_class = CarrierSerializer
    queryset = Carrier.objects.none()

    def get_object(self):
        return self.carrier

    def perform_update(self, serializer):
        serializer.instance = participant_profile_update(
            participant=self.carrier, **serializer.validated_data
        )


class RateCardView(CarrierScoped, generics.RetrieveUpdateAPIView):
    """The member's carrier's rate card (amounts in minor units of the network's currency)."""

    serializer_class = RateCardSerializer
    queryset = RateCard.objects.none()

    def get_object(self):
        card = RateCard.objects.filter(carrier=self.carrier).first()
        return card or RateCard(carrier=self.carrier, currency=network_settings().currency)

    def perform_update(self, serializer):
        serializer.instance = rate_card_update(carrier=self.carrier, **serializer.validated_data)
