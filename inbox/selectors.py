"""Reads shared by pages, consumers and the API."""

from django.db.models import F

from inbox.access import Viewer
from inbox.models import Conversation, Status

LISTED = [Status.OPEN, Status.PENDING]
LIST_SIZE = 100


def _with_related(conversations):
    return conversations.select_related("contact", "channel", "assignee", "team")


def inbox_list(viewer: Viewer, limit=LIST_SIZE):
    """What the viewer works on, the most urgent deadline first, answered ones after."""
    conversations = viewer.conversations().filter(status__in=LISTED)
    return list(
        _with_related(conversations).order_by(
            F("response_due_at").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True), "pk"
        )[:limit]
    )


def inbox_row(viewer: Viewer, conversation_id):
    """One row for a live update, or None when the viewer no longer lists it."""
    conversations = viewer.conversations().filter(status__in=LISTED, pk=conversation_id)
    return _with_related(conversations).first()


def thread(conversation: Conversation):
    return list(conversation.messages.select_related("author_contact", "author_user").order_by("created_at", "pk"))
