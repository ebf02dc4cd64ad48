"""Channels over REST, for admins only.

Credentials are write-only: a response says whether any are set and the names of the keys
that are, never a value. Writes go through the settings actions
(`agents.settings_actions`), which encrypt the credentials and leave a `SettingsChange`
row where secrets appear only as "set" / "replaced" / "removed".
"""

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from agents import settings_actions
from agents.api import AdminOnly
from agents.models import Team
from connectors import actions as channel_actions
from connectors.models import Channel
from inbox.api import ApiViewSet, URLOrBlankField
from socialcare.api_errors import DomainError, error_responses

ERRORS = error_responses(400, 401, 403, 404)
READ_ERRORS = error_responses(401, 403, 404)
POLL_INTERVAL_MAX = 7 * 24 * 3600
MAX_CREDENTIALS = 20


class ChannelSerializer(serializers.ModelSerializer):
    """A channel as admins see and write it."""

    credentials = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=4000, trim_whitespace=False),
        write_only=True,
        required=False,
        help_text="Write-only. On update, keys given with a value replace the stored ones, keys given as null or "
        "'' are removed, and keys not given are kept.",
    )
    credentials_set = serializers.SerializerMethodField(help_text="Whether any credential is stored.")
    credential_keys = serializers.SerializerMethodField(help_text="Names of the credentials stored (never their values).")
    listening = serializers.DictField(
        required=False,
        help_text="What to listen for (per network). On update, given keys replace the stored ones; a key given as "
        "null or empty is removed.",
    )
    default_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    poll_interval = serializers.IntegerField(min_value=1, max_value=POLL_INTERVAL_MAX, required=False)
    api_base_url = URLOrBlankField(max_length=200, required=False, help_text="Empty: the network's own.")

    class Meta:
        model = Channel
        fields = [
            "id", "kind", "name", "credentials", "credentials_set", "credential_keys", "listening", "api_base_url",
            "poll_interval", "default_team", "enabled", "health", "last_polled_at", "last_success_at",
            "next_poll_at", "last_error", "consecutive_failures", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "enabled", "health", "last_polled_at", "last_success_at", "next_poll_at", "last_error",
            "consecutive_failures", "created_at",
        ]  # fmt: skip

    def get_credentials_set(self, channel) -> bool:
        return bool(channel.credentials)

    def get_credential_keys(self, channel) -> list[str]:
        return sorted(key for key, value in (channel.credentials or {}).items() if value)

    def validate_credentials(self, credentials):
        if len(credentials) > MAX_CREDENTIALS or any(len(key) > 100 for key in credentials):
            raise serializers.ValidationError(f"At most {MAX_CREDENTIALS} credentials, named in at most 100 characters.")
        return credentials

    def validate_kind(self, kind):
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError("A channel's kind cannot change; create another channel.")
        return kind


FIELDS = ["name", "api_base_url", "poll_interval", "default_team"]


def _split(data):
    """The settings actions' arguments from validated input."""
    fields = {name: data[name] for name in FIELDS if name in data}
    given = data.get("credentials") or {}
    credentials = {key: value for key, value in given.items() if value}
    remove = [key for key, value in given.items() if not value]
    return fields, data.get("listening") or {}, credentials, remove


@extend_schema_view(
    list=extend_schema(summary="List channels (admin)", responses={200: ChannelSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(summary="One channel (admin)", responses={200: ChannelSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Connect a channel (admin)", responses={201: ChannelSerializer, **error_responses(400, 401, 403)}
    ),
    partial_update=extend_schema(summary="Change a channel (admin)", responses={200: ChannelSerializer, **ERRORS}),
)
class ChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ChannelSerializer
    queryset = Channel.objects.order_by("name", "pk")
    permission_classes = [AdminOnly]

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, listening, credentials, _ = _split(serializer.validated_data)
        channel = settings_actions.create_channel(
            request.user,
            kind=serializer.validated_data["kind"],
            fields=fields,
            listening=listening,
            credentials=credentials,
        )
        return Response(self.get_serializer(channel).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        channel = self.get_object()
        serializer = self.get_serializer(channel, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, listening, credentials, remove = _split(serializer.validated_data)
        channel = settings_actions.update_channel(
            request.user, channel.pk, fields=fields, listening=listening, credentials=credentials, remove=remove
        )
        return Response(self.get_serializer(channel).data)

    @extend_schema(
        summary="Test the connection (admin)",
        description="One cheap authenticated call to the network with the stored credentials. 400 with the "
        "network's error when it fails.",
        request=None,
        responses={
            200: inline_serializer("ChannelTestResult", {"ok": serializers.BooleanField()}),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        problem = channel_actions.verify_channel(self.get_object())
        if problem:
            raise DomainError(f"Connection failed: {problem}")
        return Response({"ok": True})

    @extend_schema(
        summary="Pause listening (admin)", request=None, responses={200: ChannelSerializer, **READ_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        channel = settings_actions.pause_channel(request.user, self.get_object().pk)
        return Response(self.get_serializer(channel).data)

    @extend_schema(
        summary="Resume listening (admin)",
        description="Enabled and healthy again; polling goes on from where the channel stopped.",
        request=None,
        responses={200: ChannelSerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        channel = settings_actions.resume_channel(request.user, self.get_object().pk)
        return Response(self.get_serializer(channel).data)
