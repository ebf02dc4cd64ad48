"""The inbox socket: who may connect, and what each listener is told."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from agents.models import AgentProfile, Presence
from inbox.actions import ingest
from socialcare.asgi import application
from tests.factories import AgentFactory, ChannelFactory, TeamFactory, UserFactory, mention
from tests.sockets import SECONDS, socket_for

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_an_anonymous_socket_is_refused(channel_layer):
    socket = WebsocketCommunicator(application, "/ws/inbox/", headers=[(b"origin", b"http://localhost")])
    connected, code = await socket.connect(timeout=SECONDS)
    assert not connected and code == 4403


async def test_a_socket_from_a_foreign_origin_is_refused(channel_layer):
    socket = WebsocketCommunicator(application, "/ws/inbox/", headers=[(b"origin", b"http://evil.example")])
    connected, _ = await socket.connect(timeout=SECONDS)
    assert not connected


async def test_an_open_socket_makes_its_agent_online_until_it_closes(channel_layer):
    agent = await sync_to_async(AgentFactory)(user=await sync_to_async(UserFactory)())
    _, socket = await sync_to_async(socket_for)(agent.user)
    await socket.connect(timeout=SECONDS)
    assert (await AgentProfile.objects.aget(pk=agent.pk)).presence == Presence.ONLINE
    await socket.disconnect()
    assert (await AgentProfile.objects.aget(pk=agent.pk)).presence == Presence.OFFLINE


async def test_a_team_hears_of_its_conversations_and_another_team_does_not(channel_layer):
    team, other = await sync_to_async(TeamFactory)(), await sync_to_async(TeamFactory)()
    member = await sync_to_async(AgentFactory)(teams=[team], capacity=0)
    outsider = await sync_to_async(AgentFactory)(teams=[other])
    channel = await sync_to_async(ChannelFactory)(default_team=team)
    _, member_socket = await sync_to_async(socket_for)(member.user)
    _, outsider_socket = await sync_to_async(socket_for)(outsider.user)
    for socket in (member_socket, outsider_socket):
        await socket.connect(timeout=SECONDS)
        await socket.receive_json_from(timeout=SECONDS)

    await sync_to_async(ingest)(channel, [mention("t1", text="Where is my parcel?")], {})

    event = await member_socket.receive_json_from(timeout=SECONDS)
    assert event["type"] == "conversation.changed"
    assert "Where is my parcel?" in event["row"]
    assert await outsider_socket.receive_nothing(timeout=1)
