"""Any RSS or Atom feed, listened to with feedparser; answers are made on the site itself.

feedparser fetches the feed itself (urllib), sending If-None-Match / If-Modified-Since from
the cursor. It has no timeout of its own, so it is handed urllib handlers that set one on
every request. It also reports HTTP failures in its result rather than raising, and lets a
read timeout escape as an OSError: both are turned into the contract's errors here.
"""

import hashlib
import http.client
import urllib.request
from calendar import timegm
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser

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
from connectors.discourse import plain_text

SEEN_KEPT = 500
# The inbox's columns: external and thread ids 128, names 200, urls 500. Feed ids and links
# are often long URLs (tracking parameters, tag: URIs); an over-long value would fail the
# whole batch's insert, so it is replaced by its digest (ids) or left out (urls).
ID_LENGTH = 128
NAME_LENGTH = 200
URL_LENGTH = 500
DEFAULT_WAIT_SECONDS = 300
AGENT = "SocialCare/0.1 feed listener"
ON_SITE = "Replies to this source are made on the site itself."


class FeedConnector:
    kind = "feed"
    reply_limit = None
    replies_on_site = True
    webhook_per_app = False  # the network calls this channel's own URL

    def __init__(self, config: ChannelConfig):
        self.config = config
        self.url = (config.listening.get("url") or config.api_base_url or "").strip()
        keywords = config.listening.get("keywords") or []
        keywords = [keywords] if isinstance(keywords, str) else keywords  # one typed where a list was meant
        self.keywords = [k.strip().lower() for k in keywords if k.strip()]

    def fetch(self, cursor: dict) -> Fetched:
        # Validators belong to the URL they came from: a changed URL starts without them.
        same_url = cursor.get("url") == self.url
        parsed = self._read(cursor.get("etag") if same_url else None, cursor.get("modified") if same_url else None)
        if parsed.get("status") == 304:
            return Fetched([], dict(cursor))
        seen = cursor.get("seen", []) if same_url else []
        known = set(seen)
        # Feeds list the newest first: reversed, entries of the same second keep their order.
        entries = [(entry_id(entry), entry) for entry in reversed(parsed.entries)]
        new = [(key, entry) for key, entry in entries if key and key not in known]
        mentions = [self._mention(key, entry, parsed) for key, entry in new]
        mentions = [m for m in mentions if self._wanted(m)]
        mentions.sort(key=lambda m: m.created_at)
        return Fetched(mentions, self._cursor(parsed, seen, [key for key, _ in entries if key]))

    def _cursor(self, parsed, seen: list, current: list) -> dict:
        # Every entry still in the feed stays remembered, however long the feed is.
        still_there = set(current)
        kept = [key for key in seen if key not in still_there] + current
        return {
            "url": self.url,
            "etag": parsed.get("etag", ""),
            "modified": parsed.get("modified", ""),
            "seen": kept[-max(SEEN_KEPT, len(current)) :],
        }

    def _wanted(self, mention: Mention) -> bool:
        text = mention.text.lower()
        return not self.keywords or any(keyword in text for keyword in self.keywords)

    def _read(self, etag=None, modified=None):
        """The parsed feed, or the contract's error for whatever went wrong fetching it."""
        if not self.url:
            raise Permanent("This channel has no feed URL.")
        try:
            parsed = feedparser.parse(
                self.url,
                etag=etag or None,
                modified=modified or None,
                agent=AGENT,
                handlers=timeout_handlers(self.config.timeout),
                # The text is taken out of the markup and escaped wherever it is shown:
                # sanitizing would only drop words (a title mentioning <script>, say).
                sanitize_html=False,
                resolve_relative_uris=False,
            )
        except (OSError, http.client.HTTPException) as error:  # a read timeout escapes feedparser
            raise Transient(f"Could not read the feed: {error!r}") from error
        check_status(parsed)
        # bozo alone is common (a wrong charset, an undefined entity) and entries still come
        # through; nothing recognisable as a feed at all is a failed read.
        if parsed.get("status") != 304 and not parsed.get("version") and not parsed.get("entries"):
            raise Transient(f"The feed could not be read: {parsed.get('bozo_exception')!r}")
        return parsed

    def _mention(self, key: str, entry, parsed) -> Mention:
        link = entry.get("link", "")
        return Mention(
            external_id=key,
            author=self._author(entry),
            text=entry_text(entry),
            created_at=entry_time(entry),
            thread_external_id=fitted_id(link),
            language=feed_language(entry, parsed),
            url=link if len(link) <= URL_LENGTH else "",
            public=True,
            raw=_plain(entry),
        )

    def _author(self, entry) -> Author:
        detail = entry.get("author_detail") or {}
        name = (detail.get("name") or entry.get("author") or "")[:NAME_LENGTH]
        email = detail.get("email") or ""
        host = urlsplit(entry.get("link") or self.url).hostname or self.url
        profile = detail.get("href") or ""
        return Author(
            # Names are per site: "Admin" of two blogs is two people.
            platform_id=fitted_id(f"{host}/{name or email}" if (name or email) else host),
            handle=(name or email or host)[:NAME_LENGTH],
            name=name,
            profile_url=profile if len(profile) <= URL_LENGTH else "",
        )

    def send(self, reply: OutboundReply) -> Sent:
        raise Permanent(ON_SITE)

    def find_sent(self, reply: OutboundReply) -> Sent | None:
        return None

    def verify(self) -> None:
        self._read()

    def webhook_handshake(self, query: dict):
        return None

    def webhook_signature_ok(self, delivery: WebhookDelivery) -> bool:
        return False  # feeds push nothing

    def webhook_key(self, delivery: WebhookDelivery) -> str:
        return hashlib.sha256(delivery.body).hexdigest()

    def parse_webhook(self, delivery: WebhookDelivery) -> list[Mention]:
        return []


