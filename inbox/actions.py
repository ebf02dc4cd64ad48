"""Every write to the inbox: each action is one transaction that publishes on commit."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from celery import current_app
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inbox import analysis, events, sla
from inbox.bulk import insert_rows, update_rows
from inbox.models import (
    Contact,
    Label,
    MentionNotice,
    Priority,
    Conversation,
    ConversationEvent,
    Delivery,
    Direction,
    Message,
    SLAState,
    Status,
    Visibility,
)

PREVIEW_LENGTH = 200
# Longer than any connector's request timeout: a claim older than this is a dead worker's.
DELIVERY_CLAIM_TIMEOUT = timedelta(minutes=2)


class InboxError(Exception):
    """A request the domain refuses; the message is shown to the user."""


def _enqueue_on_commit(task_name, *args):
    # By name: inbox hands work outward without importing the apps that do it.
    transaction.on_commit(lambda: current_app.signature(task_name, args=args).delay())


def _preview(text):
    return text.strip().splitlines()[0][:PREVIEW_LENGTH] if text.strip() else ""


@dataclass
class Ingested:
    messages: int = 0
    conversations: list[int] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)


@transaction.atomic
def ingest(channel, mentions, next_cursor=None) -> Ingested:
    """Store a batch of mentions and the cursor after them, all or nothing.

    Saving the cursor first also locks the channel row for the whole batch, so overlapping
    batches of one channel take turns and each mention is stored once. Pushed mentions
    (webhooks) come with no cursor and leave the polling cursor as it is.
    """
    channels = type(channel)._default_manager.filter(pk=channel.pk)
    if next_cursor is None:
        channels.select_for_update(of=("self",)).values_list("pk").first()
    else:
        channels.update(cursor=next_cursor)
        channel.cursor = next_cursor
    by_id = {mention.external_id: mention for mention in mentions}
    parents = {m.parent_external_id for m in by_id.values() if m.parent_external_id}
    # One look-up answers both questions: which mentions we hold, and where their parents live.
    held = dict(
        Message.objects.filter(channel_id=channel.pk, external_id__in=list(by_id.keys() | parents)).values_list(
            "external_id", "conversation_id"
        )
    )
    new = sorted((m for key, m in by_id.items() if key not in held), key=lambda m: m.created_at)
    result = Ingested()
    if new:
        result = _store(channel, new, held)
    return result


def _store(channel, mentions, held) -> Ingested:
    contact_ids = _upsert_contacts(channel.kind, [m.author for m in mentions])
    threads = _Threads(channel, mentions, contact_ids, held)
    opened, reopened = threads.save(timezone.now())
    insert_rows(
        Message,
        [
            {
                "conversation_id": threads.conversation_of[m.external_id].pk,
                "channel_id": channel.pk,
                "direction": Direction.INBOUND,
                "visibility": Visibility.PUBLIC if m.public else Visibility.PRIVATE,
                "external_id": m.external_id,
                "parent_external_id": m.parent_external_id,
                "thread_external_id": m.thread_external_id,
                "author_contact_id": contact_ids[m.author.platform_id],
                "text": m.text,
                "language": m.language,
                "url": m.url,
                "sent_at": m.created_at,
                "raw": m.raw,
            }
            for m in mentions
        ],
    )
    insert_rows(
        ConversationEvent,
        [{"conversation_id": pk, "kind": "opened"} for pk in opened]
        + [{"conversation_id": pk, "kind": "reopened"} for pk in reopened],
    )
    # Every touched conversation has new messages for the rules to read.
    _enqueue_on_commit("agents.route_conversations", [c.pk for c in threads.touched])
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(c) for c in threads.touched])
    return Ingested(len(mentions), [c.pk for c in threads.touched], sorted(opened))


PROFILE = ["handle", "name", "followers", "verified", "avatar_url", "profile_url"]


def _upsert_contacts(platform, authors) -> dict[str, int]:
    """Contact ids by platform id; only new or changed profiles are written."""
    latest = {author.platform_id: author for author in authors}
    known = {
        c.platform_id: c for c in Contact.objects.filter(platform=platform, platform_id__in=list(latest)).only("platform_id", *PROFILE)
    }
    changed = []
    for platform_id, contact in known.items():
        author = latest[platform_id]
        if any(getattr(contact, name) != getattr(author, name) for name in PROFILE):
            for name in PROFILE:
                setattr(contact, name, getattr(author, name))
            contact.updated_at = timezone.now()
            changed.append(contact)
    update_rows(Contact, changed, [*PROFILE, "updated_at"])
    created = Contact.objects.bulk_create(
        [
            Contact(platform=platform, platform_id=a.platform_id, **{name: getattr(a, name) for name in PROFILE})
            for platform_id, a in latest.items()
            if platform_id not in known
        ],
        # Another channel may add the same person at the same moment.
        update_conflicts=True,
        unique_fields=["platform", "platform_id"],
        update_fields=PROFILE,
    )
    return {c.platform_id: c.pk for c in [*known.values(), *created]}


# What threading and the clock read of a held conversation; the rest stays in the database.
THREADING_FIELDS = [
    "channel_id",
    "contact_id",
    "status",
    "team_id",
    "assignee_id",
    "sla_policy_id",
    "priority",
    "waiting_since",
    "first_response_seconds",
    "created_at",
]


class _Threads:
    """Which conversation each new mention joins, and the clocks that follow from it.

    A reply to a message we hold joins that message's conversation; otherwise the mention
    joins its author's unresolved conversation on the channel; otherwise it opens one.
    """

    @cached_property
    def policies(self):
        # Read only when a clock starts: follow-ups to conversations already waiting don't.
        return sla.Policies()

    def __init__(self, channel, mentions, contact_ids, held):
        by_message_id = {m.parent_external_id: held[m.parent_external_id] for m in mentions if m.parent_external_id in held}
        authors = set(contact_ids.values())
        candidates = list(
            Conversation.objects.select_for_update()
            .only(*THREADING_FIELDS)
            .filter(
                Q(pk__in=set(by_message_id.values()))
                | Q(channel_id=channel.pk, contact_id__in=authors) & ~Q(status=Status.RESOLVED)
            )
            .order_by("pk")
        )
        by_pk = {c.pk: c for c in candidates}
        by_message = {key: by_pk[pk] for key, pk in by_message_id.items()}
        by_contact = {
            c.contact_id: c
            for c in sorted(candidates, key=lambda c: c.created_at)
            if c.channel_id == channel.pk and c.contact_id in authors and c.status != Status.RESOLVED
        }
        self.conversation_of = {}
        # Unsaved conversations are unhashable, so per-conversation facts key on identity.
        self.first_inbound = {}
        self.latest = {}
        self.touched = []
        self.new = []
        for mention in mentions:
            contact_id = contact_ids[mention.author.platform_id]
            conversation = by_message.get(mention.parent_external_id) or by_contact.get(contact_id)
            if conversation is None:
                conversation = Conversation(
                    channel_id=channel.pk, contact_id=contact_id, status=Status.OPEN
                )
                self.new.append(conversation)
                by_contact[contact_id] = conversation
            by_message[mention.external_id] = conversation
            self.conversation_of[mention.external_id] = conversation
            if id(conversation) not in self.first_inbound:
                self.first_inbound[id(conversation)] = mention.created_at
                self.touched.append(conversation)
            self.latest[id(conversation)] = mention

    def save(self, now: datetime):
        """Move each touched conversation's clock and preview, then write what changed."""
        reopened = set()
        changed = defaultdict(list)  # the fields that changed → the conversations they changed on
        for conversation in self.touched:
            fields = ["preview", "last_message_at", "updated_at"]
            latest = self.latest[id(conversation)]
            conversation.preview = _preview(latest.text)
            conversation.last_message_at = latest.created_at
            conversation.updated_at = now
            if conversation.status != Status.OPEN:
                if conversation.status == Status.RESOLVED:
                    reopened.add(conversation.pk)
                conversation.status = Status.OPEN
                conversation.snoozed_until = None
                conversation.resolved_at = None
                fields += ["status", "snoozed_until", "resolved_at"]
            if conversation.waiting_since is None:
                self._start_clock(conversation, now)
                fields += ["sla_policy", "waiting_since", "response_due_at", "warning_at", "sla_state"]
            if conversation.pk:
                changed[tuple(fields)].append(conversation)
        Conversation.objects.bulk_create(self.new)
        for fields, conversations in changed.items():
            update_rows(Conversation, conversations, list(fields))
        return {c.pk for c in self.new}, reopened

    def _start_clock(self, conversation, now):
        policy = self.policies.for_conversation(conversation)
        _start_clock(conversation, policy, self.first_inbound[id(conversation)], now)


