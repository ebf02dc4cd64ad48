"""The admin settings screens under /settings/ (admin role only). Views parse the form,
call one action in agents.settings_actions, and render; they never write models."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents import settings_actions as actions
from agents import settings_forms as forms
from agents.access import role_required
from agents.models import AgentProfile, Role, RoutingRule, SettingsChange, Team
from agents.rules import Facts, decide, matches
from connectors import actions as connector_actions
from connectors.models import Channel, ChannelKind
from inbox import analysis
from inbox.models import BusinessCalendar, CannedResponse, Label, Priority, SLAPolicy

log = logging.getLogger(__name__)

admin_only = role_required(Role.ADMIN)
GET_POST = require_http_methods(["GET", "POST"])


def _areas():
    return [
        ("channel", gettext_lazy("Channels")),
        ("team", gettext_lazy("Teams")),
        ("agent", gettext_lazy("Agents")),
        ("sla_policy", gettext_lazy("SLA policies")),
        ("calendar", gettext_lazy("Business calendars")),
        ("routing_rule", gettext_lazy("Routing rules")),
        ("canned_response", gettext_lazy("Canned responses")),
        ("label", gettext_lazy("Labels")),
    ]


def _page(request, template, context, section):
    context = {"section": section, "time_zones": forms.time_zones(), **context}
    return render(request, f"settings/{template}", context)


def _fail(request, error):
    messages.error(request, str(error))


@admin_only
@require_GET
def index(request):
    return redirect("settings:channels")


# ------------------------------------------------------------------ channels


@admin_only
@require_GET
def channels(request):
    listed = Channel.objects.select_related("default_team").order_by("name", "pk")
    creatable = [(kind, label) for kind, label in ChannelKind.choices if kind in forms.CHANNEL_FORMS]
    return _page(request, "channels.html", {"channels": listed, "kinds": creatable}, "channels")


def _channel_form_class(kind):
    form_class = forms.CHANNEL_FORMS.get(kind)
    if form_class is None:
        raise Http404
    return form_class


@admin_only
@GET_POST
def channel_create(request, kind):
    form_class = _channel_form_class(kind)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        channel = actions.create_channel(
            request.user,
            kind=kind,
            fields=form.channel_fields(),
            listening=form.listening_values(),
            credentials=form.credential_values(),
        )
        messages.success(request, _("Channel %(name)s added.") % {"name": channel.name})
        return redirect("settings:channel-edit", pk=channel.pk)
    return _page(request, "channel_form.html", {"form": form, "kind_label": ChannelKind(kind).label}, "channels")


@admin_only
@GET_POST
def channel_edit(request, pk):
    channel = get_object_or_404(Channel, pk=pk)
    form_class = _channel_form_class(channel.kind)
    form = form_class(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        actions.update_channel(
            request.user,
            channel.pk,
            fields=form.channel_fields(),
            listening=form.listening_values(),
            credentials=form.credential_values(),
            remove=form.credentials_to_remove(),
        )
        messages.success(request, _("Channel saved."))
        return redirect("settings:channel-edit", pk=channel.pk)
    webhook_url = ""
    if channel.kind in (ChannelKind.TWITTER, ChannelKind.FACEBOOK, ChannelKind.DISCOURSE):
        webhook_url = request.build_absolute_uri(reverse("webhook", args=[channel.pk]))
    context = {"form": form, "channel": channel, "kind_label": channel.get_kind_display(), "webhook_url": webhook_url}
    return _page(request, "channel_form.html", context, "channels")


@admin_only
@require_POST
def channel_test(request, pk):
    channel = get_object_or_404(Channel, pk=pk)
    error = connector_actions.verify_channel(channel)
    if error is None:
        messages.success(request, _("Connection OK: %(name)s answered.") % {"name": channel.name})
    else:
        messages.error(request, _("Connection failed: %(error)s") % {"error": error})
    if request.POST.get("next") == "list":
        return redirect("settings:channels")
    return redirect("settings:channel-edit", pk=pk)


@admin_only
@require_POST
def channel_pause(request, pk):
    channel = actions.pause_channel(request.user, get_object_or_404(Channel, pk=pk).pk)
    messages.success(request, _("%(name)s is paused: it no longer listens.") % {"name": channel.name})
    return redirect("settings:channels")


@admin_only
@require_POST
def channel_resume(request, pk):
    channel = actions.resume_channel(request.user, get_object_or_404(Channel, pk=pk).pk)
    messages.success(request, _("%(name)s listens again.") % {"name": channel.name})
    return redirect("settings:channels")


# ------------------------------------------------------------------ teams


@admin_only
@GET_POST
def teams(request):
    form = forms.TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = actions.create_team(request.user, form.cleaned_data["name"])
        messages.success(request, _("Team %(name)s created.") % {"name": team.name})
        return redirect("settings:teams")
    listed = Team.objects.prefetch_related("agents__user").order_by("name")
    return _page(request, "teams.html", {"form": form, "teams": listed}, "teams")


@admin_only
@GET_POST
def team_edit(request, pk):
    team = get_object_or_404(Team, pk=pk)
    form = forms.TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        actions.rename_team(request.user, pk, form.cleaned_data["name"])
        messages.success(request, _("Team renamed."))
        return redirect("settings:teams")
    team.refresh_from_db()
    return _page(request, "team_form.html", {"form": form, "team": team}, "teams")


# ------------------------------------------------------------------ agents


@admin_only
@require_GET
def agents(request):
    profiles = AgentProfile.objects.select_related("user").prefetch_related("teams").order_by("-user__is_active", "user__username")
    return _page(request, "agents.html", {"profiles": profiles}, "agents")


@admin_only
@GET_POST
def agent_invite(request):
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        generated = not data["password"]
        password = data["password"] or secrets.token_urlsafe(12)
        profile = actions.invite_agent(
            request.user, username=data["username"], password=password, **form.values()
        )
        response = _page(
            request,
            "agent_invited.html",
            {"profile": profile, "password": password if generated else None, "login_url": request.build_absolute_uri(reverse("login"))},
            "agents",
        )
        add_never_cache_headers(response)  # the password is shown this once
        return response
    return _page(request, "agent_form.html", {"form": form, "inviting": True}, "agents")


@admin_only
@GET_POST
def agent_edit(request, user_id):
    profile = get_object_or_404(AgentProfile.objects.select_related("user"), user_id=user_id)
    form = forms.AgentForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_agent(request.user, user_id, **form.values())
        except actions.SettingsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(user)s saved.") % {"user": profile.user.username})
            return redirect("settings:agents")
    return _page(request, "agent_form.html", {"form": form, "profile": profile}, "agents")


@admin_only
@require_POST
def agent_deactivate(request, user_id):
    profile = get_object_or_404(AgentProfile, user_id=user_id)
    try:
        actions.deactivate_agent(request.user, profile.user_id)
    except actions.SettingsError as error:
        _fail(request, error)
    else:
        messages.success(request, _("%(user)s can no longer log in; their open conversations went back to the queue.") % {"user": profile.user.username})
    return redirect("settings:agents")


@admin_only
@require_POST
def agent_reactivate(request, user_id):
    profile = get_object_or_404(AgentProfile, user_id=user_id)
    actions.reactivate_agent(request.user, profile.user_id)
    messages.success(request, _("%(user)s can log in again.") % {"user": profile.user.username})
    return redirect("settings:agents")


# ------------------------------------------------------------------ SLA policies


def _move_direction(request):
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    return direction


def _duration(value) -> str:
    """2:00:00 → "2 h", 1 day 0:30 → "1 d 30 min"; None → "—"."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts)


