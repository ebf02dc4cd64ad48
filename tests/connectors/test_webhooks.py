"""Webhook endpoints, for every network that pushes: verify, store once, ingest after."""

import pytest

from connectors.models import WebhookEvent
from inbox.models import Message
from tests.connectors.networks import PUSHING

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("network", PUSHING, indirect=True)]


def post(client, channel, headers, body):
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items() if name != "content-type"}
    return client.post(f"/webhooks/{channel.pk}/", body, content_type=headers.get("content-type", "application/json"), **extra)


def test_a_signed_delivery_is_stored_and_its_mention_ingested(client, network, network_channel, django_capture_on_commit_callbacks):
    headers, body = network.module.signed_webhook(network.fake)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, network_channel, headers, body)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.processed_at is not None
    assert Message.objects.filter(channel=network_channel).count() == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(client, network, network_channel):
    headers, body = network.module.signed_webhook(network.fake)
    tampered = body.replace(b"}", b" }", 1)
    response = post(client, network_channel, headers, tampered)
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()


def test_a_missing_signature_is_refused_and_nothing_is_stored(client, network, network_channel):
    headers, body = network.module.signed_webhook(network.fake)
    unsigned = {name: value for name, value in headers.items() if "signature" not in name}
    assert post(client, network_channel, unsigned, body).status_code == 403
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()


def test_the_same_delivery_twice_is_stored_and_ingested_once(client, network, network_channel, django_capture_on_commit_callbacks):
    headers, body = network.module.signed_webhook(network.fake)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, network_channel, headers, body).status_code == 200
        assert post(client, network_channel, headers, body).status_code == 200
    assert WebhookEvent.objects.count() == 1
    assert Message.objects.filter(channel=network_channel).count() == 1


def test_a_webhook_for_an_unknown_channel_is_not_found(client, network, network_channel):
    headers, body = network.module.signed_webhook(network.fake)
    assert post(client, type(network_channel)(pk=network_channel.pk + 1000), headers, body).status_code == 404
