from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from inbox import actions, selectors
from inbox.access import access_conversation, viewer_for
from inbox.models import Visibility


def _wants_fragment(request):
    return request.headers.get("X-Fragment") == "1"


@login_required
@require_GET
def home(request):
    viewer = viewer_for(request.user)
    return render(request, "inbox/home.html", {"viewer": viewer, "conversations": selectors.inbox_list(viewer)})


@login_required
@require_GET
def rows(request):
    """The whole list again, for a page that reconnects after missing events."""
    viewer = viewer_for(request.user)
    return render(request, "inbox/_rows.html", {"conversations": selectors.inbox_list(viewer)})


@login_required
@require_GET
def conversation(request, conversation_id):
    viewer = viewer_for(request.user)
    current = access_conversation(viewer, conversation_id)
    context = {"viewer": viewer, "conversation": current, "messages": selectors.thread(current)}
    if _wants_fragment(request):
        return render(request, "inbox/_conversation.html", context)
    context["conversations"] = selectors.inbox_list(viewer)
    return render(request, "inbox/home.html", context)


@login_required
@require_POST
def reply(request, conversation_id):
    viewer = viewer_for(request.user)
    current = access_conversation(viewer, conversation_id)
    visibility = Visibility.NOTE if request.POST.get("note") else Visibility.PUBLIC
    try:
        actions.reply(current.pk, request.user, request.POST.get("text", ""), visibility)
    except actions.InboxError as error:
        return HttpResponseBadRequest(str(error))
    if _wants_fragment(request):
        return conversation(request, conversation_id)
    return redirect("inbox:conversation", conversation_id=conversation_id)


@login_required
@require_POST
def retry_delivery(request, conversation_id, message_id):
    viewer = viewer_for(request.user)
    current = access_conversation(viewer, conversation_id)
    message = get_object_or_404(current.messages, pk=message_id)
    try:
        actions.retry_delivery(message.pk, request.user)
    except actions.InboxError as error:
        return HttpResponseBadRequest(str(error))
    if _wants_fragment(request):
        return conversation(request, conversation_id)
    return redirect("inbox:conversation", conversation_id=conversation_id)
