"""Presence from the agents' sockets: online while a page is open and says it is alive."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents.assignment import hand_out_on_commit
from agents.models import AgentProfile, Presence


@transaction.atomic
def connected(user_id):
    profile = AgentProfile.objects.select_for_update().get(user_id=user_id)
    profile.sockets = F("sockets") + 1
    profile.last_seen_at = timezone.now()
    if profile.presence == Presence.OFFLINE:
        profile.presence = Presence.ONLINE
    profile.save(update_fields=["sockets", "last_seen_at", "presence"])
    # Whatever waited in the agent's queues may now be theirs.
    hand_out_on_commit(profile.teams.values_list("id", flat=True))


@transaction.atomic
def disconnected(user_id):
    profile = AgentProfile.objects.select_for_update().get(user_id=user_id)
    sockets = max(profile.sockets - 1, 0)
    fields = {"sockets": sockets}
    if sockets == 0:
        fields["presence"] = Presence.OFFLINE
    AgentProfile.objects.filter(pk=profile.pk).update(**fields)


def seen(user_id):
    AgentProfile.objects.filter(user_id=user_id).update(last_seen_at=timezone.now())
