"""Which routing rules match a customer message: pure checks, no writes."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings

from agents.models import RoutingRule
from inbox.models import Priority


def normalized(text: str) -> str:
    """Lower case without accents, so "cancelación" matches the keyword "cancelacion"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Facts:
    """What rules may look at, read once per routing."""

    channel_id: int
    text: str
    language: str
    sentiment: str  # negative | neutral | positive | ""
    followers: int
    verified: bool
    public: bool
    contact_label_ids: frozenset = field(default_factory=frozenset)


def matches(rule: RoutingRule, facts: Facts) -> bool:
    checks = (
        rule.channel_id is None or rule.channel_id == facts.channel_id,
        not rule.keywords or _has_keyword(rule.keywords, facts.text),
        not rule.pattern or re.search(rule.pattern, facts.text, re.IGNORECASE) is not None,
        not rule.language or rule.language == facts.language,
        not rule.sentiment or rule.sentiment == facts.sentiment,
        rule.min_followers is None or facts.followers >= rule.min_followers,
        not rule.verified_only or facts.verified,
        rule.contact_label_id is None or rule.contact_label_id in facts.contact_label_ids,
        not rule.visibility or (rule.visibility == "public") == facts.public,
    )
    return all(checks)


def _has_keyword(keywords, text):
    words = normalized(text)
    return any(re.search(rf"(?<!\w){re.escape(normalized(k))}(?!\w)", words) for k in keywords if k.strip())


@dataclass
class Decision:
    """What the matching rules ask for: the first team and agent, the highest priority,
    every label; and whether an opinion leader's complaint raised the priority."""

    fired: list = field(default_factory=list)
    team_rule: RoutingRule | None = None
    priority: int = 0
    priority_rule: RoutingRule | None = None
    labels: list = field(default_factory=list)
    agent_id: int | None = None
    opinion_leader: bool = False


def decide(rules, facts: Facts, priority: int) -> Decision:
    """Routing's one precedence, used by routing itself and by the settings preview."""
    decision = Decision(priority=priority)
    for rule in rules:
        if not matches(rule, facts):
            continue
        decision.fired.append(rule)
        if rule.set_team_id and decision.team_rule is None:
            decision.team_rule = rule
        if rule.set_priority and rule.set_priority > decision.priority:
            decision.priority, decision.priority_rule = rule.set_priority, rule
        decision.labels += [label for label in rule.add_labels.all() if label not in decision.labels]
        decision.agent_id = decision.agent_id or rule.assign_to_id
    if influential(facts.followers, facts.verified) and facts.sentiment == "negative" and decision.priority < Priority.HIGH:
        decision.priority, decision.opinion_leader = Priority.HIGH, True
    return decision


def influential(followers, verified) -> bool:
    """An opinion leader: verified, or followed by more than the configured threshold."""
    return verified or followers >= settings.OPINION_LEADER_FOLLOWERS
