"""The one contract every network connector implements, and the shapes it speaks."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Author:
    platform_id: str
    handle: str = ""
    name: str = ""
    followers: int = 0
    verified: bool = False
    avatar_url: str = ""
    profile_url: str = ""


@dataclass(frozen=True)
class Mention:
    """Something someone said to or about the brand, normalized across networks."""

    external_id: str
    author: Author
    text: str
    created_at: datetime  # network time, UTC
    parent_external_id: str = ""
    thread_external_id: str = ""
    language: str = ""
    url: str = ""
    public: bool = True
    raw: dict | None = None


@dataclass(frozen=True)
class Fetched:
    mentions: list[Mention]
    cursor: dict


@dataclass(frozen=True)
class OutboundReply:
    """Our answer as the network needs it: what to say, where, and to whom."""

    message_id: int
    text: str
    public: bool  # False: a private message (DM, Messenger, private reply to a comment)
    in_reply_to: str  # the network id of the customer message we answer
    recipient_id: str = ""  # the author's network id, for private replies
    thread_id: str = ""  # the network's thread (topic, post, conversation) when it needs one
    customer_last_message_at: datetime | None = None  # for windows such as Messenger's 24 h
    context: dict = field(default_factory=dict)  # the answered message's raw payload


@dataclass(frozen=True)
class Sent:
    external_id: str
    accepted_at: datetime
    url: str = ""


@dataclass(frozen=True)
class WebhookDelivery:
    """A push from a network, as received: parsed later, from the stored copy."""

    headers: dict  # lower-case names
    body: bytes


class ConnectorError(Exception):
    """A network said no or could not be reached; subclasses say what to do next."""

    permanent = False


class RateLimited(ConnectorError):
    def __init__(self, reset_at: datetime, detail: str = ""):
        super().__init__(f"rate limited until {reset_at.isoformat()} {detail}".strip())
        self.reset_at = reset_at


class AuthFailed(ConnectorError):
    """Credentials expired, revoked or wrong: the channel pauses until an admin fixes them."""

    permanent = True


class Transient(ConnectorError):
    """Worth retrying: 5xx, timeouts, connection errors. For a send, the network may or may
    not have accepted the post: delivery looks it up before trying again."""


class Permanent(ConnectorError):
    """The network refused this request for good (validation, a deleted parent, policy)."""

    permanent = True


class Connector(Protocol):
    """One network. Constructed per use from a ChannelConfig; holds no state between calls."""

    kind: str
    reply_limit: int | None  # characters a public reply may have, None: no limit we enforce
    replies_on_site: bool  # True: listen only; agents answer on the site itself
    # True where the network calls one URL per app with every account's activity (Meta, X):
    # a delivery that reached one channel's endpoint may concern its siblings of that app.
    webhook_per_app: bool

    def fetch(self, cursor: dict) -> Fetched:
        """Everything new since the cursor, all pages, and the cursor after it. Raises on
        any failure before returning, so a half-read stream never moves the cursor."""

    def send(self, reply: OutboundReply) -> Sent: ...

    def find_sent(self, reply: OutboundReply) -> Sent | None:
        """Our reply on the network if an earlier, ambiguous attempt did post it."""

    def verify(self) -> None:
        """A cheap authenticated call, for "test connection"; raises ConnectorError."""

    def webhook_handshake(self, query: dict):
        """The answer to the network's GET verification (a dict for JSON, a str for plain
        text), or None when the query is not a valid handshake."""

    def webhook_signature_ok(self, delivery: WebhookDelivery) -> bool: ...

    def webhook_key(self, delivery: WebhookDelivery) -> str:
        """A key unique to this delivery, so a redelivered webhook is stored once."""

    def webhook_concerns(self, delivery: WebhookDelivery) -> bool:
        """With webhook_per_app only: whether the delivery carries activity of this
        channel's account."""

    def parse_webhook(self, delivery: WebhookDelivery) -> list[Mention]: ...


@dataclass
class ChannelConfig:
    """What a connector knows of its channel, decoupled from the model."""

    channel_id: int
    credentials: dict = field(default_factory=dict)
    listening: dict = field(default_factory=dict)
    api_base_url: str = ""
    timeout: float = 10.0