def check_status(parsed):
    status = parsed.get("status")
    if status is None or status < 400:
        return
    detail = f"The feed answered {status}."
    if status == 429:
        raise RateLimited(datetime.now(timezone.utc) + timedelta(seconds=retry_after(parsed.get("headers", {}))), detail)
    if status in (401, 403):
        raise AuthFailed(detail)
    if status >= 500:
        raise Transient(detail)
    raise Permanent(detail)  # 404, 410: the feed is gone


def retry_after(headers: dict) -> float:
    value = headers.get("retry-after", "")
    if value.isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds(), 0)
    except (TypeError, ValueError):
        return DEFAULT_WAIT_SECONDS


def timeout_handlers(seconds: float) -> list:
    """urllib handlers that give every connection a timeout; feedparser passes none."""

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, request):
            request.timeout = seconds
            return super().http_open(request)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, request):
            request.timeout = seconds
            return super().https_open(request)

    return [HTTPHandler(), HTTPSHandler()]


def entry_id(entry) -> str:
    return fitted_id(entry.get("id") or entry.get("link") or "")


def fitted_id(value: str) -> str:
    """The value, or a stable digest of it when the inbox could not store it whole."""
    if len(value) <= ID_LENGTH:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def entry_text(entry) -> str:
    title = _detail_text(entry.get("title_detail"), entry.get("title", ""))
    summary = _detail_text(entry.get("summary_detail"), entry.get("summary", ""))
    if not summary or summary == title:
        return title
    return f"{title}\n\n{summary}" if title else summary


def _detail_text(detail, value: str) -> str:
    # Plain-text titles may say "<script>" in words: only markup is taken apart.
    if detail and detail.get("type") in ("text/html", "application/xhtml+xml"):
        return plain_text(value)
    return value.strip()


def entry_time(entry) -> datetime:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if moment is None:
        return datetime.now(timezone.utc)  # an undated entry counts from when we first saw it
    return datetime.fromtimestamp(timegm(moment), timezone.utc)


def feed_language(entry, parsed) -> str:
    language = parsed.feed.get("language") or (entry.get("title_detail") or {}).get("language") or ""
    return language.split("-")[0].lower()[:12]


def _plain(value):
    """feedparser's result as plain JSON: dicts, lists and strings (time tuples dropped)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not str(k).endswith("_parsed")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
