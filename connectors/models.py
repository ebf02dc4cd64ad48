from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedJSONField


class ChannelKind(models.TextChoices):
    DEMO = "demo", _("Demo")
    TWITTER = "twitter", _("X / Twitter")
    FACEBOOK = "facebook", _("Facebook")
    DISCOURSE = "discourse", _("Discourse forum")
    FEED = "feed", _("RSS / Atom feed")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    FAILING = "failing", _("Failing")
    PAUSED = "paused", _("Paused")


class Channel(models.Model):
    """One account or source we listen on and answer from."""

    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    # Write-only from every UI and API: encrypted at rest, never rendered back.
    credentials = EncryptedJSONField(default=dict, blank=True)
    listening = models.JSONField(_("listening settings"), default=dict, blank=True)
    api_base_url = models.URLField(_("API base URL"), blank=True, help_text=_("Empty: the network's own"))
    poll_interval = models.PositiveIntegerField(_("poll interval (seconds)"), default=60)
    default_team = models.ForeignKey("agents.Team", null=True, blank=True, on_delete=models.SET_NULL)
    cursor = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    health = models.CharField(max_length=10, choices=Health.choices, default=Health.HEALTHY)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["enabled", "next_poll_at"])]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class WebhookEvent(models.Model):
    """A push from a network, stored as received before anything reads it."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="webhook_events")
    key = models.CharField(max_length=128)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="webhook_event_once")]
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self):
        return f"{self.channel} {self.key}"
