"""X (Twitter) through API v2 with tweepy: mentions, brand searches and DMs in; replies and DMs out.

Notes on the choices made here are in docs/connectors/twitter.md.
"""

import base64
import hashlib
import hmac
import html
import json
import re
import unicodedata
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
import tweepy
from django.utils import timezone

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

X_API = "https://api.twitter.com"  # the host tweepy always calls
X_WEB = "https://x.com"
PAGE_SIZE = 100  # the most any of the endpoints used here returns per page

TWEET_EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]
# note_tweet: posts longer than 280 characters arrive truncated in `text` without it.
TWEET_FIELDS = ["created_at", "conversation_id", "lang", "referenced_tweets", "author_id", "in_reply_to_user_id", "note_tweet"]
USER_FIELDS = ["public_metrics", "verified", "profile_image_url", "username", "name"]
DM_EVENT_FIELDS = ["id", "text", "event_type", "created_at", "dm_conversation_id", "sender_id", "participant_ids", "referenced_tweets", "attachments"]

RATE_WINDOW = timedelta(minutes=15)  # X's window, when a 429 does not say when it ends
DM_LIMIT = 10_000
SIGNATURE_HEADER = "x-twitter-webhooks-signature"
USER_CREDENTIALS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")  # OAuth 1.0a


class TwitterConnector:
    kind = "twitter"
    webhook_per_app = True  # an app's Account Activity webhook carries every subscribed account
    reply_limit = 280
    replies_on_site = False

    def __init__(self, config: ChannelConfig):
        self.config = config
        credentials = config.credentials
        self.client = tweepy.Client(
            bearer_token=credentials.get("bearer_token") or None,
            consumer_key=credentials.get("consumer_key"),
            consumer_secret=credentials.get("consumer_secret"),
            access_token=credentials.get("access_token"),
            access_token_secret=credentials.get("access_token_secret"),
            return_type=dict,  # the raw JSON, which is what Mention.raw keeps
            wait_on_rate_limit=False,  # a worker must never sleep out a 15-minute window
        )
        self.client.session.mount(X_API, BaseUrlAdapter(config.api_base_url or X_API, config.timeout))
        listening = config.listening
        # An OAuth 1.0a access token starts with its user's id: a fallback for a missing user_id.
        self.brand_id = str(listening.get("user_id") or (credentials.get("access_token") or "").partition("-")[0])
        self.search_query = (listening.get("search_query") or "").strip()
        self.direct_messages = bool(listening.get("direct_messages"))
        # Public reads go app-only when a bearer token is given: a rate-limit bucket of their own.
        self.read_as_user = not credentials.get("bearer_token")

    def _require(self, user_context: bool):
        """tweepy fails on missing keys with a TypeError; for us they are credentials to fix."""
        credentials = self.config.credentials
        if not user_context and credentials.get("bearer_token"):
            return
        missing = [name for name in USER_CREDENTIALS if not credentials.get(name)]
        if missing:
            raise AuthFailed(f"X credentials incomplete: {', '.join(missing)} missing.")

    # Listening

    def fetch(self, cursor: dict) -> Fetched:
        self._require(user_context=self.direct_messages)
        new_cursor = dict(cursor)
        found = []
        with speaking_to_x():
            mentions, new_cursor["since_id"] = self._read_mentions(cursor.get("since_id"))
            found += mentions
            if self.search_query:
                since_id = cursor.get("search_since_id") if cursor.get("search_query") == self.search_query else None
                mentions, new_cursor["search_since_id"] = self._read_search(since_id)
                new_cursor["search_query"] = self.search_query
                found += mentions
            if self.direct_messages:
                mentions, new_cursor["dm_since_id"] = self._read_direct_messages(cursor.get("dm_since_id"))
                found += mentions
        return Fetched(_unique_in_network_order(found), {k: v for k, v in new_cursor.items() if v})

    def _read_mentions(self, since_id):
        return self._read_tweets(self.client.get_users_mentions, self.brand_id, token_param="pagination_token", since_id=since_id)

    def _read_search(self, since_id):
        try:
            return self._read_tweets(self.client.search_recent_tweets, self.search_query, token_param="next_token", since_id=since_id)
        except tweepy.BadRequest as error:
            # Recent search only reaches back seven days; a channel paused longer holds a
            # since_id X refuses. Searching the whole window again loses nothing.
            if since_id and "since_id" in json.dumps(error.api_errors):
                return self._read_tweets(self.client.search_recent_tweets, self.search_query, token_param="next_token", since_id=None)
            raise

    def _read_tweets(self, endpoint, *args, token_param, since_id):
        mentions, newest = [], since_id
        pages = self._pages(
            endpoint, *args, token_param=token_param, since_id=since_id, expansions=TWEET_EXPANSIONS,
            tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS, max_results=PAGE_SIZE, user_auth=self.read_as_user,
        )
        for page in pages:
            newest = _newest(newest, page.get("meta", {}).get("newest_id"))
            users = _users_by_id(page)
            mentions += [self._tweet_mention(t, users) for t in page.get("data", []) if t.get("author_id") != self.brand_id]
        return mentions, newest

    def _read_direct_messages(self, since_id):
        # /2/dm_events has no since_id: newest first, so paging stops at the first event already read.
        mentions, newest = [], since_id
        pages = self._pages(
            self.client.get_direct_message_events, token_param="pagination_token", event_types="MessageCreate",
            dm_event_fields=DM_EVENT_FIELDS, expansions=["sender_id"], user_fields=USER_FIELDS,
            max_results=PAGE_SIZE, user_auth=True,
        )
        for page in pages:
            events = page.get("data", [])
            fresh = [event for event in events if _newest(since_id, event["id"]) != since_id]
            newest = _newest(newest, *(event["id"] for event in fresh))
            users = _users_by_id(page)
            mentions += [_dm_mention(e, users) for e in fresh if e.get("sender_id") != self.brand_id]
            if len(fresh) < len(events):
                break
        return mentions, newest

    def _pages(self, endpoint, *args, token_param, **params):
        """Every page of a listing, following meta.next_token; any failure raises mid-way."""
        token = None
        while True:
            page = endpoint(*args, **params, **({token_param: token} if token else {}))
            if "errors" in page and "data" not in page and "meta" not in page:
                # X answers 200 with only errors when the listing itself cannot exist (an unknown user).
                raise Permanent("X answered: " + "; ".join(e.get("detail") or e.get("message", "") for e in page["errors"]))
            yield page
            token = page.get("meta", {}).get("next_token")
            if not token:
                return

    def _tweet_mention(self, tweet, users) -> Mention:
        author = _author(users.get(tweet.get("author_id"), {"id": tweet.get("author_id", "")}))
        return Mention(
            external_id=tweet["id"],
            author=author,
            text=_tweet_text(tweet),
            created_at=_parse_time(tweet["created_at"]),
            parent_external_id=_replied_to(tweet),
            thread_external_id=tweet.get("conversation_id", ""),
            language=_language(tweet.get("lang")),
            url=_status_url(tweet["id"], author.handle),
            public=True,
            raw=tweet,
        )

    # Answering

    def send(self, reply: OutboundReply) -> Sent:
        if reply.public:
            check_tweet_length(reply.text, self.reply_limit)
            self._require(user_context=True)
            with speaking_to_x():
                answer = self.client.create_tweet(text=reply.text, in_reply_to_tweet_id=reply.in_reply_to or None, user_auth=True)
            tweet_id = answer["data"]["id"]
            return Sent(tweet_id, timezone.now(), _status_url(tweet_id))
        self._check_direct_message(reply)
        self._require(user_context=True)
        with speaking_to_x():
            answer = self.client.create_direct_message(participant_id=reply.recipient_id, text=reply.text, user_auth=True)
        return Sent(answer["data"]["dm_event_id"], timezone.now())

    def _check_direct_message(self, reply: OutboundReply):
        if not reply.recipient_id:
            raise Permanent("A direct message on X needs the customer's user id; this reply has none.")
        if len(reply.text) > DM_LIMIT:
            raise Permanent(f"A direct message on X may have {DM_LIMIT} characters; this one has {len(reply.text)}.")

    def find_sent(self, reply: OutboundReply) -> Sent | None:
        self._require(user_context=not reply.public)
        with speaking_to_x():
            return self._find_tweet(reply) if reply.public else self._find_direct_message(reply)

    def _find_tweet(self, reply):
        # Ids grow with time, so our answer is newer than the tweet it answers: since_id bounds the read.
        wanted = _comparable(reply.text)
        pages = self._pages(
            self.client.get_users_tweets, self.brand_id, token_param="pagination_token", since_id=reply.in_reply_to or None,
            tweet_fields=["referenced_tweets", "created_at"], max_results=PAGE_SIZE, user_auth=self.read_as_user,
        )
        for page in pages:
            for tweet in page.get("data", []):
                if _replied_to(tweet) == reply.in_reply_to and _comparable(tweet["text"]) == wanted:
                    return Sent(tweet["id"], _parse_time(tweet["created_at"]), _status_url(tweet["id"]))
        return None

    def _find_direct_message(self, reply):
        if not reply.recipient_id:
            return None
        pages = self._pages(
            self.client.get_direct_message_events, participant_id=reply.recipient_id, token_param="pagination_token",
            event_types="MessageCreate", dm_event_fields=["id", "text", "sender_id", "created_at"], max_results=PAGE_SIZE,
            user_auth=True,
        )
        for page in pages:
            for event in page.get("data", []):
                if _newest(reply.in_reply_to, event["id"]) == reply.in_reply_to:
                    return None  # older than the message we answer: our answer is not there
                if event.get("sender_id") == self.brand_id and event.get("text") == reply.text:
                    return Sent(event["id"], _parse_time(event["created_at"]))
        return None

    def verify(self) -> None:
        self._require(user_context=True)
        with speaking_to_x():
            me = self.client.get_me(user_auth=True)["data"]
        if self.brand_id and me["id"] != self.brand_id:
            raise AuthFailed(f"These credentials are @{me.get('username')}'s, not those of the listening account {self.brand_id}.")

    # Webhooks (Account Activity API)

    def webhook_handshake(self, query: dict):
        token = query.get("crc_token")
        if not token:
            return None
        return {"response_token": "sha256=" + self._signed(token.encode())}

    def webhook_signature_ok(self, delivery: WebhookDelivery) -> bool:
        given = delivery.headers.get(SIGNATURE_HEADER, "")
        if not given or not self.config.credentials.get("consumer_secret"):
            return False
        return hmac.compare_digest(given.encode(), ("sha256=" + self._signed(delivery.body)).encode())

    def _signed(self, message: bytes) -> str:
        secret = self.config.credentials.get("consumer_secret", "").encode()
        return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()

    def webhook_key(self, delivery: WebhookDelivery) -> str:
        return hashlib.sha256(delivery.body).hexdigest()

    def webhook_concerns(self, delivery: WebhookDelivery) -> bool:
        # A malformed delivery is kept by whichever channel it reached, to show the error.
        try:
            activity = json.loads(delivery.body)
        except ValueError:
            return True
        user_id = activity.get("for_user_id") if isinstance(activity, dict) else None
        return user_id is None or str(user_id) == self.brand_id

    def parse_webhook(self, delivery: WebhookDelivery) -> list[Mention]:
        activity = json.loads(delivery.body)
        brand_id = str(activity.get("for_user_id") or self.brand_id)
        tweets = [t for t in activity.get("tweet_create_events", []) if t["user"]["id_str"] != brand_id]
        messages = [
            e for e in activity.get("direct_message_events", [])
            if e.get("type") == "message_create" and e["message_create"]["sender_id"] != brand_id
        ]
        users = activity.get("users", {})
        return [_webhook_tweet_mention(t) for t in tweets] + [_webhook_dm_mention(e, users) for e in messages]


