"""The brand's X account, answering as the X API v2 documents.

Shapes follow X's reference and tweepy's recorded cassettes: listings answer `{"data",
"includes", "meta": {"result_count", "newest_id", "oldest_id", "next_token"}}` newest first;
objects carry only their default fields (tweets: id, text, edit_history_tweet_ids; users:
id, name, username; DM events: id, event_type, text) plus the `*.fields` and `expansions`
asked for; tweet text has &, < and > escaped; a reply's text starts with the @username it
answers, as X adds it. Errors are RFC 7807 problems (`{"title", "detail", "type",
"status"}`) and every answer carries `x-rate-limit-limit/remaining/reset`. Requests must be
signed with OAuth 1.0a over https://api.twitter.com (where tweepy believes it is), or carry
the app's bearer token where X accepts app-only auth. Webhook deliveries follow the Account
Activity API (v1.1 objects).
"""

import base64
import hashlib
import hmac
import html
import json
import re
import shlex
import threading
import time
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from types import SimpleNamespace
from urllib.parse import urlencode

from oauthlib.oauth1.rfc5849 import signature as oauth

from tests.fakes.server import FakeNetwork, Recorded, Reply

X_API = "https://api.twitter.com"
BRAND_ID = "1570121430925275137"
BRAND_USERNAME = "AcmeSupport"
CUSTOMER_ID = "1485912345678901248"
CONSUMER_KEY = "fakeConsumerKey0123456789"
CONSUMER_SECRET = "fakeConsumerSecret0123456789abcdefghijklmnopqrstu"
ACCESS_TOKEN = f"{BRAND_ID}-fakeAccessToken0123456789abcdef"
ACCESS_TOKEN_SECRET = "fakeAccessTokenSecret0123456789abcdefghijk"
BEARER_TOKEN = "AAAAAAAAAAAAAAAAAAAAAFakeBearerToken0123456789"
CREDENTIALS = {
    "consumer_key": CONSUMER_KEY,
    "consumer_secret": CONSUMER_SECRET,
    "access_token": ACCESS_TOKEN,
    "access_token_secret": ACCESS_TOKEN_SECRET,
    "bearer_token": BEARER_TOKEN,
}

TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here
RATE_WINDOW = 15 * 60
SEARCH_REACH = timedelta(days=7)
TWEET_DEFAULTS = ("id", "text", "edit_history_tweet_ids")
USER_DEFAULTS = ("id", "name", "username")
DM_DEFAULTS = ("id", "event_type", "text")

# Per 15 minutes, as the recorded answers show them.
RATE_LIMITS = {
    "me": 75,
    "mentions": 450,
    "user_tweets": 1500,
    "search_recent": 450,
    "create_tweet": 200,
    "read_dm_events": 300,
    "read_conversation_dm_events": 300,
    "send_direct_message": 200,
}
USER_CONTEXT_ONLY = {"me", "create_tweet", "read_dm_events", "read_conversation_dm_events", "send_direct_message"}

DUPLICATE_CONTENT = "You are not allowed to create a Tweet with duplicate content."
DELETED_PARENT = "You attempted to reply to a Tweet that is deleted or not visible to you."


def problem(status: int, detail: str = "", kind: str = "about:blank", title: str = "") -> dict:
    """An error body as X API v2 sends it (RFC 7807)."""
    phrase = HTTPStatus(status).phrase
    return {"title": title or phrase, "detail": detail or phrase, "type": kind, "status": status}


