"""RSS and Atom feeds: feedparser fetching from a local site that serves both."""

from datetime import datetime, timedelta, timezone

import pytest

from connectors.base import AuthFailed, ChannelConfig, OutboundReply, Permanent, RateLimited, Transient, WebhookDelivery
from connectors.feed import FeedConnector
from tests.fakes.feed import FakeFeed, channel_settings

QUICK_TIMEOUT = 0.3
MADRID = timezone(timedelta(hours=2))


@pytest.fixture
def site():
    with FakeFeed() as fake:
        yield fake


def feed(fake, kind="rss", timeout=2.0, **listening):
    settings = channel_settings(fake, kind)
    return FeedConnector(
        ChannelConfig(channel_id=1, listening={**settings["listening"], **listening}, api_base_url=fake.url, timeout=timeout)
    )


def ids(fetched):
    return [m.external_id for m in fetched.mentions]


# Normalizing


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_an_entry_becomes_a_mention_with_author_network_time_link_and_language(site, kind):
    entry = site.add_entry(
        title="Acme router drops the connection",
        summary="<p>Since the <b>update</b> it drops every hour.</p>",
        author="Dana Blogger",
        email="dana@example.com",
        link=f"{site.url}/2024/router",
        published=datetime(2024, 5, 1, 12, 30, tzinfo=MADRID),
    )
    [mention] = feed(site, kind).fetch({}).mentions
    assert mention.external_id == entry
    assert (mention.author.platform_id, mention.author.name) == ("127.0.0.1/Dana Blogger", "Dana Blogger")
    assert mention.created_at == datetime(2024, 5, 1, 10, 30, tzinfo=timezone.utc)
    assert mention.created_at.utcoffset() == timedelta(0)
    assert mention.url == mention.thread_external_id == f"{site.url}/2024/router"
    assert mention.text == "Acme router drops the connection\n\nSince the update it drops every hour."
    assert (mention.language, mention.public, mention.parent_external_id) == ("en", True, "")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_title_mentioning_script_arrives_as_plain_text(site, kind):
    site.add_entry(title="Why does <script>alert(1)</script> show up?", summary="")
    [mention] = feed(site, kind).fetch({}).mentions
    assert mention.text == "Why does <script>alert(1)</script> show up?"


def test_an_entry_without_author_is_attributed_to_the_site(site):
    site.add_entry(author="")
    [mention] = feed(site).fetch({}).mentions
    assert mention.author.platform_id == "127.0.0.1"


def test_ids_and_links_too_long_for_the_inbox_are_stored_as_stable_digests(site):
    long_link = f"{site.url}/posts/1?" + "utm_campaign=x&" * 20
    site.add_entry(entry_id="tag:example.com,2024:" + "x" * 200, link=long_link)
    first = feed(site).fetch({}).mentions[0]
    again = feed(site).fetch({}).mentions[0]
    assert len(first.external_id) <= 128 and len(first.thread_external_id) <= 128
    assert (first.external_id, first.thread_external_id) == (again.external_id, again.thread_external_id)
    assert first.url == long_link and first.raw["id"].startswith("tag:example.com")


def test_only_entries_with_a_keyword_become_mentions(site):
    site.add_entry(title="Our trip to the mountains", summary="<p>Lovely weather.</p>")
    wanted = site.add_entry(title="Review", summary="<p>The <i>ACME</i> vacuum is loud.</p>")
    assert ids(feed(site, keywords=["acme", "globex"]).fetch({})) == [wanted]


def test_without_keywords_every_entry_is_a_mention(site):
    first, second = site.add_entry(title="One"), site.add_entry(title="Two")
    assert ids(feed(site).fetch({})) == [first, second]


# The cursor


def test_the_next_fetch_sends_the_validators_and_a_304_gives_nothing_and_keeps_the_cursor(site):
    site.add_entry()
    connector = feed(site)
    first = connector.fetch({})
    second = connector.fetch(first.cursor)
    request = site.requests[-1]
    assert request.headers["if-none-match"] == first.cursor["etag"]
    assert request.headers["if-modified-since"] == first.cursor["modified"]
    assert (second.mentions, second.cursor) == ([], first.cursor)