class BaseUrlAdapter(requests.adapters.HTTPAdapter):
    """Sends tweepy's requests to the channel's base URL, within the channel's timeout.

    tweepy fixes the host and sets no timeout; the transport is the one place to change both.
    OAuth 1.0a has signed the original URL by then, which a proxy or fake in front of X accepts.
    """

    def __init__(self, base_url: str, timeout: float):
        super().__init__()
        base = urlsplit(base_url)
        self.prefix = f"{base.scheme}://{base.netloc}{base.path.rstrip('/')}"
        self.timeout = timeout

    def send(self, request, **kwargs):
        original = urlsplit(request.url)
        request.url = self.prefix + request.url[len(f"{original.scheme}://{original.netloc}") :]
        kwargs["timeout"] = self.timeout
        # Proxies were chosen for api.twitter.com; the real destination decides (no_proxy, scheme).
        kwargs["proxies"] = requests.utils.get_environ_proxies(request.url)
        return super().send(request, **kwargs)


@contextmanager
def speaking_to_x():
    """X's and the transport's failures, as the connector contract names them."""
    try:
        yield
    except tweepy.TooManyRequests as error:
        raise RateLimited(_reset_at(error), _said(error)) from error
    except tweepy.Unauthorized as error:
        raise AuthFailed(_said(error)) from error
    except tweepy.Forbidden as error:
        raise (AuthFailed if _access_refused(error) else Permanent)(_said(error)) from error
    except tweepy.TwitterServerError as error:
        raise Transient(_said(error)) from error
    except tweepy.HTTPException as error:
        raise Permanent(_said(error)) from error
    except requests.RequestException as error:
        raise Transient(f"X could not be reached: {error}") from error


