"""A Discourse forum answering as docs.discourse.org documents: latest posts paged with
`before`, search paged with `page`, category listings, topics in chunks of 20, posting,
our own reply history, and webhooks signed with HMAC-SHA256.

Every request must carry the Api-Key and Api-Username headers, as on a real forum where
the API key is scoped to a user; anything else gets the documented 403 `invalid_access`.
"""

import hashlib
import hmac
import html
import itertools
import json
import re
import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from tests.fakes.server import FakeNetwork, Reply

API_KEY = "discourse-test-key"
API_USERNAME = "acme_support"
WEBHOOK_SECRET = "discourse-webhook-secret"
INVALID_ACCESS = {
    "errors": ["You are not permitted to view the requested resource. The API username or key is invalid."],
    "error_type": "invalid_access",
}
NOT_FOUND = {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}


def rate_limited(wait_seconds):
    """The body and headers of Discourse's 429."""
    body = {
        "errors": [f"You’ve performed this action too many times. Please wait {wait_seconds} seconds before trying again."],
        "error_type": "rate_limit",
        "extras": {"wait_seconds": wait_seconds, "time_left": f"{wait_seconds} seconds"},
    }
    return body, {"Retry-After": str(wait_seconds), "Discourse-Rate-Limit-Error-Code": "admin_api_key_60"}


