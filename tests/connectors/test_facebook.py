"""Facebook Pages and Messenger: the connector against a local Graph API."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import AuthFailed, ChannelConfig, OutboundReply, Permanent, RateLimited, Transient, WebhookDelivery
from connectors.facebook import OUTSIDE_WINDOW, FacebookConnector
from tests.fakes.facebook import (
    APP_SECRET,
    PAGE_ID,
    FakeGraph,
    channel_settings,
    graph_error,
    messaging_webhook,
    signed,
    signed_webhook,
)

VERSION = "v25.0"


@pytest.fixture
def graph():
    with FakeGraph() as fake:
        yield fake


def connector(fake, timeout=2.0, **listening):
    settings = channel_settings(fake)
    return FacebookConnector(
        ChannelConfig(
            channel_id=1,
            credentials=settings["credentials"],
            listening={**settings["listening"], **listening},
            api_base_url=settings["api_base_url"],
            timeout=timeout,
        )
    )


def ago(**delta):
    return datetime.now(UTC).replace(microsecond=0) - timedelta(**delta)


def proof(token):
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


def reply_to(external_id, text="Sorry about that, we are on it", public=True, **fields):
    return OutboundReply(message_id=1, text=text, public=public, in_reply_to=external_id, **fields)


def by_id(mentions):
    return {m.external_id: m for m in mentions}


# Listening


def test_documented_payloads_become_mentions_with_author_parent_thread_and_utc_time(graph):
    two_hours_ago = ago(hours=2)
    post = graph.add_post("Our new store opens Monday", at=ago(hours=3))
    comment = graph.add_comment(post, "Will it open on Sunday?", author_id="2001", name="Dan Whitfield", at=two_hours_ago)
    reply = graph.add_comment(comment, "Same question", author_id="2002", name="Grace Kim", at=ago(hours=1))
    visitor_post = graph.add_post("Still no refund", author={"id": "2003", "name": "Mike Turner"}, at=ago(minutes=30))
    message = graph.add_message("My invoice is wrong", psid="3001", name="Emily Roberts", at=ago(minutes=10))

    mentions = by_id(connector(graph, visitor_posts=True).fetch({}).mentions)

    top = mentions[comment]
    assert (top.author.platform_id, top.author.name, top.author.handle) == ("2001", "Dan Whitfield", "Dan Whitfield")
    assert (top.parent_external_id, top.thread_external_id, top.public) == (post, post, True)
    assert top.created_at == two_hours_ago and top.created_at.utcoffset() == timedelta(0)
    assert top.url == f"https://www.facebook.com/{post}?comment_id={comment}"
    assert (mentions[reply].parent_external_id, mentions[reply].thread_external_id) == (comment, post)
    assert (mentions[visitor_post].text, mentions[visitor_post].thread_external_id) == ("Still no refund", visitor_post)
    chat = mentions[message]
    conversation = next(iter(graph.conversations))
    assert (chat.text, chat.author.platform_id, chat.thread_external_id, chat.public) == (
        "My invoice is wrong", "3001", conversation, False
    )
    assert set(mentions) == {comment, reply, visitor_post, message}


def test_what_the_page_itself_wrote_is_not_a_mention(graph):
    post = graph.add_post("Opening hours this week")
    customer = graph.add_comment(post, "Open on Sunday?")
    graph.add_comment(customer, "Yes, 10 to 14", author_id=PAGE_ID)

    assert [m.external_id for m in connector(graph).fetch({}).mentions] == [customer]


def test_visitor_posts_are_mentions_only_when_the_channel_listens_to_them(graph):
    visitor_post = graph.add_post("Where is my parcel?", author={"id": "2003", "name": "Mike Turner"})

    assert connector(graph).fetch({}).mentions == []
    assert [m.external_id for m in connector(graph, visitor_posts=True).fetch({}).mentions] == [visitor_post]


def test_every_page_of_posts_comments_and_conversations_is_read(graph):
    graph.page_size = 2
    posts = [graph.add_post(f"Post {n}", at=ago(hours=5 - n)) for n in range(5)]
    comments = [graph.add_comment(post, f"Comment {n}", at=ago(hours=1)) for post in posts for n in range(3)]
    messages = [graph.add_message(f"Message {n}", psid=f"30{c}", at=ago(minutes=30)) for c in range(3) for n in range(3)]

    mentions = connector(graph).fetch({}).mentions

    assert sorted(m.external_id for m in mentions) == sorted(comments + messages)
    assert len(graph.requests_to("GET", rf"/{VERSION}/{PAGE_ID}/feed")) == 3
    assert len(graph.requests_to("GET", rf"/{VERSION}/t_\d+/messages")) == 3
    assert not [r for r in graph.requests if "access_token" in r.query]  # `next` carries it; we drop it


def test_the_cursor_advances_and_the_next_fetch_asks_only_for_newer_items(graph):
    old_post = graph.add_post("Last month's news", at=ago(days=30))
    graph.add_comment(old_post, "An old question", at=ago(days=29))
    post = graph.add_post("This week's news", at=ago(days=2))
    seen = graph.add_comment(post, "Seen already", at=ago(hours=1))
    seen_too = graph.add_message("Seen too", at=ago(minutes=20))
    first = connector(graph).fetch({})
    assert [m.external_id for m in first.mentions] == [seen, seen_too]

    new_comment = graph.add_comment(post, "A new question")
    new_message = graph.add_message("A new message")
    second = connector(graph).fetch(first.cursor)

    assert [m.external_id for m in second.mentions] == [new_comment, new_message]
    since = int(graph.requests_to("GET", rf"/{VERSION}/{PAGE_ID}/feed")[-1].query["since"])
    assert ago(days=8).timestamp() < since <= first.cursor["feed"]["at"]
    assert connector(graph).fetch(second.cursor).mentions == []


def test_comments_with_the_same_second_as_the_cursor_are_not_lost_nor_repeated(graph):
    post = graph.add_post(at=ago(hours=2))
    at = ago(minutes=5)
    first_comment = graph.add_comment(post, "First", at=at)
    first = connector(graph).fetch({})

    same_second = graph.add_comment(post, "Second, same second", at=at)

    assert [m.external_id for m in first.mentions] == [first_comment]
    assert [m.external_id for m in connector(graph).fetch(first.cursor).mentions] == [same_second]


# Answering


def test_a_comment_reply_sends_the_documented_request(graph):
    comment = graph.add_mention("Where is my order?")

    sent = connector(graph).send(reply_to(comment, "It ships today"))

    [request] = graph.requests_to("POST", rf"/{VERSION}/{comment}/comments")
    assert request.form() == {"message": "It ships today"}
    assert request.headers["authorization"] == f"Bearer {graph.token}"
    assert request.query == {"appsecret_proof": proof(graph.token)}
    assert graph.posted_replies == [{"kind": "comment", "id": sent.external_id, "on": comment, "text": "It ships today"}]


def test_a_messenger_reply_is_a_response_to_the_customer(graph):
    message = graph.add_message("My invoice is wrong", psid="3001", at=ago(hours=2))

    sent = connector(graph).send(
        reply_to(message, "Let me check", public=False, recipient_id="3001", customer_last_message_at=ago(hours=2))
    )

    [request] = graph.requests_to("POST", rf"/{VERSION}/{PAGE_ID}/messages")
    assert request.json() == {"recipient": {"id": "3001"}, "messaging_type": "RESPONSE", "message": {"text": "Let me check"}}
    assert request.query["appsecret_proof"] == proof(graph.token)
    assert sent.external_id == graph.posted_replies[-1]["id"]


def test_a_messenger_reply_after_24_hours_is_refused_before_any_request(graph):
    message = graph.add_message("Hello?", psid="3001", at=ago(hours=25))
    reply = reply_to(message, "Sorry for the wait", public=False, recipient_id="3001", customer_last_message_at=ago(hours=25))

    with pytest.raises(Permanent, match=OUTSIDE_WINDOW):
        connector(graph).send(reply)

    assert graph.requests == []


def test_a_private_reply_to_a_comment_goes_to_its_author_by_comment_id(graph):
    comment = graph.add_mention("My account number is in my profile", author_id="2001")

    sent = connector(graph).send(
        reply_to(comment, "We wrote to you in private", public=False, recipient_id="2001", context={"kind": "comment"})
    )

    [request] = graph.requests_to("POST", rf"/{VERSION}/{PAGE_ID}/messages")
    assert request.json()["recipient"] == {"comment_id": comment}
    assert request.json()["message"] == {"text": "We wrote to you in private"}
    assert graph.posted_replies[-1] == {
        "kind": "message", "id": sent.external_id, "to": "2001", "text": "We wrote to you in private", "comment_id": comment
    }


def test_a_refused_comment_is_permanent_with_graphs_message(graph):
    comment = graph.add_mention()
    graph.delete(comment)

    with pytest.raises(Permanent, match=f"Object with ID '{comment}' does not exist"):
        connector(graph).send(reply_to(comment))


def test_find_sent_finds_a_reply_whose_post_timed_out_after_the_network_accepted_it(graph):
    comment = graph.add_mention()
    reply = reply_to(comment, "On its way")
    graph.hang_next(0.6, path=rf"/{VERSION}/{comment}/comments", after_handling=True)

    with pytest.raises(Transient):
        connector(graph, timeout=0.2).send(reply)

    found = connector(graph).find_sent(reply)
    assert found is not None and found.external_id == graph.posted_replies[-1]["id"]
    assert len(graph.posted_replies) == 1


def test_find_sent_is_none_when_nothing_was_posted(graph):
    comment = graph.add_mention()
    graph.add_comment(comment, "Another customer's answer, same words", author_id="2009")
    graph.add_comment(comment, "A different answer from the page", author_id=PAGE_ID)

    assert connector(graph).find_sent(reply_to(comment, "Same words")) is None
    assert connector(graph).find_sent(reply_to(comment, "Another customer's answer, same words")) is None


def test_find_sent_finds_a_messenger_reply_and_a_private_reply_that_timed_out(graph):
    message = graph.add_message("Hi", psid="3001")
    comment = graph.add_mention(author_id="2001")
    chat = reply_to(message, "Hello!", public=False, recipient_id="3001", customer_last_message_at=ago(minutes=1))
    private = reply_to(comment, "Details in private", public=False, recipient_id="2001", context={"kind": "comment"})
    graph.hang_next(0.6, path=rf"/{VERSION}/{PAGE_ID}/messages", after_handling=True, times=2)

    for reply in (chat, private):
        with pytest.raises(Transient):
            connector(graph, timeout=0.2).send(reply)

    assert connector(graph).find_sent(chat).external_id == graph.posted_replies[0]["id"]
    assert connector(graph).find_sent(private).external_id == graph.posted_replies[1]["id"]


def test_verify_reads_the_page_with_the_configured_graph_version(graph):
    connector(graph, graph_version="23.0").verify()

    [request] = graph.requests
    assert (request.path, request.query["fields"]) == (f"/v23.0/{PAGE_ID}", "id,name")


# Webhooks


def test_the_handshake_answers_the_challenge_for_the_right_verify_token(graph):
    query = {"hub.mode": "subscribe", "hub.verify_token": "fake-verify-token", "hub.challenge": "1158201444"}

    assert connector(graph).webhook_handshake(query) == "1158201444"


def test_the_handshake_refuses_a_wrong_verify_token_or_mode(graph):
    query = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}

    assert connector(graph).webhook_handshake(query) is None
    assert connector(graph).webhook_handshake({**query, "hub.verify_token": "fake-verify-token", "hub.mode": "x"}) is None


def test_a_correctly_signed_webhook_is_accepted_and_parsed(graph):
    headers, body = signed_webhook(graph, "Is anyone there?")
    delivery = WebhookDelivery(headers=headers, body=body)
    facebook = connector(graph)

    assert facebook.webhook_signature_ok(delivery)
    [mention] = facebook.parse_webhook(delivery)
    comment = graph.comments[mention.external_id]
    assert (mention.text, mention.author.platform_id, mention.public) == ("Is anyone there?", "2000000001", True)
    assert (mention.parent_external_id, mention.thread_external_id) == (comment.post_id, comment.post_id)
    assert mention.created_at == comment.created
    assert facebook.webhook_key(delivery) == hashlib.sha256(body).hexdigest()


def test_a_messenger_webhook_becomes_a_private_mention_and_echoes_are_skipped(graph):
    message = graph.add_message("Hello from Messenger", psid="3001")
    payload = messaging_webhook(graph, message)
    echo = dict(payload["entry"][0]["messaging"][0], sender={"id": PAGE_ID}, message={"mid": "m_echo", "is_echo": True})
    payload["entry"][0]["messaging"].append(echo)
    headers, body = signed(payload)

    [mention] = connector(graph).parse_webhook(WebhookDelivery(headers=headers, body=body))

    assert (mention.external_id, mention.text, mention.author.platform_id, mention.public) == (
        message, "Hello from Messenger", "3001", False
    )


def test_a_webhook_with_a_bad_or_missing_signature_is_refused(graph):
    headers, body = signed_webhook(graph)
    facebook = connector(graph)
    tampered = body.replace(b"never", b"finally")

    assert not facebook.webhook_signature_ok(WebhookDelivery(headers=headers, body=tampered))
    assert not facebook.webhook_signature_ok(WebhookDelivery(headers={**headers, "x-hub-signature-256": "sha256=00"}, body=body))
    assert not facebook.webhook_signature_ok(WebhookDelivery(headers={"content-type": "application/json"}, body=body))


# Failures


def test_a_rate_limit_error_raises_rate_limited_until_meta_says_access_returns(graph):
    graph.add_mention()
    usage = {PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 20,
                        "estimated_time_to_regain_access": 5}]}
    limited = graph_error(32, "(#32) Page request limit reached", headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
    graph.fail_next(limited.status, limited.body, limited.headers)

    with pytest.raises(RateLimited) as raised:
        connector(graph).fetch({})

    assert ago(minutes=-5, seconds=5) <= raised.value.reset_at <= ago(minutes=-5, seconds=-5)


def test_a_rate_limit_without_a_usage_estimate_waits_a_minute(graph):
    limited = graph_error(4, "(#4) Application request limit reached", headers={"X-App-Usage": '{"call_count":100}'})
    graph.fail_next(limited.status, limited.body, limited.headers)

    with pytest.raises(RateLimited) as raised:
        connector(graph).verify()

    assert ago(seconds=-55) <= raised.value.reset_at <= ago(seconds=-65)


def test_a_server_error_in_the_middle_of_pagination_raises_transient(graph):
    graph.page_size = 2
    post = graph.add_post(at=ago(hours=2))
    for n in range(5):
        graph.add_comment(post, f"Comment {n}")
    graph.fail_next(500, {"error": {"message": "An unknown error occurred", "type": "OAuthException", "code": 1}},
                    path=rf"/{VERSION}/{post}/comments")

    with pytest.raises(Transient, match="500"):
        connector(graph).fetch({})

    assert graph.requests_to("GET", rf"/{VERSION}/{post}/comments")  # after page 1, nested in the feed


def test_a_timeout_in_the_middle_of_pagination_raises_transient(graph):
    graph.page_size = 2
    for n in range(5):
        graph.add_message(f"Message {n}", psid="3001")
    conversation = next(iter(graph.conversations))
    graph.hang_next(0.6, path=rf"/{VERSION}/{conversation}/messages")

    with pytest.raises(Transient, match="in time"):
        connector(graph, timeout=0.2).fetch({})


def test_an_expired_token_raises_auth_failed(graph):
    settings = channel_settings(graph)
    graph.token = "EAAG-a-new-token"  # the Page's token was renewed; the channel still has the old one

    with pytest.raises(AuthFailed, match="code 190"):
        FacebookConnector(ChannelConfig(1, settings["credentials"], settings["listening"], graph.url)).fetch({})


def test_an_error_that_is_not_graphs_still_maps_by_status(graph):
    graph.fail_next(503, "<html>Service Unavailable</html>")

    with pytest.raises(Transient, match="503"):
        connector(graph).verify()
