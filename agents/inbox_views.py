"""Inbox actions that move work between people and teams (the inbox app hands them here:
it does not know about agents)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agents import actions
from agents.escalation import escalate as escalate_conversation
from inbox import actions as inbox_actions
from inbox.access import access_conversation, viewer_for
from inbox.views import acting

BULK_LIMIT = 200


@acting
def assign(request, viewer, current):
    """To me, to a colleague, or back to the queue (empty)."""
    actions.assign_to(current.pk, _assignee(request), request.user, may_override=viewer.is_supervisor)


def _assignee(request):
    """Whom a form hands the conversation to: "me", a user id, or nobody (the queue)."""
    target = request.POST.get("assignee", "")
    return request.user.pk if target == "me" else (int(target) if target else None)


@acting
def escalate(request, viewer, current):
    team = request.POST.get("team") or None
    escalate_conversation(current.pk, request.POST.get("reason", ""), actor=request.user, to_team_id=int(team) if team else None)


@login_required
@require_POST
def bulk(request):
    """One action on many selected rows: assign, label or resolve."""
    viewer = viewer_for(request.user)
    ids = [int(i) for i in request.POST.getlist("conversation") if i.isdigit()][:BULK_LIMIT]
    action = request.POST.get("action")
    try:
        for conversation_id in ids:
            current = access_conversation(viewer, conversation_id)
            if action == "resolve":
                inbox_actions.resolve(current.pk, request.user)
            elif action == "label":
                names = set(current.labels.values_list("name", flat=True)) | {request.POST.get("label", "")}
                inbox_actions.set_labels(current.pk, names, request.user)
            elif action == "assign":
                actions.assign_to(current.pk, _assignee(request), request.user, may_override=viewer.is_supervisor)
            else:
                return HttpResponseBadRequest("Unknown bulk action.")
    except inbox_actions.InboxError as error:
        return HttpResponseBadRequest(str(error))
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if safe and back else "inbox:home")
