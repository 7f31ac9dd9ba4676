"""The Stripe webhook endpoint: Stripe POSTs each event here."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.payouts.stripe_client import InvalidWebhook
from apps.payouts.webhooks.inbox import webhook_event_receive


@csrf_exempt  # Stripe signs the body instead; the signature is verified before anything is stored.
@require_POST
def stripe_webhook(request):
    try:
        event, created = webhook_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as error:
        return HttpResponseBadRequest(str(error))
    return JsonResponse({"received": True, "duplicate": not created, "id": event.stripe_event_id})
