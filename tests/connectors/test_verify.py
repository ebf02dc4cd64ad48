"""Test connection, as the settings page and the API ask it."""

import pytest

from connectors import actions
from connectors.base import AuthFailed
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


class Refusing:
    def __init__(self, message):
        self.message = message

    def verify(self):
        raise AuthFailed(self.message)


def test_a_refusal_is_told_with_any_credential_the_network_echoed_scrubbed(monkeypatch):
    channel = ChannelFactory(credentials={"api_key": "s3cr3t-key-42"})
    monkeypatch.setattr(actions, "connector_for", lambda _channel: Refusing("Invalid key s3cr3t-key-42"))
    assert actions.verify_channel(channel) == "Invalid key •••"


def test_an_answer_is_no_problem(monkeypatch):
    monkeypatch.setattr(actions, "connector_for", lambda _channel: type("Fine", (), {"verify": lambda self: None})())
    assert actions.verify_channel(ChannelFactory()) is None