def _start_clock(conversation, policy, waiting_since, now):
    """The customer has waited since `waiting_since`; set when they are due an answer."""
    first = conversation.first_response_seconds is None
    conversation.sla_policy = policy
    conversation.waiting_since = waiting_since
    conversation.response_due_at = sla.due_at(policy, waiting_since, first)
    conversation.warning_at = sla.warning_at(policy, waiting_since, first)
    conversation.sla_state = sla.running_state(conversation.response_due_at, conversation.warning_at, now)


def analyse_new_messages(conversation) -> Message | None:
    """Language and sentiment of the customer messages not read yet; the newest of them."""
    pending = list(conversation.messages.filter(direction=Direction.INBOUND, sentiment_label="").order_by("created_at", "pk"))
    for message in pending:
        language, feeling = analysis.analyse(message.text, hint=message.language)
        message.language = language or message.language
        message.sentiment, message.sentiment_label = feeling.score, feeling.label
    update_rows(Message, pending, ["language", "sentiment", "sentiment_label"])
    if pending and pending[-1].language != conversation.language:
        conversation.language = pending[-1].language
        conversation.save(update_fields=["language"])
    return pending[-1] if pending else None


def audit(conversation, kind, actor=None, **data):
    """Append to the conversation's audit trail, inside the caller's transaction."""
    ConversationEvent.objects.create(conversation=conversation, kind=kind, actor=actor, data=data)


