from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string

from inbox import selectors
from inbox.access import viewer_for


def render_row(viewer, conversation_id):
    conversation = selectors.inbox_row(viewer, conversation_id)
    if conversation is None:
        return None
    return render_to_string("inbox/_row.html", {"conversation": conversation})


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """Pushes each change as the row this user should now see (or its removal)."""

    async def connect(self):
        try:
            self.viewer = await database_sync_to_async(viewer_for)(self.scope["user"])
        except PermissionDenied:
            await self.close(code=4403)
            return
        self.groups_joined = self.viewer.groups()
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello"})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def inbox_event(self, message):
        event = message["event"]
        if "alert" in event:
            await self.send_json({"type": event["type"], "alert": event["alert"]})
            return
        for conversation_id in event["conversation_ids"]:
            row = await database_sync_to_async(render_row)(self.viewer, conversation_id)
            await self.send_json({"type": event["type"], "conversation": conversation_id, "row": row})
