"""The connector contract.

A connector is a class with a ``kind`` (``"rss"``, ``"mastodon"``…), a set of declared
:class:`Capability` values, and only the methods of those capabilities. Listening is incremental: the
app calls ``fetch(config, credentials, cursor)`` with the :data:`Cursor` it stored last time (``None``
the first time) and gets a :class:`FetchResult` — the new :class:`RawItem` records, the cursor to store
once those items are committed, ``more=True`` when another call would return more right away (a
backfill), and ``credentials`` when the connector refreshed a token that the app must write back to the
vault. ``config`` is the source's own settings (a JSON object checked by ``check_config``);
``credentials`` is the decrypted content of the workspace's connection (``Secret.reveal()``), never
logged. Every method either returns typed records or raises :class:`ConnectorError` with
``permanent=True`` (retrying cannot help: show it to a person) or ``False`` (try again later, after
``retry_after`` seconds when the network said so); :class:`AuthExpired` means the token is expired,
revoked or lacks a scope, and the app marks the connection "needs reconnection". Publishing
connectors (issue 6) implement :class:`Publisher` on the same terms, and moderating ones (issue 13)
:class:`Moderator`. All HTTP goes through
:class:`ambassade.connectors.http.HttpClient`. Nothing under ``ambassade.connectors`` imports Django.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeAlias, runtime_checkable

from ambassade.engine.messages import Param, Params, check_code, check_params

if TYPE_CHECKING:
    from ambassade.connectors.http import HttpClient

__all__ = [
    "EARLIEST",
    "JSON",
    "LATEST",
    "MAX_FOLLOWERS",
    "MAX_METRIC",
    "AuthExpired",
    "Author",
    "Capability",
    "Connector",
    "ConnectorError",
    "Container",
    "ConversationReader",
    "Credentials",
    "Cursor",
    "DirectMessage",
    "Draft",
    "FetchResult",
    "InvalidConfig",
    "ItemKind",
    "Listener",
    "MediaUpload",
    "Messenger",
    "ModerationAction",
    "ModerationRequest",
    "ModerationResult",
    "Moderator",
    "Published",
    "Publisher",
    "RawItem",
    "Replier",
    "Reply",
    "Thread",
]

JSON: TypeAlias = "bool | int | float | str | list[JSON] | dict[str, JSON] | None"
#: Opaque state a connector hands back after each fetch; only that connector reads it. Its values are
#: JSON-serialisable (the app stores it in a JSON column).
Cursor: TypeAlias = "dict[str, Any]"
#: Decrypted credentials of a connection (the vault's ``Secret.reveal()``), or None for public sources.
Credentials: TypeAlias = "Mapping[str, Any] | None"


class Capability(enum.StrEnum):
    LISTEN = "listen"
    PUBLISH = "publish"
    REPLY = "reply"
    MODERATE = "moderate"
    DIRECT_MESSAGES = "direct_messages"
    METRICS = "metrics"
    #: Read a conversation: the thread a message belongs to, in order (:class:`ConversationReader`).
    CONVERSATION = "conversation"


class ItemKind(enum.StrEnum):
    """What an item is. ``MESSAGE`` is a private message (a direct message, an e-mail): the ingest
    pipeline never stores it as a mention (listening's stream, search and counts never show it) but
    hands it to the inbox (docs/inbox.md, "Private messages")."""

    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"
    REVIEW = "review"
    ARTICLE = "article"
    MESSAGE = "message"


class ConnectorError(Exception):
    """A call failed. ``permanent``: retrying the same call cannot succeed. ``retry_after``: seconds
    the network asked us to wait (rate limit, maintenance), or None.

    ``message`` is a whole sentence in English, for logs and the command line; it never contains a
    token. ``code`` and ``params`` are the same message for the product to word in the reader's
    language (``ambassade.engine.messages``; the product words every code in
    ``workspaces/connector_messages.py``). A network's own words go in the ``detail`` parameter.
    """

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        retry_after: float | None = None,
        *,
        code: str = "",
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = check_code(code)
        self.params: Params = check_params(params)

    def with_message(self, message: str, params: Mapping[str, Param]) -> ConnectorError:
        """The same error (same class, code and flags) with another sentence and parameters: a
        secret scrubbed from both, a sentence put in context."""
        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        Exception.__init__(copy, message)
        copy.message = message
        copy.params = check_params(params)
        return copy

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, permanent={self.permanent}, "
            f"retry_after={self.retry_after})"
        )


class AuthExpired(ConnectorError):
    """The credentials are expired, revoked, invalid or lack a scope: the connection needs a person
    to reconnect it. Permanent for this token."""

    def __init__(
        self, message: str, *, code: str = "", params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(message, permanent=True, code=code, params=params)


class InvalidConfig(ConnectorError):
    """The source's configuration is incomplete or wrong (shown on the source's form)."""

    def __init__(
        self, message: str, *, code: str = "", params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(message, permanent=True, code=code, params=params)


@dataclass(frozen=True, slots=True)
class Author:
    handle: str = ""
    name: str = ""
    id: str = ""
    url: str = ""
    followers: int | None = None
    #: When the account was made, where the network says so (Mastodon, Bluesky); None elsewhere.
    #: Contests can leave out accounts made after they opened.
    created_at: datetime | None = None


@dataclass(frozen=True)
class RawItem:
    """One message as a network gave it, before any analysis. Identity is ``(source, external_id)``:
    fetching the same message twice gives an equal item, and the ingest pipeline stores it once."""

    source: str
    external_id: str
    text: str
    created_at: datetime
    url: str = ""
    html: str | None = None
    author: Author = field(default_factory=Author)
    lang: str | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    #: The id (as its ``external_id`` would be) of the post this one quotes or reposts, where the
    #: network says so: Bluesky's record embed, Mastodon's accepted quote, X's ``referenced_tweets``
    #: of type ``quoted`` or ``retweeted``.
    quoted_id: str | None = None
    kind: ItemKind = ItemKind.POST
    metrics: Mapping[str, int] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: When the author last edited the message, as the network says (None: never edited). An item
    #: already stored that comes again with a later ``edited_at`` replaces its text; the earlier
    #: text is kept (listening's ``MentionRevision``, the inbox's message revisions).
    edited_at: datetime | None = None
    #: The network says the message was deleted: an item already stored is marked deleted (its
    #: text kept, shown as deleted); an unknown one is ignored.
    deleted: bool = False

    def __post_init__(self) -> None:
        if not self.source or not self.external_id:
            raise ValueError("a RawItem needs a source kind and an external id")
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError(f"created_at must be timezone-aware, got {self.created_at!r}")
        if self.created_at.utcoffset() != UTC.utcoffset(None):
            object.__setattr__(self, "created_at", self.created_at.astimezone(UTC))
        if self.edited_at is not None:
            if self.edited_at.tzinfo is None or self.edited_at.utcoffset() is None:
                raise ValueError(f"edited_at must be timezone-aware, got {self.edited_at!r}")
            object.__setattr__(self, "edited_at", self.edited_at.astimezone(UTC))
        object.__setattr__(self, "kind", ItemKind(self.kind))

    def __hash__(self) -> int:
        return hash((self.source, self.external_id))

    def problems(self) -> list[tuple[str, str]]:
        """``(field, reason)`` for each value outside what the product can store and chart (see
        :data:`MAX_FOLLOWERS`, :data:`MAX_METRIC`, :data:`EARLIEST`, :data:`LATEST`); empty for a
        storable item. Readers of untrusted input refuse such values where they parse them; the
        ingest pipeline skips an item that still has one, and says why."""
        found: list[tuple[str, str]] = []
        if not EARLIEST <= self.created_at < LATEST:
            found.append(("created_at", f"{self.created_at.isoformat()} is out of range"))
        if self.edited_at is not None and not EARLIEST <= self.edited_at < LATEST:
            found.append(("edited_at", f"{self.edited_at.isoformat()} is out of range"))
        followers = self.author.followers
        if followers is not None and not 0 <= followers <= MAX_FOLLOWERS:
            found.append(("author_followers", f"{followers} is out of range"))
        for name, value in self.metrics.items():
            if isinstance(value, bool) or not isinstance(value, int):
                found.append((f"metrics.{name}", f"{value!r} is not a whole number"))
            elif not 0 <= value <= MAX_METRIC:
                found.append((f"metrics.{name}", f"{value} is out of range"))
        return found


#: Largest follower count stored (a PostgreSQL ``integer``, the same on every database).
MAX_FOLLOWERS = 2**31 - 1
#: Largest metric (likes, shares…) kept: a signed 64-bit integer.
MAX_METRIC = 2**63 - 1
#: Dates of items are within [EARLIEST, LATEST): older or later is a broken export or clock, and
#: would not survive conversion to a workspace's time zone near the ends of ``datetime``.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FetchResult:
    items: Sequence[RawItem]
    next_cursor: Cursor
    #: Another fetch would return more items now (paging through a backlog).
    more: bool = False
    #: Refreshed credentials to write back to the vault (a new access token), or None.
    credentials: Mapping[str, Any] | None = field(default=None, repr=False)


class Connector:
    """Base class of every connector. Subclasses set ``kind``, ``label``, ``capabilities`` and
    implement the methods of their capabilities (:class:`Listener`, :class:`Publisher`).

    ``http`` is the one HTTP seam; ``endpoints`` overrides the network's base addresses (tests point
    them at a local server).
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: Whether fetching needs a connection's credentials (False: public sources such as RSS).
    needs_credentials: ClassVar[bool] = False
    #: How items arrive: "poll" (fetch), "push" (webhook) or "import" (a file).
    delivery: ClassVar[str] = "poll"
    #: Default base addresses, overridable per instance.
    default_endpoints: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self, http: HttpClient | None = None, *, endpoints: Mapping[str, str] | None = None
    ) -> None:
        self._http = http
        self._own_http: HttpClient | None = None
        self.endpoints = {**self.default_endpoints, **(endpoints or {})}

    @property
    def http(self) -> HttpClient:
        """The seam given to the constructor (a worker shares one), or a client of the connector's
        own made on first use (close it with :meth:`close`)."""
        if self._http is None:
            from ambassade.connectors.http import HttpClient

            self._http = self._own_http = HttpClient()
        return self._http

    def close(self) -> None:
        """Close the HTTP client this connector made for itself, if any (never a shared one)."""
        if self._own_http is not None:
            self._own_http.close()
            self._http = self._own_http = None

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def key_window(self, capability: Capability, credentials: Credentials = None) -> int:
        """Seconds after a send during which sending again with the same idempotency key cannot
        make a second item for ``capability`` (the network deduplicates our key), or 0: the
        network takes no key, so an unknown outcome is settled by reading it (``find_reply``,
        ``find_message``, ``recent_posts``). Publishing keeps its ``idempotent`` and
        ``idempotency_window`` attributes, which this reads for ``publish``."""
        if capability is not Capability.PUBLISH or not getattr(self, "idempotent", False):
            return 0
        tells = getattr(self, "deduplicates", None)
        if callable(tells) and not tells(credentials):
            return 0
        return int(getattr(self, "idempotency_window", 0))

    def check_config(self, config: Mapping[str, Any]) -> None:
        """Raise :class:`InvalidConfig` naming the problem; the default accepts anything."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} kind={self.kind!r}>"


@runtime_checkable
class Listener(Protocol):
    """Capability ``listen`` (poll delivery)."""

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult: ...


# --- publishing side (issue 6): the shapes are fixed here, the connectors implement them later ---


@dataclass(frozen=True, slots=True)
class MediaUpload:
    """A file to attach; ``alt_text`` is required by the composer's checks, not here.
    ``public_url``: where the network can fetch the file itself (Instagram and Threads take media
    only from a public address, not as an upload), or empty when the product has none."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    alt_text: str = ""
    public_url: str = ""


