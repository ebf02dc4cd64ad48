"""The admins' settings writes. Each one runs in one transaction and appends a
`SettingsChange` row (who, area, object, action, {field: [before, after]}).

Secrets never reach the audit log: a channel credential is recorded only as
"not set" → "set", "set" → "replaced" or "set" → "removed".
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Model
from django.db.models.manager import BaseManager
from django.utils.translation import gettext as _

from agents.assignment import hand_out_on_commit, unassign
from agents.models import AgentProfile, Presence, Role, RoutingRule, SettingsChange, Team
from connectors import actions as connector_actions
from connectors.models import Channel, Health
from inbox.models import BusinessCalendar, CannedResponse, Conversation, Label, SLAPolicy, Status


class SettingsError(Exception):
    """A settings change that cannot be made; the message is for the admin."""


# ------------------------------------------------------------------ audit helpers


def _plain(value):
    """A JSON-safe, readable form of a field's value for the audit log."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, BaseManager):
        return sorted(str(item) for item in value.all())
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


def _snapshot(instance, fields) -> dict:
    return {name: _plain(getattr(instance, name)) for name in fields}


def _diff(before: dict, after: dict) -> dict:
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def _created(after: dict) -> dict:
    """The changes of a new object: its non-empty fields, from nothing."""
    return _diff({}, {key: value for key, value in after.items() if value not in (None, "", [], {})})


def log_change(actor, area, instance, action, changes=None) -> SettingsChange:
    """One row of the settings audit log, in the caller's transaction."""
    return SettingsChange.objects.create(
        actor=actor,
        area=area,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes or {},
    )


def _next_position(queryset) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _move(actor, area, queryset, pk, direction) -> Model:
    """Swap an ordered item with its neighbour; positions are renumbered 0..n-1."""
    items = list(queryset.select_for_update().order_by("position", "pk"))
    index = next((i for i, item in enumerate(items) if item.pk == pk), None)
    if index is None:
        raise SettingsError(_("Not found."))
    target = index - 1 if direction == "up" else index + 1
    moved = items[index]
    if target < 0 or target >= len(items):
        return moved
    old_position = moved.position
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    log_change(actor, area, moved, "moved", {"position": [old_position, moved.position]})
    return moved


def _save_model(actor, area, model, pk, data, m2m=None, *, position_queryset=None):
    """Create (pk None) or update one row from cleaned values; logs what changed."""
    m2m = m2m or {}
    fields = list(data)
    if pk is None:
        instance = model(**data)
        if position_queryset is not None:
            instance.position = _next_position(position_queryset)
        instance.save()
        for name, values in m2m.items():
            getattr(instance, name).set(values)
        after = _snapshot(instance, fields + list(m2m))
        log_change(actor, area, instance, "created", _created(after))
        return instance
    instance = model.objects.select_for_update().get(pk=pk)
    before = _snapshot(instance, fields + list(m2m))
    for name, value in data.items():
        setattr(instance, name, value)
    instance.save(update_fields=fields or None)
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    changes = _diff(before, _snapshot(instance, fields + list(m2m)))
    if changes:
        log_change(actor, area, instance, "changed", changes)
    return instance


def _delete(actor, area, model, pk):
    instance = model.objects.select_for_update().get(pk=pk)
    log_change(actor, area, instance, "deleted", {})
    instance.delete()


# ------------------------------------------------------------------ channels

CHANNEL_FIELDS = ["name", "api_base_url", "poll_interval", "default_team"]


def _merge_listening(current: dict, updates: dict) -> dict:
    """The form's listening keys over the stored ones; an empty value removes its key,
    keys the form does not manage (advanced tuning) are kept."""
    merged = dict(current or {})
    for key, value in updates.items():
        if value is None or value == "" or value == [] or value == {}:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _listening_changes(before: dict, after: dict) -> dict:
    keys = sorted(set(before) | set(after))
    return {
        f"listening.{key}": [_plain(before.get(key)), _plain(after.get(key))]
        for key in keys
        if before.get(key) != after.get(key)
    }


def _apply_credentials(stored: dict, typed: dict, remove=()) -> tuple[dict, dict]:
    """New credentials and their audit entries; a typed value replaces, an empty one keeps."""
    credentials = dict(stored or {})
    changes = {}
    for key, value in typed.items():
        if value:
            changes[f"credentials.{key}"] = ["set", "replaced"] if credentials.get(key) else ["not set", "set"]
            credentials[key] = value
    for key in remove:
        if key not in typed or not typed[key]:
            if credentials.pop(key, None):
                changes[f"credentials.{key}"] = ["set", "removed"]
    return credentials, changes


