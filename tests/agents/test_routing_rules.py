"""Routing rules: each condition and each action, and the order they apply in."""

from datetime import timedelta

import pytest
from django.test import override_settings

from agents.models import RoutingRule
from agents.routing import route
from inbox.actions import ingest
from inbox.models import Conversation, Label, Priority, SLAPolicy
from tests.factories import AgentFactory, ChannelFactory, TeamFactory, mention

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    return ChannelFactory()


@pytest.fixture
def billing():
    return TeamFactory(name="Billing")


def routed(channel, text="My order never arrived", **fields):
    ingest(channel, [mention(text=text, **fields)], {})
    conversation = Conversation.objects.latest("pk")
    route(conversation.pk)
    conversation.refresh_from_db()
    return conversation


def rule(**fields):
    labels = fields.pop("add_labels", [])
    created = RoutingRule.objects.create(name=fields.pop("name", "rule"), **fields)
    created.add_labels.set(labels)
    return created


def test_without_a_matching_rule_the_channels_default_team_takes_it(channel, billing):
    rule(keywords=["invoice"], set_team=billing)
    assert routed(channel).team == channel.default_team


def test_a_keyword_rule_matches_whole_words_without_accents_or_case(channel, billing):
    rule(keywords=["factura"], set_team=billing)
    assert routed(channel, "Me cobraron dos veces la FÁCTURA").team == billing


def test_a_keyword_inside_another_word_does_not_match(channel, billing):
    rule(keywords=["bill"], set_team=billing)
    assert routed(channel, "Billy here, where is my parcel?").team == channel.default_team


def test_a_regex_rule_matches(channel, billing):
    rule(pattern=r"\border\s*#?\d{5}\b", set_team=billing)
    assert routed(channel, "Order #48213 is late").team == billing


def test_a_channel_rule_matches_only_its_channel(channel, billing):
    rule(channel=ChannelFactory(), set_team=billing)
    assert routed(channel).team == channel.default_team


def test_a_language_rule_matches_the_detected_language(channel, billing):
    rule(language="es", set_team=billing)
    assert routed(channel, "Hola, llevo tres días sin internet y nadie me contesta").team == billing


def test_a_sentiment_rule_matches_negative_messages(channel, billing):
    rule(sentiment="negative", set_team=billing)
    assert routed(channel, "This is the worst service ever, I am furious").team == billing


def test_a_sentiment_rule_ignores_positive_messages(channel, billing):
    rule(sentiment="negative", set_team=billing)
    assert routed(channel, "Thanks a lot, the technician was great!").team == channel.default_team


def test_a_followers_rule_matches_large_audiences(channel, billing):
    rule(min_followers=50_000, set_team=billing)
    big = mention(text="Hello?")
    big = big.__class__(**{**big.__dict__, "author": big.author.__class__("star", "star", "Star", 90_000, False)})
    ingest(channel, [big], {})
    conversation = Conversation.objects.get()
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.team == billing


def test_a_verified_rule_ignores_unverified_authors(channel, billing):
    rule(verified_only=True, set_team=billing)
    assert routed(channel).team == channel.default_team


def test_a_contact_label_rule_matches_labelled_contacts(channel, billing):
    vip = Label.objects.create(name="VIP")
    rule(contact_label=vip, set_team=billing)
    ingest(channel, [mention("t1", author="vip-customer")], {})
    conversation = Conversation.objects.get()
    conversation.contact.labels.add(vip)
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.team == billing


def test_a_private_message_rule_ignores_public_mentions(channel, billing):
    rule(visibility="private", set_team=billing)
    assert routed(channel).team == channel.default_team
    assert routed(channel, "DM here", author="dm", public=False).team == billing


def test_the_first_rule_that_sets_a_team_decides_it(channel, billing):
    second_tier = TeamFactory()
    rule(position=1, keywords=["refund"], set_team=billing)
    rule(position=2, keywords=["refund"], set_team=second_tier)
    assert routed(channel, "I want a refund").team == billing


def test_rules_raise_the_priority_and_add_labels(channel):
    legal = Label.objects.create(name="legal")
    rule(keywords=["abogado", "lawyer", "demanda"], set_priority=Priority.URGENT, add_labels=[legal])
    conversation = routed(channel, "Voy a hablar con mi abogado")
    assert conversation.priority == Priority.URGENT
    assert list(conversation.labels.all()) == [legal]


def test_a_rule_can_hand_the_conversation_to_a_specific_agent(channel):
    expert = AgentFactory(online=True, teams=[channel.default_team])
    AgentFactory(online=True, teams=[channel.default_team])
    rule(keywords=["fibra"], assign_to=expert.user)
    assert routed(channel, "Problema con la fibra").assignee == expert.user


def test_each_applied_rule_is_on_the_audit_trail(channel, billing):
    applied = rule(name="Invoices to billing", keywords=["invoice"], set_team=billing)
    conversation = routed(channel, "Wrong invoice")
    event = conversation.events.get(kind="rule_applied")
    assert event.data["rule"] == applied.pk and event.data["name"] == "Invoices to billing"


def test_a_disabled_rule_does_nothing(channel, billing):
    rule(keywords=["invoice"], set_team=billing, enabled=False)
    assert routed(channel, "Wrong invoice").team == channel.default_team


@override_settings(OPINION_LEADER_FOLLOWERS=10_000)
def test_a_negative_message_from_an_opinion_leader_raises_the_priority(channel):
    angry = mention(text="Worst airline ever. Lost my bag and nobody answers. Furious.")
    angry = angry.__class__(**{**angry.__dict__, "author": angry.author.__class__("vip", "vip", "VIP", 48_000, False)})
    ingest(channel, [angry], {})
    conversation = Conversation.objects.get()
    route(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.priority == Priority.HIGH


def test_a_negative_message_from_a_small_account_keeps_normal_priority(channel):
    conversation = routed(channel, "Worst airline ever. Lost my bag and nobody answers. Furious.")
    assert conversation.priority == Priority.NORMAL


def test_the_receiving_teams_sla_policy_applies_after_routing(channel, billing):
    fast = SLAPolicy.objects.create(name="Billing 30 min", team=billing, first_response_target=timedelta(minutes=30))
    rule(keywords=["invoice"], set_team=billing)
    conversation = routed(channel, "Wrong invoice")
    assert conversation.sla_policy == fast
    assert conversation.response_due_at == conversation.waiting_since + timedelta(minutes=30)