# Problem types X answers with when the app or token may not act at all, not just this once.
ACCESS_PROBLEMS = ("client-forbidden", "oauth1-permissions", "unsupported-authentication")
ACCESS_CODES = {64, 89, 326}  # suspended, invalid token, locked (v1.1 codes some v2 answers carry)


def _access_refused(error: tweepy.Forbidden) -> bool:
    body = _body(error)
    problem = str(body.get("type", ""))
    said = " ".join(map(str, error.api_messages)).lower()
    return problem.endswith(ACCESS_PROBLEMS) or bool(ACCESS_CODES & set(error.api_codes)) or "suspended" in said


def _said(error: tweepy.HTTPException) -> str:
    status = f"{error.response.status_code} {error.response.reason}"
    messages = "; ".join(str(m) for m in error.api_messages if m)
    return f"X answered {status}: {messages}" if messages else f"X answered {status}"


def _body(error: tweepy.HTTPException) -> dict:
    try:
        body = error.response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reset_at(error: tweepy.TooManyRequests) -> datetime:
    reset = error.reset_time or error.response.headers.get("x-rate-limit-reset")
    if reset:
        return datetime.fromtimestamp(int(reset), tz=UTC)
    return timezone.now() + RATE_WINDOW


# Normalizing what X says


def _users_by_id(page: dict) -> dict:
    return {user["id"]: user for user in page.get("includes", {}).get("users", [])}


