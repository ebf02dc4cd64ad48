"""Discourse forums: posts found by search, in watched categories or among the latest posts,
answered with a reply in the same topic.

A small client on httpx rather than pydiscourse: pydiscourse sleeps inside a 429 and retries
up to four times (holding a worker for minutes), keeps `extras.wait_seconds` and the status
to itself, and has no call for several endpoints used here (`/posts.json?before=`,
`/t/{id}/posts.json?post_ids[]=`, `/posts/by_number/...`). The contract wants a typed error
at once, RateLimited carrying the time the forum names.
"""

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import httpx

from connectors.base import (
    AuthFailed,
    Author,
    ChannelConfig,
    ConnectorError,
    Fetched,
    Mention,
    OutboundReply,
    Permanent,
    RateLimited,
    Sent,
    Transient,
    WebhookDelivery,
)

AVATAR_SIZE = 96
REGULAR_POST = 1  # the other post types are moderator actions, small actions and whispers
POST_IDS_PER_REQUEST = 20  # the chunk size Discourse serves a topic's posts in
USER_ACTIONS_PER_PAGE = 30
REPLY_ACTION = 5  # user_actions filter: replies the user made
FIND_SENT_PAGES = 3  # an ambiguous attempt is minutes old: our last 90 replies cover it
# A source's first read keeps this many of the newest posts (or bumped topics): each may
# cost a request, and an admin key has 60 a minute by default.
FIRST_READ_POSTS = 10
DEFAULT_WAIT_SECONDS = 60
NAME_LENGTH = 200  # the inbox's contact name column; Discourse allows longer full names


