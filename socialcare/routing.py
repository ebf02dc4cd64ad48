from django.urls import path

from agents.consumers import AgentSocket
from inbox.consumers import InboxConsumer

websocket_urlpatterns = [
    # The agent's socket carries inbox events and, by being open, the agent's presence.
    path("ws/inbox/", AgentSocket.as_asgi()),
    # The dashboard listens without being present: watching is not taking work.
    path("ws/supervisor/", InboxConsumer.as_asgi()),
]
