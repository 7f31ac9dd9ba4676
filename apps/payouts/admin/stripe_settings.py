from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from apps.payouts import crypto
from apps.payouts.models import StripeMode, StripeSettings, StripeWrite, WebhookEvent, WebhookEventStatus
from apps.payouts.stripe_client import StripeCallError, secret_key_verify, stripe_settings_get
from apps.payouts.stripe_settings import stripe_settings_update
from apps.payouts.webhooks.inbox import REPROCESS_PERMISSION, webhook_event_reprocess


class StripeSettingsForm(forms.ModelForm):
    secret_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the stored key. Stored encrypted; never shown again in full.",
    )
    webhook_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The signing secret of this network's webhook endpoint (whsec_…). Leave blank to keep it.",
    )

    class Meta:
        model = StripeSettings
        fields = ["mode", "publishable_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["secret_key"].widget.attrs["placeholder"] = crypto.masked(self.instance.secret_key)
            self.fields["webhook_secret"].widget.attrs["placeholder"] = crypto.masked(
                self.instance.webhook_secret
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == StripeMode.STRIPE:
            if not (cleaned.get("secret_key") or self.instance.secret_key):
                self.add_error("secret_key", "A secret key is required to use Stripe.")
            if not (cleaned.get("webhook_secret") or self.instance.webhook_secret):
                self.add_error("webhook_secret", "The webhook signing secret is required to use Stripe.")
            if cleaned.get("secret_key"):
                try:
                    secret_key_verify(secret_key=cleaned["secret_key"])
                except StripeCallError as error:
                    self.add_error("secret_key", f"Stripe refused this key: {error}")
        return cleaned


@admin.register(StripeSettings)
class StripeSettingsAdmin(admin.ModelAdmin):
    form = StripeSettingsForm
    list_display = ["__str__", "publishable_key", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # A singleton: the list goes straight to the one row (for those who may see it at all).
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect("admin:payouts_stripesettings_change", stripe_settings_get().pk)

    def save_model(self, request, obj, form, change):
        stripe_settings_update(
            mode=form.cleaned_data["mode"],
            publishable_key=form.cleaned_data["publishable_key"],
            secret_key=form.cleaned_data["secret_key"],
            webhook_secret=form.cleaned_data["webhook_secret"],
            secret_key_verified=True,  # the form's clean() test-called it
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = [
        "stripe_event_id",
        "type",
        "status",
        "attempts",
        "next_attempt_at",
        "received_at",
        "processed_at",
    ]
    list_filter = ["status", "type"]
    search_fields = ["stripe_event_id", "type"]
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = ["reprocess_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_reprocess_permission(self, request) -> bool:
        # The event stays read-only; processing it again is the one thing staff do to it.
        return request.user.has_perm(REPROCESS_PERMISSION)

    @admin.action(description="Re-process the selected events now", permissions=["reprocess"])
    def reprocess_now(self, request, queryset):
        outcomes: dict[str, int] = {}
        for event_id in queryset.values_list("pk", flat=True):
            status = webhook_event_reprocess(event_id=event_id, actor=request.user)
            outcomes[status] = outcomes.get(status, 0) + 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        failed = outcomes.get(WebhookEventStatus.FAILED, 0)
        (messages.warning if failed else messages.success)(request, f"Re-processed: {summary}.")


@admin.register(StripeWrite)
class StripeWriteAdmin(admin.ModelAdmin):
    list_display = [
        "idempotency_key",
        "sent_key",
        "operation",
        "stripe_account",
        "stripe_object_id",
        "created_at",
        "completed_at",
    ]
    search_fields = ["idempotency_key", "stripe_object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
