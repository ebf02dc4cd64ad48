"""Reads shared by pages, consumers and the API: the inbox list with its views, filters,
search and sorts; one row; a thread with its audit trail; the author's card."""

from dataclasses import asdict, dataclass, fields
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Q

from inbox.access import Viewer
from inbox.models import Contact, Conversation, ConversationEvent, Direction, Label, Message, MentionNotice, Status

LIST_SIZE = 30
VIEWS = ("mine", "teams", "unassigned", "mentioned", "all")
SORTS = {
    "due": (F("response_due_at").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True), "pk"),
    "newest": (F("last_message_at").desc(nulls_last=True), "-pk"),
    "priority": ("-priority", F("response_due_at").asc(nulls_last=True), "pk"),
}
STATUSES = {"active": [Status.OPEN, Status.PENDING], **{s: [s] for s in Status.values}}


@dataclass(frozen=True)
class ListQuery:
    """What a list shows, as read from the page's query string."""

    view: str = "teams"
    status: str = "active"
    channel: str = ""
    network: str = ""
    priority: str = ""
    label: str = ""
    language: str = ""
    sla: str = ""
    q: str = ""
    sort: str = "due"

    @classmethod
    def from_params(cls, params, viewer: Viewer):
        values = {f.name: (params.get(f.name) or "").strip()[:200] for f in fields(cls)}
        query = cls(**{k: v for k, v in values.items() if v})
        view = query.view if query.view in VIEWS else cls.view
        if view == "all" and not viewer.is_supervisor:
            view = cls.view
        return cls(
            **{
                **asdict(query),
                "view": view,
                "status": query.status if query.status in STATUSES else cls.status,
                "sort": query.sort if query.sort in SORTS else cls.sort,
            }
        )

    def as_params(self):
        defaults = ListQuery()
        return urlencode({k: v for k, v in asdict(self).items() if v and v != getattr(defaults, k)})


def conversations_for(viewer: Viewer, query: ListQuery):
    conversations = viewer.conversations()
    if query.view == "mine":
        conversations = viewer.assigned_to_them()
    elif query.view == "teams":
        conversations = viewer.of_their_teams()
    elif query.view == "unassigned":
        # Unassigned ones an agent sees are their teams' (the queue index serves it).
        conversations = conversations.filter(assignee__isnull=True)
        if not viewer.is_supervisor:
            conversations = conversations.filter(team_id__in=viewer.team_ids)
    elif query.view == "mentioned":
        noticed = MentionNotice.objects.filter(user_id=viewer.user_id).values("conversation_id")
        conversations = conversations.filter(pk__in=noticed)
    conversations = conversations.filter(status__in=STATUSES[query.status])
    exact = {
        "channel_id": query.channel,
        "channel__kind": query.network,
        "priority": query.priority,
        "language": query.language,
        "sla_state": query.sla,
    }
    conversations = conversations.filter(**{k: v for k, v in exact.items() if v})
    if query.label:
        conversations = conversations.filter(pk__in=labelled(query.label))
    if query.q:
        conversations = conversations.filter(matching(query.q))
    return conversations


def author_matches(text) -> Q:
    """Contacts whose handle or name holds the text, whatever its case (the trigram
    indexes on UPPER(handle) and UPPER(name) answer it)."""
    return Q(handle__icontains=text) | Q(name__icontains=text)


def labelled(name):
    """The ids of the conversations carrying the label. The label's id is looked up first:
    given it, PostgreSQL walks the list's ordered index and probes each row's labels,
    stopping after a page; given only the name it cannot tell how common the label is, and
    read every labelled conversation before sorting (0.1 s at a million conversations)."""
    label_ids = list(Label.objects.filter(name=name).values_list("pk", flat=True))
    return Conversation.labels.through.objects.filter(label_id__in=label_ids).values("conversation_id")


AUTHORS_MATCHED = 200
MESSAGES_LISTED = 500


