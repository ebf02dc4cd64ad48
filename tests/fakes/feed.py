"""A site publishing one list of entries as RSS 2.0 (/rss.xml) and Atom (/atom.xml), with
ETag and Last-Modified validators and 304 Not Modified for a client that sends them back."""

import hashlib
import itertools
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape, quoteattr

from tests.fakes.server import FakeNetwork, Reply


class FakeFeed(FakeNetwork):
    ROUTES = [
        ("GET", r"/rss\.xml", "rss"),
        ("GET", r"/atom\.xml", "atom"),
    ]

    def __init__(self, language="en-us", title="Acme community blog"):
        super().__init__()
        self.language = language
        self.title = title
        self.entries: list[dict] = []
        self.changed_at = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
        self._numbers = itertools.count(1)

    def add_entry(self, title="Acme's new router drops the connection", summary="<p>Since the update it <b>keeps</b> dropping.</p>",
                  author="Dana Blogger", email="", link=None, published=None, entry_id=None) -> str:  # fmt: skip
        """An entry appears at the top of the feed; returns its id (guid)."""
        number = next(self._numbers)
        entry = {
            "id": entry_id or f"urn:acme-blog:entry:{number}",
            "title": title,
            "summary": summary,
            "author": author,
            "email": email,
            "link": link or f"{self.url}/posts/{number}",
            "published": published or datetime.now(timezone.utc).replace(microsecond=0),  # its own offset kept
        }
        self.entries.insert(0, entry)
        # Last-Modified has whole seconds: a change always moves it, as a real site's would.
        self.changed_at = max(datetime.now(timezone.utc).replace(microsecond=0), self.changed_at + timedelta(seconds=1))
        return entry["id"]

    # Routes

    def rss(self, request):
        return self._conditional(request, self._rss(), "application/rss+xml; charset=utf-8")

    def atom(self, request):
        return self._conditional(request, self._atom(), "application/atom+xml; charset=utf-8")

    def _conditional(self, request, document: str, content_type: str) -> Reply:
        etag = '"' + hashlib.sha256(document.encode()).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": format_datetime(self.changed_at, usegmt=True)}
        if self._not_modified(request.headers, etag):
            return Reply(304, b"", headers, content_type)
        return Reply(200, document, headers, content_type)

    def _not_modified(self, headers: dict, etag: str) -> bool:
        if "if-none-match" in headers:  # RFC 9110: it wins over If-Modified-Since
            return etag in [tag.strip() for tag in headers["if-none-match"].split(",")]
        if "if-modified-since" in headers:
            try:
                return self.changed_at <= parsedate_to_datetime(headers["if-modified-since"])
            except (TypeError, ValueError):
                return False
        return False

    def _rss(self) -> str:
        items = "".join(self._rss_item(entry) for entry in self.entries)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{escape(self.title)}</title><link>{self.url}/</link>"
            f"<description>News</description><language>{self.language}</language>{items}"
            "</channel></rss>"
        )

    def _rss_item(self, entry) -> str:
        # RSS's <author> is an address; a name alone goes in dc:creator.
        if entry["email"]:
            author = f"<author>{escape(entry['email'])} ({escape(entry['author'])})</author>"
        else:
            author = f"<dc:creator>{escape(entry['author'])}</dc:creator>" if entry["author"] else ""
        return (
            f"<item><title>{escape(entry['title'])}</title><link>{escape(entry['link'])}</link>"
            f'<guid isPermaLink="false">{escape(entry["id"])}</guid>'
            f"<description>{escape(entry['summary'])}</description>{author}"
            f"<pubDate>{format_datetime(entry['published'])}</pubDate></item>"
        )

    def _atom(self) -> str:
        entries = "".join(self._atom_entry(entry) for entry in self.entries)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(self.language)}>'
            f"<title>{escape(self.title)}</title><id>{self.url}/</id>"
            f"<updated>{self.changed_at.isoformat()}</updated>{entries}</feed>"
        )

    def _atom_entry(self, entry) -> str:
        author = ""
        if entry["author"] or entry["email"]:
            email = f"<email>{escape(entry['email'])}</email>" if entry["email"] else ""
            author = f"<author><name>{escape(entry['author'])}</name>{email}</author>"
        stamp = entry["published"].isoformat()
        return (
            f"<entry><id>{escape(entry['id'])}</id>"
            f'<title type="text">{escape(entry["title"])}</title>'
            f"<link rel=\"alternate\" href={quoteattr(entry['link'])}/>{author}"
            f"<published>{stamp}</published><updated>{stamp}</updated>"
            f'<summary type="html">{escape(entry["summary"])}</summary></entry>'
        )


def channel_settings(fake: FakeFeed, feed="rss") -> dict:
    """ChannelFactory kwargs for a channel listening to this site's RSS (or Atom) feed."""
    return {
        "kind": "feed",
        "credentials": {},
        "listening": {"url": f"{fake.url}/{feed}.xml"},
        "api_base_url": fake.url,
    }
