"""The inbox over REST: conversations, their messages, contacts.

Thin like the pages: parse the input, load through `inbox.access` (404 for what the user
may not see), call one action from `inbox.actions`, serialize. Errors become JSON in
`socialcare.api_errors`. Assignment and escalation belong to `agents` and are added to the
conversation endpoints by `agents.api.ConversationViewSet`, so this module imports
nothing of the other apps.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from inbox import actions, selectors
from inbox.access import access_conversation, viewer_for
from inbox.models import Contact, Conversation, Message, Priority, SLAState, Status, Visibility
from inbox.selectors import SORTS
from socialcare.api_errors import DomainErrors, error_responses

MAX_ID = 2**63 - 1


def channel_kinds():
    # The network of a conversation is its channel's kind; read through the model so
    # inbox needs no import from connectors.
    return Conversation._meta.get_field("channel").related_model._meta.get_field("kind").choices


# Serializers: what the API shows.


@extend_schema_field({"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}]})
class URLOrBlankField(serializers.URLField):
    """A URL, or "" when there is none (model URL fields with blank=True)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ChannelRefSerializer(RefSerializer):
    kind = serializers.CharField(read_only=True)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class ContactSerializer(serializers.ModelSerializer):
    labels = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    avatar_url = URLOrBlankField(read_only=True)
    profile_url = URLOrBlankField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id", "platform", "platform_id", "handle", "name", "followers", "verified", "avatar_url",
            "profile_url", "labels", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ConversationSerializer(serializers.ModelSerializer):
    channel = ChannelRefSerializer(read_only=True)
    contact = ContactSerializer(read_only=True)
    team = RefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    sla_policy = RefSerializer(read_only=True, allow_null=True)
    labels = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Conversation
        fields = [
            "id", "status", "priority", "channel", "contact", "team", "assignee", "labels", "language", "preview",
            "last_message_at", "created_at", "updated_at",
            # The SLA clock
            "sla_policy", "sla_state", "waiting_since", "warning_at", "response_due_at", "first_response_seconds",
            "last_response_seconds", "first_response_business_seconds", "last_response_business_seconds",
            # Escalation and state
            "escalation_level", "escalation_reason", "assigned_at", "snoozed_until", "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author_contact = ContactSerializer(read_only=True, allow_null=True)
    author_user = UserRefSerializer(read_only=True, allow_null=True)
    url = URLOrBlankField(read_only=True)

    class Meta:
        model = Message
        fields = [
            "id", "direction", "visibility", "text", "language", "author_contact", "author_user", "url",
            "external_id", "parent_external_id", "sent_at", "created_at", "delivery", "delivery_error",
            "response_seconds", "response_business_seconds", "sentiment", "sentiment_label",
        ]  # fmt: skip
        read_only_fields = fields


# Input


class ConversationFilters(serializers.Serializer):
    """The inbox's filters, as query parameters."""

    status = serializers.ListField(
        child=serializers.ChoiceField(Status.choices), required=False, help_text="Repeat for several: status=open&status=pending."
    )
    team = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    assignee = serializers.RegexField(
        r"^(me|none|[0-9]{1,18})$", required=False, help_text="A user id, `me`, or `none` for the team queue."
    )
    channel = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    network = serializers.ChoiceField(channel_kinds(), required=False, help_text="The channel's kind.")
    priority = serializers.ChoiceField(Priority.choices, required=False)
    label = serializers.CharField(max_length=50, required=False, help_text="A label name.")
    sla_state = serializers.ChoiceField(SLAState.choices, required=False)
    language = serializers.CharField(max_length=12, required=False, help_text="Of the newest customer message, e.g. `es`.")
    q = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Text of any message, or the author's handle or name (contains).",
    )
    ordering = serializers.ChoiceField(
        [("due", "Due time first (default)"), ("newest", "Newest message first"), ("priority", "Highest priority first")],
        default="due",
        required=False,
    )


class TextInput(serializers.Serializer):
    text = serializers.CharField(max_length=10_000, trim_whitespace=False)


class SnoozeInput(serializers.Serializer):
    until = serializers.DateTimeField(help_text="ISO 8601; a time in the future.")


# Reads


def conversations_for_api(conversations):
    return conversations.select_related("contact", "channel", "team", "assignee", "sla_policy").prefetch_related(
        "labels", "contact__labels"
    )


def filter_conversations(conversations, filters: dict, user_id):
    if filters.get("status"):
        conversations = conversations.filter(status__in=filters["status"])
    if "team" in filters:
        conversations = conversations.filter(team_id=filters["team"])
    if "assignee" in filters:
        assignee = filters["assignee"]
        if assignee == "none":
            conversations = conversations.filter(assignee__isnull=True)
        else:
            conversations = conversations.filter(assignee_id=user_id if assignee == "me" else int(assignee))
    if "channel" in filters:
        conversations = conversations.filter(channel_id=filters["channel"])
    if "network" in filters:
        conversations = conversations.filter(channel__kind=filters["network"])
    if "priority" in filters:
        conversations = conversations.filter(priority=filters["priority"])
    if "label" in filters:
        conversations = conversations.filter(pk__in=selectors.labelled(filters["label"]))
    if "sla_state" in filters:
        conversations = conversations.filter(sla_state=filters["sla_state"])
    if "language" in filters:
        conversations = conversations.filter(language=filters["language"])
    if filters.get("q"):
        conversations = conversations.filter(selectors.matching(filters["q"]))
    return conversations.order_by(*SORTS[filters.get("ordering") or "due"])


