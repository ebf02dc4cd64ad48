from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    """A person or account on a network, as that network describes them."""

    platform = models.CharField(_("network"), max_length=20)
    platform_id = models.CharField(max_length=128)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    followers = models.PositiveIntegerField(_("followers"), default=0)
    verified = models.BooleanField(_("verified"), default=False)
    avatar_url = models.URLField(max_length=500, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    labels = models.ManyToManyField("Label", blank=True, related_name="contacts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "platform_id"], name="contact_unique_per_network")]

    def __str__(self):
        return self.handle or self.name or self.platform_id


class Label(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(max_length=7, default="#607d8b")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class BusinessCalendar(models.Model):
    """Opening hours in a time zone, several ranges a day, and closed days."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # {"0": [["09:00", "13:00"], ["14:00", "18:00"]], ...}: weekday (0 = Monday) → ranges.
    hours = models.JSONField(_("opening hours"), default=dict)
    holiday_country = models.CharField(_("public holidays of"), max_length=8, blank=True)
    holiday_subdivision = models.CharField(max_length=16, blank=True)
    closed_dates = models.JSONField(_("other closed days"), default=list, blank=True)

    def __str__(self):
        return self.name


class SLAPolicy(models.Model):
    """Targets for answering; the first policy matching a conversation applies."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    team = models.ForeignKey("agents.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("connectors.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL)
    first_response_target = models.DurationField(_("first response target"), default=timedelta(hours=2))
    next_response_target = models.DurationField(_("next response target"), default=timedelta(hours=2))
    resolution_target = models.DurationField(_("resolution target"), null=True, blank=True)
    warning_share = models.FloatField(_("warning at share of target"), default=0.75)
    breach_escalate_to = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("on breach, escalate to")
    )
    breach_reassign = models.BooleanField(_("on breach, reassign"), default=False)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_sla_policy")]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class SLAState(models.TextChoices):
    OK = "ok", _("On time")
    WARNING = "warning", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


class Conversation(models.Model):
    # Indexed below, with the id included.
    channel = models.ForeignKey(
        "connectors.Channel", on_delete=models.PROTECT, related_name="conversations", db_index=False
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey("agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_conversations"
    )
    sla_policy = models.ForeignKey(SLAPolicy, null=True, blank=True, on_delete=models.SET_NULL)
    # The SLA clock: runs from the oldest unanswered inbound message until a public reply
    # is accepted by the network.
    waiting_since = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    warning_at = models.DateTimeField(null=True, blank=True)
    sla_state = models.CharField(max_length=10, choices=SLAState.choices, default=SLAState.OK)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    last_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    last_response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalation_reason = models.TextField(blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    preview = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=12, blank=True)  # of the customer's latest message
    last_message_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Metrics filtered by channel or network reach conversations by channel:
            # `conversation_id IN (SELECT id … WHERE channel_id …)` reads this index alone.
            models.Index(fields=["channel"], include=["id"], name="conversation_channel_idx"),
            models.Index(fields=["assignee", "status", "response_due_at"]),
            models.Index(fields=["team", "status", "response_due_at"]),
            # Threading looks up the author's unresolved conversation on a channel.
            models.Index(
                fields=["channel", "contact"], condition=~Q(status="resolved"), name="conversation_unresolved_idx"
            ),
            # The SLA sweep scans only running clocks, by due time.
            models.Index(
                fields=["response_due_at"], condition=Q(waiting_since__isnull=False), name="conversation_due_idx"
            ),
            models.Index(
                fields=["warning_at"], condition=Q(waiting_since__isnull=False), name="conversation_warning_idx"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.contact}"


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private message")
    NOTE = "note", _("Internal note")


class Delivery(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey("connectors.Channel", on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    external_id = models.CharField(max_length=128, null=True, blank=True)
    parent_external_id = models.CharField(max_length=128, blank=True)
    thread_external_id = models.CharField(max_length=128, blank=True)
    author_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    author_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    language = models.CharField(max_length=12, blank=True)
    url = models.URLField(max_length=500, blank=True)
    sent_at = models.DateTimeField(_("network time"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    delivery_error = models.TextField(blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker took this reply to the network; an old claim is a worker that died.
    delivery_claimed_at = models.DateTimeField(null=True, blank=True)
    # For a public reply: how long the customer had waited when the network accepted it.
    response_seconds = models.PositiveIntegerField(null=True, blank=True)
    response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Set with the two above: whether it was the conversation's first response, and whether
    # it kept the due time then in force (later policy edits do not rewrite history).
    response_first = models.BooleanField(null=True, blank=True)
    response_on_time = models.BooleanField(null=True, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    sentiment_label = models.CharField(max_length=10, blank=True)  # empty: not analysed yet
    raw = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=Q(external_id__isnull=False), name="message_unique_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            # Crisis detection counts a channel's negative mentions over a recent window.
            models.Index(fields=["channel", "sent_at"], condition=Q(direction="in"), name="message_inbound_time_idx"),
        ]

    def __str__(self):
        return f"{self.direction} {self.external_id or self.pk}"


class ConversationEvent(models.Model):
    """Append-only audit trail: every change to a conversation leaves one row."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self):
        return f"{self.kind} on #{self.conversation_id}"


class CannedResponse(models.Model):
    """A ready answer in both languages; {author_name} and {agent_name} are filled in."""

    title = models.CharField(_("title"), max_length=100)
    shortcut = models.SlugField(_("shortcut"), max_length=40, unique=True)
    text_en = models.TextField(_("English text"))
    text_es = models.TextField(_("Spanish text"))

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class MentionNotice(models.Model):
    """A colleague @mentioned in a note: the note shows in their Mentioned view."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mention_notices")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mention_notices")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "message"], name="one_notice_per_mention")]
        indexes = [models.Index(fields=["user", "read_at"])]
