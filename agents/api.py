"""Agents, teams and who holds a conversation, over REST.

Conversations get their `assign` and `escalate` routes here (`ConversationViewSet` extends
the inbox's), so `inbox` keeps importing nothing of `agents`. Role rules are the pages':
everyone lists teams, supervisors see and move agents, admins change teams.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from agents import actions, metrics, settings_actions
from agents.access import has_role
from agents.escalation import escalate
from agents.models import AgentProfile, Presence, Role, Team
from inbox import api as inbox_api
from inbox.api import MAX_ID, ApiViewSet, ConversationSerializer, channel_kinds
from inbox.models import Status
from socialcare.api_errors import DomainErrors, error_responses
from socialcare.parallel_queries import gather

ERRORS = error_responses(400, 401, 403, 404)
READ_ERRORS = error_responses(401, 403, 404)


# Permissions


class RolePermission(permissions.BasePermission):
    """At least this role (roles nest: admin ⊇ supervisor ⊇ agent); 401 when anonymous."""

    role = Role.AGENT

    def has_permission(self, request, view):
        return has_role(request.user, self.role)


class AnyAgent(RolePermission):
    role = Role.AGENT


class SupervisorOrAbove(RolePermission):
    role = Role.SUPERVISOR


class AdminOnly(RolePermission):
    role = Role.ADMIN


# Conversations: assignment and escalation


class AssignInput(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(agent_profile__isnull=False, is_active=True),
        allow_null=True,
        help_text="The agent's user id, or null to return the conversation to its team's queue.",
    )


class EscalateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="Hand over to this team; null or absent: alert the supervisors and raise the priority.",
    )


class ConversationViewSet(inbox_api.ConversationViewSet):
    """Conversations the user may work on: an agent's teams' and their own; all for supervisors and admins."""

    # The inbox's endpoints (inbox.api) plus the ones `agents` owns.

    @extend_schema(
        summary="Assign to an agent, or back to the queue",
        description="An agent outside the conversation's team takes it into one of their teams.",
        request=AssignInput,
        responses={200: ConversationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        conversation = self.get_object()
        assignee = self.parsed(AssignInput)["assignee"]
        actions.assign_to(
            conversation.pk, assignee.pk if assignee else None, request.user, may_override=self.viewer().is_supervisor
        )
        return self.conversation_response(conversation.pk)

    @extend_schema(
        summary="Escalate, with a reason",
        description="To a team (its routing and SLA apply), or to the supervisors (priority rises to high).",
        request=EscalateInput,
        responses={200: ConversationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        conversation = self.get_object()
        data = self.parsed(EscalateInput)
        team = data.get("team")
        escalate(conversation.pk, data["reason"], actor=request.user, to_team_id=team.pk if team else None)
        return self.conversation_response(conversation.pk)


# Teams


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]


@extend_schema_view(
    list=extend_schema(summary="List teams", responses={200: TeamSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(summary="One team", responses={200: TeamSerializer, **READ_ERRORS}),
    create=extend_schema(summary="Create a team (admin)", responses={201: TeamSerializer, **error_responses(400, 401, 403)}),
    partial_update=extend_schema(summary="Rename a team (admin)", responses={200: TeamSerializer, **ERRORS}),
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = TeamSerializer
    queryset = Team.objects.order_by("name", "pk")

    def get_permissions(self):
        return [AdminOnly() if self.action in ("create", "partial_update") else AnyAgent()]

    def create(self, request):
        data = self.parsed(TeamSerializer)
        team = settings_actions.create_team(request.user, data["name"])
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        team = self.get_object()
        serializer = TeamSerializer(team, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "name" in serializer.validated_data:
            team = settings_actions.rename_team(request.user, team.pk, serializer.validated_data["name"])
        return Response(TeamSerializer(team).data)


# Agents


class AgentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user_id", read_only=True, help_text="The agent's user id.")
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    load = serializers.IntegerField(read_only=True, help_text="Open conversations assigned to the agent.")
    available = serializers.SerializerMethodField(help_text="Online, recently seen: gets new work when there is room.")

    class Meta:
        model = AgentProfile
        fields = [
            "id", "username", "name", "is_active", "role", "teams", "presence", "available", "load", "capacity",
            "last_seen_at", "last_assigned_at", "language", "time_zone",
        ]  # fmt: skip
        read_only_fields = fields

    def get_name(self, profile) -> str:
        return profile.user.get_full_name() or profile.user.get_username()

    def get_available(self, profile) -> bool:
        return profile.is_available()


class AgentFilters(serializers.Serializer):
    team = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    presence = serializers.ChoiceField(Presence.choices, required=False)


class AgentUpdateInput(serializers.Serializer):
    presence = serializers.ChoiceField(
        [Presence.ONLINE, Presence.AWAY],
        required=False,
        help_text="online or away; offline follows from closing the inbox. Agents may set their own.",
    )
    teams = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), many=True, required=False, help_text="Team ids (supervisors and admins)."
    )


@extend_schema_view(
    list=extend_schema(
        summary="List agents (supervisors, admins)",
        description="With presence, load (open conversations) and capacity.",
        parameters=[AgentFilters],
        responses={200: AgentSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(summary="One agent (supervisors, admins, or the agent themself)", responses={200: AgentSerializer, **READ_ERRORS}),
    partial_update=extend_schema(
        summary="Set an agent's presence or teams",
        description="Supervisors and admins: any agent's presence and teams. Agents: their own presence only.",
        request=AgentUpdateInput,
        responses={200: AgentSerializer, **ERRORS},
    ),
)
class AgentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = AgentSerializer
    queryset = AgentProfile.objects.none()

    def get_permissions(self):
        return [SupervisorOrAbove() if self.action == "list" else AnyAgent()]

    def get_queryset(self):
        return (
            AgentProfile.objects.select_related("user")
            .prefetch_related("teams")
            .annotate(load=Count("user__assigned_conversations", filter=Q(user__assigned_conversations__status=Status.OPEN)))
            .order_by("user__username", "pk")
        )

    def list(self, request, *args, **kwargs):
        filters = self.parsed(AgentFilters, request.query_params)
        agents = self.get_queryset()
        if "team" in filters:
            agents = agents.filter(teams=filters["team"])
        if "presence" in filters:
            agents = agents.filter(presence=filters["presence"])
        page = self.paginate_queryset(agents)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        supervisor = has_role(self.request.user, Role.SUPERVISOR)
        if not supervisor and str(self.request.user.pk) != str(self.kwargs["pk"]):
            raise PermissionDenied("Only supervisors and admins see other agents.")
        return get_object_or_404(self.get_queryset(), user_id=self.kwargs["pk"])

    def partial_update(self, request, pk=None):
        profile = self.get_object()
        data = self.parsed(AgentUpdateInput)
        if "teams" in data and not has_role(request.user, Role.SUPERVISOR):
            raise PermissionDenied("Only supervisors and admins move agents between teams.")
        with transaction.atomic():
            if "presence" in data:
                actions.set_presence(profile.user_id, data["presence"])
            if "teams" in data:
                actions.move_agent(profile.user_id, [team.pk for team in data["teams"]], request.user)
        return Response(self.get_serializer(self.get_object()).data)


# Metrics: the supervisor dashboard's numbers (agents.metrics), for a period and filters


class MetricsQuery(serializers.Serializer):
    period = serializers.ChoiceField(
        ["today", "7d", "30d"], default="7d", required=False, help_text="Ignored when `from` and `to` are given."
    )
    to = serializers.DateField(required=False, help_text="Last day (inclusive), with `from`.")
    team = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    channel = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    network = serializers.ChoiceField(channel_kinds(), required=False)
    agent = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="A user id.")
    time = serializers.ChoiceField(
        ["calendar", "business"], default="calendar", required=False,
        help_text="The time basis of `response_times` (the medians come in both).",
    )  # fmt: skip

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword, so it cannot be a class attribute.
        fields["from"] = serializers.DateField(required=False, help_text="First day, in the caller's time zone.")
        return fields

    def validate(self, data):
        if ("from" in data) != ("to" in data):
            raise serializers.ValidationError("Give both `from` and `to`, or neither.")
        zone = metrics.zone_of(self.context.get("time_zone"))
        try:
            if "from" in data:
                data["period"] = metrics.Period(data["from"], data["to"], zone)
            else:
                data["period"] = metrics.Period.named(data.get("period") or "7d", zone)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error
        return data


class MetricsPeriodSerializer(serializers.Serializer):
    name = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    time_zone = serializers.CharField()


class ResponseStatsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True, help_text="Percent of responses on time; null without responses.")
    median = serializers.FloatField(allow_null=True, help_text="Seconds, calendar time.")
    p90 = serializers.FloatField(allow_null=True)
    business_median = serializers.FloatField(allow_null=True, help_text="Seconds, business time.")
    business_p90 = serializers.FloatField(allow_null=True)


class ResponsesSerializer(serializers.Serializer):
    all = ResponseStatsSerializer()
    first = ResponseStatsSerializer()
    next = ResponseStatsSerializer()


class VolumeDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    inbound = serializers.IntegerField()
    outbound = serializers.IntegerField()


class VolumeSerializer(serializers.Serializer):
    inbound = serializers.IntegerField()
    outbound = serializers.IntegerField()
    days = VolumeDaySerializer(many=True)


class WaitBucketSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(
        allow_null=True, help_text="Seconds waited, this limit included; null: longer than the last limit."
    )
    first = serializers.IntegerField(help_text="First responses that came after this wait.")
    next = serializers.IntegerField(help_text="Next responses that came after this wait.")


class ResolutionSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True, help_text="Seconds.")
    p90 = serializers.FloatField(allow_null=True)


class IncidentsSerializer(serializers.Serializer):
    escalations = serializers.IntegerField()
    breaches = serializers.IntegerField()


class NowSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    waiting = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    breached = serializers.IntegerField()
    oldest_waiting_since = serializers.DateTimeField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    period = MetricsPeriodSerializer()
    responses = ResponsesSerializer()
    volume = VolumeSerializer()
    response_times = WaitBucketSerializer(many=True, help_text="Responses by how long the customer waited.")
    resolution = ResolutionSerializer()
    incidents = IncidentsSerializer()
    now = NowSerializer(help_text="Right now, whatever the period.")


def _stats(stats):
    return {
        "count": stats.count, "on_time": stats.on_time, "late": stats.late, "compliance": stats.compliance,
        "median": stats.median, "p90": stats.p90, "business_median": stats.business_median,
        "business_p90": stats.business_p90,
    }  # fmt: skip


class MetricsView(DomainErrors, APIView):
    permission_classes = [SupervisorOrAbove]

    @extend_schema(
        summary="SLA and volume metrics (supervisors, admins)",
        description="First- and next-response compliance against the target, response and resolution times "
        "(median, p90), message volume per day, escalations and breaches in the period; and the backlog right "
        "now. Days are whole days in the caller's time zone. Definitions: docs/metrics.md.",
        tags=["metrics"],
        parameters=[MetricsQuery],
        responses={200: MetricsSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        profile = request.user.agent_profile
        query = MetricsQuery(data=request.query_params, context={"time_zone": profile.time_zone})
        query.is_valid(raise_exception=True)
        data, period = query.validated_data, query.validated_data["period"]
        filters = metrics.Filters(
            team_id=data.get("team"), channel_id=data.get("channel"), network=data.get("network", ""), agent_id=data.get("agent")
        )
        found = gather(
            {**metrics.period_queries(period, filters, data.get("time") or "calendar"), "attention": metrics.attention}
        )
        answered, resolution, incidents = found["responses"], found["resolution"], found["incidents"]
        now = metrics.now_counts(filters, found["attention"])
        volume = metrics.volume_of(found["trend"], found["replies"].by_day)
        summary = {
            "period": {"name": period.name, "first": period.first, "last": period.last, "time_zone": str(period.zone)},
            "responses": {name: _stats(getattr(answered, name)) for name in ("all", "first", "next")},
            "volume": {
                "inbound": volume.inbound,
                "outbound": volume.outbound,
                "days": [{"day": day, "inbound": n_in, "outbound": n_out} for day, n_in, n_out in volume.days],
            },
            "response_times": found["replies"].waits,
            "resolution": {"count": resolution.count, "median": resolution.median, "p90": resolution.p90},
            "incidents": {"escalations": incidents.escalations, "breaches": incidents.breaches},
            "now": {
                "open": now.open, "unassigned": now.unassigned, "waiting": now.waiting, "at_risk": now.at_risk,
                "breached": now.breached, "oldest_waiting_since": now.oldest_waiting_since,
            },  # fmt: skip
        }
        return Response(MetricsSerializer(summary).data)
