"""The interface between the exactly-once engine and one kind of item it sends.

A :class:`Kind` names the items' model and says what only it knows: how to send one (with the
attempt's :class:`Call`), how to recognise it on the network when an outcome is unknown (a
:data:`Finding`), the sentences a person reads, and whom to tell of a change. Everything else —
claims, keys, deadlines, heartbeats, back-off, the hold, reconciliation's timing — is the engine's.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Model, Q

from ambassade.connectors.base import AuthExpired, ConnectorError, Published, RawItem
from ambassade.publishing.models import PublishAttempt

__all__ = ["Ask", "Call", "Finding", "Found", "Kind", "NotFound", "comparable"]

_URL = re.compile(r"https?://\S+")


def comparable(text: str) -> str:
    """Text as networks give it back, to recognise an item sent among what the network lists: links
    shortened or rewritten, spacing and case changed."""
    text = unicodedata.normalize("NFKC", _URL.sub(" ", text)).casefold()
    return " ".join(re.sub(r"[^\w#@]+", " ", text).split())


class Call:
    """One attempt's access to the network: the publisher (None when Ambassade has none for the
    network, which only a reconciliation tolerates) and the account's credentials."""

    def __init__(
        self,
        publisher: Any,
        credentials: Mapping[str, Any],
        *,
        owned: bool,
        on_close: Callable[[Any], None] | None = None,
        on_release: Callable[[Any], None] | None = None,
    ) -> None:
        self.publisher, self.credentials, self.owned = publisher, credentials, owned
        self._on_close, self._on_release = on_close, on_release

    def deduplicates(self) -> bool:
        """Whether the network deduplicates this attempt's key: the publisher's class says it can
        (``idempotent``), and its ``deduplicates(credentials)``, when it has one, says whether
        these credentials do (a Discord webhook takes no nonce, only the bot API does)."""
        if not getattr(self.publisher, "idempotent", False):
            return False
        tells = getattr(self.publisher, "deduplicates", None)
        return bool(tells(self.credentials)) if callable(tells) else True

    @property
    def window(self) -> timedelta:
        """How long the network remembers a key."""
        return timedelta(seconds=getattr(self.publisher, "idempotency_window", 0))

    def close(self) -> None:
        """After talking to the network: keep what it renewed (tokens), close what we opened."""
        if self.publisher is not None and self._on_close is not None:
            self._on_close(self.publisher)

    def release(self) -> None:
        """Without having talked to the network: close what we opened."""
        if self.publisher is not None and self._on_release is not None:
            self._on_release(self.publisher)


@dataclasses.dataclass(frozen=True)
class Found:
    """The item is on the network: ``record`` says where (an empty one when it cannot be told
    apart from the account's other posts); ``note`` goes in the check's log."""

    record: Published | RawItem
    note: Any  # a coded message, or text


@dataclasses.dataclass(frozen=True)
class NotFound:
    """The item is not on the network: it is sent again, with a new key."""


@dataclasses.dataclass(frozen=True)
class Ask:
    """The network cannot tell (nothing to recognise the item by): a person must look."""

    reason: Any  # a coded message, an error, or text


Finding = Found | NotFound | Ask


class Kind:
    """What the engine needs from one kind of item. Subclass it and fill in each hook."""

    #: The model of the items, and of their attempts' log with the log's key to the item.
    model: type[Model]
    log_model: type[Model] = PublishAttempt
    log_key: str = "variant"

    # Reading and claiming.
    def load(self, item_id: int) -> Any:
        """The item with what sending it needs (select_related)."""
        raise NotImplementedError

    #: Columns (or lookups) of the item that :meth:`claim_terms` reads.
    claim_fields: tuple[str, ...] = ()

    def claim_terms(self, row: Mapping[str, Any]) -> tuple[timedelta, bool]:
        """For a claim, from the item's :attr:`claim_fields`: how long the attempt may last, and
        whether the network is expected to deduplicate its key (corrected before sending, once the
        credentials are known)."""
        raise NotImplementedError

    def refusal(self, item: Any) -> Any:
        """A reason to fail the item without calling the network (an account to reconnect)."""
        return None

    def attempt_deadline(self, item: Any) -> timedelta:
        raise NotImplementedError

    # Talking to the network.
    def open(self, item: Any, publisher_factory: Any, *, lenient: bool = False) -> Call:
        """The attempt's access to the network. Raises ``UnknownPublisher`` unless ``lenient``
        (a reconciliation then gets a call without publisher)."""
        raise NotImplementedError

    def send(self, item: Any, call: Call, attempts: int) -> Published:
        """Send the item once, with ``item.idempotency_key``. Raises the connectors' errors."""
        raise NotImplementedError

    def before_reading(self, item: Any, call: Call) -> Finding | None:
        """A finding made without reading the network (nothing to recognise the item by)."""
        return None

    def find(self, item: Any, call: Call, started: datetime, now: datetime) -> Finding:
        """Whether the attempt that started at ``started`` put the item on the network. Raises
        ``AuthExpired`` or ``ConnectorError`` when the network cannot be read."""
        raise NotImplementedError

    def cannot_read(self, item: Any) -> Any:
        raise NotImplementedError

    # What a person is told: one coded message (ambassade.workspaces.messages), stored with the
    # item and worded in the language of whoever reads it.
    def reconnect_message(self, item: Any, error: ConnectorError) -> Any:
        raise NotImplementedError

    def unsupported_message(self, item: Any) -> Any:
        raise NotImplementedError

    def refused_message(self, item: Any, error: ConnectorError) -> Any:
        raise NotImplementedError

    def gave_up_message(self, item: Any, error: ConnectorError) -> Any:
        raise NotImplementedError

    def check_refused_message(self, item: Any, error: ConnectorError) -> Any:
        raise NotImplementedError

    def ask_message(self, item: Any, reason: Any) -> Any:
        raise NotImplementedError

    # Side effects of the transitions.
    def needs_reconnection(self, item: Any, error: AuthExpired) -> None:
        """The network refused the account's access: the account must say so."""

    def same_limit(self, item: Any) -> Q:
        """The items that share the item's rate limit (the same account)."""
        raise NotImplementedError

    def changed(self, ids: Iterable[int]) -> None:
        """The items' status changed (status webhook)."""

    def published(self, item: Any, url: str) -> None:
        """The item went out (audit)."""

    def failed(self, item: Any, message: str) -> None:
        """The item failed (audit)."""

    def settled(self, item_id: int) -> None:
        """The item is published or failed for good (a recurring post's next occurrence)."""
