"""Mastodon entities (Status, Notification) to RawItems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ambassade.connectors._guard import parser
from ambassade.connectors._text import as_int, html_to_text, parse_datetime, sanitize_html
from ambassade.connectors.base import Author, ConnectorError, ItemKind, RawItem

__all__ = ["notification_item", "status_item"]


def _handle(account: Mapping[str, Any]) -> str:
    """``user@server`` even for a local account (whose ``acct`` has no server part)."""
    acct = str(account.get("acct") or account.get("username") or "")
    if acct and "@" not in acct:
        host = urlsplit(str(account.get("url") or "")).hostname
        if host:
            acct = f"{acct}@{host}"
    return acct


@parser("Mastodon")
def status_item(
    status: Any, *, source: str = "mastodon", kind: ItemKind | None = None
) -> RawItem | None:
    """None for a boost (the boosted status is a message of its own, found by its own query)."""
    if not isinstance(status, Mapping):
        raise ConnectorError(
            "Mastodon returned a status that is not an object.",
            code="connector.bad_answer",
            params={"network": "Mastodon"},
        )
    if status.get("reblog"):
        return None
    try:
        local_id = str(status["id"])
        created_at = parse_datetime(status["created_at"])
    except KeyError as exc:
        raise ConnectorError(
            f"Mastodon returned a status without {exc.args[0]!r}.",
            code="connector.bad_answer",
            params={"network": "Mastodon"},
        ) from None
    if created_at is None:
        raise ConnectorError(
            f"Mastodon returned a status with a bad date: {status['created_at']!r}.",
            code="connector.bad_answer",
            params={"network": "Mastodon"},
        )
    content = str(status.get("content") or "")
    text = html_to_text(content)
    warning = str(status.get("spoiler_text") or "").strip()
    if warning:
        text = f"{warning}\n\n{text}" if text else warning
    account = status.get("account") or {}
    if not isinstance(account, Mapping):
        account = {}
    reply_to = status.get("in_reply_to_id")
    # Mastodon 4.4's quote posts: a Quote whose quoted status is there only once its author
    # accepted it (the state); its URI is the identity every status has here.
    quote = status.get("quote")
    quoted_uri = ""
    if isinstance(quote, Mapping) and quote.get("state", "accepted") == "accepted":
        quoted = quote.get("quoted_status")
        if isinstance(quoted, Mapping):
            quoted_uri = str(quoted.get("uri") or "")
    if kind is None:
        if status.get("visibility") == "direct":
            kind = ItemKind.MESSAGE
        else:
            kind = ItemKind.REPLY if reply_to else ItemKind.POST
    metrics = {
        name: value
        for name, key in (
            ("replies", "replies_count"),
            ("reposts", "reblogs_count"),
            ("likes", "favourites_count"),
        )
        if (value := as_int(status.get(key))) is not None
    }
    return RawItem(
        source=source,
        # The ActivityPub URI is the same on every server; the local id is not.
        external_id=str(status.get("uri") or local_id),
        url=str(status.get("url") or status.get("uri") or ""),
        text=text,
        html=sanitize_html(content) if content else None,
        author=Author(
            handle=_handle(account),
            name=str(account.get("display_name") or account.get("username") or ""),
            id=str(account.get("uri") or account.get("url") or account.get("id") or ""),
            url=str(account.get("url") or ""),
            followers=as_int(account.get("followers_count")),
            created_at=parse_datetime(account.get("created_at")),
        ),
        created_at=created_at,
        lang=str(status["language"]) if status.get("language") else None,
        parent_id=str(reply_to) if reply_to else None,
        quoted_id=quoted_uri or None,
        kind=kind,
        metrics=metrics,
        raw=dict(status),
    )


@parser("Mastodon")
def notification_item(notification: Any, *, source: str = "mastodon") -> RawItem | None:
    """The status a notification is about (a mention, a quote…), or None for a follow, a like…"""
    if not isinstance(notification, Mapping):
        raise ConnectorError(
            "Mastodon returned a notification that is not an object.",
            code="connector.bad_answer",
            params={"network": "Mastodon"},
        )
    status = notification.get("status")
    if not status:
        return None
    return status_item(status, source=source)
