"""Which routing rules match a customer message: pure checks, no writes."""

import re
import unicodedata
from dataclasses import dataclass, field

from agents.models import RoutingRule


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