@admin_only
@require_GET
def sla_policies(request):
    ordered = SLAPolicy.objects.filter(is_default=False).select_related("team", "channel", "calendar", "breach_escalate_to")
    default = SLAPolicy.objects.filter(is_default=True).select_related("calendar", "breach_escalate_to").first()
    ordered = list(ordered)
    for policy in [*ordered, *([default] if default else [])]:
        policy.priority_label = _priority_label(policy.priority)
        policy.targets_label = f"{_duration(policy.first_response_target)} / {_duration(policy.next_response_target)}"
        policy.resolution_label = _duration(policy.resolution_target)
    return _page(request, "sla_policies.html", {"policies": ordered, "default": default}, "sla")


@admin_only
@GET_POST
def sla_policy_form(request, pk=None):
    policy = get_object_or_404(SLAPolicy, pk=pk) if pk else None
    form = forms.SLAPolicyForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        actions.save_sla_policy(request.user, pk, form.values())
        messages.success(request, _("SLA policy saved."))
        return redirect("settings:sla")
    return _page(request, "sla_policy_form.html", {"form": form, "policy": policy}, "sla")


@admin_only
@require_POST
def sla_policy_move(request, pk):
    get_object_or_404(SLAPolicy, pk=pk, is_default=False)
    actions.move_sla_policy(request.user, pk, _move_direction(request))
    return redirect("settings:sla")


