"""Meta and X call one URL per app with the activity of every account (Page, X user) that
installed it. Whichever channel's URL the app was given, each delivery lands on the channel
of the account it concerns, and only there."""

import pytest

from connectors.models import WebhookEvent
from inbox.models import Message
from tests.connectors.networks import ONE_URL_PER_APP
from tests.connectors.test_webhooks import post
from tests.factories import ChannelFactory

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("network", ONE_URL_PER_APP, indirect=True)]


def test_a_delivery_reaching_a_sibling_channel_is_ingested_on_the_account_it_concerns(
    client, network, network_channel, django_capture_on_commit_callbacks
):
    reached = ChannelFactory(**network.another_account(network.fake))
    headers, body = network.module.signed_webhook(network.fake)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, reached, headers, body).status_code == 200
    assert list(WebhookEvent.objects.values_list("channel_id", flat=True)) == [network_channel.pk]
    assert Message.objects.filter(channel=network_channel).count() == 1
    assert not Message.objects.filter(channel=reached).exists()


def test_a_channel_of_another_app_does_not_take_the_delivery(client, network, network_channel):
    secret = "app_secret" if network.name == "facebook" else "consumer_secret"
    other_app = ChannelFactory(**network.another_account(network.fake, **{secret: "another-apps-secret"}))
    headers, body = network.module.signed_webhook(network.fake)
    assert post(client, network_channel, headers, body).status_code == 200
    assert list(WebhookEvent.objects.values_list("channel_id", flat=True)) == [network_channel.pk]
    assert not WebhookEvent.objects.filter(channel=other_app).exists()


def test_a_delivery_for_an_account_we_do_not_listen_to_is_acknowledged_and_dropped(client, network):
    reached = ChannelFactory(**network.another_account(network.fake))
    headers, body = network.module.signed_webhook(network.fake)
    assert post(client, reached, headers, body).status_code == 200
    assert not WebhookEvent.objects.exists()
