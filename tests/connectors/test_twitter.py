"""The X connector against a local X API v2, through the real tweepy client."""

import base64
import hashlib
import hmac
import json
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import (
    AuthFailed,
    ChannelConfig,
    OutboundReply,
    Permanent,
    RateLimited,
    Transient,
    WebhookDelivery,
)
from connectors.twitter import TwitterConnector, weighted_length
from tests.fakes.twitter import (
    BRAND_ID,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    CREDENTIALS,
    CUSTOMER_ID,
    FakeX,
    channel_settings,
    conversation_between,
    signed,
    signed_webhook,
    snowflake,
)

MENTIONS = r"/2/users/\d+/mentions"


@pytest.fixture
def x():
    with FakeX() as fake:
        yield fake


def connector(fake, *, timeout=2.0, credentials=None, **listening) -> TwitterConnector:
    settings = channel_settings(fake)
    return TwitterConnector(
        ChannelConfig(
            channel_id=1,
            credentials={**settings["credentials"], **(credentials or {})},
            listening={**settings["listening"], **listening},
            api_base_url=settings["api_base_url"],
            timeout=timeout,
        )
    )


def public_reply(to, text="Sorry to hear that! We've sent you a DM.", message_id=1):
    return OutboundReply(message_id=message_id, text=text, public=True, in_reply_to=to)


def private_reply(to, recipient=CUSTOMER_ID, text="Could you send us your order number?"):
    return OutboundReply(message_id=2, text=text, public=False, in_reply_to=to, recipient_id=recipient)


# Listening


def test_documented_payloads_become_mentions_with_author_parent_thread_language_and_network_time(x):
    x.add_user("2003", "gadgetgrace", "Grace Kim | Gadget Reviews", followers=125000, verified=True)
    at = datetime(2025, 3, 4, 9, 15, 30, 250000, tzinfo=UTC)
    first = x.add_mention("@AcmeSupport my router died", author_id="2003", at=at)
    follow_up = x.add_mention("@AcmeSupport sigue sin funcionar", author_id="2003", parent=first, lang="es", at=at + timedelta(minutes=5))

    mentions = {m.external_id: m for m in connector(x).fetch({}).mentions}

    mention = mentions[follow_up]
    assert mention.author.platform_id == "2003"
    assert mention.author.handle == "gadgetgrace"
    assert mention.author.name == "Grace Kim | Gadget Reviews"
    assert mention.author.followers == 125000 and mention.author.verified
    assert mention.author.avatar_url == "https://pbs.twimg.com/profile_images/2003/avatar_normal.jpg"
    assert mention.author.profile_url == "https://x.com/gadgetgrace"
    assert mention.text == "@AcmeSupport sigue sin funcionar"
    assert mention.parent_external_id == first
    assert mention.thread_external_id == first  # the conversation_id: the tweet that started it
    assert mention.language == "es"
    assert mention.created_at == datetime(2025, 3, 4, 9, 20, 30, 250000, tzinfo=UTC)
    assert mention.url == f"https://x.com/gadgetgrace/status/{follow_up}"
    assert mention.public and mention.raw["id"] == follow_up
    assert mentions[first].parent_external_id == "" and mentions[first].thread_external_id == first


def test_a_fetch_asks_for_every_page_size_expansion_and_field_it_reads(x):
    connector(x).fetch({})

    query = x.requests_to("GET", MENTIONS)[0].query
    assert query["max_results"] == "100"
    assert query["expansions"].split(",") == ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]
    assert {"created_at", "conversation_id", "lang", "referenced_tweets", "author_id", "in_reply_to_user_id"} <= set(query["tweet.fields"].split(","))
    assert query["user.fields"].split(",") == ["public_metrics", "verified", "profile_image_url", "username", "name"]


def test_an_undetermined_language_is_left_empty(x):
    x.add_mention("@AcmeSupport 👍👍", lang="und")
    assert connector(x).fetch({}).mentions[0].language == ""


def test_text_x_escaped_arrives_as_the_customer_wrote_it(x):
    x.add_mention("@AcmeSupport fish & chips <3 > pizza")
    assert connector(x).fetch({}).mentions[0].text == "@AcmeSupport fish & chips <3 > pizza"


def test_the_brands_own_tweets_are_not_mentions(x):
    x.add_mention("@AcmeSupport thanks for following up", author_id=BRAND_ID)
    customer = x.add_mention()
    assert [m.external_id for m in connector(x).fetch({}).mentions] == [customer]


def test_every_page_is_read(x):
    x.page_size = 2
    posted = [x.add_mention(f"@AcmeSupport complaint {n}") for n in range(5)]

    fetched = connector(x).fetch({})

    assert [m.external_id for m in fetched.mentions] == posted  # oldest first
    pages = x.requests_to("GET", MENTIONS)
    assert len(pages) == 3
    assert "pagination_token" not in pages[0].query and all(p.query.get("pagination_token") for p in pages[1:])