def _deletion(model, section, consequence, delete, done, name="name"):
    """The view that deletes one setting. A GET only asks: the lists link here, and only
    the POST of the page it renders deletes (with `delete`), so no single click loses a
    setting. `section` is also the name of the list to go back to."""

    @admin_only
    @GET_POST
    def view(request, pk):
        doomed = get_object_or_404(model, pk=pk)
        if request.method == "GET":
            context = {
                "section": section,
                "name": getattr(doomed, name),
                "consequence": consequence,
                "cancel_url": reverse(f"settings:{section}"),
            }
            return render(request, "settings/confirm_delete.html", context)
        try:
            delete(request.user, pk)
        except actions.SettingsError as error:
            _fail(request, error)
        else:
            messages.success(request, done)
        return redirect(f"settings:{section}")

    return view


sla_policy_delete = _deletion(
    SLAPolicy,
    "sla",
    gettext_lazy("Conversations it covers follow the next policy that matches them."),
    actions.delete_sla_policy,
    gettext_lazy("SLA policy deleted."),
)


# ------------------------------------------------------------------ calendars


@admin_only
@require_GET
def calendars(request):
    listed = BusinessCalendar.objects.order_by("name", "pk")
    rows = [(calendar, [(forms.WEEKDAYS[d], forms.format_ranges(calendar.hours.get(str(d)))) for d in range(7)]) for calendar in listed]
    return _page(request, "calendars.html", {"rows": rows}, "calendars")


@admin_only
@GET_POST
def calendar_form(request, pk=None):
    calendar = get_object_or_404(BusinessCalendar, pk=pk) if pk else None
    form = forms.CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        actions.save_calendar(request.user, pk, form.values())
        messages.success(request, _("Calendar saved."))
        return redirect("settings:calendars")
    return _page(request, "calendar_form.html", {"form": form, "calendar": calendar}, "calendars")


calendar_delete = _deletion(
    BusinessCalendar,
    "calendars",
    gettext_lazy("Policies that use it will count 24/7."),
    actions.delete_calendar,
    gettext_lazy("Calendar deleted; policies that used it now count 24/7."),
)


# ------------------------------------------------------------------ routing rules


def _priority_label(value):
    return Priority(value).label if value in Priority.values else value


def _listed_rules():
    listed = list(RoutingRule.objects.select_related("channel", "contact_label", "set_team", "assign_to").prefetch_related("add_labels"))
    for rule in listed:
        rule.set_priority_label = _priority_label(rule.set_priority)
    return listed


@admin_only
@require_GET
def routing_rules(request):
    return _page(request, "routing_rules.html", {"rules": _listed_rules(), "preview_form": forms.PreviewForm()}, "rules")