def invalid_request(parameter: str, value: str, message: str) -> dict:
    return {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def snowflake(moment: datetime, sequence: int = 0) -> int:
    return (int(moment.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22 | sequence


def snowflake_time(tweet_id) -> datetime:
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000, tz=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def conversation_between(a: str, b: str) -> str:
    """A one-to-one DM conversation's id, as v2 names it."""
    return "-".join(sorted((a, b), key=int))


class FakeX(FakeNetwork):
    ROUTES = [
        ("GET", r"/2/users/me", "me"),
        ("GET", r"/2/users/(?P<user_id>\d+)/mentions", "mentions"),
        ("GET", r"/2/users/(?P<user_id>\d+)/tweets", "user_tweets"),
        ("GET", r"/2/tweets/search/recent", "search_recent"),
        ("POST", r"/2/tweets", "create_tweet"),
        ("GET", r"/2/dm_events", "read_dm_events"),
        ("GET", r"/2/dm_conversations/with/(?P<participant_id>\d+)/dm_events", "read_conversation_dm_events"),
        ("POST", r"/2/dm_conversations/with/(?P<participant_id>\d+)/messages", "send_direct_message"),
    ]

    def __init__(self, page_size=100):
        super().__init__()
        self.page_size = page_size  # at most this many per page, whatever max_results asks
        self.refuse_duplicates = False  # X refuses the same text twice; off so double posts can be counted
        self.users: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}  # id → tweet, text unescaped
        self.dm_events: dict[str, dict] = {}
        self._mention_ids: set[str] = set()
        self._posted_ids: list[str] = []
        self._sent_dm_ids: list[str] = []
        self._state = threading.RLock()
        self._last_id = 0
        self._used: dict[str, tuple[int, int]] = {}  # bucket → (window start, requests in it)
        self.add_user(BRAND_ID, BRAND_USERNAME, "Acme Support", followers=48210, verified=True)
        self.add_user(CUSTOMER_ID, "lucia_mtz", "Lucía Martínez", followers=312)

    # The network's state, as tests shape it

    def add_user(self, user_id, username, name, followers=100, verified=False) -> dict:
        with self._state:
            self.users[str(user_id)] = {
                "id": str(user_id),
                "name": name,
                "username": username,
                "verified": verified,
                "profile_image_url": f"https://pbs.twimg.com/profile_images/{user_id}/avatar_normal.jpg",
                "public_metrics": {
                    "followers_count": followers,
                    "following_count": 120,
                    "tweet_count": 2045,
                    "listed_count": 3,
                    "like_count": 310,
                },
                "created_at": "2015-03-02T09:12:44.000Z",
            }
            return self.users[str(user_id)]

    def add_mention(self, text="@AcmeSupport my order never arrived", author_id=CUSTOMER_ID, parent=None, lang="en", at=None) -> str:
        """A customer's tweet mentioning the brand appears on the network; returns its id."""
        return self.add_tweet(text, author_id, parent=parent, lang=lang, at=at, mention=True)

    def add_tweet(self, text, author_id=CUSTOMER_ID, parent=None, lang="en", at=None, mention=False) -> str:
        with self._state:
            author_id = str(author_id)
            if author_id not in self.users:
                self.add_user(author_id, f"customer{author_id[-6:]}", f"Customer {author_id[-6:]}")
            tweet_id = self._next_id(at)
            tweet = {
                "id": tweet_id,
                "text": text,
                "author_id": author_id,
                "created_at": iso(at or snowflake_time(tweet_id)),
                "conversation_id": tweet_id,
                "lang": lang,
                "edit_history_tweet_ids": [tweet_id],
            }
            if parent:
                replied = self.tweets[str(parent)]
                tweet["conversation_id"] = replied["conversation_id"]
                tweet["in_reply_to_user_id"] = replied["author_id"]
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": replied["id"]}]
            self.tweets[tweet_id] = tweet
            if mention:
                self._mention_ids.add(tweet_id)
            return tweet_id

    def add_direct_message(self, text="Hi, my invoice is wrong", sender_id=CUSTOMER_ID, recipient_id=BRAND_ID, at=None) -> str:
        with self._state:
            event_id = self._next_id(at)
            self.dm_events[event_id] = {
                "id": event_id,
                "event_type": "MessageCreate",
                "text": text,
                "sender_id": str(sender_id),
                "dm_conversation_id": conversation_between(str(sender_id), str(recipient_id)),
                "created_at": iso(at or snowflake_time(event_id)),
                "_recipient_id": str(recipient_id),
            }
            return event_id

    def delete(self, tweet_id):
        with self._state:
            self.tweets.pop(str(tweet_id), None)

    @property
    def posted_replies(self) -> list[dict]:
        """The tweets our side posted, in order (text as X stores it: with the leading @mention)."""
        with self._state:
            return [_public(self.tweets[i]) for i in self._posted_ids if i in self.tweets]

    @property
    def sent_messages(self) -> list[dict]:
        """The direct messages our side sent, in order."""
        with self._state:
            return [_public(self.dm_events[i]) for i in self._sent_dm_ids]

    def fail_next(self, status=500, body=None, headers=None, *, path=None, times=1, after_handling=False, after=0):
        """As FakeNetwork's, with X's problem body and rate-limit headers unless given."""
        reset = self._window_start(time.time()) + RATE_WINDOW
        defaults = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0" if status == 429 else "449", "x-rate-limit-reset": str(reset)}
        body = body if body is not None else problem(status)
        super().fail_next(
            status, body, {**defaults, **(headers or {})}, path=path, times=times, after_handling=after_handling, after=after
        )

    def _next_id(self, at=None) -> str:
        self._last_id = max(snowflake(at or datetime.now(UTC)), self._last_id + 1)
        return str(self._last_id)

    # Serving

    def _dispatch(self, request: Recorded) -> Reply:
        name = next((name for method, pattern, name in self.ROUTES if method == request.method and _matches(pattern, request.path)), None)
        if name is None:
            return Reply(404, problem(404, f"Could not find {request.method} {request.path}"))
        with self._state:
            refused = self._refuse_auth(request, user_context_only=name in USER_CONTEXT_ONLY)
            limit, remaining, reset = self._count(name)
            if refused:
                reply = refused
            elif remaining < 0:
                reply = Reply(429, problem(429))
            else:
                reply = super()._dispatch(request)
        reply.headers = {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(max(remaining, 0)), "x-rate-limit-reset": str(reset), **reply.headers}
        if reply.status >= 400:
            reply.content_type = "application/problem+json" if "type" in (reply.body or {}) else "application/json; charset=utf-8"
        else:
            reply.content_type = "application/json; charset=utf-8"
        return reply

    def _refuse_auth(self, request: Recorded, user_context_only: bool) -> Reply | None:
        authorization = request.headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            if authorization.removeprefix("Bearer ") != BEARER_TOKEN:
                return Reply(401, problem(401, "Unauthorized"))
            if user_context_only:
                return Reply(403, problem(
                    403,
                    "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
                    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                    kind="https://api.twitter.com/2/problems/unsupported-authentication",
                    title="Unsupported Authentication",
                ))
            return None
        if authorization.startswith("OAuth ") and _oauth_signature_valid(request):
            return None
        return Reply(401, problem(401, "Unauthorized"))

    def _count(self, name) -> tuple[int, int, int]:
        now = time.time()
        window = self._window_start(now)
        start, used = self._used.get(name, (window, 0))
        if start != window:
            used = 0
        self._used[name] = (window, used + 1)
        limit = RATE_LIMITS[name]
        return limit, limit - used - 1, window + RATE_WINDOW

    @staticmethod
    def _window_start(now: float) -> int:
        return int(now) - int(now) % RATE_WINDOW

    # Endpoints

    def me(self, request):
        return Reply(200, {"data": _fields(self.users[BRAND_ID], USER_DEFAULTS, request.query.get("user.fields"))})

    def mentions(self, request, user_id):
        if user_id != BRAND_ID:
            return self._no_user(user_id)
        tweets = [self.tweets[i] for i in self._mention_ids if i in self.tweets]
        return self._tweet_listing(request, tweets, token_param="pagination_token", least=5)

    def user_tweets(self, request, user_id):
        if user_id not in self.users:
            return self._no_user(user_id)
        tweets = [t for t in self.tweets.values() if t["author_id"] == user_id]
        return self._tweet_listing(request, tweets, token_param="pagination_token", least=5)

    def search_recent(self, request):
        query = request.query.get("query", "")
        since_id = request.query.get("since_id")
        if not query:
            return Reply(400, invalid_request("query", "", "The `query` query parameter can not be empty"))
        oldest = datetime.now(UTC) - SEARCH_REACH
        if since_id and snowflake_time(since_id) < oldest:
            return Reply(400, invalid_request(
                "since_id", since_id,
                f"Invalid 'since_id':'{since_id}'. 'since_id' must be a tweet id created after {iso(oldest)}. "
                f"Please use a 'since_id' that is larger than {snowflake(oldest)}",
            ))
        tweets = [t for t in self.tweets.values() if _matches_query(t["text"], query)]
        return self._tweet_listing(request, tweets, token_param="next_token", least=10)

    def create_tweet(self, request):
        body = request.json() or {}
        text = body.get("text")
        if not text:
            return Reply(400, invalid_request("text", "", "Tweet text is required when no media is attached."))
        parent_id = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        parent = self.tweets.get(str(parent_id)) if parent_id else None
        if parent_id and parent is None:
            return Reply(403, problem(403, DELETED_PARENT))
        if self.refuse_duplicates and any(self.tweets[i]["_said"] == text for i in self._posted_ids if i in self.tweets):
            return Reply(403, problem(403, DUPLICATE_CONTENT))
        stored = text
        if parent is not None:
            # X puts the answered author's @username in front of a reply's text.
            mention = "@" + self.users[parent["author_id"]]["username"]
            stored = text if text.startswith(mention) else f"{mention} {text}"
        tweet_id = self.add_tweet(stored, BRAND_ID, parent=parent_id, lang="en")
        self.tweets[tweet_id]["_said"] = text
        self._posted_ids.append(tweet_id)
        return Reply(201, {"data": {"id": tweet_id, "text": html.escape(stored, quote=False), "edit_history_tweet_ids": [tweet_id]}},
                     {"location": f"{X_API}/2/tweets/{tweet_id}"})

    def read_dm_events(self, request):
        return self._dm_listing(request, list(self.dm_events.values()))

    def read_conversation_dm_events(self, request, participant_id):
        conversation = conversation_between(BRAND_ID, participant_id)
        return self._dm_listing(request, [e for e in self.dm_events.values() if e["dm_conversation_id"] == conversation])

    def send_direct_message(self, request, participant_id):
        text = (request.json() or {}).get("text")
        if not text:
            return Reply(400, invalid_request("text", "", "Either text or attachments are required."))
        event_id = self.add_direct_message(text, sender_id=BRAND_ID, recipient_id=participant_id)
        self._sent_dm_ids.append(event_id)
        event = self.dm_events[event_id]
        return Reply(201, {"data": {"dm_conversation_id": event["dm_conversation_id"], "dm_event_id": event_id}},
                     {"location": f'{X_API}/2/dm_events/"{event_id}"'})

    # Listings

    def _tweet_listing(self, request, tweets, token_param, least):
        q = request.query
        page = self._page(request, tweets, token_param, least)
        if isinstance(page, Reply):
            return page
        chosen, meta = page
        answer = {"data": [self._tweet_json(t, q) for t in chosen]} if chosen else {}
        includes = self._tweet_includes(chosen, q)
        if includes:
            answer["includes"] = includes
        if chosen:
            meta = {"newest_id": chosen[0]["id"], "oldest_id": chosen[-1]["id"], **meta}
        answer["meta"] = meta
        return Reply(200, answer)

    def _dm_listing(self, request, events):
        q = request.query
        wanted_types = set((q.get("event_types") or "MessageCreate,ParticipantsJoin,ParticipantsLeave").split(","))
        page = self._page(request, [e for e in events if e["event_type"] in wanted_types], "pagination_token", 1)
        if isinstance(page, Reply):
            return page
        chosen, meta = page
        answer = {"data": [_fields(e, DM_DEFAULTS, q.get("dm_event.fields")) for e in chosen]} if chosen else {}
        if chosen and "sender_id" in _listed(q.get("expansions")):
            senders = dict.fromkeys(e["sender_id"] for e in chosen)
            answer["includes"] = {"users": [_fields(self.users[u], USER_DEFAULTS, q.get("user.fields")) for u in senders if u in self.users]}
        answer["meta"] = meta
        return Reply(200, answer)

    def _page(self, request, items, token_param, least):
        """Newest first after since_id, `page_size` at a time; the token names where the next page starts."""
        q = request.query
        asked = int(q.get("max_results") or 10)
        if not least <= asked <= 100:
            return Reply(400, invalid_request(
                "max_results", str(asked), f"The `max_results` query parameter value [{asked}] is not between {least} and 100"))
        newest_first = sorted(items, key=lambda item: int(item["id"]), reverse=True)
        if q.get("since_id"):
            newest_first = [item for item in newest_first if int(item["id"]) > int(q["since_id"])]
        if q.get(token_param):
            before = _untoken(q[token_param])
            if before is None:
                return Reply(400, invalid_request(token_param, q[token_param], f"Invalid '{token_param}' value"))
            newest_first = [item for item in newest_first if int(item["id"]) < before]
        size = min(asked, self.page_size)
        chosen, rest = newest_first[:size], newest_first[size:]
        meta = {"result_count": len(chosen)}
        if rest:
            meta["next_token"] = _token(chosen[-1]["id"])
        return chosen, meta

    def _tweet_json(self, tweet, q) -> dict:
        shown = _fields(tweet, TWEET_DEFAULTS, q.get("tweet.fields"))
        shown["text"] = html.escape(tweet["text"], quote=False)
        return shown

    def _tweet_includes(self, tweets, q) -> dict:
        expansions = _listed(q.get("expansions"))
        authors = [t["author_id"] for t in tweets] if "author_id" in expansions else []
        referenced = []
        if "referenced_tweets.id" in expansions:
            ids = dict.fromkeys(ref["id"] for t in tweets for ref in t.get("referenced_tweets", []))
            referenced = [self.tweets[i] for i in ids if i in self.tweets]
        if "referenced_tweets.id.author_id" in expansions:
            authors += [t["author_id"] for t in referenced]
        includes = {}
        if authors:
            includes["users"] = [_fields(self.users[u], USER_DEFAULTS, q.get("user.fields")) for u in dict.fromkeys(authors)]
        if referenced:
            includes["tweets"] = [self._tweet_json(t, q) for t in referenced]
        return includes

    def _no_user(self, user_id):
        return Reply(200, {"errors": [{
            "value": user_id, "detail": f"Could not find user with id: [{user_id}].", "title": "Not Found Error",
            "resource_type": "user", "parameter": "id", "resource_id": user_id,
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }]})

    # Account Activity API deliveries

    def account_activity(self, tweet_ids=(), dm_ids=()) -> dict:
        """A webhook payload carrying these tweets and DM events, as X pushes them."""
        with self._state:
            activity = {"for_user_id": BRAND_ID}
            if tweet_ids:
                activity["tweet_create_events"] = [self._v1_tweet(self.tweets[str(i)]) for i in tweet_ids]
            if dm_ids:
                events = [self.dm_events[str(i)] for i in dm_ids]
                activity["direct_message_events"] = [_v1_direct_message(e) for e in events]
                people = {e["sender_id"] for e in events} | {e["_recipient_id"] for e in events}
                activity["users"] = {u: self._v1_user(u) for u in sorted(people) if u in self.users}
            return activity

    def _v1_tweet(self, tweet) -> dict:
        created = datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
        parent = next((r["id"] for r in tweet.get("referenced_tweets", []) if r["type"] == "replied_to"), None)
        parent_author = self.tweets[parent]["author_id"] if parent in self.tweets else None
        mentioned = [BRAND_ID] if tweet["id"] in self._mention_ids else []
        return {
            "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "id": int(tweet["id"]),
            "id_str": tweet["id"],
            "text": html.escape(tweet["text"], quote=False),
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "truncated": False,
            "in_reply_to_status_id": int(parent) if parent else None,
            "in_reply_to_status_id_str": parent,
            "in_reply_to_user_id": int(parent_author) if parent_author else None,
            "in_reply_to_user_id_str": parent_author,
            "in_reply_to_screen_name": self.users[parent_author]["username"] if parent_author else None,
            "user": self._v1_user(tweet["author_id"]),
            "geo": None,
            "coordinates": None,
            "place": None,
            "contributors": None,
            "is_quote_status": False,
            "quote_count": 0,
            "reply_count": 0,
            "retweet_count": 0,
            "favorite_count": 0,
            "entities": {
                "hashtags": [],
                "urls": [],
                "user_mentions": [
                    {"screen_name": self.users[u]["username"], "name": self.users[u]["name"], "id": int(u), "id_str": u}
                    for u in mentioned
                ],
                "symbols": [],
            },
            "favorited": False,
            "retweeted": False,
            "filter_level": "low",
            "lang": tweet["lang"],
            "timestamp_ms": str(int(created.timestamp() * 1000)),
        }

    def _v1_user(self, user_id) -> dict:
        user = self.users[user_id]
        metrics = user["public_metrics"]
        return {
            "id": int(user_id),
            "id_str": user_id,
            "name": user["name"],
            "screen_name": user["username"],
            "location": None,
            "url": None,
            "description": "",
            "protected": False,
            "verified": user["verified"],
            "followers_count": metrics["followers_count"],
            "friends_count": metrics["following_count"],
            "listed_count": metrics["listed_count"],
            "favourites_count": metrics["like_count"],
            "statuses_count": metrics["tweet_count"],
            "created_at": "Mon Mar 02 09:12:44 +0000 2015",
            "profile_image_url": user["profile_image_url"].replace("https://", "http://"),
            "profile_image_url_https": user["profile_image_url"],
        }


def _v1_direct_message(event: dict) -> dict:
    created = datetime.fromisoformat(event["created_at"].replace("Z", "+00:00"))
    return {
        "type": "message_create",
        "id": event["id"],
        "created_timestamp": str(int(created.timestamp() * 1000)),
        "message_create": {
            "target": {"recipient_id": event["_recipient_id"]},
            "sender_id": event["sender_id"],
            "message_data": {"text": event["text"], "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}},
        },
    }


def _matches(pattern, path):
    return re.fullmatch(pattern, path) is not None


def _listed(value) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _fields(obj: dict, defaults, requested) -> dict:
    wanted = set(defaults) | set(_listed(requested))
    return {k: v for k, v in obj.items() if k in wanted and not k.startswith("_")}


def _public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _token(last_id: str) -> str:
    return base64.b32encode(f"before:{last_id}".encode()).decode().rstrip("=").lower()


def _untoken(token: str):
    try:
        decoded = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
        return int(decoded.removeprefix("before:"))
    except ValueError:
        return None


def _matches_query(text: str, query: str) -> bool:
    """Recent search's rules, simply: every term (or "quoted phrase") present, no -term, operators ignored."""
    text = text.lower()
    for term in shlex.split(query.lower()):
        if term.startswith("-"):
            if ":" not in term and term[1:] in text:
                return False
        elif ":" not in term and term not in ("or", "and") and term not in text:
            return False
    return True


def _oauth_signature_valid(request: Recorded) -> bool:
    """HMAC-SHA1 over the URL the client signed: https://api.twitter.com, wherever it was sent."""
    header = {"Authorization": request.headers.get("authorization", "")}
    given = dict(oauth.collect_parameters(headers=header, exclude_oauth_signature=False))
    if given.get("oauth_consumer_key") != CONSUMER_KEY or given.get("oauth_token") != ACCESS_TOKEN:
        return False
    signed = oauth.collect_parameters(uri_query=urlencode(request.query), headers=header)
    base = oauth.signature_base_string(request.method, oauth.base_string_uri(X_API + request.path), oauth.normalize_parameters(signed))
    secrets = SimpleNamespace(client_secret=CONSUMER_SECRET, resource_owner_secret=ACCESS_TOKEN_SECRET)
    expected = oauth.sign_hmac_sha1_with_client(base, secrets)
    return hmac.compare_digest(expected, given.get("oauth_signature", ""))


# What the other tests need from every fake network


def channel_settings(fake: FakeX) -> dict:
    """ChannelFactory kwargs for the brand's account on this fake."""
    return {"kind": "twitter", "credentials": dict(CREDENTIALS), "listening": {"user_id": BRAND_ID}, "api_base_url": fake.url}


def sign(body: bytes, secret=CONSUMER_SECRET) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signed(payload: dict) -> tuple[dict, bytes]:
    body = json.dumps(payload).encode()
    return {"content-type": "application/json; charset=utf-8", "x-twitter-webhooks-signature": sign(body)}, body


def signed_webhook(fake: FakeX, text="@AcmeSupport is anyone there? My order never arrived") -> tuple[dict, bytes]:
    """A new customer tweet appears on X and X pushes it: (lower-case headers, body)."""
    return signed(fake.account_activity(tweet_ids=[fake.add_mention(text)]))
