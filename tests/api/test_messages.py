"""/api/conversations/<id>/messages/, reply/ and note/: the thread and writing in it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import Delivery, Direction, Message, Visibility
from tests.api import client_for, results
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def url(conversation, what):
    return f"/api/conversations/{conversation.pk}/{what}/"


def inbound(conversation, text, visibility=Visibility.PUBLIC, external_id=None):
    return Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.INBOUND,
        visibility=visibility,
        external_id=external_id or f"ext-{text}",
        author_contact=conversation.contact,
        text=text,
        sent_at=timezone.now(),
    )


def test_messages_are_listed_oldest_first_with_their_author(agent, conversation):
    first = inbound(conversation, "Hello?")
    second = inbound(conversation, "Anyone?")
    rows = results(client_for(agent).get(url(conversation, "messages")))
    assert [row["id"] for row in rows] == [first.pk, second.pk]
    assert rows[0]["author_contact"]["handle"] == conversation.contact.handle
    assert rows[0]["direction"] == "in" and rows[0]["author_user"] is None


def test_messages_are_paginated(agent, conversation):
    for n in range(3):
        inbound(conversation, f"message {n}")
    body = client_for(agent).get(url(conversation, "messages"), {"limit": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_messages_of_a_conversation_the_user_may_not_see_are_a_404(outsider, conversation):
    inbound(conversation, "private matters")
    assert client_for(outsider).get(url(conversation, "messages")).status_code == 404


def test_reply_queues_a_public_answer_for_delivery(agent, conversation):
    asked = inbound(conversation, "Where is my order?")
    response = client_for(agent).post(url(conversation, "reply"), {"text": "On its way!"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["direction"], body["visibility"], body["delivery"]) == ("out", "public", "queued")
    assert body["author_user"]["id"] == agent.pk
    stored = Message.objects.get(pk=body["id"])
    assert (stored.text, stored.parent_external_id) == ("On its way!", asked.external_id)


def test_a_reply_in_a_private_conversation_is_sent_privately(agent, conversation):
    inbound(conversation, "My account number is 123", visibility=Visibility.PRIVATE)
    response = client_for(agent).post(url(conversation, "reply"), {"text": "Thanks, checking"}, format="json")
    assert response.json()["visibility"] == "private"


def test_note_adds_an_internal_note_that_is_never_delivered(agent, conversation):
    conversation.waiting_since = timezone.now() - timedelta(minutes=5)
    conversation.response_due_at = conversation.waiting_since + timedelta(hours=2)
    conversation.save()
    response = client_for(agent).post(url(conversation, "note"), {"text": "Customer is a VIP"}, format="json")
    assert response.status_code == 201
    assert (response.json()["visibility"], response.json()["delivery"]) == ("note", "")
    conversation.refresh_from_db()
    assert conversation.waiting_since is not None  # a note does not stop the clock


def test_a_reply_without_text_is_refused_with_the_reason(agent, conversation):
    response = client_for(agent).post(url(conversation, "reply"), {"text": "   "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A reply needs some text."}
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_reply_with_no_text_field_names_the_missing_field(agent, conversation):
    response = client_for(agent).post(url(conversation, "reply"), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "text: This field is required.", "errors": {"text": ["This field is required."]}}


def test_an_agent_of_another_team_cannot_reply(outsider, conversation):
    response = client_for(outsider).post(url(conversation, "reply"), {"text": "hi"}, format="json")
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_a_queued_reply_is_delivered_after_commit(agent, conversation, django_capture_on_commit_callbacks):
    inbound(conversation, "Where is my order?")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent).post(url(conversation, "reply"), {"text": "On its way!"}, format="json")
    stored = Message.objects.get(pk=response.json()["id"])
    assert stored.delivery == Delivery.SENT  # the demo network accepts every reply


def test_only_its_assignee_or_a_supervisor_replies_to_an_assigned_conversation(agent, supervisor, conversation):
    conversation.assignee = AgentFactory(teams=[conversation.team]).user
    conversation.save()
    refused = client_for(agent).post(f"/api/conversations/{conversation.pk}/reply/", {"text": "Hi!"}, format="json")
    assert refused.status_code == 400 and "only they or a supervisor can reply" in refused.json()["detail"]
    allowed = client_for(supervisor).post(f"/api/conversations/{conversation.pk}/reply/", {"text": "Hi!"}, format="json")
    assert allowed.status_code == 201
