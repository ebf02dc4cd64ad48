"""A Facebook Page and its Messenger inbox, answering as the Graph API documents.

Shapes follow Meta's reference: edges answer `{"data": [...], "paging": {"cursors":
{"before", "after"}, "next"}}` (newest first for the feed, conversations and messages,
oldest first for comments); times are ISO with a `+0000` offset; errors are Graph's error
object, with HTTP 400 even for an expired token or a rate limit. Every request must carry
the Page token and its `appsecret_proof`, as a Page with "Require App Secret" demands.
"""

import base64
import hashlib
import hmac
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from tests.fakes.server import FakeNetwork, Recorded, Reply

PAGE_ID = "1000000001"
PAGE_NAME = "Acme Care"
PAGE_TOKEN = "EAAG-fake-page-token"
APP_SECRET = "fake-app-secret"
VERIFY_TOKEN = "fake-verify-token"
MESSENGER_WINDOW = timedelta(hours=24)

V = r"/(?P<version>v\d+\.\d+)"
NODE = r"(?P<node>[A-Za-z0-9_.]+)"


def graph_error(code, message, *, subcode=None, kind="OAuthException", status=400, headers=None) -> Reply:
    """An error as Graph sends it."""
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply(status, {"error": error}, headers or {})


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Post:
    id: str
    message: str
    created: datetime
    author: dict

    def graph(self):
        return {
            "id": self.id,
            "message": self.message,
            "created_time": iso(self.created),
            "from": self.author,
            "permalink_url": f"https://www.facebook.com/{self.id}",
        }


@dataclass
class Comment:
    id: str
    post_id: str
    parent_id: str  # the post, or the comment this one replies to
    message: str
    created: datetime
    author: dict
    private_reply: str = ""  # the conversation a private reply opened

    def graph(self):
        comment = {
            "id": self.id,
            "message": self.message,
            "created_time": iso(self.created),
            "from": self.author,
            "permalink_url": f"https://www.facebook.com/{self.post_id}?comment_id={self.id}",
        }
        if self.parent_id != self.post_id:
            comment["parent"] = {"id": self.parent_id}
        return comment


@dataclass
class Conversation:
    id: str
    customer: dict
    messages: list = field(default_factory=list)  # oldest first

    @property
    def updated(self):
        return self.messages[-1]["at"]

    def customer_last_wrote(self):
        return max((m["at"] for m in self.messages if m["from"]["id"] == self.customer["id"]), default=None)


