"""Forms of the admin settings screens: they validate and hand clean values to
`agents.settings_actions`; none of them saves anything itself."""

from __future__ import annotations

import re
import string
from datetime import date, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from agents.models import AgentProfile, Role, RoutingRule, Team
from connectors.models import Channel, ChannelKind
from inbox import business_time
from inbox.models import BusinessCalendar, CannedResponse, Label, Priority, SLAPolicy

WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
LANGUAGE_CHOICES = [("", _("Any language")), *settings.LANGUAGES]
PRIORITY_CHOICES = [("", "—"), *Priority.choices]


def split_list(text: str) -> list[str]:
    """Comma- or newline-separated words → a clean list."""
    return [item.strip() for item in re.split(r"[,\n]", text or "") if item.strip()]


def join_list(values) -> str:
    if isinstance(values, str):
        return values
    return ", ".join(str(v) for v in values or [])


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    return sorted(available_timezones())


def validate_time_zone(value):
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise forms.ValidationError(_("“%(zone)s” is not a time zone; use a name like Europe/Madrid."), params={"zone": value}) from error


@lru_cache(maxsize=1)
def holiday_countries() -> list[tuple[str, str]]:
    """(code, "code — Name") for every country the `holidays` package knows."""
    from holidays import registry

    names = {entry[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0]) for entry in registry.COUNTRIES.values()}
    return sorted(((code, f"{code} — {name}") for code, name in names.items()), key=lambda choice: choice[1])


class StyledMixin:
    """Inputs wide enough to read, and the browser's autocomplete off where it would
    fill a colleague's data in."""

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.TextInput, forms.NumberInput, forms.URLInput, forms.EmailInput, forms.Textarea)):
                widget.attrs.setdefault("class", "wide")


# ------------------------------------------------------------------ channels


def _text(label, help_text="", required=False, **kwargs):
    return forms.CharField(label=label, help_text=help_text, required=required, **kwargs)


def _list(label, help_text=""):
    return forms.CharField(label=label, help_text=help_text or _("Separate with commas."), required=False)


def _flag(label, help_text=""):
    return forms.BooleanField(label=label, help_text=help_text, required=False)


