"""Where a conversation goes: the routing rules, then the channel's default team; its
priority; and the agent who takes it."""

from django.db import transaction
from django.utils import timezone

from agents import rules
from agents.assignment import assign, pick_agent, previous_agent
from agents.models import RoutingRule
from inbox import events
from inbox.actions import analyse_new_messages, apply_sla_policy, audit
from inbox.models import Conversation, Status
from inbox.sla import Policies


def route_all(conversation_ids):
    """Route a batch, reading the rules and SLA policies once for all of it."""
    enabled = list(RoutingRule.objects.filter(enabled=True).prefetch_related("add_labels"))
    policies = Policies()
    for conversation_id in conversation_ids:
        route(conversation_id, enabled, policies)


@transaction.atomic
def route(conversation_id, enabled_rules=None, policies=None):
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("channel", "contact")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or conversation.status == Status.RESOLVED:
        return
    message = analyse_new_messages(conversation)
    before = (conversation.team_id, conversation.priority)
    agent_id = None
    if message is not None:
        agent_id = _apply_rules(conversation, message, enabled_rules)
    if conversation.team_id is None and conversation.channel.default_team_id:
        conversation.team_id = conversation.channel.default_team_id
        audit(conversation, "routed", team=conversation.team_id, rule="channel default team")
    if (conversation.team_id, conversation.priority) != before:
        conversation.save(update_fields=["team", "priority", "updated_at"])
        apply_sla_policy(conversation, policies=policies)
        events.publish_on_commit(events.CONVERSATION_CHANGED, [events.Audience.of(conversation)])
    if conversation.assignee_id is None and conversation.team_id and conversation.status == Status.OPEN:
        now = timezone.now()
        profile = pick_agent(conversation.team_id, now, prefer_user_id=agent_id or previous_agent(conversation))
        if profile is not None:
            assign(conversation, profile, now)


def _apply_rules(conversation, message, enabled_rules) -> int | None:
    """Apply every matching rule, in order; returns the agent a rule asked for, if any."""
    contact = conversation.contact
    facts = rules.Facts(
        channel_id=conversation.channel_id,
        text=message.text,
        language=message.language,
        sentiment=message.sentiment_label,
        followers=contact.followers,
        verified=contact.verified,
        public=message.visibility == "public",
        contact_label_ids=frozenset(contact.labels.values_list("pk", flat=True)),
    )
    if enabled_rules is None:
        enabled_rules = list(RoutingRule.objects.filter(enabled=True).prefetch_related("add_labels"))
    decision = rules.decide(enabled_rules, facts, conversation.priority)
    if decision.team_rule and conversation.team_id is None:
        conversation.team_id = decision.team_rule.set_team_id
    conversation.priority = decision.priority
    if decision.labels:
        conversation.labels.add(*decision.labels)
    for rule in decision.fired:
        audit(conversation, "rule_applied", rule=rule.pk, name=rule.name, message=message.pk)
    if decision.opinion_leader:
        audit(conversation, "priority_raised", reason="negative message from an opinion leader", message=message.pk)
    return decision.agent_id
