"""The supervisor dashboard under /supervisor/: what is happening now, how a period went,
live updates, CSV exports, and moving work between agents and teams.

Views are thin: parse the filters, ask agents.metrics, render; the actions are
agents.actions. Supervisors and admins only.
"""

import csv
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django import forms
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from agents import actions, metrics
from agents.access import role_required
from agents.models import AgentProfile, Presence, Role, Team
from connectors.models import Channel, ChannelKind
from inbox.actions import InboxError
from inbox.models import Conversation
from socialcare.parallel_queries import gather

supervisor_only = role_required(Role.SUPERVISOR)

PERIODS = [
    ("today", gettext_lazy("Today")),
    ("7d", gettext_lazy("Last 7 days")),
    ("30d", gettext_lazy("Last 30 days")),
    ("custom", gettext_lazy("From … to")),
]
BASES = [("calendar", gettext_lazy("Calendar time")), ("business", gettext_lazy("Business time"))]
DEFAULT_PERIOD = "today"


class FilterForm(forms.Form):
    """The period, the filters and the time basis, all from the query string."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), queryset=Team.objects.all(), required=False, empty_label=gettext_lazy("All teams")
    )
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Channel"),
        queryset=Channel.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All channels"),
    )
    network = forms.ChoiceField(
        label=gettext_lazy("Network"), choices=[("", gettext_lazy("All networks")), *ChannelKind.choices], required=False
    )
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Agent"), queryset=metrics.agents_for_choice(), required=False, empty_label=gettext_lazy("All agents")
    )
    time = forms.ChoiceField(label=gettext_lazy("Time"), choices=BASES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two are added by name.
        self.fields["from"] = forms.DateField(label=pgettext_lazy("start of a date range", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(label=pgettext_lazy("end of a date range", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["agent"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            first, last = data.get("from"), data.get("to")
            if not first or not last:
                raise forms.ValidationError(_("Give both days of the period."))
            if last < first:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (last - first).days >= metrics.LONGEST_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("A period is at most %(days)d days.") % {"days": metrics.LONGEST_PERIOD_DAYS}
                )
        return data


@dataclass
class Selection:
    form: FilterForm
    period: metrics.Period
    filters: metrics.Filters
    basis: str
    query: str  # the query string that reproduces this selection


def _selection(request) -> Selection:
    """What the supervisor asked for; anything invalid falls back to its default (and the
    form says why)."""
    zone = metrics.zone_of(getattr(getattr(request.user, "agent_profile", None), "time_zone", None))
    form = FilterForm(request.GET)
    form.is_valid()  # the fields that are valid apply; the form lists what was not
    data = form.cleaned_data
    name = data.get("period") or DEFAULT_PERIOD
    period = None
    if name == "custom" and data.get("from") and data.get("to"):
        try:
            period = metrics.Period(data["from"], data["to"], zone)
        except ValueError:
            period = None
    if period is None:
        period = metrics.Period.named(name if name != "custom" else DEFAULT_PERIOD, zone)
    filters = metrics.Filters(
        team_id=data["team"].pk if data.get("team") else None,
        channel_id=data["channel"].pk if data.get("channel") else None,
        network=data.get("network") or "",
        agent_id=data["agent"].pk if data.get("agent") else None,
    )
    basis = data.get("time") or "calendar"
    query = urlencode({key: value for key, value in request.GET.items() if key in form.fields and value})
    return Selection(form, period, filters, basis, query)


def _menus(form: FilterForm) -> dict:
    """Each menu of the filter form as (value, label, selected) rows. Rendering them in the
    page's own loop is several times faster than Django's per-option widget templates."""
    menus = {}
    for name in ("period", "team", "channel", "network", "agent", "time"):
        bound = form[name]
        current = str(bound.value() or "")
        menus[name] = [(str(value), label, str(value) == current) for value, label in bound.field.choices]
    return menus


def _url_for_each(url_name):
    """id → the URL `url_name` takes with that id, reversed once: a reverse() per row of
    the Now section cost more than the row's share of the queries."""
    marker = 987654321
    return reverse(url_name, args=[marker]).replace(str(marker), "{}").format


