from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A queue of work and the agents who answer it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Admin")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, related_name="agents", blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=5, help_text=_("Most open conversations at once"))
    presence = models.CharField(max_length=10, choices=Presence.choices, default=Presence.OFFLINE)
    # Open websocket connections; an agent with two tabs stays online when one closes.
    sockets = models.IntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        indexes = [models.Index(fields=["presence", "last_assigned_at"])]

    def __str__(self):
        return f"{self.user} ({self.role})"

    @property
    def is_supervisor(self):
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    def is_available(self, now=None):
        now = now or timezone.now()
        return (
            self.presence == Presence.ONLINE
            and self.last_seen_at is not None
            and now - self.last_seen_at < settings.PRESENCE_TIMEOUT
        )


class RoutingRule(models.Model):
    """If a conversation's newest customer message matches every set condition, the
    actions apply. Rules run in order; the first that sets a team or an agent decides it,
    priorities take the highest, labels add up."""

    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("name"), max_length=100)
    enabled = models.BooleanField(default=True)
    # Conditions (empty = any)
    channel = models.ForeignKey("connectors.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    keywords = models.JSONField(_("any of these words"), default=list, blank=True)
    pattern = models.CharField(_("regular expression"), max_length=300, blank=True)
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(
        max_length=10, blank=True, choices=[("negative", _("Negative")), ("neutral", _("Neutral")), ("positive", _("Positive"))]
    )
    min_followers = models.PositiveIntegerField(null=True, blank=True)
    verified_only = models.BooleanField(default=False)
    contact_label = models.ForeignKey("inbox.Label", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(max_length=10, blank=True, choices=[("public", _("Public")), ("private", _("Private"))])
    # Actions
    set_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_priority = models.PositiveSmallIntegerField(null=True, blank=True)
    add_labels = models.ManyToManyField("inbox.Label", blank=True, related_name="+")
    assign_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class CrisisAlert(models.Model):
    """A spike of negative mentions on a channel (or on one brand keyword of it)."""

    channel = models.ForeignKey("connectors.Channel", on_delete=models.CASCADE, related_name="+")
    keyword = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    negative_count = models.PositiveIntegerField()
    usual_count = models.FloatField(help_text=_("negative mentions usually seen in a window this long"))
    sample = models.JSONField(default=list, help_text=_("ids of the messages behind the alert"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "keyword"], condition=models.Q(ended_at__isnull=True), name="one_open_crisis_per_watch"
            )
        ]

    def __str__(self):
        return f"crisis on {self.channel} {self.keyword}".strip()


class SettingsChange(models.Model):
    """Who changed which setting, when, and from what to what: the admins' audit log."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    area = models.CharField(max_length=40)  # channel, team, agent, sla_policy, calendar, routing_rule, canned_response
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=20)  # created, changed, deleted, paused, resumed, ...
    changes = models.JSONField(default=dict, blank=True)  # field → [before, after]; secrets only as "set"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["area", "created_at"])]

    def __str__(self):
        return f"{self.action} {self.area} {self.object_repr}"
