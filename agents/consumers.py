from channels.db import database_sync_to_async

from agents import presence
from inbox.consumers import InboxConsumer


class AgentSocket(InboxConsumer):
    """The inbox socket; while one is open and pinging, its agent is present."""

    async def connect(self):
        await super().connect()
        if getattr(self, "viewer", None):
            await database_sync_to_async(presence.connected)(self.viewer.user_id)

    async def disconnect(self, code):
        await super().disconnect(code)
        if getattr(self, "viewer", None):
            await database_sync_to_async(presence.disconnected)(self.viewer.user_id)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await database_sync_to_async(presence.seen)(self.viewer.user_id)
        await super().receive_json(content, **kwargs)