def _now_queries(filters: metrics.Filters) -> dict:
    return {
        "attention": metrics.attention,
        "profiles": lambda: metrics.agent_profiles(filters),
        "breached": lambda: metrics.breached_conversations(filters),
        "at_risk": lambda: metrics.at_risk_conversations(filters),
        "crises": metrics.active_crises,
        "assignable": lambda: list(metrics.agents_for_choice()),
        "teams": lambda: list(Team.objects.all()),
    }


def _now_context(selection: Selection, found: dict) -> dict:
    """The Now section from the answers to _now_queries."""
    filters, seen = selection.filters, found["attention"]
    backlog = metrics.team_backlog(filters, seen, teams=found["teams"])
    agents = metrics.agent_load(filters, seen=seen, profiles=found["profiles"])
    presence_url, conversation_url = _url_for_each("dashboard:presence"), _url_for_each("inbox:conversation")
    for agent in agents:
        agent.presence_url = presence_url(agent.user.pk)
    for conversation in (*found["breached"], *found["at_risk"]):
        conversation.url = conversation_url(conversation.pk)
    return {
        "counts": metrics.total(row.counts for row in backlog),
        "backlog": backlog,
        "agents": agents,
        "breached": found["breached"],
        "at_risk": found["at_risk"],
        "crises": found["crises"],
        "assignable_options": format_html_join(
            "", '<option value="{}">{}</option>', ((user.pk, _name(user)) for user in found["assignable"])
        ),
        "teams": found["teams"],
        "next_url": _dashboard_url(selection),
    }


def _dashboard_url(selection: Selection) -> str:
    url = reverse("dashboard:home")
    return f"{url}?{selection.query}" if selection.query else url


# --- Charts: inline SVG drawn from numbers the server computed ----------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_TOP = 640, 180, 36, 22, 8
MOST_LABELS = 10


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