class ChannelForm(StyledMixin, forms.Form):
    """What every channel has; subclasses add the network's credentials and listening
    settings. Credentials are write-only: never rendered back, empty keeps them."""

    kind = None
    # (key, label, required when creating)
    CREDENTIALS: list[tuple[str, str, bool]] = []
    # form field → (listening key, "text" | "list" | "bool" | "int" | "float")
    LISTENING: dict[str, tuple[str, str]] = {}
    requires_base_url = False

    name = forms.CharField(label=_("Name"), max_length=100)
    api_base_url = forms.URLField(
        label=_("API base URL"), required=False, assume_scheme="https", help_text=_("Empty: the network's own.")
    )
    poll_interval = forms.IntegerField(
        label=_("Poll every (seconds)"), min_value=5, max_value=86400, initial=60
    )
    default_team = forms.ModelChoiceField(
        label=_("Default team"), queryset=Team.objects.all(), required=False,
        help_text=_("Takes every conversation no routing rule sends elsewhere."),
    )
    brand_keywords = _list(_("Brand keywords"), _("Watched for crisis alerts; separate with commas."))
    crisis_window_minutes = forms.IntegerField(
        label=_("Crisis window (minutes)"), min_value=1, max_value=1440, required=False, help_text=_("Empty: the site's default.")
    )
    crisis_factor = forms.FloatField(
        label=_("Crisis factor"), min_value=1.0, max_value=100.0, required=False,
        help_text=_("An alert when negative mentions reach this many times the usual; empty: the site's default."),
    )
    crisis_min_mentions = forms.IntegerField(
        label=_("Crisis minimum mentions"), min_value=1, max_value=100000, required=False,
        help_text=_("Never an alert below this many negative mentions in the window; empty: the site's default."),
    )

    GENERAL = ["name", "api_base_url", "poll_interval", "default_team"]
    CRISIS = ["brand_keywords", "crisis_window_minutes", "crisis_factor", "crisis_min_mentions"]

    def __init__(self, *args, channel: Channel | None = None, **kwargs):
        self.channel = channel
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(channel)
        super().__init__(*args, **kwargs)
        stored = (channel.credentials or {}) if channel is not None else {}
        self.credential_state = {}
        for key, label, required in self.CREDENTIALS:
            is_set = bool(stored.get(key))
            self.credential_state[key] = is_set
            self.fields[f"cred_{key}"] = forms.CharField(
                label=label,
                required=required and channel is None,
                strip=True,
                # render_value=False: the stored secret is never written into the page,
                # not even after a failed submission.
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "class": "wide"}),
                help_text=(_("Set. Leave empty to keep it; type to replace it.") if is_set else _("Not set.")),
            )
            if is_set and not required:  # the ones the channel can work without
                self.fields[f"remove_{key}"] = forms.BooleanField(label=_("Remove the stored %(name)s") % {"name": label}, required=False)
        if self.requires_base_url:
            self.fields["api_base_url"].required = True
            self.fields["api_base_url"].help_text = _("The forum's address, e.g. https://forum.example.com")
        self._style()

    @classmethod
    def initial_from(cls, channel) -> dict:
        listening = channel.listening or {}
        crisis = listening.get("crisis") or {}
        initial = {
            "name": channel.name,
            "api_base_url": channel.api_base_url,
            "poll_interval": channel.poll_interval,
            "default_team": channel.default_team_id,
            "brand_keywords": join_list(listening.get("brand_keywords")),
            "crisis_window_minutes": crisis.get("window_minutes"),
            "crisis_factor": crisis.get("factor"),
            "crisis_min_mentions": crisis.get("min_mentions"),
        }
        for field, (key, kind) in cls.LISTENING.items():
            value = listening.get(key)
            if kind == "list":
                value = join_list(value)
            elif kind == "bool" and value is None:
                value = cls.base_fields[field].initial
            initial[field] = value
        return initial

    # Bound fields grouped for the template's fieldsets.
    def general_fields(self):
        return [self[name] for name in self.GENERAL]

    def listening_fields(self):
        return [self[name] for name in self.LISTENING]

    def credential_rows(self):
        """(secret field, its "remove" checkbox or None) per credential."""
        return [
            (self[f"cred_{key}"], self[f"remove_{key}"] if f"remove_{key}" in self.fields else None)
            for key, _label, _required in self.CREDENTIALS
        ]

    def crisis_fields(self):
        return [self[name] for name in self.CRISIS]

    # Clean values for the actions.
    def channel_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.GENERAL}
        fields["api_base_url"] = fields["api_base_url"] or ""
        return fields

    def listening_values(self) -> dict:
        data = self.cleaned_data
        values = {}
        for field, (key, kind) in self.LISTENING.items():
            value = data.get(field)
            if kind == "list":
                value = split_list(value)
            elif kind == "text":
                value = (value or "").strip()
            elif kind == "bool":
                value = bool(value)
            values[key] = value
        values["brand_keywords"] = split_list(data.get("brand_keywords"))
        crisis = {}
        if data.get("crisis_window_minutes") is not None:
            crisis["window_minutes"] = data["crisis_window_minutes"]
        if data.get("crisis_factor") is not None:
            crisis["factor"] = data["crisis_factor"]
        if data.get("crisis_min_mentions") is not None:
            crisis["min_mentions"] = data["crisis_min_mentions"]
        values["crisis"] = crisis
        return values

    def credential_values(self) -> dict:
        return {key: self.cleaned_data.get(f"cred_{key}", "") for key, _label, _required in self.CREDENTIALS}

    def credentials_to_remove(self) -> list[str]:
        return [key for key, _label, _required in self.CREDENTIALS if self.cleaned_data.get(f"remove_{key}")]


