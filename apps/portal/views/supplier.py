"""Supplier portal: dashboard (Gantt of booked jobs, upcoming work), resources, company profile with quality score, certifications."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView, View

from apps.orders.models import WorkItem
from apps.portal.forms import CertificationForm, ProfileForm, ResourceForm
from apps.portal.gantt import Booking, GanttResource, gantt_build
from apps.portal.jobs import job_bookings, job_upcoming
from apps.portal.mixins import PortalFormMixin, SupplierPortalView
from apps.processes.selectors import process_name_annotation
from apps.suppliers import calendars
from apps.suppliers.models import AssetOwner, Certification, Resource
from apps.suppliers.selectors import asset_owner_quality, resource_calendar, resource_list_for_asset_owner
from apps.suppliers.services import (
    certification_add,
    certification_delete,
    participant_profile_update,
    resource_create,
    resource_update,
)
from apps.suppliers.status import ResourceStatus

GANTT_DAYS = 14


def gantt_horizon(*, time_zone: str, now: datetime, days: int = GANTT_DAYS) -> tuple[datetime, datetime]:
    """From the start of today (local) for `days` days."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    end = datetime.combine(start.date() + timedelta(days=days), datetime.min.time(), tzinfo=zone)
    return start, end


# A phone shows the next days at a readable size (label column and days fit 358 px); the full horizon stays
# below it, scrolling in its own box.
PHONE_GANTT = {"days": 3, "px_per_day": 75.0, "label_width": 130.0}


def gantt_for(
    *, resources, time_zone: str, now: datetime, bookings=(), days: int = GANTT_DAYS, phone: bool = False
):
    """The chart of `resources` over gantt_horizon (with `phone`, the phone's shorter and narrower one). Down
    resources are all closed."""
    layout = dict(PHONE_GANTT) if phone else {"days": days}
    days = layout.pop("days")
    start, end = gantt_horizon(time_zone=time_zone, now=now, days=days)
    closed = {}
    for resource in resources:
        if resource.status == ResourceStatus.DOWN:
            closed[resource.pk] = [(start, end)]
        else:
            closed[resource.pk] = calendars.closed_intervals(
                resource_calendar(resource=resource, time_zone=time_zone), start, end
            )
    rows = [
        GanttResource(
            id=r.pk,
            label=r.name,
            capacity=r.capacity,
            up=r.status == ResourceStatus.UP,
            href=reverse("portal:resource_calendar", args=[r.pk]),
        )
        for r in resources
    ]
    return gantt_build(
        resources=rows,
        closed=closed,
        bookings=list(bookings),
        start=start,
        end=end,
        time_zone=time_zone,
        now=now,
        **layout,
    )


class DashboardView(SupplierPortalView, TemplateView):
    template_name = "portal/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        # /portal/ is the door for every portal member: carriers go on to their own dashboard.
        user = request.user
        if (
            user.is_authenticated
            and not hasattr(user, "asset_owner_member")
            and hasattr(user, "carrier_member")
        ):
            return redirect("portal:carrier_dashboard")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resources = list(resource_list_for_asset_owner(asset_owner=self.company))
        time_zone, now = self.request.tenant.time_zone, timezone.now()
        start, end = gantt_horizon(time_zone=time_zone, now=now)
        work = self.scoped(WorkItem)
        bookings = [
            Booking(
                resource_id=item.resource_id,
                start=item.planned_start,
                end=item.planned_end,
                label=f"{item.order.reference} · {item.name}",
                href=reverse("portal:job", args=[item.pk]),
            )
            for item in job_bookings(work, start=start, end=end)
        ]
        context["chart"] = gantt_for(resources=resources, time_zone=time_zone, now=now, bookings=bookings)
        context["phone_chart"] = gantt_for(
            resources=resources, time_zone=time_zone, now=now, bookings=bookings, phone=True
        )
        context["bookings"] = len(bookings)
        context["upcoming"] = job_upcoming(work, now=now)
        context["resources"] = resources
        context["resources_up"] = sum(1 for r in resources if r.status == ResourceStatus.UP)
        return context


class ResourceListView(SupplierPortalView, ListView):
    template_name = "portal/resource_list.html"
    context_object_name = "resources"
    scoped_model = Resource

    def get_queryset(self):
        return self.scoped().annotate(process_name=process_name_annotation()).order_by("name", "id")


class ResourceFormView(PortalFormMixin, SupplierPortalView, FormView):
    """Create (no pk) or edit a resource. htmx posts get the form fragment back with inline errors."""

    form_class = ResourceForm
    scoped_model = Resource

    def get_template_names(self):
        return ["portal/resource_form.html#form" if self.request.htmx else "portal/resource_form.html"]

    def get_resource(self) -> Resource | None:
        pk = self.kwargs.get("pk")
        return None if pk is None else self.get_scoped_object(pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_resource()
        kwargs["currency"] = self.request.tenant.currency
        return kwargs

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}

        def save():
            if form.instance.pk:
                return resource_update(resource=form.instance, **fields)
            return resource_create(asset_owner=self.company, **fields)

        return self.submit(
            form,
            save,
            success=lambda resource: f"Saved {resource.name}.",
            next_url=reverse("portal:resources"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["resource"] = self.get_resource()
        return context


class ProfileView(PortalFormMixin, SupplierPortalView, FormView):
    """Company details (editable) with the quality score, its formula and the status history."""

    template_name = "portal/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A fresh row: an invalid form must not leave half-applied values on self.company.
        kwargs["instance"] = AssetOwner.objects.get(pk=self.company.pk)
        return kwargs

    def form_valid(self, form):
        return self.submit(
            form,
            lambda: participant_profile_update(participant=self.company, **form.cleaned_data),
            success="Company details saved.",
            next_url=reverse("portal:profile"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quality"] = asset_owner_quality(asset_owner=self.company)
        context["history"] = self.company.status_changes.select_related("actor")[:20]
        return context


class CertificationsView(PortalFormMixin, SupplierPortalView, FormView):
    template_name = "portal/certifications.html"
    form_class = CertificationForm
    scoped_model = Certification

    def form_valid(self, form):
        data = form.cleaned_data
        return self.submit(
            form,
            lambda: certification_add(
                asset_owner=self.company,
                standard=data["standard"],
                title=data["title"],
                number=data["number"],
                issued_by=data["issued_by"],
                valid_until=data["valid_until"],
                file=data.get("file") or None,
            ),
            success="Certification added.",
            next_url=reverse("portal:certifications"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["certifications"] = self.scoped().order_by("valid_until")
        context["today"] = timezone.localdate()
        return context


class CertificationDeleteView(SupplierPortalView, View):
    scoped_model = Certification

    def post(self, request, pk):
        certification_delete(certification=self.get_scoped_object(pk))
        messages.success(request, "Certification removed.")
        return self.done(reverse("portal:certifications"))