def _axis(names: list[str]):
    """Each category's slot width, and the labels under them (at most MOST_LABELS)."""
    plot = CHART_WIDTH - CHART_LEFT
    slot = plot / max(len(names), 1)
    every = max(1, -(-len(names) // MOST_LABELS))
    labels = [{"x": CHART_LEFT + slot * (n + 0.5), "text": name} for n, name in enumerate(names) if n % every == 0]
    return slot, labels


def _day_names(days: list[date]) -> list[str]:
    return [formats.date_format(day, "j M") for day in days]


def _n(number) -> str:
    return f"{number:.1f}"


def _chart(bars, labels, ticks, title_id):
    """The chart as inline SVG. Every value is a number or a translated label, and each
    goes through format_html, so nothing in it can become markup."""
    base = _n(CHART_HEIGHT - CHART_BOTTOM)
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="tick" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        ((CHART_LEFT, CHART_WIDTH, _n(t["y"]), _n(t["y"]), CHART_LEFT - 4, _n(t["y"]), t["text"]) for t in ticks),
    )
    rects = format_html_join(
        "",
        '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        ((b.css, _n(b.x), _n(b.y), _n(b.width), _n(b.height), b.title) for b in bars),
    )
    days = format_html_join(
        "",
        '<text class="day" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((_n(label["x"]), CHART_HEIGHT - 6, label["text"]) for label in labels),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" preserveAspectRatio="xMinYMin meet">'
        '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>{}{}{}</svg>',
        CHART_WIDTH, CHART_HEIGHT, title_id, CHART_LEFT, CHART_WIDTH, base, base, grid, rects, days,
    )


def _ticks(top, unit=""):
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    return [
        {"y": CHART_HEIGHT - CHART_BOTTOM - plot_height * share, "text": f"{round(top * share)}{unit}"}
        for share in (0, 0.5, 1)
    ]


def _nice_top(value: int) -> int:
    """The chart's top: the first of 2, 4, 10, 20, 40, 100, … at or above `value`, so that
    the middle tick is a whole number and the scale reads at a glance."""
    scale = 1
    while True:
        for top in (2 * scale, 4 * scale, 10 * scale):
            if top >= value:
                return top
        scale *= 10


def _paired_chart(names: list[str], pairs: list[tuple[int, int]], series, title_id):
    """Two bars per category, side by side; `series`: ((css class, word), (css class, word))."""
    slot, labels = _axis(names)
    top = _nice_top(max(max(pair) for pair in pairs))
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    bars = []
    for n, (name, pair) in enumerate(zip(names, pairs)):
        for offset, value, (css, word) in zip((0.1, 0.5), pair, series):
            height = plot_height * value / top
            bars.append(
                Bar(
                    CHART_LEFT + slot * n + slot * offset,
                    CHART_HEIGHT - CHART_BOTTOM - height,
                    slot * 0.4,
                    height,
                    css,
                    f"{name} · {word}: {value}",
                )
            )
    return _chart(bars, labels, _ticks(top), title_id)


def volume_chart(volume: metrics.Volume):
    """Messages in and out per day, side by side."""
    names = _day_names([day for day, _in, _out in volume.days])
    pairs = [(inbound, outbound) for _day, inbound, outbound in volume.days]
    return _paired_chart(names, pairs, (("in", _("in")), ("out", _("out"))), "volume-title")


def _wait_name(bucket: metrics.WaitBucket, below: int) -> str:
    """"≤ 15 min", "≤ 2 h", "> 24 h": minutes under an hour, hours from there."""
    seconds = bucket.up_to or below
    amount = f"{seconds // 60} min" if seconds < 3600 else f"{seconds // 3600} h"
    return f"≤ {amount}" if bucket.up_to else f"> {amount}"


def wait_chart(buckets: list[metrics.WaitBucket]):
    """How long customers waited for each response, first and next responses side by side."""
    names = [_wait_name(bucket, metrics.WAIT_LIMITS[-1]) for bucket in buckets]
    pairs = [(bucket.first, bucket.next) for bucket in buckets]
    series = (("first", _("first responses")), ("next", _("next responses")))
    return _paired_chart(names, pairs, series, "wait-title")


def sentiment_chart(trend: list[metrics.SentimentDay]):
    """Each day's analysed customer messages as one bar split by sentiment (100 %)."""
    day_names = _day_names([d.day for d in trend])
    slot, labels = _axis(day_names)
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    names = {"negative": _("negative"), "neutral": _("neutral"), "positive": _("positive")}
    bars = []
    for n, (day, day_name) in enumerate(zip(trend, day_names)):
        bottom = CHART_HEIGHT - CHART_BOTTOM
        for label in metrics.SENTIMENTS:
            share = day.share(label)
            if not share:
                continue
            height = plot_height * share / 100
            bottom -= height
            bars.append(
                Bar(
                    CHART_LEFT + slot * n + slot * 0.15,
                    bottom,
                    slot * 0.7,
                    height,
                    label,
                    f"{day_name}: {share:.0f}% {names[label]} ({getattr(day, label)})",
                )
            )
    return _chart(bars, labels, _ticks(100, "%"), "sentiment-title")


def _period_context(selection: Selection, found: dict) -> dict:
    """The period section from the answers to metrics.period_queries."""
    period, responses, trend = selection.period, found["responses"], found["trend"]
    volume = metrics.volume_of(trend, found["replies"].by_day)
    totals = metrics.SentimentDay(period.last)
    for day in trend:
        for name in (*metrics.SENTIMENTS, "unanalysed"):
            setattr(totals, name, getattr(totals, name) + getattr(day, name))
    return {
        "period": period,
        "responses": responses,
        "response_rows": [
            (_("First responses"), responses.first),
            (_("Next responses"), responses.next),
            (_("All responses"), responses.all),
        ],
        "day_rows": [(day, inbound, outbound, feeling) for (day, inbound, outbound), feeling in zip(volume.days, trend)],
        "volume": volume,
        "resolution": found["resolution"],
        "incidents": found["incidents"],
        "sentiment": trend,
        "sentiment_total": totals,
        "volume_chart": volume_chart(volume),
        "sentiment_chart": sentiment_chart(trend),
        "wait_chart": wait_chart(found["replies"].waits),
    }


# --- Pages ---------------------------------------------------------------------------------


@supervisor_only
@require_GET
def home(request):
    selection = _selection(request)
    with timezone.override(selection.period.zone):
        # The period's aggregates take longest: started first, they set the pace while the
        # short Now queries fill the gaps.
        found = gather(
            {
                **metrics.period_queries(selection.period, selection.filters, selection.basis),
                **_now_queries(selection.filters),
                "menus": lambda: _menus(selection.form),
            }
        )
        context = {
            "form": selection.form,
            "menus": found["menus"],
            "selection": selection,
            "query": selection.query,
            **_now_context(selection, found),
            **_period_context(selection, found),
        }
        return render(request, "dashboard/home.html", context)


@supervisor_only
@require_GET
def now(request):
    """The Now section alone, for the live page to swap in when something happened."""
    selection = _selection(request)
    with timezone.override(selection.period.zone):
        found = gather(_now_queries(selection.filters))
        return render(request, "dashboard/_now.html", _now_context(selection, found))


# --- Actions -------------------------------------------------------------------------------


def _back(request):
    """Back to the dashboard as the supervisor was looking at it."""
    target = request.POST.get("next", "")
    home_url = reverse("dashboard:home")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(target if safe and target.startswith(home_url) else home_url)


class ReassignForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=metrics.agents_for_choice(), required=False)


