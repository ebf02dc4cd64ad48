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
    message_id: int
    text: str
    public: bool
    in_reply_to: str  # the network id of the message we answer
    recipient_id: str = ""  # the author's network id, for private replies


@dataclass(frozen=True)
class Sent:
    external_id: str
    accepted_at: datetime
    url: str = ""


class ConnectorError(Exception):
    """A network said no or could not be reached; subclasses say what to do next."""

    permanent = False


@dataclass
class RateLimited(ConnectorError):
    reset_at: datetime
    detail: str = ""

    def __str__(self):
        return f"rate limited until {self.reset_at.isoformat()} {self.detail}".strip()


class AuthFailed(ConnectorError):
    permanent = True


class Transient(ConnectorError):
    pass


class Permanent(ConnectorError):
    permanent = True


class Connector(Protocol):
    kind: str

    def fetch(self, cursor: dict) -> Fetched: ...

    def send(self, reply: OutboundReply) -> Sent: ...

    def verify(self) -> None: ...

    def parse_webhook(self, request) -> list[Mention]: ...


@dataclass
class ChannelConfig:
    """What a connector needs to know of its channel, decoupled from the model."""

    channel_id: int
    credentials: dict = field(default_factory=dict)
    listening: dict = field(default_factory=dict)
    api_base_url: str = ""