@transaction.atomic
def create_channel(actor, *, kind, fields: dict, listening: dict, credentials: dict) -> Channel:
    stored, secret_changes = _apply_credentials({}, credentials)
    channel = Channel(kind=kind, listening=_merge_listening({}, listening), credentials=stored, **fields)
    channel.save()
    changes = {"kind": [None, kind], **_created(_snapshot(channel, CHANNEL_FIELDS))}
    changes.update(_listening_changes({}, channel.listening))
    changes.update(secret_changes)
    log_change(actor, "channel", channel, "created", changes)
    return channel


@transaction.atomic
def update_channel(actor, channel_id, *, fields: dict, listening: dict, credentials: dict, remove=()) -> Channel:
    channel = Channel.objects.select_for_update().get(pk=channel_id)
    before = _snapshot(channel, CHANNEL_FIELDS)
    before_listening = dict(channel.listening or {})
    for name, value in fields.items():
        setattr(channel, name, value)
    channel.listening = _merge_listening(before_listening, listening)
    channel.credentials, secret_changes = _apply_credentials(channel.credentials, credentials, remove)
    # Never the cursor or the health columns: a poll may be writing them right now.
    channel.save(update_fields=["name", "api_base_url", "poll_interval", "default_team", "listening", "credentials"])
    changes = _diff(before, _snapshot(channel, CHANNEL_FIELDS))
    changes.update(_listening_changes(before_listening, channel.listening))
    changes.update(secret_changes)
    if changes:
        log_change(actor, "channel", channel, "changed", changes)
    return channel


@transaction.atomic
def pause_channel(actor, channel_id) -> Channel:
    channel = Channel.objects.select_for_update().get(pk=channel_id)
    if channel.enabled:
        channel.enabled = False
        channel.save(update_fields=["enabled"])
        log_change(actor, "channel", channel, "paused", {"enabled": [True, False]})
    return channel


@transaction.atomic
def resume_channel(actor, channel_id) -> Channel:
    """Listen again: enabled, and healthy again from where the channel stopped."""
    channel = Channel.objects.select_for_update().get(pk=channel_id)
    changes = {}
    if not channel.enabled:
        channel.enabled = True
        channel.save(update_fields=["enabled"])
        changes["enabled"] = [False, True]
    if channel.health != Health.HEALTHY:
        changes["health"] = [channel.health, Health.HEALTHY.value]
    connector_actions.resume(channel.pk)
    channel.refresh_from_db()
    log_change(actor, "channel", channel, "resumed", changes)
    return channel


# ------------------------------------------------------------------ teams


@transaction.atomic
def create_team(actor, name) -> Team:
    team = Team.objects.create(name=name)
    log_change(actor, "team", team, "created", {"name": [None, name]})
    return team


@transaction.atomic
def rename_team(actor, team_id, name) -> Team:
    team = Team.objects.select_for_update().get(pk=team_id)
    if team.name != name:
        before, team.name = team.name, name
        team.save(update_fields=["name"])
        log_change(actor, "team", team, "renamed", {"name": [before, name]})
    return team


# ------------------------------------------------------------------ agents

AGENT_FIELDS = ["role", "capacity", "language", "time_zone"]


@transaction.atomic
def invite_agent(actor, *, username, email, first_name, last_name, password, role, teams, capacity, language, time_zone):
    """A new person who can log in with `password` (shown once to the admin, never stored
    anywhere readable). Admins are also staff, so they hear about paused channels."""
    user = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
    )
    profile = AgentProfile.objects.create(user=user, role=role, capacity=capacity, language=language, time_zone=time_zone)
    profile.teams.set(teams)
    changes = _created({"username": username, "email": email, **_snapshot(profile, AGENT_FIELDS + ["teams"])})
    changes["password"] = ["not set", "set"]
    log_change(actor, "agent", user, "invited", changes)
    return profile


@transaction.atomic
def update_agent(actor, user_id, *, email, first_name, last_name, role, teams, capacity, language, time_zone):
    profile = AgentProfile.objects.select_for_update().select_related("user").get(user_id=user_id)
    user = profile.user
    if user.pk == getattr(actor, "pk", None) and role != Role.ADMIN:
        raise SettingsError(_("You cannot take away your own admin role."))
    before = {**_snapshot(user, ["email", "first_name", "last_name"]), **_snapshot(profile, AGENT_FIELDS + ["teams"])}
    before_capacity = profile.capacity
    user.email, user.first_name, user.last_name = email, first_name, last_name
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["email", "first_name", "last_name", "is_staff"])
    profile.role, profile.capacity, profile.language, profile.time_zone = role, capacity, language, time_zone
    profile.save(update_fields=AGENT_FIELDS)
    before_teams = set(profile.teams.values_list("pk", flat=True))
    profile.teams.set(teams)
    after = {**_snapshot(user, ["email", "first_name", "last_name"]), **_snapshot(profile, AGENT_FIELDS + ["teams"])}
    changes = _diff(before, after)
    if changes:
        log_change(actor, "agent", user, "changed", changes)
    new_teams = {team.pk for team in teams}
    if capacity > before_capacity or new_teams - before_teams:
        hand_out_on_commit(sorted(new_teams))  # room for waiting work
    return profile