def _author(user: dict) -> Author:
    handle = user.get("username", "")
    return Author(
        platform_id=str(user.get("id", "")),
        handle=handle,
        name=user.get("name", ""),
        followers=int(user.get("public_metrics", {}).get("followers_count", 0)),
        verified=bool(user.get("verified", False)),
        avatar_url=user.get("profile_image_url", ""),
        profile_url=f"{X_WEB}/{handle}" if handle else "",
    )


def _tweet_text(tweet: dict) -> str:
    # X escapes &, < and > in tweet text; the inbox escapes on display, so keep the plain text.
    return html.unescape(tweet.get("note_tweet", {}).get("text") or tweet.get("text", ""))


def _replied_to(tweet: dict) -> str:
    return next((ref["id"] for ref in tweet.get("referenced_tweets") or [] if ref.get("type") == "replied_to"), "")


def _language(lang) -> str:
    return "" if not lang or lang == "und" else lang  # "und": X could not tell


def _status_url(tweet_id: str, handle: str = "") -> str:
    return f"{X_WEB}/{handle}/status/{tweet_id}" if handle else f"{X_WEB}/i/web/status/{tweet_id}"


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _newest(current, *candidates):
    """The newest of snowflake ids (they grow with time), as a string; None when there are none."""
    ids = [str(i) for i in (current, *candidates) if i]
    return max(ids, key=int) if ids else None


def _unique_in_network_order(mentions: list[Mention]) -> list[Mention]:
    # A tweet can both mention the brand and match the search.
    unique = {m.external_id: m for m in reversed(mentions)}
    return sorted(unique.values(), key=lambda m: (m.created_at, int(m.external_id)))


def _dm_mention(event: dict, users: dict) -> Mention:
    return Mention(
        external_id=event["id"],
        author=_author(users.get(event.get("sender_id"), {"id": event.get("sender_id", "")})),
        text=event.get("text", ""),
        created_at=_parse_time(event["created_at"]),
        thread_external_id=event.get("dm_conversation_id", ""),
        public=False,
        raw=event,
    )


