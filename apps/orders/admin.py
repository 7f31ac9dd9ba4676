"""Staff's order desk in the network admin: filters, the whole story of an order inline, and the actions staff
take (re-plan, cancel and refund, mark disputed, answer refund requests, resolve suppliers' problem reports).
Actions call services; nothing here writes a status field directly.

Who may open and act is the role table's (apps.accounts.access): every action needs the model's change
permission, which finance does not hold (it may look, not act); the order's own fields stay read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.orders.lateness import order_late_condition
from apps.orders.models import (
    PROBLEM_TEXT_MAX,
    JobProblem,
    JobProblemStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderRefund,
    OrderSettings,
    Place,
    QualityCheck,
    RefundRequest,
    RefundRequestStatus,
    TransportLeg,
    WorkItem,
)
from apps.orders.refunding import order_cancel_and_refund, refund_issue
from apps.orders.scope import Scope
from apps.orders.services import (
    job_problem_resolve,
    order_declines_override,
    order_mark_disputed,
    order_replan_request,
    refund_request_decide,
)
from apps.orders.status import COMMITTED, InvalidTransition
from apps.outbox.models import OutboxMessage
from apps.outbox.services import outbox_send_pending


class LateFilter(admin.SimpleListFilter):
    title = "punctuality"
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", "Late (ETA after promise)"), ("no", "On time")]

    def queryset(self, request, queryset):
        late = order_late_condition()
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


class SupplierFilter(admin.SimpleListFilter):
    title = "supplier"
    parameter_name = "supplier"

    def lookups(self, request, model_admin):
        from apps.suppliers.models import AssetOwner

        return [(str(pk), name) for pk, name in AssetOwner.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(work_items__asset_owner_id=self.value()).distinct()
        return queryset


class ReadOnlyInline(admin.TabularInline):
    """A read-only table of an order's rows. The companies, machines and people its columns name are read with the
    rows (one query per inline, not one per cell: the order page ran 51 queries for a small order)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        related = []
        for name in self.fields:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_one or field.one_to_one:
                related.append(name)
        return super().get_queryset(request).select_related(*related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["position", "description", "design_version", "quantity", "unit_price_minor", "total_minor"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = [
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "actor_label",
        "reason",
        "customer_visible",
    ]
    readonly_fields = fields
    ordering = ["created_at", "id"]


class WorkItemInline(ReadOnlyInline):
    model = WorkItem
    fk_name = "order"
    fields = [
        "name",
        "status",
        "asset_owner",
        "resource",
        "planned_start",
        "planned_end",
        "offer_deadline",
        "actual_start",
        "actual_end",
        "cost_minor",
        "decline_reason",
    ]
    readonly_fields = fields
    show_change_link = True


class TransportLegInline(ReadOnlyInline):
    model = TransportLeg
    fk_name = "order"
    fields = [
        "status",
        "carrier",
        "from_asset_owner",
        "to_asset_owner",
        "is_last_mile",
        "planned_departure",
        "planned_arrival",
        "picked_up_at",
        "delivered_at",
        "cost_minor",
        "distance_km",
        "receiver_name",
    ]
    readonly_fields = fields


class OrderRefundInline(ReadOnlyInline):
    model = OrderRefund
    fields = [
        "created_at",
        "amount_minor",
        "currency",
        "reason",
        "stripe_refund_id",
        "last_error",
        "last_error_code",
        "refused_at",
    ]
    readonly_fields = fields


class JobProblemInline(ReadOnlyInline):
    """The order's problems from suppliers, each linked to its page (where staff resolve it)."""

    model = JobProblem
    fields = ["created_at", "company_name", "work_item", "text", "gave_back", "status", "resolution_note"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    show_change_link = True
    verbose_name_plural = "problems from suppliers"


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "customer",
        "status",
        "total_minor",
        "currency",
        "promised_delivery_date",
        "eta",
        "late",
        "created_at",
    ]
    list_filter = ["status", LateFilter, ("created_at", admin.DateFieldListFilter), SupplierFilter]
    date_hierarchy = "created_at"
    search_fields = ["id", "customer__email", "recipient_name", "city", "payment_intent_id"]
    list_select_related = ["customer"]
    inlines = [
        OrderLineInline,
        WorkItemInline,
        TransportLegInline,
        JobProblemInline,
        OrderRefundInline,
        OrderEventInline,
    ]
    actions = ["replan", "replan_overriding_declines", "cancel_and_refund", "mark_disputed"]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="late")
    def late(self, order):
        return order.is_late

    @admin.action(description="Re-plan (ask matching for a new plan)", permissions=["change"])
    def replan(self, request, queryset):
        count = 0
        for order in queryset.filter(status__in=COMMITTED):
            order_replan_request(order_id=order.pk, reason="Requested by staff", actor=request.user)
            count += 1
        self.message_user(request, f"Re-plan requested for {count} order(s).")

    @admin.action(
        description="Re-plan, letting companies that declined a job take that step again",
        permissions=["change"],
    )
    def replan_overriding_declines(self, request, queryset):
        for order in queryset:
            try:
                count = order_declines_override(order_id=order.pk, actor=request.user, scope=Scope.STAFF)
            except InvalidTransition as error:
                self.message_user(request, f"{order.reference}: {error}", level=messages.ERROR)
            else:
                self.message_user(request, f"{order.reference}: {count} decline(s) overridden.")

    @admin.action(description="Cancel and refund in full (before production only)", permissions=["change"])
    def cancel_and_refund(self, request, queryset):
        for order in queryset:
            try:
                order_cancel_and_refund(
                    order_id=order.pk, actor=request.user, reason="Cancelled by staff", scope=Scope.STAFF
                )
            except InvalidTransition as error:
                self.message_user(request, f"{order.reference}: {error}", level=messages.ERROR)
            else:
                self.message_user(request, f"{order.reference} cancelled.")

    @admin.action(description="Mark disputed", permissions=["change"])
    def mark_disputed(self, request, queryset):
        for order in queryset:
            try:
                order_mark_disputed(
                    order_id=order.pk,
                    actor=request.user,
                    reason="Marked disputed by staff",
                    scope=Scope.STAFF,
                )
            except InvalidTransition as error:
                self.message_user(request, f"{order.reference}: {error}", level=messages.ERROR)
            else:
                self.message_user(request, f"{order.reference} is disputed.")


class QualityCheckInline(ReadOnlyInline):
    model = QualityCheck
    fields = ["created_at", "passed", "measurements", "notes", "photo", "recorded_by"]
    readonly_fields = fields


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "order",
        "status",
        "asset_owner",
        "resource",
        "planned_start",
        "planned_end",
        "offer_deadline",
    ]
    list_filter = ["status", "asset_owner"]
    list_select_related = ["order", "asset_owner", "resource"]
    readonly_fields = [f.name for f in WorkItem._meta.fields]
    inlines = [QualityCheckInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RefundRequest)