class TwitterChannelForm(ChannelForm):
    kind = ChannelKind.TWITTER
    CREDENTIALS = [
        ("consumer_key", _("API key (consumer key)"), True),
        ("consumer_secret", _("API key secret (consumer secret)"), True),
        ("access_token", _("Access token"), True),
        ("access_token_secret", _("Access token secret"), True),
        ("bearer_token", _("Bearer token (optional)"), False),
    ]
    LISTENING = {
        "user_id": ("user_id", "text"),
        "search_query": ("search_query", "text"),
        "direct_messages": ("direct_messages", "bool"),
    }
    user_id = _text(_("Account user id"), _("The brand account's numeric id; empty: taken from the access token."), max_length=30)
    search_query = _text(_("Search query"), _("Optional recent search for brand keywords, e.g. acme -is:retweet"), max_length=512)
    direct_messages = _flag(_("Read direct messages"))

    def clean_user_id(self):
        value = (self.cleaned_data.get("user_id") or "").strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("The user id is the account's number, not its @handle."))
        return value


class FacebookChannelForm(ChannelForm):
    kind = ChannelKind.FACEBOOK
    CREDENTIALS = [
        ("page_access_token", _("Page access token"), True),
        ("app_secret", _("App secret"), True),
        ("verify_token", _("Webhook verify token"), False),
    ]
    LISTENING = {
        "page_id": ("page_id", "text"),
        "messenger": ("messenger", "bool"),
        "visitor_posts": ("visitor_posts", "bool"),
        "graph_version": ("graph_version", "text"),
    }
    page_id = _text(_("Page id"), required=True, max_length=40)
    messenger = forms.BooleanField(label=_("Read Messenger conversations"), required=False, initial=True)
    visitor_posts = _flag(_("Visitors' posts on the Page become mentions"))
    graph_version = _text(_("Graph API version"), _("Empty: the default (v25.0)."), max_length=10)

    def clean_graph_version(self):
        value = (self.cleaned_data.get("graph_version") or "").strip()
        if value and not re.fullmatch(r"v?\d+\.\d+", value):
            raise forms.ValidationError(_("Write a version like v25.0."))
        return value


class DiscourseChannelForm(ChannelForm):
    kind = ChannelKind.DISCOURSE
    requires_base_url = True
    CREDENTIALS = [
        ("api_key", _("API key"), True),
        ("api_username", _("API username"), True),
        ("webhook_secret", _("Webhook secret"), False),
    ]
    LISTENING = {
        "search_query": ("search_query", "text"),
        "categories": ("categories", "list"),
        "watch_latest": ("watch_latest", "bool"),
    }
    search_query = _text(_("Search query"), _("A Discourse search, e.g. acme status:open"), max_length=512)
    categories = _list(_("Categories"), _("Ids or slugs (support, 5 or support/5), separated with commas."))
    watch_latest = _flag(_("Every new post on the forum"))

    def clean(self):
        data = super().clean()
        if not (data.get("search_query") or "").strip() and not split_list(data.get("categories")) and not data.get("watch_latest"):
            raise forms.ValidationError(_("Listen to something: a search, some categories or every new post."))
        return data


class FeedChannelForm(ChannelForm):
    kind = ChannelKind.FEED
    LISTENING = {"url": ("url", "text"), "keywords": ("keywords", "list")}
    url = forms.URLField(label=_("Feed URL"), required=False, assume_scheme="https", max_length=500)
    keywords = _list(_("Keywords"), _("Only entries containing one of these; empty: every entry. Separate with commas."))

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("api_base_url") and not self.errors:
            self.add_error("url", _("Give the feed's URL."))
        return data


class DemoChannelForm(ChannelForm):
    kind = ChannelKind.DEMO
    LISTENING = {"rate_per_minute": ("rate_per_minute", "float"), "first_batch": ("first_batch", "int")}
    rate_per_minute = forms.FloatField(label=_("Mentions a minute"), min_value=0, max_value=600, required=False)
    first_batch = forms.IntegerField(label=_("Mentions on the first poll"), min_value=0, max_value=100, required=False)


CHANNEL_FORMS = {
    form.kind.value: form
    for form in (TwitterChannelForm, FacebookChannelForm, DiscourseChannelForm, FeedChannelForm, DemoChannelForm)
}


