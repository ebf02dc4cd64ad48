"""Facebook Pages and Messenger, through the Graph API.

Listens to what customers write under the Page's posts (comments and replies to comments),
posts visitors leave on the Page, and Messenger conversations; answers with a public
comment, a private reply to a comment, or a Messenger message. The HTTP client is a small
one of our own on httpx: docs/connectors/facebook.md says why not a library, and which
endpoints, settings and cursor this uses.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx

from connectors.base import (
    AuthFailed,
    Author,
    ChannelConfig,
    Fetched,
    Mention,
    OutboundReply,
    Permanent,
    RateLimited,
    Sent,
    Transient,
    WebhookDelivery,
)

GRAPH_URL = "https://graph.facebook.com"
GRAPH_VERSION = "v25.0"  # available until July 2028 (Meta's changelog)
PAGE_SIZE = 100  # the most most Graph edges return per page

# Graph error codes (Meta's "Handling Errors" guide, Pages and Messenger rate limits).
AUTH_CODES = {102, 190}  # the session or the token expired, was revoked, or is invalid
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001}  # app, user, page, custom and Pages BUC limits
TRANSIENT_CODES = {1, 2}  # "API Unknown", "API Service": a passing fault, retry
RATE_LIMIT_PAUSE = timedelta(seconds=60)  # when Meta does not say how long

MESSENGER_WINDOW = timedelta(hours=24)
MESSENGER_TEXT_LIMIT = 2000  # the Send API refuses longer texts
OUTSIDE_WINDOW = "The customer wrote more than 24 hours ago; Messenger no longer allows a reply."

# Posts stay open to comments for ever, and a comment carries no sign on its post; so each
# poll re-reads the posts of the last days for new comments (private replies are possible
# for 7 days too). Comments on older posts arrive through the webhook.
COMMENT_WINDOW_DAYS = 7
FIRST_FETCH_HOURS = 24  # a new channel starts with the last day, not the Page's history

COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url"
MESSAGE_FIELDS = "id,message,created_time,from,to"


def appsecret_proof(token: str, app_secret: str) -> str:
    """Meta's proof that a call comes from the app's server: HMAC-SHA256 of the token."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _entries(delivery: WebhookDelivery) -> list | None:
    """The delivery's per-Page entries; None if it is not a Page webhook at all."""
    try:
        payload = json.loads(delivery.body)
    except ValueError:
        return None
    entries = payload.get("entry") if isinstance(payload, dict) else None
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else None