def test_the_cursor_advances_and_the_next_fetch_sends_since_id(x):
    x.add_mention("@AcmeSupport first")
    newest = x.add_mention("@AcmeSupport second")
    first = connector(x).fetch({})
    later = x.add_mention("@AcmeSupport third")

    second = connector(x).fetch(first.cursor)

    assert first.cursor == {"since_id": newest}
    assert x.requests_to("GET", MENTIONS)[-1].query["since_id"] == newest
    assert [m.external_id for m in second.mentions] == [later]
    assert second.cursor == {"since_id": later}


def test_a_fetch_with_nothing_new_keeps_the_cursor(x):
    assert connector(x).fetch({"since_id": "1800000000000000000"}).cursor == {"since_id": "1800000000000000000"}


def test_brand_keywords_are_searched_with_a_since_id_of_their_own(x):
    x.add_tweet("Acme delivery is late again", author_id="3001")
    keyword = x.add_tweet("acme support never answers", author_id="3002")

    fetched = connector(x, search_query="acme -is:retweet").fetch({})

    assert [m.external_id for m in fetched.mentions][-1] == keyword
    assert len(fetched.mentions) == 2
    assert fetched.cursor["search_since_id"] == keyword
    search = x.requests_to("GET", "/2/tweets/search/recent")[0]
    assert search.query["query"] == "acme -is:retweet"


def test_a_tweet_that_mentions_the_brand_and_matches_the_search_arrives_once(x):
    both = x.add_mention("@AcmeSupport acme broke my heart")
    assert [m.external_id for m in connector(x, search_query="acme").fetch({}).mentions] == [both]


def test_a_search_since_id_older_than_seven_days_is_dropped_rather_than_failing_every_poll(x):
    found = x.add_tweet("acme is down")
    stale = str(snowflake(datetime.now(UTC) - timedelta(days=8)))

    fetched = connector(x, search_query="acme").fetch({"search_query": "acme", "search_since_id": stale})

    assert [m.external_id for m in fetched.mentions] == [found]
    searches = x.requests_to("GET", "/2/tweets/search/recent")
    assert searches[0].query["since_id"] == stale and "since_id" not in searches[1].query


def test_direct_messages_are_read_when_enabled_and_arrive_private(x):
    asked = x.add_direct_message("Hi, my invoice is wrong")
    x.add_direct_message("We are on it", sender_id=BRAND_ID, recipient_id=CUSTOMER_ID)

    fetched = connector(x, direct_messages=True).fetch({})

    [message] = fetched.mentions
    assert message.external_id == asked and not message.public
    assert message.author.handle == "lucia_mtz" and message.author.followers == 312
    assert message.thread_external_id == conversation_between(BRAND_ID, CUSTOMER_ID)
    assert fetched.cursor["dm_since_id"] > asked
    query = x.requests_to("GET", "/2/dm_events")[0].query
    assert query["event_types"] == "MessageCreate" and "sender_id" in query["dm_event.fields"].split(",")


def test_direct_messages_already_read_stop_the_paging(x):
    x.page_size = 2
    for n in range(4):
        x.add_direct_message(f"message {n}")
    cursor = connector(x, direct_messages=True).fetch({}).cursor
    newer = x.add_direct_message("one more thing")
    x.requests.clear()

    fetched = connector(x, direct_messages=True).fetch(cursor)

    assert [m.external_id for m in fetched.mentions] == [newer]
    assert len(x.requests_to("GET", "/2/dm_events")) == 1


# Answering


def test_a_reply_sends_exactly_the_documented_request(x):
    customer = x.add_mention()

    sent = connector(x).send(public_reply(customer, "Sorry to hear that! We've sent you a DM."))

    [post] = x.requests_to("POST", "/2/tweets")
    assert post.json() == {"text": "Sorry to hear that! We've sent you a DM.", "reply": {"in_reply_to_tweet_id": customer}}
    authorization = post.headers["authorization"]
    assert authorization.startswith("OAuth ")
    assert f'oauth_consumer_key="{CONSUMER_KEY}"' in authorization and "oauth_signature=" in authorization
    [posted] = x.posted_replies
    assert sent.external_id == posted["id"]
    assert sent.url == f"https://x.com/i/web/status/{posted['id']}"
    assert sent.accepted_at.tzinfo is not None


def test_a_reply_over_280_characters_is_refused_before_any_request(x):
    with pytest.raises(Permanent, match="280"):
        connector(x).send(public_reply("1800000000000000000", "a" * 281))
    assert x.requests == []


def test_x_counts_links_as_23_and_emoji_and_cjk_as_2():
    assert weighted_length("a" * 280) == 280
    assert weighted_length("see https://example.com/a/very/long/path/to/an/order?id=48213") == 4 + 23
    assert weighted_length("👍") == weighted_length("👨‍👩‍👧") == weighted_length("🇪🇸") == 2
    assert weighted_length("日本") == 4