def matching(text):
    """Messages by full-text search (PostgreSQL), authors by handle or name.

    A rare word is looked up in the text index and its few conversations listed by id; a
    word so common that it fills MESSAGES_LISTED stays a semi-join, which PostgreSQL drives
    from the list's ordered index, stopping after one page. Either way no search reads
    every matching message before answering.
    """
    authors = list(Contact.objects.filter(author_matches(text)).values_list("pk", flat=True)[:AUTHORS_MATCHED])
    if connection.vendor == "postgresql":
        said = Message.objects.annotate(document=SearchVector("text", config="simple")).filter(
            document=SearchQuery(text, config="simple", search_type="websearch")
        )
    else:  # the SQLite demo: plain matching
        said = Message.objects.filter(text__icontains=text)
    listed = list(said.values_list("conversation_id", flat=True)[:MESSAGES_LISTED])
    in_messages = Q(pk__in=said.values("conversation_id")) if len(listed) == MESSAGES_LISTED else Q(pk__in=set(listed))
    return in_messages | Q(contact_id__in=authors) if authors else in_messages


def _with_related(conversations):
    return conversations.select_related("contact", "channel", "assignee", "team").prefetch_related("labels")


def inbox_list(viewer: Viewer, query: ListQuery | None = None, limit=LIST_SIZE):
    query = query or ListQuery()
    # Resolved and snoozed conversations have no running clock to sort by.
    sort = "newest" if query.sort == "due" and query.status in ("resolved", "snoozed") else query.sort
    ordered = _with_related(conversations_for(viewer, query)).order_by(*SORTS[sort])
    return list(ordered[:limit])


def inbox_rows(viewer: Viewer, conversation_ids, query: ListQuery) -> dict:
    """The rows of a live update, by id, in one query; an id the viewer's list no longer
    shows is missing."""
    conversations = conversations_for(viewer, query).filter(pk__in=conversation_ids)
    return {conversation.pk: conversation for conversation in _with_related(conversations)}


COUNT_CAP = 100


def view_counts(viewer: Viewer):
    """How many active conversations the Mine and Unassigned tabs hold, counted up to
    COUNT_CAP (the tab then says 99+), so a tab costs the same on any size of inbox."""
    active = Conversation.objects.filter(status__in=STATUSES["active"])
    unassigned = active.filter(assignee__isnull=True)
    if not viewer.is_supervisor:
        unassigned = unassigned.filter(team_id__in=viewer.team_ids)
    return {
        "mine": _capped(active.filter(assignee_id=viewer.user_id)),
        "unassigned": _capped(unassigned),
        "mentioned": _capped(MentionNotice.objects.filter(user_id=viewer.user_id, read_at__isnull=True)),
    }


def _capped(rows):
    return rows.values("pk")[:COUNT_CAP].count()


def thread(conversation: Conversation):
    """Messages and audit events in one timeline, oldest first."""
    messages = list(conversation.messages.select_related("author_contact", "author_user").order_by("created_at", "pk"))
    events = list(ConversationEvent.objects.filter(conversation=conversation).select_related("actor").order_by("pk"))
    _name_subjects(events)
    timeline = [("message", m.created_at, m) for m in messages] + [("event", e.created_at, e) for e in events]
    return sorted(timeline, key=lambda item: item[1])


def _name_subjects(events):
    """The people and teams the events name, in two queries for the whole timeline."""
    user_ids = {e.data.get(k) for e in events for k in ("assignee", "previous") if e.data.get(k)}
    team_ids = {e.data.get(k) for e in events for k in ("team", "to_team") if e.data.get(k)}
    users = get_user_model().objects.filter(pk__in=user_ids)
    names = {("user", u.pk): u.get_full_name() or u.get_username() for u in users}
    team_model = Conversation._meta.get_field("team").related_model
    names |= {("team", pk): name for pk, name in team_model.objects.filter(pk__in=team_ids).values_list("pk", "name")}
    for event in events:
        event.names = names


def author_card(conversation: Conversation):
    """Who wrote: their recent feeling, and their other conversations on any channel."""
    contact = conversation.contact
    recent = list(
        Message.objects.filter(author_contact=contact, direction=Direction.INBOUND)
        .exclude(sentiment_label="")
        .order_by("-created_at")
        .values_list("sentiment_label", "language")[:20]
    )
    earlier = list(
        Conversation.objects.filter(contact=contact).exclude(pk=conversation.pk).select_related("channel").order_by("-created_at")[:10]
    )
    feelings = {label: sum(1 for s, _ in recent if s == label) for label in ("negative", "neutral", "positive")}
    languages = [language for _, language in recent if language]
    return {
        "contact": contact,
        "feelings": feelings,
        "language": max(set(languages), key=languages.count) if languages else "",
        "earlier": earlier,
    }