# ------------------------------------------------------------------ teams and agents


class TeamForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]
        labels = {"name": _("Team name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AgentForm(StyledMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=0, max_value=200, initial=5, help_text=_("Most open conversations at once.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, initial="UTC", validators=[validate_time_zone],
        widget=forms.TextInput(attrs={"list": "time-zones"}),
    )

    def __init__(self, *args, profile: AgentProfile | None = None, **kwargs):
        if profile is not None and "initial" not in kwargs:
            user = profile.user
            kwargs["initial"] = {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "role": profile.role,
                "teams": list(profile.teams.all()),
                "capacity": profile.capacity,
                "language": profile.language,
                "time_zone": profile.time_zone,
            }
        super().__init__(*args, **kwargs)
        self._style()

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in AgentForm.base_fields}


class InviteForm(AgentForm):
    username = forms.CharField(
        label=_("Username"), max_length=150,
        validators=[get_user_model().username_validator],
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    password = forms.CharField(
        label=_("Initial password"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Empty: one is made up and shown to you once."),
    )

    field_order = ["username", "first_name", "last_name", "email", "password", "role", "teams", "capacity", "language", "time_zone"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Someone already has this username."))
        return username

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


# ------------------------------------------------------------------ calendars and SLA policies

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")


def parse_ranges(text: str) -> list[tuple[time, time]]:
    """"09:00-13:00, 14:00-18:00" → [(09:00, 13:00), (14:00, 18:00)]; 24:00 ends a day
    and is stored as 00:00, as inbox.business_time expects."""
    ranges = []
    for part in re.split(r"[,;]", text or ""):
        part = part.strip()
        if not part:
            continue
        found = _RANGE.match(part)
        if not found:
            raise forms.ValidationError(_("“%(part)s” is not a range like 09:00-13:00."), params={"part": part})
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise forms.ValidationError(_("“%(part)s” is not a time of day (00:00 to 24:00)."), params={"part": part})
        ranges.append((time(h1, m1), time(0) if h2 == 24 else time(h2, m2)))
    return ranges


def format_ranges(stored) -> str:
    parts = []
    for opens, closes in stored or []:
        parts.append(f"{opens}-{'24:00' if closes == '00:00' else closes}")
    return ", ".join(parts)


def parse_dates(text: str) -> list[str]:
    found = []
    for part in re.split(r"[,\s]+", text or ""):
        if not part:
            continue
        try:
            found.append(date.fromisoformat(part).isoformat())
        except ValueError as error:
            raise forms.ValidationError(_("“%(part)s” is not a date like 2025-12-24."), params={"part": part}) from error
    return sorted(set(found))


class CalendarForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, initial="Europe/Madrid", widget=forms.TextInput(attrs={"list": "time-zones"})
    )
    holiday_country = forms.ChoiceField(label=_("Public holidays of"), required=False)
    holiday_subdivision = forms.CharField(
        label=_("Region (subdivision)"), max_length=16, required=False, help_text=_("Optional, e.g. MD for Madrid.")
    )
    closed_dates = forms.CharField(
        label=_("Other closed days"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Dates like 2025-12-24, separated with commas or new lines."),
    )

    def __init__(self, *args, calendar: BusinessCalendar | None = None, **kwargs):
        if calendar is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": calendar.name,
                "time_zone": calendar.time_zone,
                "holiday_country": calendar.holiday_country,
                "holiday_subdivision": calendar.holiday_subdivision,
                "closed_dates": "\n".join(calendar.closed_dates or []),
                **{f"hours_{day}": format_ranges((calendar.hours or {}).get(str(day))) for day in range(7)},
            }
        super().__init__(*args, **kwargs)
        self.fields["holiday_country"].choices = [("", _("None")), *holiday_countries()]
        for day in range(7):
            self.fields[f"hours_{day}"] = forms.CharField(
                label=WEEKDAYS[day], required=False, help_text=_("e.g. 09:00-13:00, 14:00-18:00; empty: closed."),
            )
        self._style()

    def hour_fields(self):
        return [self[f"hours_{day}"] for day in range(7)]

    def other_fields(self):
        return [self[name] for name in ("holiday_country", "holiday_subdivision", "closed_dates")]

    def clean_closed_dates(self):
        return parse_dates(self.cleaned_data.get("closed_dates"))

    def clean(self):
        data = super().clean()
        hours = {}
        for day in range(7):
            field = f"hours_{day}"
            try:
                ranges = parse_ranges(data.get(field, ""))
                if ranges:
                    # inbox.business_time decides what a valid day is (order, overlaps, 24:00).
                    business_time.Calendar("UTC", {day: tuple(ranges)})
            except forms.ValidationError as error:
                self.add_error(field, error)
                continue
            except ValueError as error:
                self.add_error(field, _("Opening hours: %(error)s") % {"error": error})
                continue
            if ranges:
                hours[day] = tuple(ranges)
        if self.errors:
            return data
        zone = data.get("time_zone", "")
        country = data.get("holiday_country") or ""
        subdivision = (data.get("holiday_subdivision") or "").strip().upper()
        if subdivision and not country:
            self.add_error("holiday_subdivision", _("Choose the country first."))
            return data
        try:
            if country:
                business_time.Calendar.with_public_holidays(zone, hours, country, subdivision or None, years=[date.today().year])
            else:
                business_time.Calendar(zone, hours)
        except ValueError as error:
            message = str(error)
            if "time zone" in message:
                self.add_error("time_zone", _("“%(zone)s” is not a time zone; use a name like Europe/Madrid.") % {"zone": zone})
            elif "opening range" in message:
                raise forms.ValidationError(_("Give at least one opening range (a calendar open 24/7 needs no calendar)."))
            elif subdivision:
                from holidays import list_supported_countries

                known = ", ".join(list_supported_countries().get(country, []))
                self.add_error("holiday_subdivision", _("Unknown region for %(country)s; known: %(known)s.") % {"country": country, "known": known})
            else:
                raise forms.ValidationError(_("Invalid calendar: %(error)s") % {"error": message})
            return data
        data["holiday_subdivision"] = subdivision
        data["hours"] = {str(day): [[o.strftime("%H:%M"), c.strftime("%H:%M")] for o, c in ranges] for day, ranges in hours.items()}
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "time_zone": data["time_zone"],
            "hours": data["hours"],
            "holiday_country": data.get("holiday_country") or "",
            "holiday_subdivision": data.get("holiday_subdivision") or "",
            "closed_dates": data["closed_dates"],
        }


def _minutes(value) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


class SLAPolicyForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Any team"))
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.all(), required=False, empty_label=_("Any channel"))
    priority = forms.TypedChoiceField(label=_("Priority"), choices=PRIORITY_CHOICES, coerce=int, empty_value=None, required=False)
    first_response_minutes = forms.IntegerField(label=_("First response target (minutes)"), min_value=1, max_value=60 * 24 * 30, initial=120)
    next_response_minutes = forms.IntegerField(label=_("Next response target (minutes)"), min_value=1, max_value=60 * 24 * 30, initial=120)
    resolution_minutes = forms.IntegerField(
        label=_("Resolution target (minutes)"), min_value=1, max_value=60 * 24 * 365, required=False, help_text=_("Optional.")
    )
    warning_percent = forms.IntegerField(
        label=_("Warn at (% of the target)"), min_value=1, max_value=99, initial=75
    )
    calendar = forms.ModelChoiceField(
        label=_("Business hours"), queryset=BusinessCalendar.objects.all(), required=False, empty_label=_("24/7 (no calendar)")
    )
    breach_escalate_to = forms.ModelChoiceField(
        label=_("On breach, escalate to team"), queryset=Team.objects.all(), required=False, empty_label=_("Nobody")
    )
    breach_reassign = forms.BooleanField(label=_("On breach, reassign to another agent"), required=False)

    CONDITIONS = ["team", "channel", "priority"]
    TARGETS = ["first_response_minutes", "next_response_minutes", "resolution_minutes", "warning_percent", "calendar"]
    BREACH = ["breach_escalate_to", "breach_reassign"]

    def __init__(self, *args, policy: SLAPolicy | None = None, **kwargs):
        self.policy = policy
        if policy is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": policy.name,
                "team": policy.team_id,
                "channel": policy.channel_id,
                "priority": policy.priority,
                "first_response_minutes": _minutes(policy.first_response_target),
                "next_response_minutes": _minutes(policy.next_response_target),
                "resolution_minutes": _minutes(policy.resolution_target),
                "warning_percent": round(policy.warning_share * 100),
                "calendar": policy.calendar_id,
                "breach_escalate_to": policy.breach_escalate_to_id,
                "breach_reassign": policy.breach_reassign,
            }
        super().__init__(*args, **kwargs)
        if policy is not None and policy.is_default:
            for name in self.CONDITIONS:  # the default catches the rest: no conditions
                del self.fields[name]
        self._style()

    def groups(self):
        return [
            (_("Applies to"), [self[n] for n in self.CONDITIONS if n in self.fields]),
            (_("Targets"), [self[n] for n in self.TARGETS]),
            (_("On breach"), [self[n] for n in self.BREACH]),
        ]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "name": data["name"],
            "first_response_target": timedelta(minutes=data["first_response_minutes"]),
            "next_response_target": timedelta(minutes=data["next_response_minutes"]),
            "resolution_target": timedelta(minutes=data["resolution_minutes"]) if data.get("resolution_minutes") else None,
            "warning_share": data["warning_percent"] / 100,
            "calendar": data.get("calendar"),
            "breach_escalate_to": data.get("breach_escalate_to"),
            "breach_reassign": data.get("breach_reassign", False),
        }
        for name in self.CONDITIONS:
            if name in self.fields:
                values[name] = data.get(name)
        return values


