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
    )
    if not connector.webhook_signature_ok(delivery):
        return HttpResponseForbidden("Bad or missing signature.")
    for concerned, its_connector in _concerned(channel, connector, delivery):
        actions.store_webhook(concerned, its_connector.webhook_key(delivery), delivery)
    # Acknowledged even when it concerns no channel of ours: the network would only retry.
    return HttpResponse(status=200)


def _concerned(channel, connector, delivery):
    """The channels a signed delivery carries activity for. Meta and X call one URL per app
    with every account's activity, so what reached one channel may be a sibling's: another
    channel of the network whose own app secret verifies the same signature. Elsewhere the
    network calls each channel's own URL: what reaches it is its own."""
    if not connector.webhook_per_app:
        yield channel, connector
        return
    if connector.webhook_concerns(delivery):
        yield channel, connector
    for sibling in Channel.objects.filter(kind=channel.kind, enabled=True).exclude(pk=channel.pk):
        theirs = connector_for(sibling)
        if theirs.webhook_concerns(delivery) and theirs.webhook_signature_ok(delivery):
            yield sibling, theirs
