"""The agent inbox: thin views over inbox.selectors and inbox.actions."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from inbox import actions, selectors
from inbox.access import access_conversation, viewer_for
from inbox.models import CannedResponse, Label, Priority, Visibility


def wants_fragment(request):
    return request.headers.get("X-Fragment") == "1"


def _list_context(request, viewer):
    query = selectors.ListQuery.from_params(request.GET, viewer)
    return {
        "viewer": viewer,
        "query": query,
        "conversations": selectors.inbox_list(viewer, query),
        "counts": selectors.view_counts(viewer),
        "labels": Label.objects.all(),
        "priorities": Priority.choices,
    }


@login_required
@require_GET
def home(request):
    viewer = viewer_for(request.user)
    return render(request, "inbox/home.html", _list_context(request, viewer))


@login_required
@require_GET
def rows(request):
    """The list again: after a filter change, or for a page that reconnects."""
    viewer = viewer_for(request.user)
    query = selectors.ListQuery.from_params(request.GET, viewer)
    return render(request, "inbox/_rows.html", {"conversations": selectors.inbox_list(viewer, query), "viewer": viewer})


def conversation_context(request, viewer, current):
    actions.mark_mentions_read(request.user, current.pk)
    return {
        "viewer": viewer,
        "conversation": current,
        "timeline": selectors.thread(current),
        "card": selectors.author_card(current),
        "canned": CannedResponse.objects.all(),
        "may_reply": viewer.is_supervisor or current.assignee_id in (None, request.user.pk),
        "priorities": Priority.choices,
        "labels": Label.objects.all(),
    }


@login_required
@require_GET
def conversation(request, conversation_id):
    return _conversation_page(request, viewer_for(request.user), conversation_id)


def _conversation_page(request, viewer, conversation_id):
    # Looked up again after an action: the conversation may have left this viewer's sight.
    current = access_conversation(viewer, conversation_id)
    context = conversation_context(request, viewer, current)
    if wants_fragment(request):
        return render(request, "inbox/_conversation.html", context)
    return render(request, "inbox/home.html", {**_list_context(request, viewer), **context})


def after_action(request, viewer, conversation_id):
    """The refreshed conversation for the page's script, a redirect for a plain form."""
    if wants_fragment(request):
        return _conversation_page(request, viewer, conversation_id)
    return redirect("inbox:conversation", conversation_id=conversation_id)


def acting(perform):
    """A POST on a conversation the user may work on; domain refusals become 400."""

    @login_required
    @require_POST
    def view(request, conversation_id, **kwargs):
        viewer = viewer_for(request.user)
        current = access_conversation(viewer, conversation_id)
        try:
            perform(request, viewer, current, **kwargs)
        except actions.InboxError as error:
            return HttpResponseBadRequest(str(error))
        return after_action(request, viewer, conversation_id)

    view.__name__ = perform.__name__
    return view


@acting
def reply(request, viewer, current):
    visibility = Visibility.NOTE if request.POST.get("note") else Visibility.PUBLIC
    actions.reply(current.pk, request.user, request.POST.get("text", ""), visibility, may_override=viewer.is_supervisor)


@acting
def retry_delivery(request, viewer, current, message_id):
    message = get_object_or_404(current.messages, pk=message_id)
    actions.retry_delivery(message.pk, request.user)


@acting
def resolve(request, viewer, current):
    actions.resolve(current.pk, request.user)


@acting
def reopen(request, viewer, current):
    actions.reopen(current.pk, request.user)


@acting
def snooze(request, viewer, current):
    until = parse_datetime(request.POST.get("until", ""))
    if until is None:
        raise actions.InboxError("Pick a date and time to snooze until.")
    if timezone.is_naive(until):
        until = timezone.make_aware(until)  # the browser's field is in the user's own time zone
    actions.snooze(current.pk, until, request.user)


@acting
def priority(request, viewer, current):
    try:
        value = int(request.POST.get("priority", ""))
    except ValueError:
        raise actions.InboxError("Unknown priority.") from None
    actions.set_priority(current.pk, value, request.user)


@acting
def labels(request, viewer, current):
    actions.set_labels(current.pk, request.POST.get("labels", "").split(","), request.user)