# ------------------------------------------------------------------ routing rules


def _agents_queryset():
    return get_user_model().objects.filter(agent_profile__isnull=False, is_active=True).order_by("username")


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        full = user.get_full_name()
        return f"{full} ({user.username})" if full else user.username


class RoutingRuleForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    # Conditions
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.all(), required=False, empty_label=_("Any channel"))
    keywords = _list(_("Any of these words"), _("Whole words, without regard to case or accents; separate with commas."))
    pattern = forms.CharField(
        label=_("Regular expression"), max_length=300, required=False, help_text=_("Python syntax, case-insensitive.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), required=False,
        choices=[("", _("Any sentiment")), ("negative", _("Negative")), ("neutral", _("Neutral")), ("positive", _("Positive"))],
    )
    min_followers = forms.IntegerField(label=_("Author has at least this many followers"), min_value=0, required=False)
    verified_only = forms.BooleanField(label=_("Only verified authors"), required=False)
    contact_label = forms.ModelChoiceField(label=_("Author has the label"), queryset=Label.objects.all(), required=False, empty_label=_("Any"))
    visibility = forms.ChoiceField(
        label=_("Visibility"), required=False,
        choices=[("", _("Public or private")), ("public", _("Public")), ("private", _("Private"))],
    )
    # Actions
    set_team = forms.ModelChoiceField(label=_("Send to team"), queryset=Team.objects.all(), required=False, empty_label=_("Do not change"))
    set_priority = forms.TypedChoiceField(label=_("Priority"), choices=PRIORITY_CHOICES, coerce=int, empty_value=None, required=False)
    add_labels = forms.ModelMultipleChoiceField(
        label=_("Add labels"), queryset=Label.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    assign_to = AgentChoiceField(label=_("Assign to agent"), queryset=_agents_queryset(), required=False, empty_label=_("Whoever is free"))

    CONDITIONS = ["channel", "keywords", "pattern", "language", "sentiment", "min_followers", "verified_only", "contact_label", "visibility"]
    ACTIONS = ["set_team", "set_priority", "add_labels", "assign_to"]

    def __init__(self, *args, rule: RoutingRule | None = None, **kwargs):
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": rule.name,
                "enabled": rule.enabled,
                "channel": rule.channel_id,
                "keywords": join_list(rule.keywords),
                "pattern": rule.pattern,
                "language": rule.language,
                "sentiment": rule.sentiment,
                "min_followers": rule.min_followers,
                "verified_only": rule.verified_only,
                "contact_label": rule.contact_label_id,
                "visibility": rule.visibility,
                "set_team": rule.set_team_id,
                "set_priority": rule.set_priority,
                "add_labels": list(rule.add_labels.all()),
                "assign_to": rule.assign_to_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].queryset = _agents_queryset()
        if not Label.objects.exists():
            for name in ("contact_label", "add_labels"):
                self.fields[name].help_text = _("No labels exist yet.")
        self._style()

    def groups(self):
        return [
            (_("When the customer's message matches all of"), [self[n] for n in self.CONDITIONS]),
            (_("Then"), [self[n] for n in self.ACTIONS]),
        ]

    def clean_pattern(self):
        pattern = self.cleaned_data.get("pattern") or ""
        if pattern:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as error:
                raise forms.ValidationError(_("This regular expression does not compile: %(error)s"), params={"error": error}) from error
        return pattern

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(n) for n in ("set_team", "set_priority", "add_labels", "assign_to")):
            raise forms.ValidationError(_("A rule needs at least one action: a team, a priority, labels or an agent."))
        return data

    def values(self) -> tuple[dict, list]:
        data = self.cleaned_data
        values = {
            "name": data["name"],
            "enabled": data["enabled"],
            "channel": data.get("channel"),
            "keywords": split_list(data.get("keywords")),
            "pattern": data.get("pattern") or "",
            "language": data.get("language") or "",
            "sentiment": data.get("sentiment") or "",
            "min_followers": data.get("min_followers"),
            "verified_only": data.get("verified_only", False),
            "contact_label": data.get("contact_label"),
            "visibility": data.get("visibility") or "",
            "set_team": data.get("set_team"),
            "set_priority": data.get("set_priority"),
            "assign_to": data.get("assign_to"),
        }
        return values, list(data.get("add_labels") or [])