@admin_only
@GET_POST
def routing_rule_form(request, pk=None):
    rule = get_object_or_404(RoutingRule, pk=pk) if pk else None
    form = forms.RoutingRuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        values, labels = form.values()
        actions.save_routing_rule(request.user, pk, values, labels)
        messages.success(request, _("Routing rule saved."))
        return redirect("settings:rules")
    return _page(request, "routing_rule_form.html", {"form": form, "rule": rule}, "rules")


@admin_only
@require_POST
def routing_rule_move(request, pk):
    get_object_or_404(RoutingRule, pk=pk)
    actions.move_routing_rule(request.user, pk, _move_direction(request))
    return redirect("settings:rules")


routing_rule_delete = _deletion(
    RoutingRule,
    "rules",
    gettext_lazy("New conversations will no longer be routed by it."),
    actions.delete_routing_rule,
    gettext_lazy("Routing rule deleted."),
)


# A rule's conditions (attribute names), to say why a rule did not fire.
_CONDITION_FIELDS = ["channel_id", "keywords", "pattern", "language", "sentiment", "min_followers", "verified_only", "contact_label_id", "visibility"]


def _condition_labels():
    return {
        "channel_id": gettext_lazy("channel"),
        "keywords": gettext_lazy("words"),
        "pattern": gettext_lazy("regular expression"),
        "language": gettext_lazy("language"),
        "sentiment": gettext_lazy("sentiment"),
        "min_followers": gettext_lazy("followers"),
        "verified_only": gettext_lazy("verified"),
        "contact_label_id": gettext_lazy("author's label"),
        "visibility": gettext_lazy("visibility"),
    }


@dataclass
class RuleTrial:
    rule: RoutingRule
    fired: bool
    failed: list = field(default_factory=list)


@dataclass
class Preview:
    language: str
    sentiment: analysis.Sentiment
    trials: list
    team: Team | None = None
    team_reason: str = ""
    priority: int = Priority.NORMAL
    priority_reason: str = ""
    labels: list = field(default_factory=list)
    agent: object = None


def _failed_conditions(rule, facts) -> list[str]:
    """Each condition tried alone, with agents.rules.matches itself, to say which failed."""
    labels = _condition_labels()
    failed = []
    for name in _CONDITION_FIELDS:
        alone = RoutingRule(**{name: getattr(rule, name)})
        if not matches(alone, facts):
            failed.append(labels[name])
    return failed


def preview_routing(data, rules) -> Preview:
    """What routing would do with a sample message: the same analysis and the same
    agents.rules.decide as agents.routing, over `rules` (the listed ones, in order); the
    channel's default team catches the rest. Reads only."""
    hint = data.get("language") or ""
    language, feeling = analysis.analyse(data["text"], hint=hint)
    language = language or hint
    channel = data.get("channel")
    followers = data.get("followers") or 0
    verified = bool(data.get("verified"))
    facts = Facts(
        channel_id=channel.pk if channel else 0,
        text=data["text"],
        language=language,
        sentiment=feeling.label,
        followers=followers,
        verified=verified,
        public=not data.get("private"),
        contact_label_ids=frozenset(label.pk for label in data.get("contact_labels") or []),
    )
    enabled = [rule for rule in rules if rule.enabled]
    decision = decide(enabled, facts, Priority.NORMAL)
    result = Preview(language=language, sentiment=feeling, trials=[], priority=decision.priority, labels=decision.labels)
    for rule in enabled:
        fired = rule in decision.fired
        result.trials.append(RuleTrial(rule, fired, [] if fired else _failed_conditions(rule, facts)))
    if decision.team_rule:
        result.team, result.team_reason = decision.team_rule.set_team, decision.team_rule.name
    elif channel is not None and channel.default_team_id:
        result.team, result.team_reason = channel.default_team, _("the channel's default team")
    if decision.opinion_leader:
        result.priority_reason = _("a negative message from an opinion leader")
    elif decision.priority_rule:
        result.priority_reason = decision.priority_rule.name
    result.agent = next((rule.assign_to for rule in decision.fired if rule.assign_to_id), None)
    return result


