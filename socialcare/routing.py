from django.urls import path

from agents.consumers import AgentSocket

# The agent's socket carries inbox events and, by being open, the agent's presence.
websocket_urlpatterns = [path("ws/inbox/", AgentSocket.as_asgi())]