# Views


ERRORS = error_responses(400, 401, 403, 404)
READ_ERRORS = error_responses(401, 403, 404)


class Pagination(LimitOffsetPagination):
    """`limit` (default 50, at most 200) and `offset`, both within what the database takes."""

    max_limit = 200
    max_offset = 10**9

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)


class ApiViewSet(DomainErrors, viewsets.GenericViewSet):
    lookup_value_converter = "int"  # routes are `<int:pk>`: anything else is a 404
    pagination_class = Pagination

    def schema_only(self):
        """drf-spectacular builds the schema without a real user."""
        return getattr(self, "swagger_fake_view", False)

    def viewer(self):
        if not hasattr(self, "_viewer"):
            self._viewer = viewer_for(self.request.user)  # 403 without an agent profile
        return self._viewer

    def parsed(self, serializer_class, data=None):
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema_view(
    list=extend_schema(
        summary="List conversations",
        description="What the user may work on: an agent sees their teams' conversations and those assigned to "
        "them; supervisors and admins see all. Default order: the nearest response deadline first.",
        parameters=[ConversationFilters],
        responses={200: ConversationSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(summary="One conversation", responses={200: ConversationSerializer, **READ_ERRORS}),
)
class ConversationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ConversationSerializer
    queryset = Conversation.objects.none()  # for the schema; every request reads through the viewer

    def get_queryset(self):
        if self.schema_only():
            return Conversation.objects.none()
        return conversations_for_api(self.viewer().conversations())

    def list(self, request, *args, **kwargs):
        filters = self.parsed(ConversationFilters, request.query_params)
        page = self.paginate_queryset(filter_conversations(self.get_queryset(), filters, request.user.pk))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return access_conversation(self.viewer(), self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        return self.conversation_response(self.get_object().pk)

    def conversation_response(self, conversation_id, code=status.HTTP_200_OK):
        """The conversation as it is now (after an action it may have left the user's view)."""
        conversation = conversations_for_api(Conversation.objects.all()).get(pk=conversation_id)
        return Response(self.get_serializer(conversation).data, status=code)

    # Actions on the conversation

    @extend_schema(summary="Snooze until a time", request=SnoozeInput, responses={200: ConversationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def snooze(self, request, pk=None):
        conversation = self.get_object()
        data = self.parsed(SnoozeInput)
        actions.snooze(conversation.pk, data["until"], actor=request.user)
        return self.conversation_response(conversation.pk)

    @extend_schema(summary="Resolve", request=None, responses={200: ConversationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        conversation = self.get_object()
        actions.resolve(conversation.pk, actor=request.user)
        return self.conversation_response(conversation.pk)

    @extend_schema(
        summary="Reopen a resolved conversation",
        description="The response clock starts again now, against the next-response target.",
        request=None,
        responses={200: ConversationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        conversation = self.get_object()
        actions.reopen(conversation.pk, actor=request.user)
        return self.conversation_response(conversation.pk)

    # Messages

    @extend_schema(
        summary="Messages of the conversation, oldest first",
        responses={200: MessageSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def messages(self, request, pk=None):
        conversation = self.get_object()
        messages = conversation.messages.select_related("author_contact", "author_user").prefetch_related(
            "author_contact__labels"
        )
        page = self.paginate_queryset(messages.order_by("created_at", "pk"))
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(
        summary="Reply to the customer",
        description="Queued for delivery; the response clock stops when the network accepts it. A conversation "
        "that started privately is answered privately.",
        request=TextInput,
        responses={201: MessageSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._write(Visibility.PUBLIC)

    @extend_schema(
        summary="Add an internal note",
        description="Seen by colleagues only; does not stop the response clock.",
        request=TextInput,
        responses={201: MessageSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        return self._write(Visibility.NOTE)

    def _write(self, visibility):
        conversation = self.get_object()
        data = self.parsed(TextInput)
        message = actions.reply(
            conversation.pk, self.request.user, data["text"], visibility, may_override=self.viewer().is_supervisor
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ContactFilters(serializers.Serializer):
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="Handle or name contains.")


@extend_schema_view(
    list=extend_schema(
        summary="List contacts",
        description="Agents see the authors of the conversations they may see; supervisors and admins see all.",
        parameters=[ContactFilters],
        responses={200: ContactSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(summary="One contact", responses={200: ContactSerializer, **READ_ERRORS}),
)
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ContactSerializer
    queryset = Contact.objects.none()

    def get_queryset(self):
        if self.schema_only():
            return Contact.objects.none()
        viewer = self.viewer()
        contacts = Contact.objects.prefetch_related("labels").order_by("handle", "pk")
        if not viewer.is_supervisor:
            contacts = contacts.filter(pk__in=viewer.conversations().values("contact_id"))
        return contacts

    def list(self, request, *args, **kwargs):
        q = self.parsed(ContactFilters, request.query_params).get("q")
        contacts = self.get_queryset()
        if q:
            contacts = contacts.filter(selectors.author_matches(q))
        page = self.paginate_queryset(contacts)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