@transaction.atomic
def reply(conversation_id, author, text, visibility=Visibility.PUBLIC, may_override=True) -> Message:
    """Queue an answer to the customer (or a private note) for delivery.

    Only the assignee answers an assigned conversation, unless `may_override` (a
    supervisor); anyone on it may leave a note, and @username in a note tells that agent.
    """
    text = text.strip()
    if not text:
        raise InboxError("A reply needs some text.")
    conversation = Conversation.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=conversation_id)
    if (
        visibility != Visibility.NOTE
        and not may_override
        and conversation.assignee_id not in (None, getattr(author, "pk", None))
    ):
        name = conversation.assignee.get_full_name() or conversation.assignee.get_username()
        raise InboxError(f"{name} is handling this conversation; only they or a supervisor can reply.")
    answered = (
        conversation.messages.filter(direction=Direction.INBOUND).exclude(external_id=None).order_by("-created_at").first()
    )
    note = visibility == Visibility.NOTE
    if not note and answered is not None and answered.visibility == Visibility.PRIVATE:
        visibility = Visibility.PRIVATE  # a private conversation is answered privately
    message = Message.objects.create(
        conversation=conversation,
        channel_id=conversation.channel_id,
        direction=Direction.OUTBOUND,
        visibility=visibility,
        author_user=author,
        text=text,
        parent_external_id=answered.external_id if answered else "",
        delivery="" if note else Delivery.QUEUED,
    )
    audit(conversation, "note_added" if note else "reply_queued", author, message=message.pk)
    if note:
        _notify_mentioned(conversation, message)
    else:
        _enqueue_on_commit("connectors.deliver_message", message.pk)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return message