@admin_only
@require_POST
def routing_preview(request):
    form = forms.PreviewForm(request.POST)
    rules = _listed_rules()
    preview = preview_routing(form.cleaned_data, rules) if form.is_valid() else None
    priority_label = _priority_label(preview.priority) if preview else ""
    sentiments = dict(RoutingRule._meta.get_field("sentiment").choices)
    sentiment_label = sentiments.get(preview.sentiment.label, preview.sentiment.label) if preview else ""
    context = {"sentiment_label": sentiment_label, "rules": rules, "preview_form": form, "preview": preview, "priority_label": priority_label}
    return _page(request, "routing_rules.html", context, "rules")


# ------------------------------------------------------------------ canned responses


@admin_only
@require_GET
def canned_responses(request):
    return _page(request, "canned_responses.html", {"responses": CannedResponse.objects.all()}, "canned")


def _edit(request, pk, *, model, form_class, save, saved, section, template, name):
    """Create (no pk) or edit one setting with a plain model form, then back to its list."""
    instance = get_object_or_404(model, pk=pk) if pk else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save(request.user, pk, form.values())
        messages.success(request, saved)
        return redirect(f"settings:{section}")
    if instance is not None:
        instance.refresh_from_db()  # a failed form must not show its own unsaved edits as the name
    return _page(request, template, {"form": form, name: instance}, section)


@admin_only
@GET_POST
def canned_response_form(request, pk=None):
    return _edit(
        request, pk, model=CannedResponse, form_class=forms.CannedResponseForm, save=actions.save_canned_response,
        saved=_("Canned response saved."), section="canned", template="canned_response_form.html", name="canned",
    )  # fmt: skip


canned_response_delete = _deletion(
    CannedResponse,
    "canned",
    gettext_lazy("Agents will no longer find it in the composer."),
    actions.delete_canned_response,
    gettext_lazy("Canned response deleted."),
    name="title",
)


# ------------------------------------------------------------------ labels


@admin_only
@require_GET
def labels(request):
    listed = Label.objects.annotate(used=Count("conversations")).order_by("name")
    return _page(request, "labels.html", {"labels": listed}, "labels")


@admin_only
@GET_POST
def label_form(request, pk=None):
    return _edit(
        request, pk, model=Label, form_class=forms.LabelForm, save=actions.save_label,
        saved=_("Label saved."), section="labels", template="label_form.html", name="label",
    )  # fmt: skip


label_delete = _deletion(
    Label,
    "labels",
    gettext_lazy("It comes off every conversation that carries it, and off the rules that add it."),
    actions.delete_label,
    gettext_lazy("Label deleted."),
)


# ------------------------------------------------------------------ audit log


def _action_labels():
    return {
        "created": gettext_lazy("created"),
        "changed": gettext_lazy("changed"),
        "deleted": gettext_lazy("deleted"),
        "renamed": gettext_lazy("renamed"),
        "moved": gettext_lazy("moved"),
        "paused": gettext_lazy("paused"),
        "resumed": gettext_lazy("resumed"),
        "invited": gettext_lazy("invited"),
        "deactivated": gettext_lazy("deactivated"),
        "reactivated": gettext_lazy("reactivated"),
        "teams changed": gettext_lazy("teams changed"),
    }


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _pair(values):
    if isinstance(values, list) and len(values) == 2:
        return _shown(values[0]), _shown(values[1])
    return "", _shown(values)


@admin_only
@require_GET
def audit_log(request):
    areas = _areas()
    area = request.GET.get("area", "")
    changes = SettingsChange.objects.select_related("actor").order_by("-created_at", "-pk")
    if area in dict(areas):
        changes = changes.filter(area=area)
    else:
        area = ""
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    labels, actions_shown = dict(areas), _action_labels()
    for change in page.object_list:
        change.area_label = labels.get(change.area, change.area)
        change.action_label = actions_shown.get(change.action, change.action)
        change.rows = [(name, *_pair(values)) for name, values in (change.changes or {}).items()]
    return _page(request, "audit_log.html", {"page": page, "areas": areas, "area": area}, "audit")