def _ids(values) -> list[int]:
    """Distinct positive ids, or [] when any value is not one."""
    try:
        ids = {int(value) for value in values}
    except ValueError:
        return []
    return sorted(ids) if all(i > 0 for i in ids) else []


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(choices=[(Presence.ONLINE, Presence.ONLINE.label), (Presence.AWAY, Presence.AWAY.label)])


def _name(user):
    return user.get_full_name() or user.get_username()


@supervisor_only
@require_POST
def reassign(request):
    """Hand the chosen conversations to an agent, or back to their team's queue."""
    form = ReassignForm(request.POST)
    ids = _ids(request.POST.getlist("conversation"))
    if not form.is_valid() or not ids:
        return HttpResponseBadRequest(_("Choose conversations and an agent."))
    if Conversation.objects.filter(pk__in=ids).count() != len(ids):
        raise Http404
    agent = form.cleaned_data["agent"]
    moved = []
    for conversation_id in ids:
        try:
            actions.assign_to(conversation_id, agent.pk if agent else None, request.user)
        except InboxError as error:
            messages.error(request, f"#{conversation_id}: {error}")
        else:
            moved.append(f"#{conversation_id}")
    if moved and agent:
        messages.success(request, _("%(ids)s now go to %(name)s.") % {"ids": ", ".join(moved), "name": _name(agent)})
    elif moved:
        messages.success(request, _("%(ids)s are back in their team's queue.") % {"ids": ", ".join(moved)})
    return _back(request)


class MoveForm(forms.Form):
    agent = forms.ModelMultipleChoiceField(
        queryset=AgentProfile.objects.select_related("user").order_by("user__username"), to_field_name="user_id"
    )
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.all(), required=False)


@supervisor_only
@require_POST
def move_agents(request):
    """The ticked agents now work for the chosen teams (none: no team)."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Tick agents and choose existing teams."))
    teams, profiles = form.cleaned_data["teams"], form.cleaned_data["agent"]
    for profile in profiles:
        actions.move_agent(profile.user_id, [team.pk for team in teams], request.user)
    names = ", ".join(_name(profile.user) for profile in profiles)
    teams_text = ", ".join(team.name for team in teams) or _("no team")
    messages.success(request, _("%(names)s now work for: %(teams)s.") % {"names": names, "teams": teams_text})
    return _back(request)


@supervisor_only
@require_POST
def set_presence(request, user_id):
    """Set an agent away (no new work) or online again."""
    profile = get_object_or_404(AgentProfile.objects.select_related("user"), user_id=user_id)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Presence is online or away."))
    try:
        actions.set_presence(user_id, form.cleaned_data["presence"])
    except InboxError as error:
        messages.error(request, str(error))
    else:
        state = Presence(form.cleaned_data["presence"]).label
        messages.success(request, _("%(name)s is now %(state)s.") % {"name": _name(profile.user), "state": state})
    return _back(request)


# --- CSV exports ---------------------------------------------------------------------------

CHUNK = 1000
# A cell a spreadsheet would run as a formula starts with one of these; network text may.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Line:
    """csv.writer target that hands back each line instead of storing it."""

    def write(self, value):
        return value


def _stream(request, filename, header, rows):
    """Stream rows as CSV without holding them: asynchronously under ASGI (where Django
    would otherwise read a synchronous iterator to the end first), synchronously under WSGI."""
    writer = csv.writer(_Line())

    def chunks():
        yield writer.writerow(header)
        for chunk in rows:
            yield "".join(writer.writerow(row) for row in chunk)

    if isinstance(request, ASGIRequest):
        content = _async_chunks(chunks())
    else:
        content = chunks()
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


async def _async_chunks(iterator):
    take = sync_to_async(lambda: next(iterator, None))  # the database is read in the request's thread
    while (part := await take()) is not None:
        yield part


def _keyset(queryset, size=CHUNK):
    """The queryset's rows in primary-key order, one query per chunk (no cursor held open
    between chunks)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _when(moment, zone):
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else ""


