"""/api/conversations/: the inbox's list and filters, one conversation, and its actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import Role
from connectors.models import ChannelKind
from inbox.models import Conversation, ConversationEvent, Direction, Label, Message, Priority, SLAState, Status
from tests.api import client_for, results, ids
from tests.factories import AgentFactory, ChannelFactory, ContactFactory, ConversationFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/conversations/"


def say(conversation, text):
    """The customer wrote this in the conversation."""
    return Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.INBOUND,
        author_contact=conversation.contact,
        text=text,
        sent_at=timezone.now(),
    )


def in_minutes(minutes):
    return timezone.now() + timedelta(minutes=minutes)


# The list and who sees what


def test_an_agent_lists_their_teams_conversations_and_those_assigned_to_them_only(agent, team, other_team):
    ours = ConversationFactory(channel__default_team=team)
    theirs = ConversationFactory(channel__default_team=other_team)
    mine_elsewhere = ConversationFactory(channel__default_team=other_team, assignee=agent)
    listed = ids(client_for(agent).get(URL))
    assert sorted(listed) == sorted([ours.pk, mine_elsewhere.pk])
    assert theirs.pk not in listed


def test_a_supervisor_lists_every_conversation(supervisor, team, other_team):
    everything = [ConversationFactory(channel__default_team=t).pk for t in (team, other_team, None)]
    assert sorted(ids(client_for(supervisor).get(URL))) == sorted(everything)


def test_the_list_puts_the_nearest_deadline_first_and_answered_ones_last(agent, channel):
    later = ConversationFactory(channel=channel, response_due_at=in_minutes(90))
    answered = ConversationFactory(channel=channel, response_due_at=None, status=Status.PENDING)
    sooner = ConversationFactory(channel=channel, response_due_at=in_minutes(10))
    assert ids(client_for(agent).get(URL)) == [sooner.pk, later.pk, answered.pk]


def test_ordering_newest_puts_the_latest_message_first(agent, channel):
    old = ConversationFactory(channel=channel, last_message_at=in_minutes(-60), response_due_at=in_minutes(5))
    new = ConversationFactory(channel=channel, last_message_at=in_minutes(-1), response_due_at=in_minutes(50))
    assert ids(client_for(agent).get(URL, {"ordering": "newest"})) == [new.pk, old.pk]


def test_ordering_priority_puts_the_most_urgent_first(agent, channel):
    normal = ConversationFactory(channel=channel, priority=Priority.NORMAL, response_due_at=in_minutes(5))
    urgent = ConversationFactory(channel=channel, priority=Priority.URGENT, response_due_at=in_minutes(50))
    assert ids(client_for(agent).get(URL, {"ordering": "priority"})) == [urgent.pk, normal.pk]


def test_the_list_is_paginated_with_limit_and_offset(agent, channel):
    conversations = [ConversationFactory(channel=channel, response_due_at=in_minutes(n)) for n in range(1, 6)]
    body = client_for(agent).get(URL, {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert [row["id"] for row in body["results"]] == [c.pk for c in conversations[2:4]]
    assert "offset=4" in body["next"] and body["previous"]


def test_the_list_reads_a_fixed_number_of_queries_whatever_its_length(agent, channel, django_assert_max_num_queries):
    client = client_for(agent)
    client.get(URL)  # the token and the session are warm
    for _ in range(3):
        ConversationFactory(channel=channel).labels.add(Label.objects.get_or_create(name="vip")[0])
    with django_assert_max_num_queries(9) as few:
        assert len(results(client.get(URL))) == 3
    for _ in range(20):
        ConversationFactory(channel=channel).labels.add(Label.objects.get_or_create(name="vip")[0])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(results(client.get(URL))) == 23


# Filters


@pytest.mark.parametrize("statuses", [["open"], ["open", "pending"], ["resolved"]])
def test_filter_by_one_or_several_statuses(supervisor, channel, statuses):
    by_status = {s: ConversationFactory(channel=channel, status=s).pk for s in Status.values}
    listed = ids(client_for(supervisor).get(URL, {"status": statuses}))
    assert sorted(listed) == sorted(by_status[s] for s in statuses)


def test_filter_by_team(supervisor, team, other_team):
    ConversationFactory(channel__default_team=team)
    billing = ConversationFactory(channel__default_team=other_team)
    assert ids(client_for(supervisor).get(URL, {"team": other_team.pk})) == [billing.pk]


def test_filter_assignee_me_lists_what_is_assigned_to_the_caller(agent, channel):
    ConversationFactory(channel=channel)
    mine = ConversationFactory(channel=channel, assignee=agent)
    assert ids(client_for(agent).get(URL, {"assignee": "me"})) == [mine.pk]


def test_filter_assignee_none_lists_the_team_queue(agent, channel):
    queued = ConversationFactory(channel=channel)
    ConversationFactory(channel=channel, assignee=agent)
    assert ids(client_for(agent).get(URL, {"assignee": "none"})) == [queued.pk]


def test_filter_by_assignee_id(supervisor, agent, channel):
    ConversationFactory(channel=channel)
    held = ConversationFactory(channel=channel, assignee=agent)
    assert ids(client_for(supervisor).get(URL, {"assignee": agent.pk})) == [held.pk]


def test_filter_by_channel(supervisor, channel):
    ConversationFactory(channel=channel)
    elsewhere = ConversationFactory()
    assert ids(client_for(supervisor).get(URL, {"channel": elsewhere.channel_id})) == [elsewhere.pk]


def test_filter_by_network(supervisor, channel):
    ConversationFactory(channel=channel)
    tweet = ConversationFactory(channel=ChannelFactory(kind=ChannelKind.TWITTER))
    assert ids(client_for(supervisor).get(URL, {"network": "twitter"})) == [tweet.pk]


def test_filter_by_priority(supervisor, channel):
    ConversationFactory(channel=channel, priority=Priority.NORMAL)
    urgent = ConversationFactory(channel=channel, priority=Priority.URGENT)
    assert ids(client_for(supervisor).get(URL, {"priority": Priority.URGENT})) == [urgent.pk]


def test_filter_by_label(supervisor, channel):
    ConversationFactory(channel=channel)
    labelled = ConversationFactory(channel=channel)
    labelled.labels.add(Label.objects.create(name="refund"))
    assert ids(client_for(supervisor).get(URL, {"label": "refund"})) == [labelled.pk]


def test_filter_by_a_label_nobody_uses_lists_nothing(supervisor, channel):
    ConversationFactory(channel=channel).labels.add(Label.objects.create(name="refund"))
    assert ids(client_for(supervisor).get(URL, {"label": "legal"})) == []


def test_filter_by_sla_state(supervisor, channel):
    ConversationFactory(channel=channel, sla_state=SLAState.OK)
    late = ConversationFactory(channel=channel, sla_state=SLAState.BREACHED)
    assert ids(client_for(supervisor).get(URL, {"sla_state": "breached"})) == [late.pk]


def test_filter_by_language(supervisor, channel):
    ConversationFactory(channel=channel, language="en")
    spanish = ConversationFactory(channel=channel, language="es")
    assert ids(client_for(supervisor).get(URL, {"language": "es"})) == [spanish.pk]


@pytest.mark.parametrize("q", ["NEVER ARRIVED", "lucia_m", "Lucía Martínez"])
def test_search_finds_message_text_author_handle_and_name(supervisor, channel, q):
    ConversationFactory(channel=channel, contact=ContactFactory(handle="someone", name="Some One"))
    found = ConversationFactory(channel=channel, contact=ContactFactory(handle="lucia_mtz", name="Lucía Martínez"))
    say(found, "My parcel never arrived")
    assert ids(client_for(supervisor).get(URL, {"q": q})) == [found.pk]


def test_filters_combine(supervisor, channel):
    ConversationFactory(channel=channel, priority=Priority.URGENT, status=Status.RESOLVED)
    ConversationFactory(channel=channel, priority=Priority.LOW, status=Status.OPEN)
    wanted = ConversationFactory(channel=channel, priority=Priority.URGENT, status=Status.OPEN)
    assert ids(client_for(supervisor).get(URL, {"priority": 4, "status": "open"})) == [wanted.pk]


def test_an_unknown_filter_value_is_a_400_naming_the_parameter(agent):
    response = client_for(agent).get(URL, {"sla_state": "late"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("sla_state:")
    assert "sla_state" in response.json()["errors"]


# One conversation


def test_a_conversation_shows_its_contact_team_assignee_labels_escalation_and_sla(agent, conversation):
    conversation.assignee = agent
    conversation.escalation_level, conversation.escalation_reason = 1, "Angry VIP"
    conversation.waiting_since = timezone.now() - timedelta(minutes=30)
    conversation.response_due_at = conversation.waiting_since + timedelta(hours=2)
    conversation.sla_state = SLAState.OK
    conversation.language = "es"
    conversation.save()
    conversation.labels.add(Label.objects.create(name="vip"))

    body = client_for(agent).get(f"{URL}{conversation.pk}/").json()

    assert body["contact"]["handle"] == conversation.contact.handle
    assert body["team"] == {"id": conversation.team_id, "name": "Support"}
    assert body["assignee"]["id"] == agent.pk and body["assignee"]["username"] == "ana"
    assert body["labels"] == ["vip"]
    assert (body["escalation_level"], body["escalation_reason"]) == (1, "Angry VIP")
    assert body["sla_state"] == "ok" and body["response_due_at"] and body["waiting_since"]
    assert body["channel"]["kind"] == "demo" and body["language"] == "es"


def test_a_conversation_the_user_may_not_see_is_a_404(outsider, conversation):
    response = client_for(outsider).get(f"{URL}{conversation.pk}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_user_without_an_agent_profile_is_refused(conversation):
    assert client_for(UserFactory()).get(URL).status_code == 403


# Actions


def test_assign_hands_the_conversation_to_an_agent(supervisor, agent, conversation):
    response = client_for(supervisor).post(f"{URL}{conversation.pk}/assign/", {"assignee": agent.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == agent.pk
    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk
    assert ConversationEvent.objects.filter(conversation=conversation, kind="assigned", actor=supervisor).exists()


def test_assign_null_returns_the_conversation_to_the_queue(agent, conversation):
    conversation.assignee = agent
    conversation.save()
    response = client_for(agent).post(f"{URL}{conversation.pk}/assign/", {"assignee": None}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] is None
    conversation.refresh_from_db()
    assert conversation.assignee_id is None


def test_assign_to_someone_who_is_not_an_agent_is_a_400(agent, conversation):
    response = client_for(agent).post(f"{URL}{conversation.pk}/assign/", {"assignee": UserFactory().pk}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("assignee:")


def test_a_resolved_conversation_cannot_be_assigned_and_the_error_says_why(agent, conversation):
    conversation.status = Status.RESOLVED
    conversation.save()
    response = client_for(agent).post(f"{URL}{conversation.pk}/assign/", {"assignee": agent.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A resolved conversation cannot be assigned."}


def test_escalate_to_another_team_moves_the_conversation_there(agent, other_team, conversation):
    response = client_for(agent).post(
        f"{URL}{conversation.pk}/escalate/", {"reason": "Billing question", "team": other_team.pk}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["team"]["id"] == other_team.pk
    assert (body["escalation_level"], body["escalation_reason"]) == (1, "Billing question")


def test_escalate_without_a_team_raises_the_priority_for_the_supervisors(agent, conversation):
    response = client_for(agent).post(f"{URL}{conversation.pk}/escalate/", {"reason": "Threatens to sue"}, format="json")
    assert response.status_code == 200
    assert response.json()["priority"] == Priority.HIGH
    assert response.json()["team"]["id"] == conversation.team_id


def test_escalate_needs_a_reason(agent, conversation):
    response = client_for(agent).post(f"{URL}{conversation.pk}/escalate/", {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert Conversation.objects.get(pk=conversation.pk).escalation_level == 0


def test_snooze_hides_the_conversation_until_a_time(agent, conversation):
    until = in_minutes(60)
    response = client_for(agent).post(f"{URL}{conversation.pk}/snooze/", {"until": until.isoformat()}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "snoozed"
    conversation.refresh_from_db()
    assert conversation.snoozed_until == until


def test_snooze_into_the_past_is_refused_with_the_reason(agent, conversation):
    response = client_for(agent).post(
        f"{URL}{conversation.pk}/snooze/", {"until": in_minutes(-5).isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Snooze until a time in the future."}


def test_resolve_closes_the_conversation_and_stops_the_clock(agent, conversation):
    conversation.waiting_since = timezone.now()
    conversation.response_due_at = in_minutes(120)
    conversation.save()
    response = client_for(agent).post(f"{URL}{conversation.pk}/resolve/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "resolved" and body["resolved_at"] and body["response_due_at"] is None


def test_reopen_opens_a_resolved_conversation_with_a_new_clock(agent, conversation):
    conversation.status = Status.RESOLVED
    conversation.save()
    response = client_for(agent).post(f"{URL}{conversation.pk}/reopen/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "open" and body["response_due_at"] is not None


def test_reopen_of_an_open_conversation_is_refused_with_the_reason(agent, conversation):
    response = client_for(agent).post(f"{URL}{conversation.pk}/reopen/")
    assert response.status_code == 400
    assert response.json() == {"detail": "Only a resolved conversation can be reopened."}


def test_an_agent_cannot_act_on_another_teams_conversation(outsider, conversation):
    response = client_for(outsider).post(f"{URL}{conversation.pk}/resolve/")
    assert response.status_code == 404
    assert Conversation.objects.get(pk=conversation.pk).status == Status.OPEN


def test_supervisors_act_on_any_conversation(conversation):
    boss = AgentFactory(role=Role.SUPERVISOR).user  # in no team at all
    assert client_for(boss).post(f"{URL}{conversation.pk}/resolve/").status_code == 200


def test_an_agent_takes_a_colleagues_conversation_but_does_not_hand_it_to_a_third(agent, conversation):
    colleague, third = (AgentFactory(teams=[conversation.team]).user for _ in range(2))
    conversation.assignee = colleague
    conversation.save()
    handed = client_for(agent).post(f"{URL}{conversation.pk}/assign/", {"assignee": third.pk}, format="json")
    assert handed.status_code == 400 and handed.json()["detail"].startswith("Only the assignee or a supervisor")
    taken = client_for(agent).post(f"{URL}{conversation.pk}/assign/", {"assignee": agent.pk}, format="json")
    assert taken.status_code == 200 and taken.json()["assignee"]["id"] == agent.pk