@dataclass(frozen=True, slots=True)
class Container:
    """A media container a publisher made on the network for a draft (Instagram, Threads): made in
    one call, published by another. ``publishes``: the container the publishing call names (the
    post itself or a carousel), not one of a carousel's items. The outbox stores it with the
    variant as soon as the publisher reports it, and hands it back to every later attempt."""

    id: str
    created_at: datetime
    publishes: bool = True


@dataclass(frozen=True, slots=True)
class Draft:
    """One channel variant, already validated by ``engine.publishing``. ``idempotency_key`` is unique
    per outbox attempt; connectors pass it where the network supports one (Mastodon's
    ``Idempotency-Key`` header, Bluesky's record key, Discord's ``nonce``).

    ``containers``: the media containers earlier attempts made for this variant, by the key the
    publisher gave them (what they hold); a publisher that makes containers takes one up instead of
    making it again. ``on_container(key, container)``: called as soon as a publisher made one,
    before the call that publishes it; an exception there stops the publication."""

    text: str
    idempotency_key: str
    media_ids: Sequence[str] = ()
    thread: Sequence[str] = ()
    options: Mapping[str, JSON] = field(default_factory=dict)
    containers: Mapping[str, Container] = field(default_factory=dict)
    on_container: Callable[[str, Container], None] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class Reply:
    """A public answer to one message (a comment, a post, a status). ``in_reply_to`` is the
    message's id as the connector gave it (``RawItem.external_id``, or ``Published.external_id`` of
    the brand's own). ``parent_kind``: what that message is, when the network answers a post and a
    comment through different calls (YouTube, Instagram); None lets the connector find out.
    ``idempotency_key`` is unique per outbox attempt, as for a :class:`Draft`. ``options`` are the
    network's own extras (documented per connector)."""

    in_reply_to: str
    text: str
    idempotency_key: str
    parent_kind: ItemKind | None = None
    options: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """A private message to one person. ``recipient`` is the person's id on the network, as the
    author of their message carried it (``Author.id``; an address for e-mail); ``conversation_id``
    the network's private conversation when answering one (it wins over ``recipient`` where the
    network sends into a conversation); ``in_reply_to`` the message answered, where the network
    threads private messages (e-mail, Telegram, Mastodon). ``subject``: e-mail's, or Reddit's."""

    recipient: str
    text: str
    idempotency_key: str
    conversation_id: str = ""
    in_reply_to: str = ""
    subject: str = ""
    options: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Published:
    """Where an item sent went. ``item_id``: the id under which listening and ``conversation``
    know it (``RawItem.external_id``) when that is not ``external_id`` (Mastodon's ActivityPub
    URI), else empty."""

    external_id: str
    url: str
    published_at: datetime
    item_id: str = ""


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation as the network gives it: ``items`` oldest first, each naming its
    ``parent_id`` (None for the first), the message asked for among them. ``root_id`` is the first
    message's id. ``complete`` is False when the network gave only part of it (a depth or page
    limit, replies it no longer shows, ancestors it cannot read): the app says so rather than show
    a partial thread as whole. ``private``: a private conversation (direct messages, e-mail)."""

    root_id: str
    items: Sequence[RawItem]
    complete: bool = True
    private: bool = False


@runtime_checkable
class Publisher(Protocol):
    """Capabilities ``publish``/``reply``. A call whose outcome is unknown (timeout after sending)
    raises ``ConnectorError(permanent=False)`` and the outbox reconciles through ``recent_posts``
    before any retry, for networks without idempotency keys."""

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str: ...

    def publish(self, credentials: Credentials, draft: Draft) -> Published: ...

    def reply(self, credentials: Credentials, reply: Reply) -> Published: ...

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None: ...

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]: ...


# --- answering people (issue 12): replies, private messages, conversations ---------------------


@runtime_checkable
class Replier(Protocol):
    """Capability ``reply``. ``reply`` sends one public answer. ``find_reply`` is what the outbox
    reads when a reply's outcome is unknown, before any retry: the account's own answers to
    ``reply.in_reply_to`` made since ``since`` (only the one made with ``reply.idempotency_key``
    where the network keeps our key), which the outbox compares with the reply's text; empty when
    there is none. A network that cannot be read raises a permanent :class:`ConnectorError` whose
    code ends in ``cannot_check``. How long resending the same key is safe: :meth:`key_window`."""

    def reply(self, credentials: Credentials, reply: Reply) -> Published: ...

    def find_reply(
        self, credentials: Credentials, reply: Reply, since: datetime
    ) -> Sequence[RawItem]: ...


@runtime_checkable
class Messenger(Protocol):
    """Capability ``direct_messages``: send a private message (``send_message``), find one whose
    outcome is unknown (``find_message``, as ``find_reply``), and read the account's private
    messages incrementally (``fetch_messages``: the same cursor rules as :class:`Listener`; items
    of kind ``message``, the account's own included, so a thread shows both sides)."""

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published: ...

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> Sequence[RawItem]: ...

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult: ...


@runtime_checkable
class ConversationReader(Protocol):
    """Capability ``conversation``: the thread a message belongs to (its ancestors and the replies
    the network shows), as a :class:`Thread`."""

    def conversation(self, credentials: Credentials, external_id: str) -> Thread: ...


# --- moderation (issue 13): acting on people's messages and accounts on the network -----------------


class ModerationAction(enum.StrEnum):
    """What the product asks a network to do. Item actions name a message (``target`` is its
    ``RawItem.external_id``); account actions name its author (``target`` is ``Author.id``, or the
    handle where the network knows people by handle)."""

    #: Hide a comment from everyone but its author and friends (Facebook, Instagram), hide a reply
    #: (X, Bluesky's thread gate), or the nearest the network has.
    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    #: Hold for review, or reject (YouTube's ``heldForReview`` / ``rejected``).
    HOLD = "hold"
    #: Publish an item held for review.
    APPROVE = "approve"
    #: Silence an account for a while (Discord's time-out, Mastodon's mute) or for good.
    MUTE = "mute"
    UNMUTE = "unmute"
    #: Ban (Reddit as moderator, Discord) or block (X, Bluesky, Mastodon).
    BAN = "ban"
    UNBAN = "unban"

    @property
    def on_account(self) -> bool:
        return self in _ACCOUNT_ACTIONS


_ACCOUNT_ACTIONS = frozenset(
    {ModerationAction.MUTE, ModerationAction.UNMUTE, ModerationAction.BAN, ModerationAction.UNBAN}
)


@dataclass(frozen=True, slots=True)
class ModerationRequest:
    """One moderation action. ``target``: the message's id for an item action, the author's id for
    an account action. ``item_id``: for an account action, the message that caused it, where the
    network needs it (a Reddit ban names the subreddit through the comment; a Discord time-out the
    guild through the channel message). ``until``: when a temporary mute or ban ends (aware), None
    for a permanent one. ``reason``: a sentence the network may show the person or keep in its own
    log (Reddit's ban message, Discord's audit log); never required. ``idempotency_key``: the same
    for every attempt of one action, for the networks that take one."""

    action: ModerationAction
    target: str
    idempotency_key: str
    item_id: str = ""
    until: datetime | None = None
    reason: str = ""
    options: Mapping[str, JSON] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", ModerationAction(self.action))
        if not self.target:
            raise ValueError("a moderation request needs a target")
        if self.until is not None and self.until.utcoffset() is None:
            raise ValueError(f"until must be timezone-aware, got {self.until!r}")


@dataclass(frozen=True, slots=True)
class ModerationResult:
    """What the network did. ``until``: when a temporary mute or ban ends as the network applied
    it (it may round), None for a permanent one or an item action. ``lifts_itself``: the network
    ends it by itself at ``until`` (Discord's time-out), so the product need not undo it.
    ``already``: the item or account was already in the asked state (hidden, gone, banned): a
    success, not an error."""

    action: ModerationAction
    target: str
    done_at: datetime
    until: datetime | None = None
    lifts_itself: bool = False
    already: bool = False


@runtime_checkable
class Moderator(Protocol):
    """Capability ``moderate``. ``moderation_actions`` says which actions this account can take
    on this network (it may depend on the credentials' scopes or the account's role: a Reddit
    moderator, a Discord bot with ``MODERATE_MEMBERS``). ``moderate`` does one of them or raises:

    - ``AuthExpired`` when the token is expired or lacks the permission (the connection needs a
      person to reconnect it or grant more);
    - ``ConnectorError(permanent=True)`` when the network refuses this action on this target (the
      message is not the account's to moderate, the action is not supported: code
      ``connector.moderation_unsupported`` with ``network`` and ``action``);
    - ``ConnectorError(permanent=False, retry_after=…)`` when it may work later (rate limit,
      outage, an unknown outcome: every action is safe to repeat, since an item or account already
      in the asked state is a success with ``already=True``).

    Every error carries a code and parameters, as all connector errors do."""

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]: ...

    def moderate(
        self, credentials: Credentials, request: ModerationRequest
    ) -> ModerationResult: ...
