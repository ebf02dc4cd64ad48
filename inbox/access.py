"""Who may see and touch which conversations: the one place views and consumers ask."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from inbox import events
from inbox.models import Conversation

SUPERVISOR_ROLES = {"supervisor", "admin"}


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: str
    team_ids: frozenset
    language: str = "en"
    time_zone: str = "UTC"

    @property
    def is_supervisor(self):
        return self.role in SUPERVISOR_ROLES

    def groups(self):
        """The real-time groups this viewer listens to."""
        if self.is_supervisor:
            return {events.SUPERVISORS}
        return {events.agent_group(self.user_id)} | {events.team_group(t) for t in self.team_ids}

    def conversations(self):
        if self.is_supervisor:
            return Conversation.objects.all()
        return Conversation.objects.filter(Q(assignee_id=self.user_id) | Q(team_id__in=self.team_ids))

    # Parts of the above a list may start from. Spelled alone, without the other side of
    # the OR, they let PostgreSQL estimate the rows right and walk the list's index.

    def assigned_to_them(self):
        return Conversation.objects.filter(assignee_id=self.user_id)

    def of_their_teams(self):
        return Conversation.objects.filter(team_id__in=self.team_ids)


def viewer_for(user) -> Viewer:
    """The user's role and teams; anyone without an agent profile has no inbox."""
    if not user.is_authenticated:
        raise PermissionDenied
    profile = getattr(user, "agent_profile", None)
    if profile is None:
        raise PermissionDenied
    teams = frozenset(profile.teams.values_list("id", flat=True))
    return Viewer(user.pk, profile.role, teams, profile.language, profile.time_zone)


def access_conversation(viewer: Viewer, conversation_id, for_update=False) -> Conversation:
    """The conversation if this viewer may work on it; 404 otherwise, so ids leak nothing."""
    conversations = viewer.conversations()
    if for_update:
        conversations = conversations.select_for_update()
    try:
        return conversations.get(pk=conversation_id)
    except Conversation.DoesNotExist:
        raise Http404 from None
