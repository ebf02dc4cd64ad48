"""Websocket clients logged in as a given user, against the real ASGI application."""

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from socialcare.asgi import application

SECONDS = 20


def socket_for(user):
    """A logged-in test client and a websocket carrying its session cookie."""
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"cookie", cookie.encode()), (b"origin", b"http://localhost")]
    return client, WebsocketCommunicator(application, "/ws/inbox/", headers=headers)


async def next_event(socket, event_type):
    """Skip other events until one of this type arrives."""
    while True:
        event = await socket.receive_json_from(timeout=SECONDS)
        if event.get("type") == event_type:
            return event