def test_a_site_that_knows_only_last_modified_answers_304_too(site):
    site.add_entry()
    cursor = feed(site).fetch({}).cursor
    fetched = feed(site).fetch({**cursor, "etag": ""})
    assert "if-none-match" not in site.requests[-1].headers
    assert fetched.mentions == [] and fetched.cursor["modified"] == cursor["modified"]


def test_an_entry_seen_before_is_not_returned_again(site):
    old = site.add_entry(title="Old news")
    connector = feed(site)
    first = connector.fetch({})
    new = site.add_entry(title="Fresh news")
    second = connector.fetch(first.cursor)
    assert ids(first) == [old] and ids(second) == [new]
    assert second.cursor["etag"] != first.cursor["etag"] and set(second.cursor["seen"]) == {old, new}


def test_the_memory_of_seen_entries_is_bounded_but_keeps_the_whole_feed(site):
    site.add_entry()
    cursor = feed(site).fetch({"url": channel_settings(site)["listening"]["url"], "seen": [f"old-{n}" for n in range(600)]}).cursor
    assert len(cursor["seen"]) == 500 and cursor["seen"][-1] == site.entries[0]["id"]


def test_a_changed_feed_url_starts_without_the_old_validators(site):
    site.add_entry()
    cursor = feed(site, "rss").fetch({}).cursor
    assert len(feed(site, "atom").fetch(cursor).mentions) == 1
    assert "if-none-match" not in site.requests[-1].headers


# Errors


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_raises_transient(site, status):
    site.fail_next(status)
    with pytest.raises(Transient, match=str(status)):
        feed(site).fetch({})


def test_a_timeout_raises_transient(site):
    site.hang_next(QUICK_TIMEOUT * 4)
    with pytest.raises(Transient):
        feed(site, timeout=QUICK_TIMEOUT).fetch({})


def test_something_that_is_not_a_feed_raises_transient(site):
    site.fail_next(200, "<html><body>Maintenance <b>tonight</body>")
    with pytest.raises(Transient):
        feed(site).fetch({})


def test_an_unreachable_site_raises_transient():
    with FakeFeed() as gone:
        connector = feed(gone)
    with pytest.raises(Transient):
        connector.fetch({})


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_feed_raises_auth_failed(site, status):
    site.fail_next(status)
    with pytest.raises(AuthFailed):
        feed(site).fetch({})


@pytest.mark.parametrize("status", [404, 410])
def test_a_feed_that_is_gone_raises_permanent(site, status):
    site.fail_next(status)
    with pytest.raises(Permanent):
        feed(site).fetch({})


def test_a_429_raises_rate_limited_until_retry_after(site):
    site.fail_next(429, headers={"Retry-After": "90"})
    with pytest.raises(RateLimited) as caught:
        feed(site).fetch({})
    assert timedelta(seconds=85) < caught.value.reset_at - datetime.now(timezone.utc) <= timedelta(seconds=90)


def test_verify_reads_the_feed_once_and_reports_failure(site):
    feed(site).verify()
    assert len(site.requests) == 1
    site.fail_next(404)
    with pytest.raises(Permanent):
        feed(site).verify()


# Answering happens on the site


def test_send_refuses_and_says_replies_are_made_on_the_site(site):
    reply = OutboundReply(message_id=1, text="Thanks for the review!", public=True, in_reply_to="urn:1")
    connector = feed(site)
    assert connector.replies_on_site
    with pytest.raises(Permanent, match="Replies to this source are made on the site itself."):
        connector.send(reply)
    assert connector.find_sent(reply) is None


def test_feeds_take_no_webhooks(site):
    delivery = WebhookDelivery(headers={"x-hub-signature": "sha1=x"}, body=b"<rss/>")
    connector = feed(site)
    assert connector.webhook_handshake({"hub.challenge": "abc"}) is None
    assert not connector.webhook_signature_ok(delivery)
    assert connector.parse_webhook(delivery) == []
