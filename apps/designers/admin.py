"""Staff screens for designers: approving, rejecting (with a reason) and suspending run the participant actions
of apps/suppliers/admin.py, which call the same services as for asset owners and carriers."""

from django.contrib import admin

from apps.designers.models import Designer, DesignerMember, ProductReview
from apps.suppliers.admin import ParticipantAdmin, StatusChangeInline


class DesignerMemberInline(admin.TabularInline):
    model = DesignerMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Designer)
class DesignerAdmin(ParticipantAdmin):
    list_display = ["name", "slug", *ParticipantAdmin.list_display[1:]]
    search_fields = [*ParticipantAdmin.search_fields, "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DesignerMemberInline, StatusChangeInline]

    def _portal_url(self, request) -> str:
        return request.build_absolute_uri("/designer/")


@admin.register(ProductReview)
class ProductReviewAdmin(admin.ModelAdmin):
    """Customers' reviews, read-only: what a customer wrote stays as written."""

    list_display = ["template", "designer", "rating", "author", "created_at"]
    list_filter = ["rating"]
    search_fields = ["template__name", "designer__name", "text"]
    readonly_fields = ["order_line", "author", "template", "designer", "rating", "text", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
