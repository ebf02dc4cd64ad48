"""The first slice end to end: a mention becomes a live, answered, measured conversation.

Real parts throughout: PostgreSQL, the Redis broker with a real Celery worker, the Redis
channel layer, and a websocket client speaking to the real ASGI application.
"""

import pytest
from asgiref.sync import sync_to_async

from connectors.tasks import poll_channel
from inbox.models import Conversation, Delivery, Message, SLAState, Status
from tests.factories import AgentFactory, ChannelFactory, TeamFactory
from tests.sockets import SECONDS, next_event, socket_for


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_demo_mention_is_assigned_live_answered_and_measured(celery_worker, channel_layer):
    team = await sync_to_async(TeamFactory)()
    agent = await sync_to_async(AgentFactory)(teams=[team])
    channel = await sync_to_async(ChannelFactory)(default_team=team, listening={"first_batch": 1})
    client, socket = await sync_to_async(socket_for)(agent.user)
    connected, _ = await socket.connect(timeout=SECONDS)
    assert connected
    assert (await socket.receive_json_from(timeout=SECONDS))["type"] == "hello"

    await sync_to_async(poll_channel.delay)(channel.pk)
    assigned = await next_event(socket, "conversation.assigned")

    conversation = await Conversation.objects.select_related("contact").aget(pk=assigned["conversation"])
    assert conversation.assignee_id == agent.user_id
    assert conversation.contact.handle in assigned["row"]

    response = await sync_to_async(client.post)(
        f"/inbox/c/{conversation.pk}/reply/", {"text": "Hola, lo revisamos ahora mismo."}
    )
    assert response.status_code == 302
    while "Answered in" not in ((await next_event(socket, "conversation.changed"))["row"] or ""):
        pass

    conversation = await Conversation.objects.aget(pk=conversation.pk)
    reply = await Message.objects.aget(conversation=conversation, direction="out")
    assert reply.delivery == Delivery.SENT
    assert conversation.sla_state == SLAState.MET
    assert conversation.status == Status.PENDING
    assert conversation.first_response_seconds == reply.response_seconds is not None
    await socket.disconnect()