class FakeDiscourse(FakeNetwork):
    ROUTES = [
        ("GET", r"/posts\.json", "latest_posts"),
        ("POST", r"/posts\.json", "create_post"),
        ("GET", r"/posts/(?P<post_id>\d+)\.json", "show_post"),
        ("GET", r"/posts/by_number/(?P<topic_id>\d+)/(?P<number>\d+)\.json", "post_by_number"),
        ("GET", r"/search\.json", "search"),
        ("GET", r"/c/(?P<category>.+)\.json", "category_topics"),
        ("GET", r"/t/(?P<topic_id>\d+)\.json", "topic_view"),
        ("GET", r"/t/(?P<topic_id>\d+)/posts\.json", "topic_posts"),
        ("GET", r"/user_actions\.json", "user_actions"),
        ("GET", r"/session/current\.json", "current_session"),
        ("GET", r"/u/(?P<username>[^/]+)\.json", "user_profile"),
    ]
    # Discourse's page sizes; tests lower them to see every page read.
    latest_page_size = 50
    search_page_size = 50
    topics_page_size = 30
    topic_chunk_size = 20
    user_actions_page_size = 30
    min_post_length = 1  # Discourse's default is 20; a test raises it to see a refusal

    def __init__(self):
        super().__init__()
        self.api_key = API_KEY
        self.users: dict[str, dict] = {}
        self.categories = {1: {"id": 1, "slug": "support", "name": "Support"}, 2: {"id": 2, "slug": "general", "name": "General"}}
        self.topics: dict[int, dict] = {}
        self.posts: dict[int, dict] = {}
        self._post_ids = itertools.count(101)
        self._topic_ids = itertools.count(11)
        self._event_ids = itertools.count(1)
        self._clock = datetime.now(timezone.utc) - timedelta(hours=1)
        self._local = threading.local()
        self._user(API_USERNAME, "Acme Support")

    # What happens on the forum

    def add_mention(self, text="My order never arrived, can anyone help?", author="jane_doe", parent=None, *,
                    topic=None, category=1, title=None) -> str:  # fmt: skip
        """A customer posts: a reply to `parent` (a post id) in its topic, an answer to the
        whole `topic` (no reply number, as the topic's own reply button makes), or a new topic."""
        if parent is not None:
            answered = self.posts[int(parent)]
            return str(self._add_post(answered["topic_id"], author, text, reply_to=answered["post_number"])["id"])
        if topic is not None:
            return str(self._add_post(int(topic), author, text)["id"])
        topic = self._add_topic(title or text[:60], category)
        return str(self._add_post(topic["id"], author, text)["id"])

    @property
    def posted_replies(self) -> list[dict]:
        """Posts our side (the API user) created."""
        return [post for post in self.posts.values() if post["username"] == API_USERNAME]

    def pin(self, topic_id):
        self.topics[int(topic_id)]["pinned"] = True

    def close(self, topic_id):
        """Replies to the topic are refused, with the 403 Discourse gives (Discourse::InvalidAccess)."""
        self.topics[int(topic_id)]["closed"] = True

    def webhook_body(self, post_id) -> bytes:
        post = self.posts[int(post_id)]
        topic = self.topics[post["topic_id"]]
        payload = {
            **self._serialized(post, raw=True),
            "topic_posts_count": len(topic["post_ids"]),
            "topic_filtered_posts_count": len(topic["post_ids"]),
            "topic_archetype": topic["archetype"],
            "category_slug": self.categories[topic["category_id"]]["slug"],
        }
        return json.dumps({"post": payload}).encode()

    def next_event_id(self) -> str:
        return str(next(self._event_ids))

    # Routes

    def latest_posts(self, request):
        visible = sorted((p for p in self.posts.values() if self._public(p)), key=lambda p: p["id"], reverse=True)
        if "before" in request.query:
            visible = [p for p in visible if p["id"] < int(request.query["before"])]
        page = visible[: self.latest_page_size]
        return Reply(body={"latest_posts": [self._serialized(p, raw=True) for p in page]})

    def search(self, request):
        terms = [t.lower() for t in request.query.get("q", "").split() if ":" not in t]
        if not terms:
            return Reply(422, {"errors": ["Your search term is too short."]})
        hits = sorted(
            (p for p in self.posts.values() if self._public(p) and all(t in self._searchable(p) for t in terms)),
            key=lambda p: p["created_at"],
            reverse=True,
        )
        number = int(request.query.get("page") or 1)
        page = hits[(number - 1) * self.search_page_size : number * self.search_page_size]
        topic_ids = dict.fromkeys(p["topic_id"] for p in page)
        return Reply(
            body={
                "posts": [self._search_hit(p) for p in page],
                "topics": [self._topic_summary(self.topics[t]) for t in topic_ids],
                "users": [],
                "categories": [],
                "grouped_search_result": {
                    "more_posts": None,
                    "more_users": None,
                    "more_categories": None,
                    "more_full_page_results": len(hits) > number * self.search_page_size or None,
                    "post_ids": [p["id"] for p in page],
                    "user_ids": [],
                    "category_ids": [],
                },
            }
        )

    def category_topics(self, request, category):
        found = self._category(category)
        if found is None:
            return Reply(404, NOT_FOUND)
        topics = sorted(
            (t for t in self.topics.values() if t["category_id"] == found["id"]),
            key=lambda t: (t["pinned"], t["bumped_at"]),
            reverse=True,
        )
        number = int(request.query.get("page") or 0)
        page = topics[number * self.topics_page_size : (number + 1) * self.topics_page_size]
        more = len(topics) > (number + 1) * self.topics_page_size
        listing = {
            "can_create_topic": True,
            "per_page": self.topics_page_size,
            "topics": [self._topic_summary(t) for t in page],
        }
        if more:
            listing["more_topics_url"] = f"/c/{found['slug']}/{found['id']}/l/latest?page={number + 1}"
        return Reply(body={"users": [], "primary_groups": [], "topic_list": listing})

    def topic_view(self, request, topic_id):
        topic = self.topics.get(int(topic_id))
        if topic is None:
            return Reply(404, NOT_FOUND)
        stream = [i for i in topic["post_ids"] if self.posts[i]["deleted_at"] is None]
        shown = [self._serialized(self.posts[i]) for i in stream[: self.topic_chunk_size]]
        return Reply(body={**self._topic_summary(topic), "post_stream": {"posts": shown, "stream": stream}})

    def topic_posts(self, request, topic_id):
        topic = self.topics.get(int(topic_id))
        if topic is None:
            return Reply(404, NOT_FOUND)
        wanted = [int(i) for i in self._local.query.get("post_ids[]", [])][: self.topic_chunk_size]
        posts = [self.posts[i] for i in topic["post_ids"] if i in wanted and self.posts[i]["deleted_at"] is None]
        return Reply(body={"id": topic["id"], "post_stream": {"posts": [self._serialized(p) for p in posts]}})

    def show_post(self, request, post_id):
        post = self.posts.get(int(post_id))
        return Reply(body=self._serialized(post, raw=True)) if post else Reply(404, NOT_FOUND)

    def post_by_number(self, request, topic_id, number):
        topic = self.topics.get(int(topic_id), {"post_ids": []})
        post = next((self.posts[i] for i in topic["post_ids"] if self.posts[i]["post_number"] == int(number)), None)
        return Reply(body=self._serialized(post, raw=True)) if post else Reply(404, NOT_FOUND)

    def create_post(self, request):
        fields = request.json() if "json" in request.headers.get("content-type", "") else request.form()
        topic = self.topics.get(int(fields.get("topic_id") or 0))
        if topic is None:
            return Reply(404, NOT_FOUND)
        if topic["closed"]:
            return Reply(403, {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"})
        raw = (fields.get("raw") or "").strip()
        if len(raw) < self.min_post_length:
            return Reply(422, {"action": "create_post", "errors": [f"Body is too short (minimum is {self.min_post_length} characters)"]})
        reply_to = fields.get("reply_to_post_number")
        post = self._add_post(topic["id"], request.headers["api-username"], raw, reply_to=int(reply_to) if reply_to else None)
        return Reply(body=self._serialized(post, raw=True))

    def user_actions(self, request):
        username = request.query.get("username", "")
        replies = sorted(
            (p for p in self.posts.values() if p["username"] == username and p["post_number"] > 1),
            key=lambda p: p["id"],
            reverse=True,
        )
        offset = int(request.query.get("offset") or 0)
        page = replies[offset : offset + self.user_actions_page_size]
        return Reply(body={"user_actions": [self._user_action(p) for p in page]})

    def current_session(self, request):
        return Reply(body={"current_user": self.users[request.headers["api-username"]]})

    def user_profile(self, request, username):
        user = self.users.get(username)
        return Reply(body={"user": user}) if user else Reply(404, NOT_FOUND)

    # The forum's insides

    def _dispatch(self, request):
        if request.headers.get("api-key") != self.api_key or request.headers.get("api-username") not in self.users:
            return Reply(403, INVALID_ACCESS)
        return super()._dispatch(request)

    def _handler_class(self):
        network = self
        base = super()._handler_class()

        class Handler(base):
            def _serve(self):
                # Recorded.query keeps one value a name; `post_ids[]` repeats.
                network._local.query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
                base._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler

    def _now(self) -> datetime:
        self._clock = max(datetime.now(timezone.utc), self._clock + timedelta(milliseconds=1))
        return self._clock

    def _user(self, username, name=""):
        if username not in self.users:
            user_id = len(self.users) + 1
            self.users[username] = {
                "id": user_id,
                "username": username,
                "name": name or username.replace("_", " ").title(),
                "avatar_template": f"/user_avatar/forum.example.com/{username}/{{size}}/{user_id}_2.png",
            }
        return self.users[username]

    def _add_topic(self, title, category):
        now = _stamp(self._now())
        topic_id = next(self._topic_ids)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "topic"
        self.topics[topic_id] = {
            "id": topic_id, "title": title, "slug": slug, "category_id": category, "created_at": now,
            "bumped_at": now, "last_posted_at": now, "archetype": "regular", "pinned": False, "closed": False, "post_ids": [],
        }  # fmt: skip
        return self.topics[topic_id]

    def _add_post(self, topic_id, username, raw, reply_to=None):
        user = self._user(username)
        topic = self.topics[topic_id]
        now = _stamp(self._now())
        post = {
            "id": next(self._post_ids),
            "topic_id": topic_id,
            "post_number": len(topic["post_ids"]) + 1,
            "reply_to_post_number": reply_to,
            "user_id": user["id"],
            "username": username,
            "raw": raw,
            "created_at": now,
            "deleted_at": None,
        }
        self.posts[post["id"]] = post
        topic["post_ids"].append(post["id"])
        topic["bumped_at"] = topic["last_posted_at"] = now
        return post

    def _public(self, post):
        return post["deleted_at"] is None and self.topics[post["topic_id"]]["archetype"] == "regular"

    def _searchable(self, post):
        return f"{post['raw']} {self.topics[post['topic_id']]['title']}".lower()

    def _category(self, path):
        last = path.strip("/").split("/")[-1]
        if last.isdigit():
            return self.categories.get(int(last))
        return next((c for c in self.categories.values() if c["slug"] == last), None)

    def _serialized(self, post, raw=False):
        """A post as PostSerializer renders it; `raw` only where Discourse includes it."""
        user = self.users[post["username"]]
        topic = self.topics[post["topic_id"]]
        body = {
            "id": post["id"],
            "name": user["name"],
            "username": user["username"],
            "avatar_template": user["avatar_template"],
            "created_at": post["created_at"],
            "cooked": _cooked(post["raw"]),
            "post_number": post["post_number"],
            "post_type": 1,
            "updated_at": post["created_at"],
            "reply_count": 0,
            "reply_to_post_number": post["reply_to_post_number"],
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": 1,
            "score": 0,
            "yours": post["username"] == API_USERNAME,
            "topic_id": topic["id"],
            "topic_slug": topic["slug"],
            "topic_title": topic["title"],
            "topic_html_title": html.escape(topic["title"]),
            "category_id": topic["category_id"],
            "display_username": user["name"],
            "version": 1,
            "user_id": user["id"],
            "hidden": False,
            "trust_level": 1,
            "deleted_at": post["deleted_at"],
            "user_deleted": False,
            "wiki": False,
        }
        if raw:
            body["raw"] = post["raw"]
        return body

    def _search_hit(self, post):
        user = self.users[post["username"]]
        return {
            "id": post["id"],
            "name": user["name"],
            "username": user["username"],
            "avatar_template": user["avatar_template"],
            "created_at": post["created_at"],
            "like_count": 0,
            "blurb": post["raw"][:100],
            "post_number": post["post_number"],
            "topic_id": post["topic_id"],
        }

    def _topic_summary(self, topic):
        return {
            "id": topic["id"],
            "title": topic["title"],
            "fancy_title": html.escape(topic["title"]),
            "slug": topic["slug"],
            "posts_count": len(topic["post_ids"]),
            "reply_count": max(len(topic["post_ids"]) - 1, 0),
            "highest_post_number": len(topic["post_ids"]),
            "created_at": topic["created_at"],
            "last_posted_at": topic["last_posted_at"],
            "bumped": True,
            "bumped_at": topic["bumped_at"],
            "archetype": topic["archetype"],
            "pinned": topic["pinned"],
            "visible": True,
            "closed": topic["closed"],
            "archived": False,
            "category_id": topic["category_id"],
        }

    def _user_action(self, post):
        topic = self.topics[post["topic_id"]]
        return {
            "excerpt": post["raw"][:300],
            "action_type": 5,
            "created_at": post["created_at"],
            "slug": topic["slug"],
            "topic_id": topic["id"],
            "title": topic["title"],
            "post_id": post["id"],
            "post_number": post["post_number"],
            "reply_to_post_number": post["reply_to_post_number"],
            "username": post["username"],
            "user_id": self.users[post["username"]]["id"],
            "post_type": 1,
            "category_id": topic["category_id"],
            "deleted": False,
            "hidden": False,
        }


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _cooked(raw: str) -> str:
    return "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in raw.split("\n\n"))


def channel_settings(fake: FakeDiscourse) -> dict:
    """ChannelFactory kwargs for a channel on this forum, listening to every new post."""
    return {
        "kind": "discourse",
        "credentials": {"api_key": API_KEY, "api_username": API_USERNAME, "webhook_secret": WEBHOOK_SECRET},
        "listening": {"watch_latest": True},
        "api_base_url": fake.url,
    }


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_webhook(fake: FakeDiscourse, text="Is anyone there? My invoice is wrong.") -> tuple[dict, bytes]:
    """A post_created delivery, as Discourse sends it, for a new customer post on the forum."""
    post_id = fake.add_mention(text)
    body = fake.webhook_body(post_id)
    headers = {
        "content-type": "application/json",
        "x-discourse-instance": fake.url,
        "x-discourse-event-id": fake.next_event_id(),
        "x-discourse-event-type": "post",
        "x-discourse-event": "post_created",
        "x-discourse-event-signature": sign(body),
    }
    return headers, body