@transaction.atomic
def claim_delivery(message_id, now=None):
    """Take a reply to the network: (message, ambiguous) or None when there is nothing to do.

    `ambiguous` says an earlier attempt may have reached the network (its worker died, or
    it timed out), so the reply must be looked up there before it is posted again.
    """
    now = now or timezone.now()
    message = Message.objects.select_for_update().select_related("conversation__channel", "conversation__contact").get(
        pk=message_id
    )
    if message.delivery in (Delivery.SENT, Delivery.FAILED, ""):
        return None
    if message.delivery_claimed_at and now - message.delivery_claimed_at < DELIVERY_CLAIM_TIMEOUT:
        return None  # another worker is posting it right now
    ambiguous = message.delivery == Delivery.SENDING
    message.delivery = Delivery.SENDING
    message.delivery_claimed_at = now
    message.delivery_attempts += 1
    message.save(update_fields=["delivery", "delivery_claimed_at", "delivery_attempts"])
    return message, ambiguous


@transaction.atomic
def release_delivery(message_id, reason, ambiguous: bool):
    """An attempt failed and will be retried; `ambiguous` if the network may have posted it."""
    Message.objects.filter(pk=message_id, delivery=Delivery.SENDING).update(
        delivery=Delivery.SENDING if ambiguous else Delivery.QUEUED, delivery_claimed_at=None, delivery_error=reason
    )


@transaction.atomic
def retry_delivery(message_id, actor) -> Message:
    """An agent sends a failed reply again; any earlier attempt is looked up first."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.delivery != Delivery.FAILED:
        raise InboxError("Only a failed reply can be sent again.")
    message.delivery = Delivery.SENDING if message.delivery_attempts else Delivery.QUEUED
    message.delivery_claimed_at = None
    message.save(update_fields=["delivery", "delivery_claimed_at"])
    audit(message.conversation, "reply_retried", actor, message=message.pk)
    _enqueue_on_commit("connectors.deliver_message", message.pk)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(message.conversation)])
    return message


@transaction.atomic
def mark_delivered(message_id, external_id, accepted_at, url="") -> Message:
    """The network accepted our reply: that is the moment the customer was answered."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.delivery == Delivery.SENT:
        return message
    conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
    message.delivery = Delivery.SENT
    message.delivery_error = ""
    message.delivery_claimed_at = None
    message.external_id = external_id
    message.sent_at = accepted_at
    message.url = url
    fields = ["delivery", "delivery_error", "delivery_claimed_at", "external_id", "sent_at", "url"]
    if conversation.waiting_since is not None:
        _stop_clock(conversation, message, accepted_at)
        fields += ["response_seconds", "response_business_seconds", "response_first", "response_on_time"]
        if conversation.team_id:
            # Answering frees the agent's capacity for the next one waiting in the queue.
            _enqueue_on_commit("agents.assign_waiting", conversation.team_id)
    message.save(update_fields=fields)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return message


MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def _notify_mentioned(conversation, note):
    """Colleagues @named in a note see it in their Mentioned view, live."""
    usernames = set(MENTION.findall(note.text))
    if not usernames:
        return
    users = get_user_model().objects.filter(username__in=usernames, is_active=True).exclude(pk=note.author_user_id)
    notices = [MentionNotice(user=user, message=note, conversation=conversation) for user in users]
    MentionNotice.objects.bulk_create(notices, ignore_conflicts=True)
    events.publish_on_commit(
        events.CONVERSATION_MENTIONED, [events.Audience(conversation.pk, None, n.user_id) for n in notices]
    )


def _stop_clock(conversation, reply, answered_at):
    """Record how long the customer waited for `reply`, and whether that kept the promise."""
    policy = conversation.sla_policy or sla.default_policy()
    seconds, business_seconds = sla.waited(policy, conversation.waiting_since, answered_at)
    on_time = answered_at <= conversation.response_due_at
    first = conversation.first_response_seconds is None
    reply.response_seconds, reply.response_business_seconds = seconds, business_seconds
    reply.response_first, reply.response_on_time = first, on_time
    if first:
        conversation.first_response_seconds = seconds
        conversation.first_response_business_seconds = business_seconds
    conversation.last_response_seconds = seconds
    conversation.last_response_business_seconds = business_seconds
    conversation.sla_state = SLAState.MET if on_time else SLAState.BREACHED
    conversation.waiting_since = conversation.response_due_at = conversation.warning_at = None
    if conversation.status == Status.OPEN:
        conversation.status = Status.PENDING
    conversation.save(
        update_fields=[
            "first_response_seconds",
            "first_response_business_seconds",
            "last_response_seconds",
            "last_response_business_seconds",
            "sla_state",
            "waiting_since",
            "response_due_at",
            "warning_at",
            "status",
            "updated_at",
        ]
    )
    audit(
        conversation,
        "responded",
        reply.author_user,
        message=reply.pk,
        response_seconds=seconds,
        response_business_seconds=business_seconds,
        on_time=on_time,
        first=first,
    )


