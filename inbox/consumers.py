import zoneinfo
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation

from inbox import selectors
from inbox.access import access_conversation, viewer_for
from inbox.events import conversation_group

COLLISION_STATES = {"viewing", "typing", "left"}
HEARD_KEPT = 500


def render_rows(viewer, conversation_ids, query):
    """(id, row, mine) for each id: the row as this viewer's list now shows it (in their
    language and time zone), None when it leaves the list, and whether the conversation is
    the viewer's own. One query however many ids (an SLA sweep sends thousands)."""
    shown = selectors.inbox_rows(viewer, conversation_ids, query)
    rendered = []
    with translation.override(viewer.language), timezone.override(_zone(viewer.time_zone)):
        for conversation_id in conversation_ids:
            conversation = shown.get(conversation_id)
            if conversation is None:
                rendered.append((conversation_id, None, False))
            else:
                html = render_to_string("inbox/_row.html", {"conversation": conversation})
                rendered.append((conversation_id, html, conversation.assignee_id == viewer.user_id))
    return rendered


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def may_watch(viewer, conversation_id):
    try:
        access_conversation(viewer, conversation_id)
    except Http404:
        return False
    return True


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """Pushes each change as the row this user's list should now show (or its removal),
    and tells the people on one conversation who else is viewing it or typing."""

    async def connect(self):
        try:
            self.viewer = await database_sync_to_async(viewer_for)(self.scope["user"])
        except PermissionDenied:
            await self.close(code=4403)
            return
        user = self.scope["user"]
        self.name = user.get_full_name() or user.get_username()
        self.query = selectors.ListQuery()
        self.watching = None
        self.heard = deque(maxlen=HEARD_KEPT)
        self.groups_joined = set(self.viewer.groups())
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello"})

    async def disconnect(self, code):
        await self._unwatch()
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "list":
            self.query = selectors.ListQuery.from_params(QueryDict(str(content.get("query", ""))[:1000]), self.viewer)
        elif kind == "watch":
            await self._watch(content.get("conversation"))
        elif kind in ("viewing", "typing") and self.watching:
            await self._tell_others(kind)
        elif kind == "unwatch":
            await self._unwatch()

    async def _watch(self, conversation_id):
        await self._unwatch()
        if not isinstance(conversation_id, int) or not await database_sync_to_async(may_watch)(self.viewer, conversation_id):
            return
        self.watching = conversation_id
        await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
        await self._tell_others("viewing")

    async def _unwatch(self):
        if getattr(self, "watching", None):
            await self._tell_others("left")
            await self.channel_layer.group_discard(conversation_group(self.watching), self.channel_name)
            self.watching = None

    async def _tell_others(self, state):
        await self.channel_layer.group_send(
            conversation_group(self.watching),
            {"type": "collision.event", "conversation": self.watching, "user": self.viewer.user_id, "name": self.name, "state": state},
        )

    async def collision_event(self, message):
        if message["user"] != self.viewer.user_id and message["state"] in COLLISION_STATES:
            await self.send_json({key: message[key] for key in ("conversation", "user", "name", "state")} | {"type": "collision"})

    async def inbox_event(self, message):
        event = message["event"]
        if event.get("id") in self.heard:
            return  # the same publication reached another of this socket's groups
        self.heard.append(event.get("id"))
        if "alert" in event:
            await self.send_json({"type": event["type"], "alert": event["alert"]})
            return
        rows = await database_sync_to_async(render_rows)(self.viewer, event["conversation_ids"], self.query)
        for conversation_id, row, mine in rows:
            await self.send_json({"type": event["type"], "conversation": conversation_id, "row": row, "mine": mine})
