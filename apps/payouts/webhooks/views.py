"""The Stripe webhook endpoints: Stripe POSTs each event to one of them.

A network has two endpoints in Stripe, each with its own signing secret: the account endpoint (the platform's
own events) at /stripe/webhook/ and the Connect endpoint (its connected accounts' events) at
/stripe/webhook/connect/. Two URLs rather than one trying both secrets: a refusal names the endpoint whose secret
failed, and an endpoint created with the wrong kind in Stripe is refused (and shows as failing in Stripe's
Dashboard) instead of being accepted silently.
"""

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.payouts.stripe_client import InvalidWebhook
from apps.payouts.webhooks.inbox import webhook_event_receive
from apps.payouts.webhooks.registry import WebhookEndpoint


def _receive(request, endpoint: WebhookEndpoint):
    try:
        event, created = webhook_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature"), endpoint=endpoint
        )
    except InvalidWebhook as error:
        return HttpResponseBadRequest(str(error))
    return JsonResponse({"received": True, "duplicate": not created, "id": event.stripe_event_id})


@csrf_exempt  # Stripe signs the body instead; the signature is verified before anything is stored.
@require_POST
def stripe_webhook(request):
    return _receive(request, WebhookEndpoint.ACCOUNT)


@csrf_exempt  # as above, with the Connect endpoint's secret
@require_POST
def stripe_connect_webhook(request):
    return _receive(request, WebhookEndpoint.CONNECT)