def test_a_reply_that_fits_only_because_links_count_23_is_sent(x):
    customer = x.add_mention()
    text = "b" * 250 + " https://acme.example/help/" + "c" * 80
    connector(x).send(public_reply(customer, text))
    assert len(x.posted_replies) == 1


def test_a_private_reply_is_a_direct_message_to_the_customer(x):
    asked = x.add_direct_message()

    sent = connector(x).send(private_reply(asked, text="Could you send us your order number?"))

    [post] = x.requests_to("POST", rf"/2/dm_conversations/with/{CUSTOMER_ID}/messages")
    assert post.json() == {"text": "Could you send us your order number?"}
    assert post.headers["authorization"].startswith("OAuth ")
    assert sent.external_id == x.sent_messages[0]["id"]


def test_verify_reads_the_authenticated_account(x):
    connector(x).verify()
    [me] = x.requests_to("GET", "/2/users/me")
    assert me.headers["authorization"].startswith("OAuth ")


def test_verify_refuses_credentials_of_another_account(x):
    with pytest.raises(AuthFailed, match="not those of the listening account"):
        connector(x, user_id="42").verify()


# Webhooks


def test_the_crc_answer_is_the_documented_hmac():
    crc_token = "9b4507b3-9040-4669-9ca3-6b94edb50553"
    digest = hmac.new(CONSUMER_SECRET.encode(), crc_token.encode(), hashlib.sha256).digest()
    expected = {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    twitter = TwitterConnector(ChannelConfig(channel_id=1, credentials={"consumer_secret": CONSUMER_SECRET}))

    assert twitter.webhook_handshake({"crc_token": crc_token}) == expected
    assert twitter.webhook_handshake({}) is None


def test_a_validly_signed_webhook_is_accepted_and_parsed(x):
    headers, body = signed_webhook(x, text="@AcmeSupport my parcel is lost & nobody answers")
    delivery = WebhookDelivery(headers=headers, body=body)
    twitter = connector(x)

    assert twitter.webhook_signature_ok(delivery)
    [mention] = twitter.parse_webhook(delivery)
    [tweet] = json.loads(body)["tweet_create_events"]
    assert mention.external_id == tweet["id_str"]
    assert mention.text == "@AcmeSupport my parcel is lost & nobody answers"
    assert mention.author.platform_id == CUSTOMER_ID and mention.author.handle == "lucia_mtz"
    assert mention.author.followers == 312 and mention.public
    assert mention.created_at == datetime.fromtimestamp(int(tweet["timestamp_ms"]) / 1000, tz=UTC)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda headers, body: ({**headers, "x-twitter-webhooks-signature": "sha256=" + base64.b64encode(b"0" * 32).decode()}, body),
        lambda headers, body: ({k: v for k, v in headers.items() if k != "x-twitter-webhooks-signature"}, body),
        lambda headers, body: (headers, body.replace(b"lost", b"LOST")),
    ],
    ids=["wrong signature", "missing signature", "altered body"],
)
def test_a_webhook_without_a_valid_signature_is_refused(x, tamper):
    headers, body = tamper(*signed_webhook(x, text="@AcmeSupport my parcel is lost"))
    assert not connector(x).webhook_signature_ok(WebhookDelivery(headers=headers, body=body))


def test_webhook_direct_messages_arrive_private_and_the_brands_own_are_skipped(x):
    asked = x.add_direct_message("Hi, my invoice is wrong")
    ours = x.add_direct_message("We are on it", sender_id=BRAND_ID, recipient_id=CUSTOMER_ID)
    headers, body = signed(x.account_activity(dm_ids=[asked, ours]))

    [message] = connector(x).parse_webhook(WebhookDelivery(headers=headers, body=body))

    assert message.external_id == asked and not message.public
    assert message.author.handle == "lucia_mtz"
    assert message.thread_external_id == conversation_between(BRAND_ID, CUSTOMER_ID)


def test_webhook_tweets_by_the_brand_are_skipped(x):
    ours = x.add_tweet("We're on it!", author_id=BRAND_ID)
    headers, body = signed(x.account_activity(tweet_ids=[ours]))
    assert connector(x).parse_webhook(WebhookDelivery(headers=headers, body=body)) == []


def test_a_redelivered_webhook_has_the_same_key(x):
    headers, body = signed_webhook(x)
    twitter = connector(x)
    assert twitter.webhook_key(WebhookDelivery(headers, body)) == twitter.webhook_key(WebhookDelivery(dict(headers), bytes(body)))
    assert twitter.webhook_key(WebhookDelivery(headers, body)) != twitter.webhook_key(WebhookDelivery(*signed_webhook(x)))


