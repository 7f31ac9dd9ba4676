"""Staff screens for the supplier network. Status changes only through the actions (which call services); the
actions need the change permission, which the role table (apps.accounts.access) gives staff."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse

from apps.core.transitions import InvalidTransition
from apps.processes.forms import ProcessCodeField
from apps.suppliers import calendars
from apps.suppliers.models import (
    AssetOwner,
    AssetOwnerMember,
    CalendarException,
    CalendarExceptionKind,
    Carrier,
    CarrierMember,
    Certification,
    MemberInvitation,
    OpeningHours,
    ParticipantStatusChange,
    RateCard,
    Resource,
)
from apps.suppliers.selectors import network_settings
from apps.suppliers.services import participant_approve, participant_reject, participant_suspend

CONNECT_FIELDS = (
    "status",
    "status_changed_at",
    "stripe_account_id",
    "charges_enabled",
    "payouts_enabled",
    "details_submitted",
    "transfers_active",
    "requirements_due",
    "requirements_past_due",
    "connect_updated_at",
)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


def _decide(modeladmin, request, queryset, *, title: str, verb: str, apply, needs_reason: bool):
    """Runs `apply(participant, reason)` for each selected row; asks for a reason first when needed.

    Returns an intermediate page (the reason form) or None (back to the list)."""
    reason = ""
    if needs_reason:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": title,
                "queryset": queryset,
                "form": form,
                "action": request.POST.get("action"),
                "opts": modeladmin.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/suppliers/reason_form.html", context)
        reason = form.cleaned_data["reason"]
    done = 0
    for participant in queryset:
        try:
            apply(participant, reason)
            done += 1
        except (InvalidTransition, ValidationError) as error:
            modeladmin.message_user(request, f"{participant}: {error}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{verb} {done} of {queryset.count()}.", messages.SUCCESS)
    return None


class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "status", "onboarded_flag", "stripe_account_id", "created_at"]
    list_filter = ["status", "payouts_enabled", "country"]
    search_fields = ["name", "contact_email", "city", "stripe_account_id"]
    readonly_fields = CONNECT_FIELDS
    actions = ["approve", "reject", "suspend"]

    def save_formset(self, request, form, formset, change):
        # Resources and rate cards are priced in the network's currency; staff never type it.
        instances = formset.save(commit=False)
        for instance in instances:
            if hasattr(instance, "currency") and not instance.currency:
                instance.currency = network_settings().currency
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    @admin.display(boolean=True, description="Onboarded")
    def onboarded_flag(self, obj):
        return obj.onboarded

    def _portal_url(self, request) -> str:
        return request.build_absolute_uri("/portal/")

    @admin.action(description="Approve (or reinstate) the selected companies", permissions=["change"])
    def approve(self, request, queryset):
        return _decide(
            self,
            request,
            queryset,
            title="Approve",
            verb="Approved",
            needs_reason=False,
            apply=lambda p, _reason: participant_approve(
                participant=p, actor=request.user, portal_url=self._portal_url(request)
            ),
        )

    @admin.action(description="Reject the selected applications…", permissions=["change"])
    def reject(self, request, queryset):
        return _decide(
            self,
            request,
            queryset,
            title="Reject applications",
            verb="Rejected",
            needs_reason=True,
            apply=lambda p, reason: participant_reject(participant=p, actor=request.user, reason=reason),
        )

    @admin.action(description="Suspend the selected companies…", permissions=["change"])
    def suspend(self, request, queryset):
        return _decide(
            self,
            request,
            queryset,
            title="Suspend",
            verb="Suspended",
            needs_reason=True,
            apply=lambda p, reason: participant_suspend(participant=p, actor=request.user, reason=reason),
        )


class StatusChangeInline(admin.TabularInline):
    model = ParticipantStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "reason", "actor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ProcessChoiceMixin:
    """The resource's process is picked from the network's taxonomy (the model field stores its code)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "process":
            return ProcessCodeField(help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ResourceInline(ProcessChoiceMixin, admin.TabularInline):
    model = Resource
    extra = 0
    fields = [
        "name",
        "process",
        "capacity",
        "setup_cost_minor",
        "cost_per_minute_minor",
        "speed_factor",
        "status",
    ]
    show_change_link = True


class InvitationInline(admin.TabularInline):
    """The company's invitations, read-only: the owner manages them in the portal. The link's hash is not shown."""

    model = MemberInvitation
    extra = 0
    can_delete = False
    fields = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = fields
    verbose_name_plural = "invitations (sent by the company's owners from the portal)"

    def has_add_permission(self, request, obj=None):
        return False


class AssetOwnerMemberInline(admin.TabularInline):
    model = AssetOwnerMember
    extra = 0
    raw_id_fields = ["user"]


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    fields = ["standard", "title", "number", "issued_by", "valid_until", "file"]


@admin.register(AssetOwner)
class AssetOwnerAdmin(ParticipantAdmin):
    inlines = [
        AssetOwnerMemberInline,
        InvitationInline,
        ResourceInline,
        CertificationInline,
        StatusChangeInline,
    ]


class CarrierMemberInline(admin.TabularInline):
    model = CarrierMember
    extra = 0
    raw_id_fields = ["user"]


class RateCardInline(admin.StackedInline):
    model = RateCard
    extra = 0
    max_num = 1
    readonly_fields = ["currency"]


@admin.register(Carrier)
class CarrierAdmin(ParticipantAdmin):
    list_display = [
        *ParticipantAdmin.list_display[:2],
        "coverage_radius_km",
        *ParticipantAdmin.list_display[2:],
    ]
    inlines = [CarrierMemberInline, InvitationInline, RateCardInline, StatusChangeInline]


class OpeningHoursFormSet(BaseInlineFormSet):
    """Rejects inverted and overlapping intervals across the whole week, as the portal does."""

    def clean(self):
        super().clean()
        weekly = [
            calendars.WeeklyHours(
                weekday=f.cleaned_data["weekday"],
                opens=f.cleaned_data["opens"],
                closes=f.cleaned_data["closes"],
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if problems := calendars.weekly_problems(weekly):
            raise ValidationError(problems)


class CalendarExceptionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        spans = [
            calendars.ExceptionSpan(
                starts_at=f.cleaned_data["starts_at"],
                ends_at=f.cleaned_data["ends_at"],
                open=f.cleaned_data.get("kind") == CalendarExceptionKind.OPEN,
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if problems := calendars.exception_problems(spans):
            raise ValidationError(problems)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    formset = CalendarExceptionFormSet
    extra = 0


@admin.register(Resource)
class ResourceAdmin(ProcessChoiceMixin, admin.ModelAdmin):
    list_display = ["name", "asset_owner", "process", "capacity", "status", "speed_factor"]
    list_filter = ["process", "status"]
    search_fields = ["name", "asset_owner__name"]
    list_select_related = ["asset_owner"]
    readonly_fields = ["currency"]
    inlines = [OpeningHoursInline, CalendarExceptionInline]

    def save_model(self, request, obj, form, change):
        if not obj.currency:
            obj.currency = network_settings().currency
        super().save_model(request, obj, form, change)


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    list_display = ["carrier", "base_fee_minor", "per_km_minor", "per_kg_minor", "max_weight_kg", "currency"]
    list_select_related = ["carrier"]
    readonly_fields = ["currency"]

    def save_model(self, request, obj, form, change):
        if not obj.currency:
            obj.currency = network_settings().currency
        super().save_model(request, obj, form, change)