class FakeGraph(FakeNetwork):
    ROUTES = [
        ("GET", V + r"/(?P<page>\d+)/feed", "read_feed"),
        ("GET", V + r"/(?P<page>\d+)/conversations", "read_conversations"),
        ("POST", V + r"/(?P<page>\d+)/messages", "send_message"),
        ("GET", V + r"/(?P<conversation>t_\w+)/messages", "read_messages"),
        ("GET", V + "/" + NODE + r"/comments", "read_comments"),
        ("POST", V + "/" + NODE + r"/comments", "post_comment"),
        ("GET", V + "/" + NODE, "read_node"),
    ]

    def __init__(self, page_size=25):
        super().__init__()
        self.page_size = page_size
        self.page_id = PAGE_ID
        self.token = PAGE_TOKEN
        self.app_secret = APP_SECRET
        self.posts: dict[str, Post] = {}
        self.comments: dict[str, Comment] = {}
        self.conversations: dict[str, Conversation] = {}
        self._posted = []
        self._ids = itertools.count(1)
        self._state = threading.RLock()  # the test thread scripts while the server answers

    @property
    def page(self):
        return {"id": self.page_id, "name": PAGE_NAME}

    @property
    def posted_replies(self) -> list[dict]:
        """What the Page posted through the API (comments and messages), in order."""
        return list(self._posted)

    # Scripting the Page

    def add_post(self, text="New arrivals are in store!", author=None, at=None) -> str:
        """A post on the Page: by the Page itself unless `author` ({"id", "name"}) says."""
        with self._state:
            post = Post(f"{self.page_id}_{next(self._ids)}", text, at or now(), author or self.page)
            self.posts[post.id] = post
        return post.id

    def add_comment(self, on, text="Where is my order?", author_id="2000000001", name="Lucía Martínez", at=None) -> str:
        """A comment on a post, or a reply when `on` is a comment."""
        with self._state:
            parent = self.comments.get(on)
            post_id = parent.post_id if parent else on
            comment_id = f"{post_id.split('_')[-1]}_{next(self._ids)}"
            author = self.page if author_id == self.page_id else {"id": author_id, "name": name}
            self.comments[comment_id] = Comment(comment_id, post_id, on, text, at or now(), author)
        return comment_id

    def add_mention(self, text="My order never arrived", author_id="2000000001", parent=None) -> str:
        """A customer comment under a Page post (a reply when `parent` is a comment)."""
        on = parent or self._latest_page_post()
        return self.add_comment(on, text, author_id=author_id, name=f"Customer {author_id}")

    def add_message(self, text="Hi, my invoice is wrong", psid="3000000001", name="Emily Roberts", at=None) -> str:
        """A Messenger message from a customer; returns the message id."""
        customer = {"id": psid, "name": name, "email": f"{psid}@facebook.com"}
        with self._state:
            conversation = self._conversation_with(customer)
            return self._append(conversation, customer, self.page, text, at)

    def delete(self, node_id):
        self.posts.pop(node_id, None)
        self.comments.pop(node_id, None)

    def _latest_page_post(self):
        own = [p for p in self.posts.values() if p.author["id"] == self.page_id]
        return max(own, key=lambda p: p.created).id if own else self.add_post()

    def _conversation_with(self, customer):
        for conversation in self.conversations.values():
            if conversation.customer["id"] == customer["id"]:
                return conversation
        conversation = Conversation(f"t_{next(self._ids)}", customer)
        self.conversations[conversation.id] = conversation
        return conversation

    def _append(self, conversation, sender, recipient, text, at=None):
        message_id = f"m_{next(self._ids)}"
        conversation.messages.append({"id": message_id, "text": text, "at": at or now(), "from": sender, "to": recipient})
        return message_id

    # Every request

    def _dispatch(self, request: Recorded) -> Reply:
        with self._state:
            return self._check_credentials(request) or super()._dispatch(request)

    def _check_credentials(self, request):
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").removeprefix("OAuth ")
        token = bearer or request.query.get("access_token") or self._body(request).get("access_token")
        proof = request.query.get("appsecret_proof") or self._body(request).get("appsecret_proof")
        if not token:
            return graph_error(104, "An access token is required to request this resource.")
        if token != self.token:
            return graph_error(190, "Error validating access token: Session has expired.", subcode=463)
        expected = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if proof != expected:
            return graph_error(100, "Invalid appsecret_proof provided in the API argument", kind="GraphMethodException")
        return None

    @staticmethod
    def _body(request: Recorded) -> dict:
        """A POST's parameters: JSON, or a form whose object values are JSON strings."""
        if not request.body:
            return {}
        if "json" in request.headers.get("content-type", ""):
            return request.json()
        form = request.form()
        for name, value in form.items():
            if value.startswith(("{", "[")):
                form[name] = json.loads(value)
        return form

    def _credentials(self, request: Recorded) -> dict:
        """What Graph copies into `next` links: the token, however it came, and the proof."""
        proof = {"appsecret_proof": request.query["appsecret_proof"]} if "appsecret_proof" in request.query else {}
        return {"access_token": self.token, **proof}

    def _paginate(self, request: Recorded, items: list, path=None, query=None) -> dict:
        """One page of `items`, with cursors and a `next` that points back at this fake."""
        query = {**self._credentials(request), **(request.query if query is None else query)}
        start = int(base64.b64decode(query["after"]).decode()) if query.get("after") else 0
        size = min(int(query.get("limit") or self.page_size), self.page_size)
        page = items[start : start + size]
        answer = {"data": page}
        if not page:
            return answer
        cursor = lambda offset: base64.b64encode(str(offset).encode()).decode()  # noqa: E731
        answer["paging"] = {"cursors": {"before": cursor(start), "after": cursor(start + len(page))}}
        if start + size < len(items):
            query["after"] = cursor(start + len(page))
            answer["paging"]["next"] = f"{self.url}{path or request.path}?{urlencode(query)}"
        return answer

    # Reading

    def read_feed(self, request, version, page):
        since = int(request.query.get("since") or 0)
        posts = sorted(
            (p for p in self.posts.values() if p.created.timestamp() >= since), key=lambda p: p.created, reverse=True
        )
        fields = request.query.get("fields", "")
        stream = "comments.filter(stream)" in fields
        data = []
        for post in posts:
            item = post.graph()
            comments = self._comments_of(post.id, stream)
            if "comments" in fields and comments:
                nested = {"filter": "stream" if stream else "toplevel", **self._credentials(request)}
                item["comments"] = self._paginate(request, comments, f"/{version}/{post.id}/comments", nested)
            data.append(item)
        return Reply(body=self._paginate(request, data))

    def read_comments(self, request, version, node):
        if node not in self.posts and node not in self.comments:
            return self._no_such_node(node, "GET")
        stream = request.query.get("filter") == "stream" and node in self.posts
        return Reply(body=self._paginate(request, self._comments_of(node, stream)))

    def _comments_of(self, node, stream):
        """Top-level comments of a post or replies to a comment; every one with `stream`."""
        found = [c for c in self.comments.values() if (c.post_id == node if stream else c.parent_id == node)]
        return [c.graph() for c in sorted(found, key=lambda c: c.created)]

    def read_conversations(self, request, version, page):
        user_id = request.query.get("user_id")
        conversations = [c for c in self.conversations.values() if not user_id or c.customer["id"] == user_id]
        data = []
        for conversation in sorted(conversations, key=lambda c: c.updated, reverse=True):
            item = {"id": conversation.id, "updated_time": iso(conversation.updated)}
            if "messages" in request.query.get("fields", ""):
                nested = self._credentials(request)
                messages = self._messages_of(conversation)
                item["messages"] = self._paginate(request, messages, f"/{version}/{conversation.id}/messages", nested)
            data.append(item)
        return Reply(body=self._paginate(request, data))

    def read_messages(self, request, version, conversation):
        if conversation not in self.conversations:
            return self._no_such_node(conversation, "GET")
        return Reply(body=self._paginate(request, self._messages_of(self.conversations[conversation])))

    @staticmethod
    def _messages_of(conversation):
        return [
            {
                "id": m["id"],
                "message": m["text"],
                "created_time": iso(m["at"]),
                "from": m["from"],
                "to": {"data": [m["to"]]},
            }
            for m in reversed(conversation.messages)
        ]

    def read_node(self, request, version, node):
        if node == self.page_id:
            return Reply(body=self.page)
        if node in self.comments:
            comment = self.comments[node]
            answer = comment.graph()
            if "private_reply_conversation" in request.query.get("fields", "") and comment.private_reply:
                answer["private_reply_conversation"] = {"id": comment.private_reply}
            return Reply(body=answer)
        if node in self.posts:
            return Reply(body=self.posts[node].graph())
        return self._no_such_node(node, "GET")

    @staticmethod
    def _no_such_node(node, method):
        return graph_error(
            100,
            f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, cannot be loaded due to "
            "missing permissions, or does not support this operation.",
            subcode=33,
            kind="GraphMethodException",
        )

    # Writing

    def post_comment(self, request, version, node):
        message = str(self._body(request).get("message") or request.query.get("message") or "")
        if node not in self.posts and node not in self.comments:
            return self._no_such_node(node, "POST")
        if not message.strip():
            return graph_error(100, "(#100) Missing message or attachment", kind="OAuthException")
        comment_id = self.add_comment(node, message, author_id=self.page_id)
        self._posted.append({"kind": "comment", "id": comment_id, "on": node, "text": message})
        return Reply(body={"id": comment_id})

    def send_message(self, request, version, page):
        body = self._body(request)
        recipient, text = body.get("recipient") or {}, (body.get("message") or {}).get("text", "")
        if "comment_id" in recipient:
            return self._private_reply(recipient["comment_id"], text)
        if body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            return graph_error(100, "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
        conversation = next((c for c in self.conversations.values() if c.customer["id"] == recipient.get("id")), None)
        if conversation is None:
            return graph_error(100, "(#100) No matching user found", subcode=2018001)
        last = conversation.customer_last_wrote()
        if last is None or now() - last > MESSENGER_WINDOW:
            return graph_error(10, "(#10) This message is sent outside of allowed window.", subcode=2018278)
        return self._deliver(conversation, text)

    def _private_reply(self, comment_id, text):
        comment = self.comments.get(comment_id)
        if comment is None:
            return self._no_such_node(comment_id, "POST")
        if comment.private_reply:
            return graph_error(10, "(#10) A comment can be replied to privately only once.")
        with self._state:
            conversation = self._conversation_with(comment.author)
            comment.private_reply = conversation.id
        return self._deliver(conversation, text, private_reply_to=comment_id)

    def _deliver(self, conversation, text, private_reply_to=None):
        with self._state:
            message_id = self._append(conversation, self.page, conversation.customer, text)
        posted = {"kind": "message", "id": message_id, "to": conversation.customer["id"], "text": text}
        if private_reply_to:
            posted["comment_id"] = private_reply_to
        self._posted.append(posted)
        return Reply(body={"recipient_id": conversation.customer["id"], "message_id": message_id})


def channel_settings(fake: FakeGraph) -> dict:
    """ChannelFactory kwargs for a Facebook channel listening to the fake's Page."""
    return {
        "kind": "facebook",
        "credentials": {"page_access_token": fake.token, "app_secret": fake.app_secret, "verify_token": VERIFY_TOKEN},
        "listening": {"page_id": fake.page_id},
        "api_base_url": fake.url,
    }


def sign(body: bytes, secret=APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def feed_webhook(fake: FakeGraph, comment_id: str) -> dict:
    """The `feed` change Meta sends for a new comment (Webhooks for Pages, field feed)."""
    comment = fake.comments[comment_id]
    post = fake.posts[comment.post_id]
    return {
        "object": "page",
        "entry": [
            {
                "id": fake.page_id,
                "time": int(comment.created.timestamp()),
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": comment.author,
                            "post": {"id": post.id, "status_type": "mobile_status_update", "is_published": True,
                                     "permalink_url": post.graph()["permalink_url"]},
                            "message": comment.message,
                            "post_id": post.id,
                            "comment_id": comment.id,
                            "created_time": int(comment.created.timestamp()),
                            "item": "comment",
                            "parent_id": comment.parent_id,
                            "verb": "add",
                        },
                    }
                ],
            }
        ],
    }


def messaging_webhook(fake: FakeGraph, message_id: str) -> dict:
    """The `messages` event Meta sends for a customer's Messenger message."""
    conversation = next(c for c in fake.conversations.values() if any(m["id"] == message_id for m in c.messages))
    message = next(m for m in conversation.messages if m["id"] == message_id)
    timestamp = int(message["at"].timestamp() * 1000)
    return {
        "object": "page",
        "entry": [
            {
                "id": fake.page_id,
                "time": timestamp,
                "messaging": [
                    {
                        "sender": {"id": message["from"]["id"]},
                        "recipient": {"id": fake.page_id},
                        "timestamp": timestamp,
                        "message": {"mid": message["id"], "text": message["text"]},
                    }
                ],
            }
        ],
    }


def signed(payload: dict) -> tuple[dict, bytes]:
    body = json.dumps(payload).encode()
    return {"content-type": "application/json", "x-hub-signature-256": sign(body)}, body


def signed_webhook(fake: FakeGraph, text="Is anyone there? My order never arrived") -> tuple[dict, bytes]:
    """A valid feed webhook for one new customer comment, which the fake now also holds."""
    return signed(feed_webhook(fake, fake.add_mention(text)))