class DiscourseConnector:
    kind = "discourse"
    reply_limit = None  # the site's max_post_length (32,000 by default) is far above any answer
    replies_on_site = False
    webhook_per_app = False  # the network calls this channel's own URL

    def __init__(self, config: ChannelConfig):
        self.config = config
        self.base = (config.api_base_url or "").rstrip("/")
        self.api_username = config.credentials.get("api_username", "")

    # Listening

    def fetch(self, cursor: dict) -> Fetched:
        sources = self._sources()
        if not sources:
            raise Permanent("Set a search query, categories or watch_latest for this forum.")
        markers = cursor.get("sources", {})
        with _Forum(self.config) as forum:
            reading = _Reading(forum)
            next_markers = {key: read(reading, markers.get(key, {})) for key, read in sources.items()}
            mentions = [self._mention(post, reading.parent_id(post)) for post in reading.customer_posts(self.api_username)]
        highest = max([cursor.get("last_post_id", 0), *(m.get("post_id", 0) for m in next_markers.values())])
        mentions.sort(key=lambda m: (m.created_at, int(m.external_id)))
        return Fetched(mentions, {"sources": next_markers, "last_post_id": highest})

    def _sources(self) -> dict:
        """Reader per source, keyed so that changing a query or category starts it afresh."""
        listening = self.config.listening
        sources = {}
        if listening.get("watch_latest"):
            sources["latest"] = lambda reading, marker: reading.latest(marker)
        query = (listening.get("search_query") or "").strip()
        if query:
            sources[f"search:{query}"] = lambda reading, marker: reading.search(query, marker)
        for category in as_list(listening.get("categories")):
            sources[f"category:{category}"] = lambda reading, marker, c=str(category): reading.category(c, marker)
        return sources

    def _mention(self, post: dict, parent_id: str) -> Mention:
        username = post.get("username") or ""
        return Mention(
            external_id=str(post["id"]),
            author=Author(
                # Ids are per forum: the forum's host keeps user 5 of two forums apart.
                platform_id=f"{urlsplit(self.base).netloc}/{post.get('user_id') or username}",
                handle=username,
                name=(post.get("name") or post.get("display_username") or "")[:NAME_LENGTH],
                avatar_url=self._avatar(post.get("avatar_template") or ""),
                profile_url=f"{self.base}/u/{quote(username)}" if username else "",
            ),
            text=post_text(post),
            created_at=network_time(post["created_at"]),
            parent_external_id=parent_id,
            thread_external_id=str(post["topic_id"]),
            url=self._post_url(post),
            public=post.get("topic_archetype") != "private_message",
            raw=post,
        )

    def _avatar(self, template: str) -> str:
        # Templates are usually site-relative, on a CDN they are absolute: urljoin keeps both.
        return urljoin(self.base + "/", template.replace("{size}", str(AVATAR_SIZE))) if template else ""

    def _post_url(self, post: dict) -> str:
        slug = post.get("topic_slug") or "-"  # Discourse redirects a placeholder slug to the real one
        return f"{self.base}/t/{slug}/{post['topic_id']}/{post['post_number']}"

    # Replying

    def send(self, reply: OutboundReply) -> Sent:
        if not reply.public and (reply.context or {}).get("topic_archetype") != "private_message":
            # A post in a public topic is public: never post there what was meant privately.
            raise Permanent("Discourse answers a public post in public; private replies go in a private message topic.")
        with _Forum(self.config) as forum:
            topic_id, post_number = self._target(forum, reply)
            payload = {"topic_id": topic_id, "reply_to_post_number": post_number, "raw": reply.text}
            try:
                post = forum.post("/posts.json", payload)
            except AuthFailed as refused:
                # A closed or restricted topic answers 403 invalid_access too: only when the
                # key itself fails is it the channel's credentials, not this one reply.
                forum.get("/session/current.json")
                raise Permanent(f"The forum refused this reply: {refused}") from refused
        return self._sent(post)

    def find_sent(self, reply: OutboundReply) -> Sent | None:
        with _Forum(self.config) as forum:
            topic_id, post_number = self._target(forum, reply)
            for action in self._our_recent_replies(forum):
                if action.get("topic_id") != topic_id or not _answers(action.get("reply_to_post_number"), post_number):
                    continue
                post = forum.get(f"/posts/{int(action['post_id'])}.json")
                if _same_words(post.get("raw") or "", reply.text):
                    return self._sent(post)
        return None

    def _target(self, forum, reply: OutboundReply) -> tuple[int, int]:
        """Topic and post number of the answered post: from its stored payload, else asked."""
        context = reply.context or {}
        topic_id = context.get("topic_id") or reply.thread_id
        post_number = context.get("post_number")
        if not (topic_id and post_number):
            if not reply.in_reply_to:
                raise Permanent("This reply answers no forum post.")
            answered = forum.get(f"/posts/{int(reply.in_reply_to)}.json")
            topic_id, post_number = answered["topic_id"], answered["post_number"]
        return int(topic_id), int(post_number)

    def _our_recent_replies(self, forum):
        for page in range(FIND_SENT_PAGES):
            actions = forum.get(
                "/user_actions.json",
                {"username": self.api_username, "filter": REPLY_ACTION, "offset": page * USER_ACTIONS_PER_PAGE},
            ).get("user_actions") or []
            yield from actions
            if len(actions) < USER_ACTIONS_PER_PAGE:
                return

    def _sent(self, post: dict) -> Sent:
        accepted = network_time(post["created_at"]) if post.get("created_at") else datetime.now(timezone.utc)
        return Sent(external_id=str(post["id"]), accepted_at=accepted, url=self._post_url(post))

    def verify(self) -> None:
        with _Forum(self.config) as forum:
            forum.get("/session/current.json")

    # Webhooks

    def webhook_handshake(self, query: dict):
        return None  # Discourse sends no verification request

    def webhook_signature_ok(self, delivery: WebhookDelivery) -> bool:
        secret = self.config.credentials.get("webhook_secret") or ""
        given = delivery.headers.get("x-discourse-event-signature") or ""
        if not secret or not given:
            return False
        expected = "sha256=" + hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), given.encode())

    def webhook_key(self, delivery: WebhookDelivery) -> str:
        # A redelivery from the forum's admin page repeats the event id.
        return delivery.headers.get("x-discourse-event-id") or hashlib.sha256(delivery.body).hexdigest()

    def parse_webhook(self, delivery: WebhookDelivery) -> list[Mention]:
        if delivery.headers.get("x-discourse-event") != "post_created":
            return []
        post = json.loads(delivery.body)["post"]
        if not is_customer_post(post, self.api_username):
            return []
        return [self._mention(post, self._pushed_parent_id(post))]

    def _pushed_parent_id(self, post: dict) -> str:
        """The payload names the parent by number only. Asking the forum is best effort: a
        stored delivery must stay readable, and the topic still threads the mention."""
        if parent_number(post) is None or not self.base:
            return ""
        try:
            with _Forum(self.config) as forum:
                return _Reading(forum).parent_id(post)
        except ConnectorError:
            return ""