@transaction.atomic
def deactivate_agent(actor, user_id):
    """No more log in and no new work; their open conversations go back to the team queue."""
    profile = AgentProfile.objects.select_for_update().select_related("user").get(user_id=user_id)
    user = profile.user
    if user.pk == getattr(actor, "pk", None):
        raise SettingsError(_("You cannot deactivate yourself."))
    if not user.is_active:
        return profile
    user.is_active = False
    user.save(update_fields=["is_active"])
    profile.presence, profile.sockets = Presence.OFFLINE, 0
    profile.save(update_fields=["presence", "sockets"])
    held = Conversation.objects.select_for_update().filter(assignee_id=user.pk).exclude(status=Status.RESOLVED)
    returned = 0
    team_ids = set()
    for conversation in held.order_by("pk"):
        unassign(conversation, "agent deactivated", actor)
        returned += 1
        if conversation.team_id:
            team_ids.add(conversation.team_id)
    hand_out_on_commit(sorted(team_ids))
    log_change(actor, "agent", user, "deactivated", {"is_active": [True, False], "returned_conversations": [None, returned]})
    return profile


@transaction.atomic
def reactivate_agent(actor, user_id):
    profile = AgentProfile.objects.select_for_update().select_related("user").get(user_id=user_id)
    user = profile.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        log_change(actor, "agent", user, "reactivated", {"is_active": [False, True]})
    return profile


# ------------------------------------------------------------------ SLA policies and calendars


def _ordered_policies():
    return SLAPolicy.objects.filter(is_default=False)


@transaction.atomic
def save_sla_policy(actor, pk, data) -> SLAPolicy:
    return _save_model(actor, "sla_policy", SLAPolicy, pk, data, position_queryset=_ordered_policies())


@transaction.atomic
def move_sla_policy(actor, pk, direction) -> SLAPolicy:
    return _move(actor, "sla_policy", _ordered_policies(), pk, direction)


@transaction.atomic
def delete_sla_policy(actor, pk):
    if SLAPolicy.objects.filter(pk=pk, is_default=True).exists():
        raise SettingsError(_("The default policy catches every conversation no other policy matches; it cannot be deleted."))
    _delete(actor, "sla_policy", SLAPolicy, pk)


@transaction.atomic
def save_calendar(actor, pk, data) -> BusinessCalendar:
    return _save_model(actor, "calendar", BusinessCalendar, pk, data)


@transaction.atomic
def delete_calendar(actor, pk):
    _delete(actor, "calendar", BusinessCalendar, pk)


# ------------------------------------------------------------------ routing rules


@transaction.atomic
def save_routing_rule(actor, pk, data, add_labels) -> RoutingRule:
    return _save_model(
        actor, "routing_rule", RoutingRule, pk, data, {"add_labels": add_labels}, position_queryset=RoutingRule.objects.all()
    )


@transaction.atomic
def move_routing_rule(actor, pk, direction) -> RoutingRule:
    return _move(actor, "routing_rule", RoutingRule.objects.all(), pk, direction)


@transaction.atomic
def delete_routing_rule(actor, pk):
    _delete(actor, "routing_rule", RoutingRule, pk)


# ------------------------------------------------------------------ canned responses


@transaction.atomic
def save_canned_response(actor, pk, data) -> CannedResponse:
    return _save_model(actor, "canned_response", CannedResponse, pk, data)


@transaction.atomic
def delete_canned_response(actor, pk):
    _delete(actor, "canned_response", CannedResponse, pk)


# ------------------------------------------------------------------ labels


@transaction.atomic
def save_label(actor, pk, data) -> Label:
    return _save_model(actor, "label", Label, pk, data)


@transaction.atomic
def delete_label(actor, pk):
    """The label comes off every conversation; a routing rule whose condition names it
    would go with it, so that rule has to change first."""
    if RoutingRule.objects.filter(contact_label_id=pk).exists():
        raise SettingsError(_("A routing rule's condition uses this label: change or delete that rule first."))
    _delete(actor, "label", Label, pk)