def _filename(kind, selection):
    return f"{kind}-{selection.period.first.isoformat()}-{selection.period.last.isoformat()}-{selection.basis}.csv"


@supervisor_only
@require_GET
def export_conversations(request):
    """One row per conversation opened in the period."""
    selection = _selection(request)
    zone, basis = selection.period.zone, selection.basis
    header = [
        "conversation_id",
        "url",
        "opened_at",
        "channel",
        "network",
        "team",
        "assignee",
        "customer_handle",
        "status",
        "priority",
        "sla_state",
        "escalation_level",
        f"first_response_seconds_{basis}",
        f"last_response_seconds_{basis}",
        "resolved_at",
        "resolution_seconds_calendar",
    ]
    conversations = metrics.conversations_opened(selection.period, selection.filters)
    base, conversation_url = request.build_absolute_uri("/")[:-1], _url_for_each("inbox:conversation")

    def rows():
        for chunk in _keyset(conversations):
            yield [
                [
                    c.pk,
                    base + conversation_url(c.pk),
                    _when(c.created_at, zone),
                    _text(c.channel.name),
                    c.channel.kind,
                    _text(c.team.name if c.team else ""),
                    _text(c.assignee.get_username() if c.assignee else ""),
                    _text(c.contact.handle),
                    c.status,
                    c.priority,
                    c.sla_state,
                    c.escalation_level,
                    _blank(c.first_response_business_seconds if basis == "business" else c.first_response_seconds),
                    _blank(c.last_response_business_seconds if basis == "business" else c.last_response_seconds),
                    _when(c.resolved_at, zone),
                    _blank(round((c.resolved_at - c.started).total_seconds()) if c.resolved_at else None),
                ]
                for c in chunk
            ]

    return _stream(request, _filename("conversations", selection), header, rows())


def _blank(value):
    return "" if value is None else value


@supervisor_only
@require_GET
def export_responses(request):
    """One row per response recorded in the period."""
    selection = _selection(request)
    zone, basis = selection.period.zone, selection.basis
    header = [
        "message_id",
        "conversation_id",
        "url",
        "answered_at",
        "agent",
        "team",
        "channel",
        "network",
        "kind",
        f"response_seconds_{basis}",
        "on_time",
    ]
    responses = metrics.response_export_rows(selection.period, selection.filters)
    base, conversation_url = request.build_absolute_uri("/")[:-1], _url_for_each("inbox:conversation")

    def rows():
        for chunk in _keyset(responses):
            yield [
                [
                    r.pk,
                    r.conversation_id,
                    base + conversation_url(r.conversation_id),
                    _when(r.sent_at, zone),
                    _text(r.author_user.get_username() if r.author_user else ""),
                    _text(r.conversation.team.name if r.conversation.team else ""),
                    _text(r.channel.name),
                    r.channel.kind,
                    "first" if r.response_first else "next",
                    _blank(r.response_business_seconds if basis == "business" else r.response_seconds),
                    "yes" if r.response_on_time else "no",
                ]
                for r in chunk
            ]

    return _stream(request, _filename("responses", selection), header, rows())