# Failures


def test_too_many_requests_raises_rate_limited_until_xs_reset_time(x):
    reset = 1767225600
    x.fail_next(429, headers={"x-rate-limit-reset": str(reset)}, path=MENTIONS)

    with pytest.raises(RateLimited) as raised:
        connector(x).fetch({})

    assert raised.value.reset_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_a_server_error_on_the_second_page_raises_transient_and_returns_nothing(x):
    x.page_size = 2
    for n in range(3):
        x.add_mention(f"@AcmeSupport complaint {n}")
    x.fail_next(500, path=MENTIONS, after=1)

    with pytest.raises(Transient, match="500"):
        connector(x).fetch({})


def test_a_timeout_on_the_second_page_raises_transient(x):
    x.page_size = 2
    for n in range(3):
        x.add_mention(f"@AcmeSupport complaint {n}")
    x.hang_next(3, path=MENTIONS, after=1)
    started = time.monotonic()

    with pytest.raises(Transient):
        connector(x, timeout=0.5).fetch({})

    assert time.monotonic() - started < 2  # the channel's timeout, not the network's silence
    assert len(x.requests_to("GET", MENTIONS)) == 2


def test_an_unreachable_network_is_transient():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    config = ChannelConfig(channel_id=1, credentials=dict(CREDENTIALS), listening={"user_id": BRAND_ID}, api_base_url=f"http://127.0.0.1:{port}", timeout=0.5)
    with pytest.raises(Transient):
        TwitterConnector(config).fetch({})


def test_missing_credentials_raise_auth_failed_before_any_request(x):
    with pytest.raises(AuthFailed, match="access_token_secret"):
        connector(x, credentials={"access_token_secret": ""}).send(public_reply("1800000000000000000"))
    assert x.requests == []


def test_a_listening_account_x_does_not_know_fails_the_fetch(x):
    with pytest.raises(Permanent, match=r"Could not find user with id: \[42\]"):
        connector(x, user_id="42").fetch({})


def test_wrong_credentials_raise_auth_failed(x):
    with pytest.raises(AuthFailed, match="401"):
        connector(x, credentials={"consumer_secret": "revoked"}).send(public_reply(x.add_mention()))


def test_an_app_without_write_permission_raises_auth_failed(x):
    x.fail_next(403, {
        "title": "Forbidden",
        "status": 403,
        "detail": "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.",
        "type": "https://api.twitter.com/2/problems/oauth1-permissions",
    }, path="/2/tweets")
    with pytest.raises(AuthFailed, match="oauth1 app permissions"):
        connector(x).send(public_reply(x.add_mention()))


def test_a_refused_post_is_permanent_and_carries_xs_message(x):
    x.refuse_duplicates = True
    twitter = connector(x)
    twitter.send(public_reply(x.add_mention(), "Thanks, we're looking into it."))

    with pytest.raises(Permanent, match="You are not allowed to create a Tweet with duplicate content."):
        twitter.send(public_reply(x.add_mention(), "Thanks, we're looking into it."))


def test_a_reply_to_a_deleted_tweet_is_permanent(x):
    customer = x.add_mention()
    x.delete(customer)
    with pytest.raises(Permanent, match="deleted or not visible"):
        connector(x).send(public_reply(customer))


# Finding what an ambiguous attempt did


def test_find_sent_finds_a_reply_whose_answer_timed_out_after_x_accepted_it(x):
    customer = x.add_mention()
    reply = public_reply(customer, "Sorry about that & thanks for your patience: https://acme.example/status")
    x.hang_next(1.5, path="/2/tweets", after_handling=True)
    twitter = connector(x, timeout=0.5)
    with pytest.raises(Transient):
        twitter.send(reply)

    found = twitter.find_sent(reply)

    [posted] = x.posted_replies
    assert found is not None and found.external_id == posted["id"]
    assert x.requests_to("GET", rf"/2/users/{BRAND_ID}/tweets")[0].query["since_id"] == customer
    assert len(x.requests_to("POST", "/2/tweets")) == 1


def test_find_sent_returns_none_when_nothing_was_posted(x):
    customer = x.add_mention()
    other = x.add_mention("@AcmeSupport another problem")
    connector(x).send(public_reply(other, "Sorry to hear that! We've sent you a DM."))

    assert connector(x).find_sent(public_reply(customer, "Sorry to hear that! We've sent you a DM.")) is None


def test_find_sent_finds_a_direct_message_that_was_sent(x):
    asked = x.add_direct_message()
    reply = private_reply(asked)
    x.hang_next(1.5, path=r"/2/dm_conversations/with/\d+/messages", after_handling=True)
    with pytest.raises(Transient):
        connector(x, timeout=0.5).send(reply)

    found = connector(x).find_sent(reply)

    assert found is not None and found.external_id == x.sent_messages[0]["id"]