def graph_time(value) -> datetime:
    """Graph's times: ISO with a +0000 offset in the API, unix seconds in feed webhooks."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(value).astimezone(UTC)


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


class Graph:
    """The calls we make: versioned paths, the token and its proof on every request, and
    Graph's error object turned into the connector's errors."""

    def __init__(self, base_url: str, version: str, token: str, app_secret: str, timeout: float):
        self.base = base_url.rstrip("/")
        self.version = version
        self.proof = {"appsecret_proof": appsecret_proof(token, app_secret)} if app_secret else {}
        # The token goes in a header, not in the query Meta's samples use, so that it never
        # lands in a log line or a proxy's access log with the URL.
        self.client = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {token}"})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.close()

    def get(self, path: str, **params) -> dict:
        return self._call("GET", f"/{self.version}/{path}", params)

    def post(self, path: str, *, form: dict | None = None, body: dict | None = None) -> dict:
        return self._call("POST", f"/{self.version}/{path}", {}, data=form, json=body)

    def items(self, path: str, **params):
        """Every item of an edge, following `paging.next` to the last page."""
        yield from self.connection(self.get(path, **params))

    def connection(self, page: dict | None):
        """The items of a connection already read (an edge, or one nested by field
        expansion), then of each page after it."""
        while page:
            yield from page.get("data", [])
            next_url = (page.get("paging") or {}).get("next")
            page = self._follow(next_url) if next_url else None

    def _follow(self, next_url: str) -> dict:
        # Only the path and query of `next` are used: the token never goes to a host other
        # than the channel's API base. Graph copies the token into `next`; the header has it.
        parts = urlsplit(next_url)
        params = {k: v for k, v in parse_qsl(parts.query) if k != "access_token"}
        return self._call("GET", parts.path, params)

    def _call(self, method: str, path: str, params: dict, **body) -> dict:
        try:
            response = self.client.request(method, self.base + path, params={**params, **self.proof}, **body)
        except httpx.TimeoutException as error:
            raise Transient(f"Graph API did not answer in time: {method} {path}") from error
        except httpx.TransportError as error:
            raise Transient(f"Graph API unreachable: {method} {path}: {error}") from error
        if response.is_success:
            return self._json(response)
        raise graph_failure(response)

    @staticmethod
    def _json(response: httpx.Response) -> dict:
        try:
            return response.json()
        except ValueError as error:
            raise Transient(f"Graph API answered {response.status_code} with no JSON") from error


def graph_failure(response: httpx.Response) -> Exception:
    """The connector error for a Graph error response; the code decides, since Graph
    answers most errors, expired tokens and rate limits included, with a 400."""
    error = _error_object(response)
    code = error.get("code")
    detail = (
        f"Graph API {response.status_code}, code {code}, subcode {error.get('error_subcode')}: "
        f"{error.get('message') or response.reason_phrase} (fbtrace_id {error.get('fbtrace_id')})"
    )
    status = response.status_code
    if code in AUTH_CODES or status == 401:
        return AuthFailed(detail)
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimited(regain_access_at(response.headers), detail)
    if status >= 500 or code in TRANSIENT_CODES:
        return Transient(detail)
    return Permanent(detail)


def _error_object(response: httpx.Response) -> dict:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {"message": str(error or "")}


def regain_access_at(headers) -> datetime:
    """When a throttled app may call again: Meta gives minutes per business use case in
    X-Business-Use-Case-Usage; X-App-Usage only gives percentages, so a minute it is."""
    now = datetime.now(UTC)
    try:
        usage = json.loads(headers.get("x-business-use-case-usage") or "{}")
        minutes = max(
            (float(entry.get("estimated_time_to_regain_access") or 0) for entries in usage.values() for entry in entries),
            default=0,
        )
    except (ValueError, TypeError, AttributeError):
        minutes = 0
    return now + (timedelta(minutes=minutes) if minutes > 0 else RATE_LIMIT_PAUSE)


@dataclass
class Watermark:
    """The newest network time read from one source, and the ids read at that second, so
    that asking again from that second (Graph's `since` is inclusive) repeats nothing."""

    at: int
    ids: set = field(default_factory=set)

    @classmethod
    def of(cls, stored: dict | None, default_at: int) -> "Watermark":
        if not stored:
            return cls(default_at)
        return cls(int(stored["at"]), set(stored.get("ids", [])))

    def is_new(self, mention: Mention) -> bool:
        at = unix(mention.created_at)
        return at > self.at or (at == self.at and mention.external_id not in self.ids)

    def after(self, mentions: list[Mention]) -> "Watermark":
        newest = max([self.at, *(unix(m.created_at) for m in mentions)])
        ids = {m.external_id for m in mentions if unix(m.created_at) == newest}
        return Watermark(newest, ids | self.ids if newest == self.at else ids)

    def stored(self) -> dict:
        return {"at": self.at, "ids": sorted(self.ids)}


class FacebookConnector:
    kind = "facebook"
    webhook_per_app = True  # an app has one callback URL for every Page that installed it
    reply_limit = 8000  # a comment; Messenger's 2000 is checked when sending
    replies_on_site = False

    def __init__(self, config: ChannelConfig):
        self.config = config
        credentials, listening = config.credentials, config.listening
        self.token = credentials.get("page_access_token", "")
        self.app_secret = credentials.get("app_secret", "")
        self.verify_token = credentials.get("verify_token", "")
        self.page_id = str(listening.get("page_id", ""))
        self.messenger = bool(listening.get("messenger", True))
        self.visitor_posts = bool(listening.get("visitor_posts", False))
        self.version = "v" + str(listening.get("graph_version", GRAPH_VERSION)).removeprefix("v")
        self.page_size = int(listening.get("page_size", PAGE_SIZE))
        self.comment_window = timedelta(days=float(listening.get("comment_window_days", COMMENT_WINDOW_DAYS)))
        self.first_fetch = timedelta(hours=float(listening.get("first_fetch_hours", FIRST_FETCH_HOURS)))

    def _graph(self) -> Graph:
        if not (self.token and self.page_id):
            raise Permanent("The channel needs a page_access_token and a page_id.")
        base = self.config.api_base_url or GRAPH_URL
        return Graph(base, self.version, self.token, self.app_secret, self.config.timeout)

    # Listening

    def fetch(self, cursor: dict) -> Fetched:
        now = datetime.now(UTC)
        start = unix(now - self.first_fetch)
        feed_mark = Watermark.of(cursor.get("feed"), start)
        messenger_mark = Watermark.of(cursor.get("messenger"), start)
        with self._graph() as graph:
            from_feed = [m for m in self._feed(graph, feed_mark, now) if feed_mark.is_new(m)]
            from_messenger = list(self._messenger(graph, messenger_mark)) if self.messenger else []
        after = {"feed": feed_mark.after(from_feed).stored(), "messenger": messenger_mark.after(from_messenger).stored()}
        unique = {m.external_id: m for m in from_feed + from_messenger}
        return Fetched(sorted(unique.values(), key=lambda m: m.created_at), after)

    def _feed(self, graph: Graph, mark: Watermark, now: datetime):
        """Customer posts and every comment under the posts young enough to draw them."""
        since = min(mark.at, unix(now - self.comment_window))
        comments = f"comments.filter(stream).limit({self.page_size}){{{COMMENT_FIELDS}}}"
        fields = f"id,message,created_time,from,permalink_url,{comments}"
        for post in graph.items(f"{self.page_id}/feed", fields=fields, since=since, limit=self.page_size):
            if self.visitor_posts and self._by_customer(post):
                yield self._post_mention(post)
            for comment in graph.connection(post.get("comments")):
                if self._by_customer(comment):
                    yield self._comment_mention(comment, post["id"])

    def _messenger(self, graph: Graph, mark: Watermark):
        """New messages from customers. Conversations come most recently updated first and
        their messages newest first, so reading stops at the first one older than the mark."""
        messages = f"messages.limit({self.page_size}){{{MESSAGE_FIELDS}}}"
        conversations = graph.items(
            f"{self.page_id}/conversations",
            platform="messenger",
            fields=f"id,updated_time,{messages}",
            limit=self.page_size,
        )
        for conversation in conversations:
            if unix(graph_time(conversation["updated_time"])) < mark.at:
                return
            for message in graph.connection(conversation.get("messages")):
                if unix(graph_time(message["created_time"])) < mark.at:
                    break
                mention = self._message_mention(message, conversation["id"])
                if self._by_customer(message) and mark.is_new(mention):
                    yield mention

    def _by_customer(self, item: dict) -> bool:
        # Without `from` (a user who did not allow it) there is nobody to answer.
        author = item.get("from") or {}
        return bool(author.get("id")) and str(author["id"]) != self.page_id

    # Normalizing

    def _author(self, who: dict) -> Author:
        return Author(platform_id=str(who["id"]), handle=who.get("name", ""), name=who.get("name", ""))

    def _post_mention(self, post: dict) -> Mention:
        return Mention(
            external_id=post["id"],
            author=self._author(post["from"]),
            text=post.get("message", ""),
            created_at=graph_time(post["created_time"]),
            thread_external_id=post["id"],
            url=post.get("permalink_url", ""),
            raw={"kind": "post", "data": post},
        )

    def _comment_mention(self, comment: dict, post_id: str) -> Mention:
        # A reply to a comment answers that comment; a top-level comment answers the post.
        parent = (comment.get("parent") or {}).get("id") or post_id
        return Mention(
            external_id=comment["id"],
            author=self._author(comment["from"]),
            text=comment.get("message", ""),
            created_at=graph_time(comment["created_time"]),
            parent_external_id=parent,
            thread_external_id=post_id,
            url=comment.get("permalink_url", ""),
            raw={"kind": "comment", "data": comment, "post_id": post_id},
        )

    def _message_mention(self, message: dict, conversation_id: str) -> Mention:
        return Mention(
            external_id=message["id"],
            author=self._author(message["from"]),
            text=message.get("message") or "(attachment)",
            created_at=graph_time(message["created_time"]),
            thread_external_id=conversation_id,
            public=False,
            raw={"kind": "messenger", "data": message, "conversation_id": conversation_id},
        )

    # Answering

    def send(self, reply: OutboundReply) -> Sent:
        if reply.public:
            return self._comment(reply)
        if self._in_messenger(reply):
            return self._message(reply)
        return self._private_reply(reply)

    @staticmethod
    def _in_messenger(reply: OutboundReply) -> bool:
        # The answered message says where it came from; without it, Messenger's ids do.
        kind = reply.context.get("kind")
        return kind == "messenger" if kind else reply.in_reply_to.startswith(("m_", "mid."))

    def _comment(self, reply: OutboundReply) -> Sent:
        with self._graph() as graph:
            answer = graph.post(f"{reply.in_reply_to}/comments", form={"message": reply.text})
        return Sent(external_id=answer["id"], accepted_at=datetime.now(UTC))

    def _private_reply(self, reply: OutboundReply) -> Sent:
        """Messenger's private reply: one message to the author of a comment, within 7 days."""
        return self._send_api({"comment_id": reply.in_reply_to}, reply.text)

    def _message(self, reply: OutboundReply) -> Sent:
        last = reply.customer_last_message_at
        if last is not None and datetime.now(UTC) - last > MESSENGER_WINDOW:
            raise Permanent(OUTSIDE_WINDOW)
        if len(reply.text) > MESSENGER_TEXT_LIMIT:
            raise Permanent(f"Messenger messages can have at most {MESSENGER_TEXT_LIMIT} characters.")
        return self._send_api({"id": reply.recipient_id}, reply.text)

    def _send_api(self, recipient: dict, text: str) -> Sent:
        body = {"recipient": recipient, "messaging_type": "RESPONSE", "message": {"text": text}}
        with self._graph() as graph:
            answer = graph.post(f"{self.page_id}/messages", body=body)
        return Sent(external_id=answer["message_id"], accepted_at=datetime.now(UTC))

    def find_sent(self, reply: OutboundReply) -> Sent | None:
        with self._graph() as graph:
            if reply.public:
                candidates = graph.items(
                    f"{reply.in_reply_to}/comments", fields="id,message,created_time,from,permalink_url", limit=self.page_size
                )
            elif self._in_messenger(reply):
                candidates = self._recent_messages(graph, reply.recipient_id)
            else:
                candidates = self._private_reply_messages(graph, reply.in_reply_to)
            ours = [c for c in candidates if self._is_ours(c, reply.text)]
        if not ours:
            return None
        newest = max(ours, key=lambda c: graph_time(c["created_time"]))
        return Sent(newest["id"], graph_time(newest["created_time"]), newest.get("permalink_url", ""))

    def _is_ours(self, item: dict, text: str) -> bool:
        return str((item.get("from") or {}).get("id")) == self.page_id and item.get("message") == text

    def _recent_messages(self, graph: Graph, customer_id: str) -> list:
        """The latest page of the conversation with the customer: a reply sent moments ago
        is there."""
        found = graph.get(
            f"{self.page_id}/conversations",
            platform="messenger",
            user_id=customer_id,
            fields=f"messages.limit({self.page_size}){{{MESSAGE_FIELDS}}}",
        )
        return [m for c in found.get("data", []) for m in (c.get("messages") or {}).get("data", [])]

    def _private_reply_messages(self, graph: Graph, comment_id: str) -> list:
        # A comment answered privately links to the conversation the reply opened.
        comment = graph.get(comment_id, fields="private_reply_conversation")
        conversation = comment.get("private_reply_conversation")
        if not conversation:
            return []
        return list(graph.items(f"{conversation['id']}/messages", fields=MESSAGE_FIELDS, limit=self.page_size))

    def verify(self) -> None:
        with self._graph() as graph:
            graph.get(self.page_id, fields="id,name")

    # Webhooks

    def webhook_handshake(self, query: dict):
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not self.verify_token or "hub.challenge" not in query:
            return None
        if not hmac.compare_digest(token.encode(), self.verify_token.encode()):
            return None
        return str(query["hub.challenge"])

    def webhook_signature_ok(self, delivery: WebhookDelivery) -> bool:
        signature = delivery.headers.get("x-hub-signature-256", "")
        if not (self.app_secret and signature):
            return False
        expected = "sha256=" + hmac.new(self.app_secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature.encode(), expected.encode())

    def webhook_key(self, delivery: WebhookDelivery) -> str:
        return hashlib.sha256(delivery.body).hexdigest()

    def webhook_concerns(self, delivery: WebhookDelivery) -> bool:
        # A malformed delivery is kept by whichever channel it reached, to show the error.
        entries = _entries(delivery)
        return entries is None or any(str(entry.get("id")) == self.page_id for entry in entries)

    def parse_webhook(self, delivery: WebhookDelivery) -> list[Mention]:
        payload = json.loads(delivery.body)
        mentions = []
        # One app's webhook carries every Page that installed it: keep this channel's.
        for entry in payload.get("entry", []):
            if str(entry.get("id")) != self.page_id:
                continue
            for change in entry.get("changes", []):
                if change.get("field") == "feed":
                    mentions.extend(self._feed_change(change.get("value") or {}))
            for event in entry.get("messaging", []):
                mentions.extend(self._messaging_event(event))
        return mentions

    def _feed_change(self, value: dict) -> list[Mention]:
        if value.get("verb") != "add" or not self._by_customer(value):
            return []
        item = value.get("item")
        common = {
            "author": self._author(value["from"]),
            "text": value.get("message", ""),
            "created_at": graph_time(value.get("created_time") or unix(datetime.now(UTC))),
            "thread_external_id": value.get("post_id", ""),
            "url": value.get("permalink_url", ""),
        }
        if item == "comment":
            raw = {"kind": "comment", "data": value, "post_id": value.get("post_id", "")}
            parent = value.get("parent_id") or value.get("post_id", "")
            return [Mention(external_id=value["comment_id"], parent_external_id=parent, raw=raw, **common)]
        if item in ("post", "status") and self.visitor_posts:
            return [Mention(external_id=value["post_id"], raw={"kind": "post", "data": value}, **common)]
        return []

    def _messaging_event(self, event: dict) -> list[Mention]:
        message = event.get("message") or {}
        sender = str((event.get("sender") or {}).get("id", ""))
        if not message.get("mid") or message.get("is_echo") or not sender or sender == self.page_id:
            return []
        mention = Mention(
            external_id=message["mid"],
            author=Author(platform_id=sender),  # the event carries no name
            text=message.get("text") or "(attachment)",
            created_at=datetime.fromtimestamp(event["timestamp"] / 1000, UTC),
            thread_external_id="",  # the event carries no conversation id either
            public=False,
            raw={"kind": "messenger", "data": event},
        )
        return [mention]