def _webhook_tweet_mention(tweet: dict) -> Mention:
    """A tweet as the Account Activity API sends it: the v1.1 shape."""
    user = tweet["user"]
    handle = user.get("screen_name", "")
    parent = tweet.get("in_reply_to_status_id_str") or ""
    text = (tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("text", "")
    return Mention(
        external_id=tweet["id_str"],
        author=_v1_author(user, user["id_str"]),
        text=html.unescape(text),
        created_at=_v1_time(tweet),
        parent_external_id=parent,
        # v1.1 has no conversation id; a tweet that answers nothing starts its own conversation.
        thread_external_id="" if parent else tweet["id_str"],
        language=_language(tweet.get("lang")),
        url=_status_url(tweet["id_str"], handle),
        public=True,
        raw=tweet,
    )


def _v1_author(user: dict, platform_id: str) -> Author:
    """An author from a v1.1 user object (webhooks), as _author reads a v2 one."""
    handle = user.get("screen_name", "")
    return Author(
        platform_id=platform_id,
        handle=handle,
        name=user.get("name", ""),
        followers=int(user.get("followers_count") or 0),
        verified=bool(user.get("verified")),
        avatar_url=user.get("profile_image_url_https", ""),
        profile_url=f"{X_WEB}/{handle}" if handle else "",
    )


def _v1_time(tweet: dict) -> datetime:
    if tweet.get("timestamp_ms"):
        return datetime.fromtimestamp(int(tweet["timestamp_ms"]) / 1000, tz=UTC)
    return datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def _webhook_dm_mention(event: dict, users: dict) -> Mention:
    message = event["message_create"]
    sender_id = message["sender_id"]
    recipient_id = message.get("target", {}).get("recipient_id", "")
    user = users.get(sender_id, {})
    return Mention(
        external_id=event["id"],
        author=_v1_author(user, sender_id),
        text=message.get("message_data", {}).get("text", ""),
        created_at=datetime.fromtimestamp(int(event["created_timestamp"]) / 1000, tz=UTC),
        # The id v2 gives a one-to-one conversation, so polled and pushed DMs thread alike.
        thread_external_id="-".join(sorted((sender_id, recipient_id), key=int)) if recipient_id else "",
        public=False,
        raw=event,
    )


# Text as X weighs it (twitter-text v3 configuration, simplified)

URL_WEIGHT = 23  # every link is shortened to a t.co link of this length
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))  # weigh 1, the rest 2
URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+?(?=[.,;:!?)\]'\"]*(?:\s|$))")
LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")
EMOJI_PARTS = {0x200D, 0x20E3} | set(range(0xFE00, 0xFE10)) | set(range(0x1F3FB, 0x1F400)) | set(range(0xE0020, 0xE0080))
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def weighted_length(text: str) -> int:
    """Characters as X counts them: links 23, CJK and emoji 2, Latin and most scripts 1."""
    text = unicodedata.normalize("NFC", text)
    links = len(URL.findall(text))
    return links * URL_WEIGHT + sum(_weight(cluster) for cluster in _clusters(URL.sub("", text)))


def check_tweet_length(text: str, limit: int):
    length = weighted_length(text)
    if length > limit:
        raise Permanent(f"A reply on X may have {limit} characters (links count 23, emoji 2); this one has {length}.")


def _clusters(text: str):
    """Code points, with emoji sequences (ZWJ, skin tones, keycaps, flags) kept whole: X weighs each as one."""
    points, i = [ord(c) for c in text], 0
    while i < len(points):
        start, i = i, i + 1
        while i < len(points):
            if points[i] == 0x200D and i + 1 < len(points):
                i += 2
            elif points[i] in EMOJI_PARTS or (i == start + 1 and points[start] in REGIONAL_INDICATORS and points[i] in REGIONAL_INDICATORS):
                i += 1
            else:
                break
        yield points[start:i]


def _weight(cluster: list[int]) -> int:
    if len(cluster) > 1:
        return 2
    return 1 if any(low <= cluster[0] <= high for low, high in LIGHT_RANGES) else 2


def _comparable(text: str) -> str:
    """Tweet text as our reply and X's copy of it share it: X adds the leading @mention of a
    reply, escapes &<> and wraps links in t.co."""
    text = LEADING_MENTIONS.sub("", html.unescape(text).strip())
    return " ".join(URL.sub("<link>", text).split())
