"""The SaaS operator's admin, served only on the public site. Tenant admins never register these models."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from apps.accounts.admin import UserAdmin
from apps.accounts.forms import ThrottledAdminAuthenticationForm
from apps.accounts.models import User
from apps.core.currencies import chargeable_currencies, currency_label
from apps.core.timezones import time_zone_choices
from apps.core.transitions import InvalidTransition
from apps.tenants.forms import TenantDeleteForm
from apps.tenants.models import Domain, Tenant, TenantStatus
from apps.tenants.services import tenant_activate, tenant_delete, tenant_suspend


class OperatorAdminSite(admin.AdminSite):
    login_form = ThrottledAdminAuthenticationForm
    site_header = "Cloud Factory — operator"
    site_title = "Cloud Factory operator"
    index_title = "Networks and operators"


operator_admin_site = OperatorAdminSite(name="operator_admin")


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant, site=operator_admin_site)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "currency", "created_at", "delete_link"]
    list_filter = ["status", "currency"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "created_at"]
    fields = ["name", "slug", "schema_name", "currency", "time_zone", "accent_color", "status", "created_at"]
    inlines = [DomainInline]
    actions = ["suspend", "activate"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Chosen from lists, never typed: an unknown zone or currency broke every page of the network.
        if db_field.name == "time_zone":
            return forms.ChoiceField(choices=time_zone_choices(), label="Time zone")
        if db_field.name == "currency":
            return forms.ChoiceField(
                choices=[(code, currency_label(code)) for code in chargeable_currencies()]
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).exclude(status=TenantStatus.TEMPLATE).exclude(schema_name="public")
        )

    def has_add_permission(self, request):
        # Networks are provisioned by tenant_create (sign-up page or create_tenant), never by a bare row.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deletion drops a schema: it goes through the confirmation page below, one network at a time.
        return False

    @admin.display(description="Delete")
    def delete_link(self, tenant):
        return format_html(
            '<a href="{}">Delete…</a>', reverse("operator_admin:tenant_delete", args=[tenant.pk])
        )

    @admin.action(description="Suspend selected networks")
    def suspend(self, request, queryset):
        self._each(request, queryset, tenant_suspend, "Suspended")

    @admin.action(description="Re-activate selected networks")
    def activate(self, request, queryset):
        self._each(request, queryset, tenant_activate, "Re-activated")

    def _each(self, request, queryset, service, done: str) -> None:
        changed = 0
        for tenant in queryset:
            try:
                service(tenant=tenant)
            except InvalidTransition as error:
                self.message_user(request, f"{tenant.name}: {error}", messages.WARNING)
                continue
            changed += 1
        self.message_user(request, f"{done} {changed} network(s).", messages.SUCCESS)

    def get_urls(self):
        extra = [
            path(
                "<int:tenant_id>/delete-network/",
                self.admin_site.admin_view(self.delete_network_view),
                name="tenant_delete",
            )
        ]
        return extra + super().get_urls()

    def delete_network_view(self, request, tenant_id: int):
        if not request.user.is_superuser:
            return redirect("operator_admin:index")
        tenant = get_object_or_404(self.get_queryset(request), pk=tenant_id)
        form = TenantDeleteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                tenant_delete(tenant=tenant, confirm_slug=form.cleaned_data["confirm_slug"])
            except ValidationError as error:
                form.add_error("confirm_slug", error.message_dict.get("confirm_slug", error.messages))
            else:
                self.message_user(request, f"Deleted network {tenant.slug} and its schema.", messages.SUCCESS)
                return redirect("operator_admin:tenants_tenant_changelist")
        context = {
            **self.admin_site.each_context(request),
            "tenant": tenant,
            "form": form,
            "title": "Delete network",
        }
        return render(request, "admin/tenants/delete_network.html", context)


operator_admin_site.register(User, UserAdmin)