class _Reading:
    """One fetch: the posts found by every source, and what is known of their topics."""

    def __init__(self, forum):
        self.forum = forum
        self.found: dict[int, dict] = {}
        self.numbered: dict[tuple[int, int], int] = {}  # (topic, post number) → post id

    def customer_posts(self, api_username: str) -> list[dict]:
        return [post for post in self.found.values() if is_customer_post(post, api_username)]

    # Sources: each returns its next marker. With no marker yet, a source reads its first
    # page and keeps the newest few: a new channel starts from the recent past, not from
    # the forum's whole history.

    def latest(self, marker: dict) -> dict:
        since = marker.get("post_id")
        before, newest = None, since or 0
        while True:
            page = self.forum.get("/posts.json", {"before": before} if before else None).get("latest_posts") or []
            fresh = [post for post in page if post["id"] > since] if since is not None else newest_first(page)
            self._keep(fresh)
            newest = max([newest, *(post["id"] for post in page)])
            if since is None or not page or len(fresh) < len(page):
                return {"post_id": newest}
            oldest = min(post["id"] for post in page)
            if before is not None and oldest >= before:
                raise Transient("The forum's latest posts did not page backwards.")
            before = oldest

    def search(self, query: str, marker: dict) -> dict:
        since = marker.get("post_id")
        terms = query if "order:" in query else f"{query} order:latest"
        hits, topics, page, newest = [], {}, 1, since or 0
        while True:
            params = {"q": terms, "page": page} if page > 1 else {"q": terms}
            result = self.forum.get("/search.json", params)
            page_hits = result.get("posts") or []
            fresh = [hit for hit in page_hits if hit["id"] > since] if since is not None else newest_first(page_hits)
            hits += fresh
            newest = max([newest, *(hit["id"] for hit in page_hits)])
            topics.update({topic["id"]: topic for topic in result.get("topics") or []})
            more = (result.get("grouped_search_result") or {}).get("more_full_page_results")
            if since is None or not page_hits or len(fresh) < len(page_hits) or not more:
                break
            page += 1
        # Search hits carry a blurb only: the posts themselves come from their topics.
        by_topic: dict[int, list[int]] = {}
        for hit in hits:
            by_topic.setdefault(hit["topic_id"], []).append(hit["id"])
        for topic_id, ids in by_topic.items():
            self._keep(self._topic_posts(topic_id, ids), topics.get(topic_id))
        return {"post_id": newest}

    def category(self, category: str, marker: dict) -> dict:
        since, since_at = marker.get("post_id"), marker.get("bumped_at")
        newest, newest_bump = since or 0, since_at
        for topic in self._bumped_topics(category, since_at):
            newest_bump = max(filter(None, [newest_bump, topic.get("bumped_at")]), default=None)
            view = self.forum.get(f"/t/{int(topic['id'])}.json")
            shown = view.get("post_stream", {}).get("posts") or []
            self._number(shown)
            stream = view.get("post_stream", {}).get("stream") or [post["id"] for post in shown]
            wanted = [post_id for post_id in stream if post_id > since] if since is not None else stream[-1:]
            have = {post["id"]: post for post in shown if post["id"] in wanted}
            missing = [post_id for post_id in wanted if post_id not in have]
            self._keep([*have.values(), *self._topic_posts(topic["id"], missing)], view)
            newest = max([newest, *wanted])
        return {"post_id": newest, "bumped_at": newest_bump}

    def _bumped_topics(self, category: str, since_at: str | None):
        """Topics of the category bumped since the marker, all pages; with no marker, the
        most recently bumped few of the first page."""
        path = "/c/" + "/".join(quote(part) for part in category.strip("/").split("/")) + ".json"
        page = 0
        while True:
            listing = self.forum.get(path, {"page": page} if page else None).get("topic_list") or {}
            topics = listing.get("topics") or []
            if since_at is None:
                yield from sorted(topics, key=lambda t: t.get("bumped_at") or "", reverse=True)[:FIRST_READ_POSTS]
                return
            for topic in topics:
                if (topic.get("bumped_at") or "") >= since_at:
                    yield topic
                elif not topic.get("pinned"):  # pinned topics head the list whatever their age
                    return
            if not topics or not listing.get("more_topics_url"):
                return
            page += 1

    def _topic_posts(self, topic_id: int, post_ids: list[int]) -> list[dict]:
        posts = []
        for start in range(0, len(post_ids), POST_IDS_PER_REQUEST):
            chunk = post_ids[start : start + POST_IDS_PER_REQUEST]
            answer = self.forum.get(f"/t/{int(topic_id)}/posts.json", [("post_ids[]", post_id) for post_id in chunk])
            posts += answer.get("post_stream", {}).get("posts") or []
        return posts

    def _keep(self, posts: list[dict], topic: dict | None = None):
        for post in posts:
            if topic:
                # Kept with the post (and so in Mention.raw) for the url and the inbox's title.
                post.setdefault("topic_slug", topic.get("slug"))
                post.setdefault("topic_title", topic.get("title"))
                post.setdefault("topic_archetype", topic.get("archetype"))
            self.found[post["id"]] = post
        self._number(posts)

    def _number(self, posts: list[dict]):
        for post in posts:
            self.numbered[(post["topic_id"], post["post_number"])] = post["id"]

    # Threading

    def parent_id(self, post: dict) -> str:
        number = parent_number(post)
        if number is None:
            return ""
        key = (post["topic_id"], number)
        if key not in self.numbered:
            try:
                parent = self.forum.get(f"/posts/by_number/{int(key[0])}/{int(number)}.json")
            except Permanent:
                return ""  # the parent was deleted: the topic still threads the post
            self.numbered[key] = parent["id"]
        return str(self.numbered[key])