@transaction.atomic
def mark_failed(message_id, reason) -> Message:
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.delivery == Delivery.SENT:
        return message
    message.delivery = Delivery.FAILED
    message.delivery_error = reason
    message.delivery_claimed_at = None
    message.save(update_fields=["delivery", "delivery_error", "delivery_claimed_at"])
    conversation = message.conversation
    audit(conversation, "reply_failed", None, message=message.pk, reason=reason)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return message


SWEEP_BATCH = 5000
SWEPT_FIELDS = ["sla_state", "priority", "updated_at"]


def sweep_sla(now=None) -> dict:
    """Raise each running clock's warning and breach once, as their moments pass, and
    bring back snoozed conversations whose time has come. Safe to run concurrently: rows
    another sweep holds are skipped, and a raised state is never raised again."""
    now = now or timezone.now()
    counts = {}
    for state in (SLAState.BREACHED, SLAState.WARNING):
        counts[state] = 0
        while True:
            raised = _raise(state, now)
            counts[state] += raised
            if raised < SWEEP_BATCH:
                break
    counts["woken"] = wake_snoozed(now)
    return counts


@transaction.atomic
def _raise(state, now) -> int:
    running = Conversation.objects.filter(waiting_since__isnull=False)
    if state == SLAState.BREACHED:
        due = running.filter(response_due_at__lte=now, sla_state__in=[SLAState.OK, SLAState.WARNING])
    else:
        due = running.filter(warning_at__lte=now, sla_state=SLAState.OK)
    conversations = list(
        due.select_for_update(skip_locked=True)
        .only("pk", "team_id", "assignee_id", "priority", "sla_state", "sla_policy_id")
        .order_by("pk")[:SWEEP_BATCH]
    )
    if not conversations:
        return 0
    for conversation in conversations:
        conversation.sla_state = state
        conversation.updated_at = now
        if state == SLAState.BREACHED:
            conversation.priority = min(conversation.priority + 1, Priority.URGENT)
    update_rows(Conversation, conversations, SWEPT_FIELDS)
    insert_rows(ConversationEvent, [{"conversation_id": c.pk, "kind": f"sla_{state}"} for c in conversations])
    event = events.SLA_BREACHED if state == SLAState.BREACHED else events.SLA_WARNING
    events.publish_on_commit(event, [events.Audience.of(c) for c in conversations])
    if state == SLAState.BREACHED:
        _enqueue_on_commit("agents.handle_breaches", [c.pk for c in conversations])
    return len(conversations)


@transaction.atomic
def wake_snoozed(now=None) -> int:
    now = now or timezone.now()
    conversations = list(
        Conversation.objects.select_for_update(skip_locked=True).filter(status=Status.SNOOZED, snoozed_until__lte=now)
    )
    for conversation in conversations:
        conversation.status = Status.OPEN if conversation.waiting_since else Status.PENDING
        conversation.snoozed_until = None
        conversation.updated_at = now  # the bulk write applies no auto_now
    # One statement each however many wake, as the SLA sweep writes.
    update_rows(Conversation, conversations, ["status", "snoozed_until", "updated_at"])
    insert_rows(ConversationEvent, [{"conversation_id": c.pk, "kind": "woke"} for c in conversations])
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(c) for c in conversations])
    return len(conversations)


def _locked(conversation_id):
    return Conversation.objects.select_for_update().get(pk=conversation_id)


