"""Calendar management of one resource: weekly opening hours and dated exceptions (htmx fragments)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from apps.core.errors import form_add_service_error
from apps.portal.forms import CalendarExceptionForm, OpeningHoursForm
from apps.portal.mixins import SupplierPortalView
from apps.suppliers import calendars
from apps.suppliers.models import CalendarException, OpeningHours, Resource
from apps.suppliers.selectors import resource_calendar
from apps.suppliers.services import (
    calendar_exception_add,
    calendar_exception_delete,
    opening_hours_add,
    opening_hours_delete,
)

PREVIEW_DAYS = 7


class ResourceCalendarView(SupplierPortalView, TemplateView):
    """GET: the resource's week, exceptions and a 7-day preview of open hours. POST `action`:
    add_hours, delete_hours, add_exception, delete_exception. htmx gets the calendar fragment back."""

    template_name = "portal/resource_calendar.html"
    scoped_model = Resource

    def dispatch(self, request, *args, **kwargs):
        self.hours_form = None
        self.exception_form = None
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        suffix = "#calendar" if self.request.htmx else ""
        return [f"{self.template_name}{suffix}"]

    @property
    def resource(self) -> Resource:
        if not hasattr(self, "_resource"):
            self._resource = self.get_scoped_object(self.kwargs["pk"])
        return self._resource

    def post(self, request, pk):
        action = request.POST.get("action")
        status = 200
        if action == "add_hours":
            status = self._add_hours()
        elif action == "add_exception":
            status = self._add_exception()
        elif action == "delete_hours":
            hours = self.get_scoped_object(request.POST.get("id"), OpeningHours, "resource__asset_owner")
            if hours.resource_id != self.resource.pk:
                return self.render_to_response(self.get_context_data(), status=404)
            opening_hours_delete(opening_hours=hours)
            messages.success(request, "Opening hours removed.")
        elif action == "delete_exception":
            exception = self.get_scoped_object(
                request.POST.get("id"), CalendarException, "resource__asset_owner"
            )
            if exception.resource_id != self.resource.pk:
                return self.render_to_response(self.get_context_data(), status=404)
            calendar_exception_delete(exception=exception)
            messages.success(request, "Exception removed.")
        else:
            status = 400
        if status == 200 and not request.htmx:
            return self.done(reverse("portal:resource_calendar", args=[self.resource.pk]))
        response = self.render_to_response(self.get_context_data())
        response.status_code = status
        return response

    def _add_hours(self) -> int:
        form = OpeningHoursForm(self.request.POST, prefix="hours")
        self.hours_form = form
        if not form.is_valid():
            return 400
        try:
            opening_hours_add(resource=self.resource, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
            return 400
        self.hours_form = None
        messages.success(self.request, "Opening hours added.")
        return 200

    def _add_exception(self) -> int:
        form = CalendarExceptionForm(self.request.POST, prefix="exception")
        self.exception_form = form
        if not form.is_valid():
            return 400
        try:
            calendar_exception_add(resource=self.resource, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
            return 400
        self.exception_form = None
        messages.success(self.request, "Exception added.")
        return 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resource = Resource.objects.prefetch_related("opening_hours", "calendar_exceptions").get(
            pk=self.resource.pk
        )
        time_zone = self.request.tenant.time_zone
        calendar = resource_calendar(resource=resource, time_zone=time_zone)
        zone = ZoneInfo(time_zone)
        today = timezone.now().astimezone(zone).date()
        preview = []
        for offset in range(PREVIEW_DAYS):
            day = today + timedelta(days=offset)
            day_start = datetime.combine(day, time(0), tzinfo=zone)
            day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            spans = calendars.open_intervals(calendar, day_start, day_end)
            preview.append(
                {"day": day, "spans": [(s.astimezone(zone), e.astimezone(zone)) for s, e in spans]}
            )
        weekly = {}
        for hours in resource.opening_hours.all():
            weekly.setdefault(hours.weekday, []).append(hours)
        context.update(
            resource=resource,
            weekly=[(index, name, weekly.get(index, [])) for index, name in enumerate(calendars.WEEKDAYS)],
            exceptions=resource.calendar_exceptions.all(),
            hours_form=self.hours_form or OpeningHoursForm(prefix="hours"),
            exception_form=self.exception_form or CalendarExceptionForm(prefix="exception"),
            preview=preview,
            time_zone=time_zone,
        )
        return context
