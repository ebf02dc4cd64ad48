"""Webhook endpoints: verify, store the raw delivery once, answer at once; ingest later."""

from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from connectors import actions
from connectors.base import WebhookDelivery
from connectors.models import Channel
from connectors.registry import connector_for


@csrf_exempt  # networks sign their deliveries; there is no browser session to forge
@require_http_methods(["GET", "POST"])
def receive(request, channel_id):
    channel = get_object_or_404(Channel, pk=channel_id, enabled=True)
    connector = connector_for(channel)
    if request.method == "GET":
        answer = connector.webhook_handshake(request.GET.dict())
        if answer is None:
            return HttpResponseForbidden("Not a valid verification request.")
        return JsonResponse(answer) if isinstance(answer, dict) else HttpResponse(answer, content_type="text/plain")
    delivery = WebhookDelivery(
        headers={name.lower(): value for name, value in request.headers.items()},
        body=request.body,
        query=request.GET.dict(),
    )
    if not connector.webhook_signature_ok(delivery):
        return HttpResponseForbidden("Bad or missing signature.")
    actions.store_webhook(channel, connector.webhook_key(delivery), delivery)
    return HttpResponse(status=200)
