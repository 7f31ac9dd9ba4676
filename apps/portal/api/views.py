"""Supplier jobs and carrier legs over the API: the same services and scope as the portal pages.

Every object is looked up inside the member's company (another company's job or leg → 404, like a missing one);
an action out of order (complete before start, deliver before pick-up, start before the job's predecessors are
done and its parts delivered) → 409 with the service's message and nothing changed; bad input → 400 naming the
field.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.orders.models import TransportLeg, WorkItem
from apps.orders.services import (
    transport_leg_deliver,
    transport_leg_pick_up,
    work_item_accept,
    work_item_complete,
    work_item_decline,
    work_item_problem_report,
    work_item_quality_record,
    work_item_start,
)
from apps.orders.status import LegStatus, WorkItemStatus
from apps.portal import jobs, legs
from apps.portal.api.serializers import (
    DeclineSerializer,
    DeliverSerializer,
    JobDetailSerializer,
    JobSerializer,
    LegDetailSerializer,
    LegSerializer,
    ProblemSerializer,
    QualityCheckInputSerializer,
)
from apps.suppliers.api.views import CarrierScoped, SupplierScoped

ACTION_RESPONSES = {
    400: OpenApiResponse(description="Bad input; the body names the field."),
    404: OpenApiResponse(description="Not one of your company's (or missing)."),
    409: OpenApiResponse(
        description=(
            "Not possible in the current state (e.g. complete before start, start while the job waits for a "
            "step before it or a delivery, pick up a part not made yet: `waiting_for` names them); nothing "
            "changed."
        )
    ),
}


class _Acts:
    """Runs one orders service on the requested object inside the company's scope and answers with the
    object as it is afterwards."""

    detail_serializer = None

    def service_scope(self):
        raise NotImplementedError

    def act(self, service, *, id_kwarg: str, status_code: int = status.HTTP_200_OK, **kwargs) -> Response:
        obj = self.get_object()
        # Refusals (409 with `waiting_for`, 400 naming the field, 404) are answered by the API's exception
        # handler (apps/core/api/exceptions.py).
        service(**{id_kwarg: obj.pk}, actor=self.request.user, scope=self.service_scope(), **kwargs)
        return Response(self.detail_serializer(self.get_object()).data, status=status_code)


def _status_filter(request, choices) -> str:
    wanted = request.query_params.get("status", "")
    if wanted and wanted not in choices.values:
        raise ValidationError({"status": f"One of: {', '.join(choices.values)}."})
    return wanted


@extend_schema(tags=["supplier jobs"])
class SupplierJobViewSet(_Acts, SupplierScoped, viewsets.ReadOnlyModelViewSet):
    """The member's company's jobs (work items): offers to answer, work to start, complete and quality-check."""

    scoped_model = WorkItem
    serializer_class = JobSerializer
    detail_serializer = JobDetailSerializer
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return JobSerializer if self.action == "list" else JobDetailSerializer

    def scope_queryset(self, queryset):
        if self.action == "list":
            wanted = _status_filter(self.request, WorkItemStatus)
            if wanted:
                queryset = queryset.filter(status=wanted)
            return jobs.job_rows_with_spec(queryset).order_by("planned_start", "id")
        return jobs.job_detail(queryset)

    def service_scope(self):
        # Unjoined: the services lock rows through it.
        return WorkItem.objects.filter(asset_owner=self.asset_owner)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=WorkItemStatus.values, description="Only jobs in this state."
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: JobDetailSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept an offered job."""
        return self.act(work_item_accept, id_kwarg="work_item_id")

    @extend_schema(request=DeclineSerializer, responses={200: JobDetailSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline an offered or accepted job (not started); the order is re-planned."""
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.act(
            work_item_decline, id_kwarg="work_item_id", reason=serializer.validated_data["reason"]
        )

    @extend_schema(request=ProblemSerializer, responses={201: JobDetailSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"])
    def problem(self, request, pk=None):
        """Report a problem with an open job (offered, accepted, in progress or failed its check); the network's
        staff are e-mailed, the customer is not told. With `give_back` a job not started yet is declined with
        the problem as its reason and re-planned; a started job cannot be given back (409)."""
        serializer = ProblemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.act(
            work_item_problem_report,
            id_kwarg="work_item_id",
            status_code=status.HTTP_201_CREATED,
            reason=serializer.validated_data["reason"],
            give_back=serializer.validated_data["give_back"],
        )

    @extend_schema(request=None, responses={200: JobDetailSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start an accepted job, or the rework of one that failed its quality check.

        Only once every predecessor step is done and every part delivered to it; until then 409, with
        `waiting_for` naming each, and nothing changed."""
        return self.act(work_item_start, id_kwarg="work_item_id")

    @extend_schema(request=None, responses={200: JobDetailSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Production finished (the job is done once its quality check passes)."""
        return self.act(work_item_complete, id_kwarg="work_item_id")

    @extend_schema(
        request={
            "application/json": QualityCheckInputSerializer,
            "multipart/form-data": QualityCheckInputSerializer,
        },
        responses={201: JobDetailSerializer, **ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="quality-check")
    def quality_check(self, request, pk=None):
        """Record the quality check of a job in progress: passed → done, failed → rework."""
        serializer = QualityCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self.act(
            work_item_quality_record,
            id_kwarg="work_item_id",
            status_code=status.HTTP_201_CREATED,
            passed=data["passed"],
            measurements=data["measurements"],
            notes=data["notes"],
            photo=data.get("photo"),
        )


@extend_schema(tags=["carrier legs"])
class CarrierLegViewSet(_Acts, CarrierScoped, viewsets.ReadOnlyModelViewSet):
    """The member's carrier's transport legs: what to pick up where, and where to deliver it."""

    serializer_class = LegSerializer
    detail_serializer = LegDetailSerializer
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return LegSerializer if self.action == "list" else LegDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TransportLeg.objects.none()
        queryset = TransportLeg.objects.filter(carrier=self.carrier)
        if self.action == "list":
            wanted = _status_filter(self.request, LegStatus)
            if wanted:
                queryset = queryset.filter(status=wanted)
        return legs.leg_rows(queryset).order_by("planned_departure", "id")

    def service_scope(self):
        return TransportLeg.objects.filter(carrier=self.carrier)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=LegStatus.values, description="Only legs in this state.")
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: LegDetailSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"], url_path="pick-up")
    def pick_up(self, request, pk=None):
        """Confirm the part was collected.

        Only once the job making it is done (quality check passed; for the last mile, the final step); until
        then 409, with `waiting_for` naming it, and nothing changed."""
        return self.act(transport_leg_pick_up, id_kwarg="leg_id")

    @extend_schema(
        request={"application/json": DeliverSerializer, "multipart/form-data": DeliverSerializer},
        responses={200: LegDetailSerializer, **ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """Proof of delivery: who received it, optionally a photo. Only after the pick-up."""
        serializer = DeliverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.act(
            transport_leg_deliver,
            id_kwarg="leg_id",
            receiver_name=serializer.validated_data["receiver_name"],
            photo=serializer.validated_data.get("photo"),
        )
