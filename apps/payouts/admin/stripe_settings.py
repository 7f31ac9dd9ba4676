from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.payouts import crypto
from apps.payouts.models import StripeMode, StripeSettings, StripeWrite, WebhookEvent, WebhookEventStatus
from apps.payouts.stripe_client import API_VERSION, StripeCallError, secret_key_verify, stripe_settings_get
from apps.payouts.stripe_settings import stripe_settings_update
from apps.payouts.webhooks.handlers import HANDLERS  # noqa: F401 - registers every handler's event types
from apps.payouts.webhooks.inbox import REPROCESS_PERMISSION, webhook_event_reprocess
from apps.payouts.webhooks.registry import WebhookEndpoint, events_for


class StripeSettingsForm(forms.ModelForm):
    secret_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the stored key. Stored encrypted; never shown again in full.",
    )
    webhook_secret = forms.CharField(
        label="Account endpoint signing secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The signing secret (whsec_…) of the endpoint receiving events from your account. "
        "Leave blank to keep it.",
    )
    connect_webhook_secret = forms.CharField(
        label="Connect endpoint signing secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The signing secret (whsec_…) of the endpoint receiving events from connected accounts. "
        "Leave blank to keep it.",
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
            self.fields["connect_webhook_secret"].widget.attrs["placeholder"] = crypto.masked(
                self.instance.connect_webhook_secret
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == StripeMode.STRIPE:
            if not (cleaned.get("secret_key") or self.instance.secret_key):
                self.add_error("secret_key", "A secret key is required to use Stripe.")
            # Secrets made up for the local server are never Stripe's: switching to Stripe needs both anew.
            kept = self.instance.mode == StripeMode.STRIPE
            if not (cleaned.get("webhook_secret") or (kept and self.instance.webhook_secret)):
                self.add_error(
                    "webhook_secret", "The account endpoint's signing secret is required to use Stripe."
                )
            if not (cleaned.get("connect_webhook_secret") or (kept and self.instance.connect_webhook_secret)):
                self.add_error(
                    "connect_webhook_secret",
                    "The Connect endpoint's signing secret is required to use Stripe: without it, Stripe's news "
                    "about your asset owners' and carriers' accounts (payouts enabled, restricted) is refused.",
                )
            if cleaned.get("secret_key"):
                try:
                    secret_key_verify(secret_key=cleaned["secret_key"])
                except StripeCallError as error:
                    self.add_error("secret_key", f"Stripe refused this key: {error}")
        return cleaned


_ENDPOINT_KIND = {
    WebhookEndpoint.ACCOUNT: ("Your account", "payouts:stripe_webhook"),
    WebhookEndpoint.CONNECT: ("Connected accounts", "payouts:stripe_connect_webhook"),
}


def webhook_endpoints_help(request) -> str:
    """What to create in Stripe's Dashboard (Developers → Webhooks → Add destination), for this network's host."""
    rows = format_html_join(
        "",
        "<li><strong>{}</strong> — endpoint URL <code>{}</code>; events: {}</li>",
        (
            (
                label,
                request.build_absolute_uri(reverse(url_name)),
                format_html_join(", ", "<code>{}</code>", ((name,) for name in events_for(endpoint))),
            )
            for endpoint, (label, url_name) in _ENDPOINT_KIND.items()
        ),
    )
    return format_html(
        "<p>With Stripe keys, create <strong>two</strong> webhook endpoints in Stripe's Dashboard, both with API "
        "version <code>{}</code>, and paste each one's signing secret below:</p><ul>{}</ul><p>Stripe signs "
        "each endpoint's events with that endpoint's own secret. In local mode nothing is needed: "
        "<code>make run</code> registers both with the local Stripe server.</p>",
        API_VERSION,
        rows,
    )


@admin.register(StripeSettings)
class StripeSettingsAdmin(admin.ModelAdmin):
    form = StripeSettingsForm
    list_display = ["__str__", "publishable_key", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["mode", "publishable_key", "secret_key"]}),
            (
                "Webhooks",
                {
                    "fields": ["webhook_secret", "connect_webhook_secret"],
                    "description": webhook_endpoints_help(request),
                },
            ),
        ]

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
            connect_webhook_secret=form.cleaned_data["connect_webhook_secret"],
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