class _Forum:
    """The forum's API over one connection: every answer checked, every failure typed."""

    def __init__(self, config: ChannelConfig):
        if not config.api_base_url:
            raise Permanent("This channel has no forum URL.")
        credentials = config.credentials
        self.http = httpx.Client(
            base_url=config.api_base_url.rstrip("/"),
            headers={
                "Api-Key": credentials.get("api_key", ""),
                "Api-Username": credentials.get("api_username", ""),
                "Accept": "application/json",
            },
            timeout=config.timeout,
            follow_redirects=True,  # /c/{id}.json answers with a redirect to the slugged path
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.http.close()

    def get(self, path: str, params=None) -> dict:
        return self._call("GET", path, params=params)

    def post(self, path: str, payload: dict) -> dict:
        return self._call("POST", path, json=payload)

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise Transient(f"The forum did not answer {method} {path} in time.") from error
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
            raise Permanent(f"The forum URL is not usable: {error}") from error
        except httpx.TransportError as error:
            raise Transient(f"Could not reach the forum: {error}") from error
        raise_for_status(response)
        try:
            return response.json()
        except ValueError as error:
            raise Transient(f"The forum answered {method} {path} with something other than JSON.") from error


def raise_for_status(response: httpx.Response):
    status = response.status_code
    if status < 400:
        return
    body = _json_or_empty(response)
    message = forum_message(body) or f"{status} {response.reason_phrase}"
    if status == 429:
        raise RateLimited(datetime.now(timezone.utc) + timedelta(seconds=_wait_seconds(body, response)), message)
    if status in (401, 403):
        raise AuthFailed(message)
    if status >= 500:
        raise Transient(message)
    raise Permanent(message)


def _json_or_empty(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def forum_message(body: dict) -> str:
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        return " ".join(str(error) for error in errors)
    return str(body.get("error") or errors or "")


def _wait_seconds(body: dict, response: httpx.Response) -> float:
    wait = (body.get("extras") or {}).get("wait_seconds")
    if isinstance(wait, (int, float)):
        return max(float(wait), 0)
    retry_after = response.headers.get("retry-after", "")
    if retry_after.isdigit():
        return float(retry_after)
    try:
        return max((parsedate_to_datetime(retry_after) - datetime.now(timezone.utc)).total_seconds(), 0)
    except (TypeError, ValueError):
        return DEFAULT_WAIT_SECONDS


def as_list(value) -> list:
    # An admin may type one category where a list was meant.
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def newest_first(posts: list[dict]) -> list[dict]:
    return sorted(posts, key=lambda post: post["id"], reverse=True)[:FIRST_READ_POSTS]


def is_customer_post(post: dict, api_username: str) -> bool:
    """A post someone wrote: not ours, not a moderator or small action, not deleted or hidden."""
    if (post.get("username") or "").lower() == api_username.lower():
        return False
    if post.get("post_type", REGULAR_POST) != REGULAR_POST:
        return False
    return not (post.get("deleted_at") or post.get("user_deleted") or post.get("hidden"))


def parent_number(post: dict) -> int | None:
    """The post number this post answers: the one it replies to, else the topic's first post."""
    if post.get("reply_to_post_number"):
        return int(post["reply_to_post_number"])
    return 1 if post.get("post_number", 1) > 1 else None


def _answers(reply_to: int | None, post_number: int) -> bool:
    # Discourse stores an answer to the first post without a reply number at times.
    return reply_to == post_number or (reply_to is None and post_number == 1)


def _same_words(a: str, b: str) -> bool:
    return a.split() == b.split()


def network_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def post_text(post: dict) -> str:
    raw = post.get("raw")
    return raw.strip() if raw else plain_text(post.get("cooked") or "")


BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "aside", "tr", "table", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "details", "summary",
}  # fmt: skip


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.in_style = 0

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self.in_style += 1
        elif tag == "img":
            alt = dict(attrs).get("alt")  # emoji and images keep what they stand for
            if alt:
                self.pieces.append(f" {alt} ")
        elif tag in BLOCKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = max(self.in_style - 1, 0)
        elif tag in BLOCKS:
            self.pieces.append("\n")

    def handle_data(self, data):
        if not self.in_style:
            self.pieces.append(data)


def plain_text(html: str) -> str:
    """The words of an HTML fragment, one line per block. Script text is kept as words: the
    result is text, escaped wherever it is shown, and a customer's words are never dropped."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.pieces).splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()
