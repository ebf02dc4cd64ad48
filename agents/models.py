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
