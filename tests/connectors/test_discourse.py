"""Discourse: the connector against a local forum that answers as Discourse documents."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from connectors.base import AuthFailed, ChannelConfig, OutboundReply, Permanent, RateLimited, Transient, WebhookDelivery
from connectors.discourse import DiscourseConnector, plain_text
from tests.fakes.discourse import API_KEY, API_USERNAME, FakeDiscourse, channel_settings, rate_limited, sign, signed_webhook

QUICK_TIMEOUT = 0.3


@pytest.fixture
def forum():
    with FakeDiscourse() as fake:
        yield fake


def discourse(fake, timeout=2.0, **listening):
    settings = channel_settings(fake)
    return DiscourseConnector(
        ChannelConfig(
            channel_id=1,
            credentials=settings["credentials"],
            listening=listening or settings["listening"],
            api_base_url=fake.url,
            timeout=timeout,
        )
    )


def ids(fetched):
    return [m.external_id for m in fetched.mentions]


def reply_to(mention, text="Sorry about that, we are looking into your order now."):
    return OutboundReply(
        message_id=9, text=text, public=True, in_reply_to=mention.external_id,
        thread_id=mention.thread_external_id, context=mention.raw,
    )  # fmt: skip


def caught_up(fake, **listening):
    """A connector and a cursor that has seen everything on the forum so far."""
    connector = discourse(fake, **listening)
    return connector, connector.fetch({}).cursor


# Normalizing


def test_a_new_topic_becomes_a_mention_with_its_author_topic_link_and_utc_time(forum):
    post_id = forum.add_mention("My router keeps dropping the connection.", author="jane_doe", title="Router drops")
    mention = discourse(forum).fetch({}).mentions[0]
    post = forum.posts[int(post_id)]
    assert mention.external_id == post_id
    assert mention.text == "My router keeps dropping the connection."
    assert mention.author.handle == "jane_doe" and mention.author.name == "Jane Doe"
    assert mention.author.platform_id == f"127.0.0.1:{forum.url.rsplit(':', 1)[1]}/{forum.users['jane_doe']['id']}"
    assert mention.author.profile_url == f"{forum.url}/u/jane_doe"
    assert mention.author.avatar_url == f"{forum.url}/user_avatar/forum.example.com/jane_doe/96/{forum.users['jane_doe']['id']}_2.png"
    assert mention.thread_external_id == str(post["topic_id"]) and mention.parent_external_id == ""
    assert mention.url == f"{forum.url}/t/router-drops/{post['topic_id']}/1"
    assert mention.created_at == datetime.fromisoformat(post["created_at"].replace("Z", "+00:00"))
    assert mention.created_at.utcoffset() == timedelta(0)
    assert mention.public and (mention.raw["topic_id"], mention.raw["post_number"]) == (post["topic_id"], 1)


def test_a_reply_to_a_post_has_that_post_as_parent(forum):
    question = forum.add_mention("Is the outage over?")
    answer = forum.add_mention("Not here.", author="bob")
    follow_up = forum.add_mention("Still down for me too.", author="carol", parent=answer)
    mentions = {m.external_id: m for m in discourse(forum).fetch({}).mentions}
    assert mentions[follow_up].parent_external_id == answer
    assert mentions[question].parent_external_id == ""


def test_an_answer_to_the_whole_topic_has_its_first_post_as_parent(forum):
    first = forum.add_mention("Billing question")
    topic = forum.posts[int(first)]["topic_id"]
    answer = forum.add_mention("Same question here.", author="bob", topic=topic)
    mentions = {m.external_id: m for m in discourse(forum).fetch({}).mentions}
    assert mentions[answer].parent_external_id == first
    assert mentions[answer].raw["reply_to_post_number"] is None


def test_a_parent_outside_the_fetched_posts_is_looked_up_by_number(forum):
    question = forum.add_mention("Where do I download the invoice?")
    connector, cursor = caught_up(forum)
    follow_up = forum.add_mention("Found it, thanks!", parent=question)
    mention = connector.fetch(cursor).mentions[0]
    assert (mention.external_id, mention.parent_external_id) == (follow_up, question)
    assert forum.requests_to("GET", r"/posts/by_number/\d+/1\.json")


def test_search_hits_become_whole_posts_with_their_raw_text(forum):
    forum.add_mention("Unrelated chatter about the weather")
    wanted = forum.add_mention("The Acme app logs me out every hour")
    mentions = discourse(forum, search_query="acme").fetch({}).mentions
    assert [m.external_id for m in mentions] == [wanted]
    assert mentions[0].text == "The Acme app logs me out every hour"
    assert forum.requests_to("GET", r"/search\.json")[0].query["q"] == "acme order:latest"


def test_a_watched_category_is_read_through_its_topics(forum):
    forum.add_mention("Off topic in general", category=2)
    wanted = forum.add_mention("Charged twice this month", category=1)
    mentions = discourse(forum, categories=["support"]).fetch({}).mentions
    assert [m.external_id for m in mentions] == [wanted]


def test_without_raw_the_cooked_html_arrives_as_plain_text(forum):
    # Topic views carry cooked HTML only, as on a real forum.
    forum.add_mention("Refund for order #42 & <43>?\n\nPlease help", category=1)
    mention = discourse(forum, categories=[1]).fetch({}).mentions[0]
    assert "raw" not in mention.raw
    assert mention.text == "Refund for order #42 & <43>?\n\nPlease help"


def test_plain_text_keeps_the_words_of_quotes_emoji_and_scripts_but_no_tags():
    cooked = (
        '<aside class="quote"><blockquote><p>old words</p></blockquote></aside>'
        '<p>New <strong>words</strong> <img class="emoji" alt=":smile:"> <script>alert(1)</script></p>'
        "<style>p { color: red }</style>"
    )
    assert plain_text(cooked) == "old words\n\nNew words :smile: alert(1)"


def test_our_own_posts_are_not_mentions(forum):
    question = forum.add_mention("Is support open on Sunday?")
    forum.add_mention("Yes, from 10 to 18.", author=API_USERNAME, parent=question)
    assert ids(discourse(forum).fetch({})) == [question]


# Reading everything new, and only that


def test_the_cursor_advances_and_the_next_fetch_returns_only_newer_posts(forum):
    forum.add_mention("First question")
    connector = discourse(forum)
    first = connector.fetch({})
    newer = forum.add_mention("Second question")
    second = connector.fetch(first.cursor)
    assert ids(second) == [newer]
    assert second.cursor["last_post_id"] == int(newer) > first.cursor["last_post_id"]
    assert ids(connector.fetch(second.cursor)) == []


def test_every_page_of_latest_posts_is_read(forum):
    forum.add_mention("Old question")
    connector, cursor = caught_up(forum)
    forum.latest_page_size = 2
    posted = [forum.add_mention(f"Question number {n}") for n in range(5)]
    assert sorted(ids(connector.fetch(cursor))) == posted
    befores = [r.query.get("before") for r in forum.requests_to("GET", r"/posts\.json")[1:]]
    assert befores == [None, posted[3], posted[1]]


def test_every_page_of_search_results_is_read(forum):
    forum.add_mention("acme is great")
    connector, cursor = caught_up(forum, search_query="acme")
    forum.search_page_size = 2
    posted = [forum.add_mention(f"acme question {n}") for n in range(5)]
    assert sorted(ids(connector.fetch(cursor))) == posted
    assert [r.query.get("page") for r in forum.requests_to("GET", r"/search\.json")[1:]] == [None, "2", "3"]


def test_every_page_of_a_category_listing_is_read(forum):
    forum.add_mention("Old question")
    connector, cursor = caught_up(forum, categories=["support"])
    forum.topics_page_size = 2
    posted = [forum.add_mention(f"New topic {n}") for n in range(5)]
    assert sorted(ids(connector.fetch(cursor))) == posted
    assert [r.query.get("page") for r in forum.requests_to("GET", r"/c/support\.json")[1:]] == [None, "1", "2"]


def test_a_long_run_of_new_posts_in_one_topic_is_read_in_chunks(forum):
    first = forum.add_mention("A busy thread")
    connector, cursor = caught_up(forum, categories=["support"])
    posted = [forum.add_mention(f"Me too, number {n}", author=f"user{n}", parent=first) for n in range(45)]
    assert sorted(ids(connector.fetch(cursor)), key=int) == posted


def test_a_500_mid_pagination_raises_transient_and_returns_nothing(forum):
    connector, cursor = caught_up(forum)
    forum.latest_page_size = 2
    for n in range(5):
        forum.add_mention(f"Question number {n}")
    forum.fail_next(500, path=r"/posts\.json", after=1)  # the second page
    with pytest.raises(Transient):
        connector.fetch(cursor)
    assert forum.requests_to("GET", r"/posts\.json")[-1].query["before"]


def test_a_timeout_mid_pagination_raises_transient(forum):
    connector, cursor = caught_up(forum, search_query="acme")
    connector.config.timeout = QUICK_TIMEOUT
    forum.search_page_size = 2
    for n in range(5):
        forum.add_mention(f"acme question {n}")
    forum.hang_next(QUICK_TIMEOUT * 4, path=r"/search\.json", after=1)  # the second page
    with pytest.raises(Transient):
        connector.fetch(cursor)


# Replying


def test_a_reply_sends_exactly_the_documented_request(forum):
    question = forum.add_mention("My parcel is late")
    mention = discourse(forum).fetch({}).mentions[0]
    discourse(forum).send(reply_to(mention, "Sorry! Your parcel left our warehouse today."))
    [request] = forum.requests_to("POST", r"/posts\.json")
    assert request.headers["api-key"] == API_KEY and request.headers["api-username"] == API_USERNAME
    assert request.json() == {
        "topic_id": forum.posts[int(question)]["topic_id"],
        "reply_to_post_number": 1,
        "raw": "Sorry! Your parcel left our warehouse today.",
    }


def test_a_sent_reply_carries_the_forum_post_id_time_and_link(forum):
    forum.add_mention("My parcel is late")
    sent = discourse(forum).send(reply_to(discourse(forum).fetch({}).mentions[0]))
    [ours] = forum.posted_replies
    assert sent.external_id == str(ours["id"])
    assert sent.accepted_at == datetime.fromisoformat(ours["created_at"].replace("Z", "+00:00"))
    assert sent.url == f"{forum.url}/t/my-parcel-is-late/{ours['topic_id']}/2"


def test_a_reply_without_the_stored_post_looks_the_post_up(forum):
    follow_up = forum.add_mention("Any news?", parent=forum.add_mention("My parcel is late"))
    discourse(forum).send(OutboundReply(message_id=3, text="It arrives tomorrow.", public=True, in_reply_to=follow_up))
    [request] = forum.requests_to("POST", r"/posts\.json")
    assert request.json()["reply_to_post_number"] == forum.posts[int(follow_up)]["post_number"] == 2


def test_a_private_reply_to_a_public_post_is_refused_before_anything_is_posted(forum):
    forum.add_mention("My parcel is late")
    mention = discourse(forum).fetch({}).mentions[0]
    private = OutboundReply(message_id=4, text="Please send us your address.", public=False, in_reply_to=mention.external_id,
                            thread_id=mention.thread_external_id, context=mention.raw)  # fmt: skip
    with pytest.raises(Permanent, match="in public"):
        discourse(forum).send(private)
    assert forum.posted_replies == []


def test_find_sent_finds_a_reply_whose_post_timed_out_after_the_forum_accepted_it(forum):
    forum.add_mention("My parcel is late")
    mention = discourse(forum).fetch({}).mentions[0]
    forum.hang_next(QUICK_TIMEOUT * 4, path=r"/posts\.json", after_handling=True)
    with pytest.raises(Transient):
        discourse(forum, timeout=QUICK_TIMEOUT).send(reply_to(mention))
    [ours] = forum.posted_replies
    assert discourse(forum).find_sent(reply_to(mention)).external_id == str(ours["id"])


def test_find_sent_is_none_when_nothing_was_posted(forum):
    question = forum.add_mention("My parcel is late")
    forum.add_mention("Different answer in another place.", author=API_USERNAME, parent=question)
    mention = discourse(forum).fetch({}).mentions[0]
    assert discourse(forum).find_sent(reply_to(mention, "The answer we never managed to post.")) is None


def test_a_refused_post_raises_permanent_with_the_forum_message(forum):
    forum.min_post_length = 20
    forum.add_mention("My parcel is late")
    mention = discourse(forum).fetch({}).mentions[0]
    with pytest.raises(Permanent, match="Body is too short"):
        discourse(forum).send(reply_to(mention, "Thanks!"))


def test_a_reply_to_a_closed_topic_is_refused_without_blaming_the_credentials(forum):
    question = forum.add_mention("My parcel is late")
    mention = discourse(forum).fetch({}).mentions[0]
    forum.close(forum.posts[int(question)]["topic_id"])
    with pytest.raises(Permanent, match="refused this reply"):
        discourse(forum).send(reply_to(mention))


def test_a_reply_with_revoked_credentials_raises_auth_failed(forum):
    forum.add_mention("My parcel is late")
    mention = discourse(forum).fetch({}).mentions[0]
    forum.api_key = "rotated-by-an-admin"
    with pytest.raises(AuthFailed):
        discourse(forum).send(reply_to(mention))


# Errors


def test_a_429_raises_rate_limited_until_the_forum_says(forum):
    body, headers = rate_limited(39)
    forum.fail_next(429, body, headers)
    before = datetime.now(timezone.utc)
    with pytest.raises(RateLimited) as caught:
        discourse(forum).fetch({})
    assert before + timedelta(seconds=39) <= caught.value.reset_at <= datetime.now(timezone.utc) + timedelta(seconds=39)


def test_a_429_without_extras_falls_back_to_retry_after(forum):
    forum.fail_next(429, {"errors": ["Slow down"]}, {"Retry-After": "120"})
    with pytest.raises(RateLimited) as caught:
        discourse(forum).fetch({})
    assert caught.value.reset_at > datetime.now(timezone.utc) + timedelta(seconds=110)


def test_invalid_access_raises_auth_failed(forum):
    forum.api_key = "rotated-by-an-admin"
    with pytest.raises(AuthFailed, match="API username or key is invalid"):
        discourse(forum).fetch({})


def test_verify_succeeds_with_good_credentials_and_fails_with_bad(forum):
    discourse(forum).verify()
    forum.api_key = "rotated-by-an-admin"
    with pytest.raises(AuthFailed):
        discourse(forum).verify()


def test_an_unreachable_forum_raises_transient():
    with FakeDiscourse() as gone:
        connector = discourse(gone)
    with pytest.raises(Transient):
        connector.fetch({})


def test_a_channel_listening_to_nothing_is_told_so(forum):
    connector = discourse(forum)
    connector.config.listening = {}
    with pytest.raises(Permanent, match="search query, categories or watch_latest"):
        connector.fetch({})


# Webhooks


def test_a_validly_signed_webhook_is_accepted_and_parsed(forum):
    headers, body = signed_webhook(forum, "Is anyone there? My invoice is wrong.")
    delivery = WebhookDelivery(headers=headers, body=body)
    connector = discourse(forum)
    assert connector.webhook_signature_ok(delivery)
    [mention] = connector.parse_webhook(delivery)
    post = json.loads(body)["post"]
    assert (mention.external_id, mention.text) == (str(post["id"]), "Is anyone there? My invoice is wrong.")
    assert mention.thread_external_id == str(post["topic_id"]) and mention.author.handle == "jane_doe"


def test_a_pushed_reply_names_its_parent(forum):
    question = forum.add_mention("Is the outage over?")
    follow_up = forum.add_mention("Still down here.", author="bob", parent=question)
    body = forum.webhook_body(follow_up)
    delivery = WebhookDelivery({"x-discourse-event": "post_created", "x-discourse-event-signature": sign(body)}, body)
    assert discourse(forum).parse_webhook(delivery)[0].parent_external_id == question


@pytest.mark.parametrize("signature", ["sha256=" + "0" * 64, "", None, "sha1=abc"])
def test_a_webhook_with_a_bad_or_missing_signature_is_refused(forum, signature):
    headers, body = signed_webhook(forum)
    headers = {k: v for k, v in headers.items() if k != "x-discourse-event-signature"}
    if signature is not None:
        headers["x-discourse-event-signature"] = signature
    assert not discourse(forum).webhook_signature_ok(WebhookDelivery(headers=headers, body=body))


def test_a_webhook_signed_over_another_body_is_refused(forum):
    headers, body = signed_webhook(forum)
    tampered = body.replace(b"invoice", b"invoize")
    assert not discourse(forum).webhook_signature_ok(WebhookDelivery(headers=headers, body=tampered))


def test_the_event_id_is_the_webhook_key(forum):
    headers, body = signed_webhook(forum)
    assert discourse(forum).webhook_key(WebhookDelivery(headers=headers, body=body)) == headers["x-discourse-event-id"]


def test_other_events_and_our_own_posts_give_no_mentions(forum):
    headers, body = signed_webhook(forum)
    connector = discourse(forum)
    assert connector.parse_webhook(WebhookDelivery({**headers, "x-discourse-event": "post_edited"}, body)) == []
    ours = forum.webhook_body(forum.add_mention("Thanks, fixed now.", author=API_USERNAME))
    assert connector.parse_webhook(WebhookDelivery({**headers, "x-discourse-event-signature": sign(ours)}, ours)) == []


def test_discourse_has_no_webhook_handshake(forum):
    assert discourse(forum).webhook_handshake({"hub.challenge": "x"}) is None