class RefundRequestAdmin(admin.ModelAdmin):
    list_display = ["order", "requested_by", "amount_minor", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["order", "requested_by", "decided_by"]
    readonly_fields = [f.name for f in RefundRequest._meta.fields]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Approve and refund the asked amount", permissions=["change"])
    def approve(self, request, queryset):
        for refund_request in queryset.filter(status=RefundRequestStatus.OPEN):
            try:
                refund = refund_request_decide(
                    request_id=refund_request.pk, actor=request.user, approve=True, scope=Scope.STAFF
                )
            except (InvalidTransition, ValueError) as error:
                self.message_user(request, f"Request {refund_request.pk}: {error}", level=messages.ERROR)
                continue
            if refund is not None:
                refund_issue(refund_id=refund.pk)
            self.message_user(request, f"Request {refund_request.pk} approved.")

    @admin.action(description="Reject", permissions=["change"])
    def reject(self, request, queryset):
        for refund_request in queryset.filter(status=RefundRequestStatus.OPEN):
            refund_request_decide(
                request_id=refund_request.pk, actor=request.user, approve=False, scope=Scope.STAFF
            )
        self.message_user(request, "Rejected.")


class ResolveForm(forms.Form):
    note = forms.CharField(
        label="How was it resolved?",
        max_length=PROBLEM_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the problem and on the order's audit trail (not shown to the customer).",
    )


@admin.register(JobProblem)
class JobProblemAdmin(admin.ModelAdmin):
    """Problems suppliers reported on their jobs. Read-only: staff resolve them with a note (job_problem_resolve),
    from the list (several at once) or from one problem's page."""

    list_display = [
        "__str__",
        "order",
        "company_name",
        "work_item",
        "short_text",
        "gave_back",
        "status",
        "created_at",
        "resolved_by",
        "resolved_at",
    ]
    list_filter = ["status", "gave_back", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["order", "work_item", "resolved_by"]
    search_fields = ["company_name", "text", "order__id"]
    readonly_fields = [*(f.name for f in JobProblem._meta.fields), "resolve_link"]
    actions = ["mark_resolved"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The report is append-only: its page is read-only; resolving is the one change, through the service.
        return obj is None and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # The "Mark resolved…" button only for those who may resolve (finance reads the report, nothing more).
        return fields if self.has_change_permission(request) else [f for f in fields if f != "resolve_link"]

    @admin.display(description="problem")
    def short_text(self, problem: JobProblem) -> str:
        return problem.text if len(problem.text) <= 80 else f"{problem.text[:79]}…"

    @admin.display(description="resolve")
    def resolve_link(self, problem: JobProblem) -> str:
        if problem.status != JobProblemStatus.OPEN:
            return "—"
        url = reverse("admin:orders_jobproblem_resolve", args=[problem.pk])
        return format_html('<a class="button" href="{}">Mark resolved…</a>', url)

    def get_urls(self):
        extra = [
            path(
                "<int:problem_id>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="orders_jobproblem_resolve",
            )
        ]
        return extra + super().get_urls()

    def _note_page(self, request, *, problems, form, action: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark resolved",
            "problems": problems,
            "form": form,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/jobproblem/resolve_form.html", context)

    def _resolve(self, request, problems, note: str) -> int:
        done = 0
        for problem in problems:
            try:
                job_problem_resolve(problem_id=problem.pk, actor=request.user, note=note)
            except (InvalidTransition, ValidationError) as error:
                self.message_user(
                    request,
                    f"{problem}: {' '.join(getattr(error, 'messages', [str(error)]))}",
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, f"Resolved {done} problem(s).", messages.SUCCESS)
        return done

    @admin.action(description="Mark resolved…", permissions=["change"])
    def mark_resolved(self, request, queryset):
        """Asks for the note first (an intermediate page), then resolves each open problem selected."""
        problems = list(queryset.filter(status=JobProblemStatus.OPEN).select_related("order", "work_item"))
        if not problems:
            self.message_user(request, "None of the selected problems is open.", messages.WARNING)
            return None
        form = ResolveForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._note_page(request, problems=problems, form=form, action="mark_resolved")
        self._resolve(request, problems, form.cleaned_data["note"])
        return None

    def resolve_view(self, request, problem_id: int):
        """One problem's "Mark resolved…" page (the e-mail to staff links to the problem, which links here)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        problem = get_object_or_404(JobProblem.objects.select_related("order", "work_item"), pk=problem_id)
        change_url = reverse("admin:orders_jobproblem_change", args=[problem.pk])
        if problem.status != JobProblemStatus.OPEN:
            self.message_user(request, f"{problem} is already resolved.", messages.WARNING)
            return redirect(change_url)
        form = ResolveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            self._resolve(request, [problem], form.cleaned_data["note"])
            return redirect(change_url)
        return self._note_page(request, problems=[problem], form=form)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["task_name", "dedup_key", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["send_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send now", permissions=["change"])
    def send_now(self, request, queryset):
        sent = outbox_send_pending(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{sent} sent at {timezone.now():%H:%M:%S}.")


@admin.register(OrderSettings)
class OrderSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "quote_lock_minutes", "refund_window_days", "offer_response_hours"]

    def has_add_permission(self, request):
        # A singleton: the one row, added by those the role table lets add it.
        return super().has_add_permission(request) and not OrderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "postcode", "latitude", "longitude"]
    search_fields = ["name", "province"]