class PreviewForm(StyledMixin, forms.Form):
    """A sample mention to try the rules on; nothing is stored."""

    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.all(), required=False, empty_label=_("None"))
    followers = forms.IntegerField(label=_("Author's followers"), min_value=0, initial=0, required=False)
    verified = forms.BooleanField(label=_("Verified author"), required=False)
    language = forms.ChoiceField(
        label=_("Language the network reports"), choices=[("", _("Detect it")), *settings.LANGUAGES], required=False
    )
    private = forms.BooleanField(label=_("Private message"), required=False)
    contact_labels = forms.ModelMultipleChoiceField(
        label=_("Author's labels"), queryset=Label.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not Label.objects.exists():
            del self.fields["contact_labels"]
        self._style()


# ------------------------------------------------------------------ canned responses

VARIABLES = ("author_name", "agent_name")


def validate_variables(text):
    try:
        names = [name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise forms.ValidationError(
            _("Braces must pair up: write {author_name} or {agent_name}, and {{ or }} for a brace itself.")
        ) from error
    unknown = sorted({name for name in names if name not in VARIABLES})
    if unknown:
        raise forms.ValidationError(
            _("Unknown variable %(names)s; use {author_name} or {agent_name}."),
            params={"names": ", ".join("{" + name + "}" for name in unknown)},
        )


class PlainModelForm(StyledMixin, forms.ModelForm):
    """A settings form whose values are its model fields as cleaned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class LabelForm(PlainModelForm):
    color = forms.RegexField(
        label=_("Colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("A colour is # and six hexadecimal digits, like #607d8b.")},
    )

    class Meta:
        model = Label
        fields = ["name", "color"]


class CannedResponseForm(PlainModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title", "shortcut", "text_es", "text_en"]
        widgets = {"text_es": forms.Textarea(attrs={"rows": 5}), "text_en": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"shortcut": _("Unique; letters, digits, - and _.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("text_es", "text_en"):
            self.fields[name].validators.append(validate_variables)