@transaction.atomic
def resolve(conversation_id, actor=None) -> Conversation:
    """Done: the clock stops for good, and the assignee's capacity frees up."""
    conversation = _locked(conversation_id)
    if conversation.status == Status.RESOLVED:
        return conversation
    conversation.status = Status.RESOLVED
    conversation.resolved_at = timezone.now()
    conversation.snoozed_until = None
    conversation.waiting_since = conversation.response_due_at = conversation.warning_at = None
    conversation.save(
        update_fields=["status", "resolved_at", "snoozed_until", "waiting_since", "response_due_at", "warning_at", "updated_at"]
    )
    audit(conversation, "resolved", actor)
    if conversation.team_id:
        _enqueue_on_commit("agents.assign_waiting", conversation.team_id)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return conversation


@transaction.atomic
def reopen(conversation_id, actor=None, now=None) -> Conversation:
    """Open again by hand: a new measurement starts now, against the next-response target."""
    now = now or timezone.now()
    conversation = _locked(conversation_id)
    if conversation.status != Status.RESOLVED:
        raise InboxError("Only a resolved conversation can be reopened.")
    conversation.status = Status.OPEN
    conversation.resolved_at = None
    policy = sla.Policies().for_conversation(conversation)
    _start_clock(conversation, policy, now, now)
    conversation.save(
        update_fields=[
            "status", "resolved_at", "sla_policy", "waiting_since", "response_due_at", "warning_at", "sla_state", "updated_at"
        ]
    )
    audit(conversation, "reopened", actor)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return conversation


@transaction.atomic
def snooze(conversation_id, until, actor=None) -> Conversation:
    """Out of the list until `until`; a customer still waiting keeps the clock running."""
    if until <= timezone.now():
        raise InboxError("Snooze until a time in the future.")
    conversation = _locked(conversation_id)
    if conversation.status == Status.RESOLVED:
        raise InboxError("A resolved conversation cannot be snoozed.")
    conversation.status, conversation.snoozed_until = Status.SNOOZED, until
    conversation.save(update_fields=["status", "snoozed_until", "updated_at"])
    audit(conversation, "snoozed", actor, until=until.isoformat())
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return conversation


@transaction.atomic
def set_priority(conversation_id, priority, actor=None) -> Conversation:
    if priority not in Priority.values:
        raise InboxError("Unknown priority.")
    conversation = _locked(conversation_id)
    before = conversation.priority
    conversation.priority = priority
    conversation.save(update_fields=["priority", "updated_at"])
    audit(conversation, "priority_changed", actor, before=before, after=priority)
    apply_sla_policy(conversation)
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return conversation


@transaction.atomic
def set_labels(conversation_id, names, actor=None) -> Conversation:
    """The conversation carries exactly these labels (new names become labels)."""
    conversation = _locked(conversation_id)
    wanted = {name.strip()[:50] for name in names if name.strip()}
    labels = [Label.objects.get_or_create(name=name)[0] for name in sorted(wanted)]
    before = sorted(conversation.labels.values_list("name", flat=True))
    conversation.labels.set(labels)
    audit(conversation, "labels_changed", actor, before=before, after=sorted(wanted))
    events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    return conversation


@transaction.atomic
def mark_mentions_read(user, conversation_id):
    MentionNotice.objects.filter(user=user, conversation_id=conversation_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def apply_sla_policy(conversation, now=None, policies=None) -> bool:
    """On a conversation the caller has locked and whose team, channel or priority changed:
    the policy that now matches applies, and a running clock is measured against it from
    when the customer started waiting. A breach already raised stays raised."""
    policy = (policies or sla.Policies()).for_conversation(conversation)
    if policy.pk == conversation.sla_policy_id:
        return False
    previous = conversation.sla_policy_id
    conversation.sla_policy = policy
    if conversation.waiting_since is not None:
        breached = conversation.sla_state == SLAState.BREACHED
        _start_clock(conversation, policy, conversation.waiting_since, now or timezone.now())
        if breached:
            conversation.sla_state = SLAState.BREACHED
    conversation.save(update_fields=["sla_policy", "response_due_at", "warning_at", "sla_state", "updated_at"])
    audit(conversation, "sla_policy_applied", policy=policy.pk, previous=previous)
    return True
