"""The demo network: believable, bilingual customers at a steady rate."""

from datetime import timedelta

from django.utils import timezone

from connectors.base import ChannelConfig, OutboundReply
from connectors.demo import DemoConnector


def demo(**listening):
    return DemoConnector(ChannelConfig(channel_id=7, listening=listening))


def test_the_first_fetch_returns_the_first_batch():
    fetched = demo(first_batch=3).fetch({})
    assert len(fetched.mentions) == 3
    assert fetched.cursor["seq"] == 3


def test_later_fetches_follow_the_rate_since_the_cursor():
    cursor = {"seq": 10, "at": (timezone.now() - timedelta(minutes=2)).isoformat(), "carry": 0.0, "recent": []}
    fetched = demo(rate_per_minute=6).fetch(cursor)
    assert len(fetched.mentions) == 12
    assert fetched.mentions[0].external_id == "demo-7-11"


def test_mentions_come_in_spanish_and_english_from_small_and_large_accounts():
    cursor = {"seq": 0, "at": (timezone.now() - timedelta(minutes=10)).isoformat(), "carry": 0.0, "recent": []}
    mentions = demo(rate_per_minute=5).fetch(cursor).mentions
    assert {m.language for m in mentions} == {"es", "en"}
    assert min(m.author.followers for m in mentions) < 1000 < max(m.author.followers for m in mentions)


def test_some_mentions_reply_to_earlier_ones_by_the_same_author():
    cursor = {"seq": 0, "at": (timezone.now() - timedelta(minutes=10)).isoformat(), "carry": 0.0, "recent": []}
    mentions = demo(rate_per_minute=5).fetch(cursor).mentions
    by_id = {m.external_id: m for m in mentions}
    replies = [m for m in mentions if m.parent_external_id]
    assert replies
    assert all(by_id[m.parent_external_id].author == m.author for m in replies if m.parent_external_id in by_id)


def test_the_same_sequence_gives_the_same_mentions():
    def said(fetched):
        return [(m.external_id, m.author, m.text) for m in fetched.mentions]

    assert said(demo().fetch({})) == said(demo().fetch({}))


def test_a_reply_is_accepted_under_an_id_that_a_retry_repeats():
    reply = OutboundReply(message_id=42, text="Hola", public=True, in_reply_to="demo-7-1")
    assert demo().send(reply).external_id == demo().send(reply).external_id == "demo-out-42"
