"""Reading a mailbox over IMAP4rev1 (RFC 3501) with the standard library's imaplib.

A folder is opened with EXAMINE (read-only) unless the account asks to mark what it read as seen,
so reading changes no flag; bodies are read with ``BODY.PEEK[]``, which does not set ``\\Seen``
either. Messages are named by UID within the folder's UIDVALIDITY (RFC 3501 2.3.1.1): a cursor
keeps both, and a changed UIDVALIDITY means the old UIDs name nothing any more. IDLE (RFC 2177) is
spoken by hand: Python's imaplib before 3.14 has no IDLE.
"""

from __future__ import annotations

import imaplib
import re
import select
import ssl
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.email.account import EmailAccount
from ambassade.connectors.email.guard import PinnedIMAP, PinnedIMAPSSL, Resolver, checked_address

__all__ = ["Fetched", "ImapSession", "imap_session"]

_LIST = re.compile(rb'\(([^)]*)\) (?:"[^"]*"|NIL) (.*)$')

_META = re.compile(rb"UID (\d+).*?RFC822\.SIZE (\d+).*?INTERNALDATE \"([^\"]+)\"", re.DOTALL)


@dataclass(frozen=True)
class Fetched:
    uid: int
    data: bytes
    internal_date: datetime | None
    truncated: bool


def _failure(account: EmailAccount, error: BaseException) -> ConnectorError:
    detail = str(error).replace(account.password, "[redacted]")[:300] or type(error).__name__
    if isinstance(error, ssl.SSLCertVerificationError):
        return ConnectorError(
            f"The IMAP server {account.imap_host} has a certificate that cannot be trusted: "
            f"{detail}",
            permanent=True,
            code="email.certificate",
            params={"server": "IMAP", "host": account.imap_host, "detail": detail},
        )
    return ConnectorError(
        f"Could not talk to the IMAP server {account.imap_host}: {detail}",
        permanent=False,
        code="email.cannot_connect",
        params={"server": "IMAP", "host": account.imap_host, "detail": detail},
    )


class ImapSession:
    def __init__(self, account: EmailAccount, conn: imaplib.IMAP4) -> None:
        self.account = account
        self.conn = conn
        self.folder: str | None = None

    def _ok(self, result: tuple[str, Any], what: str) -> list[Any]:
        typ, data = result
        if typ != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
            raise ConnectorError(
                f"The IMAP server refused {what}: {detail[:300]}",
                permanent=False,
                code="email.server_refused",
                params={"detail": detail[:300]},
            )
        return list(data)

    def open(self, folder: str, *, readonly: bool = True) -> int:
        """Open ``folder`` and give its UIDVALIDITY."""
        typ, _data = self.conn.select(_quoted(folder), readonly=readonly)
        if typ != "OK":
            raise ConnectorError(
                f"The mailbox has no folder {folder!r}.",
                permanent=True,
                code="email.no_folder",
                params={"folder": folder},
            )
        self.folder = folder
        validity = self.conn.response("UIDVALIDITY")[1]
        try:
            return int(validity[0]) if validity and validity[0] else 0
        except (TypeError, ValueError):
            return 0

    def special(self, use: str) -> str | None:
        """The folder with the special use ``use`` (RFC 6154: ``\\Sent``…), or None."""
        typ, data = self.conn.list()
        if typ != "OK":
            return None
        for line in data:
            if not isinstance(line, bytes):
                continue
            found = _LIST.match(line)
            if found and use.lower() in found.group(1).decode(errors="replace").lower().split():
                name = found.group(2).decode(errors="replace").strip()
                return name[1:-1].replace('\\"', '"') if name.startswith('"') else name
        return None

    def exists(self, folder: str) -> bool:
        typ, data = self.conn.list('""', _quoted(folder))
        return typ == "OK" and any(isinstance(line, bytes) and line for line in data)

    def uids(self, after: int = 0) -> list[int]:
        """UIDs above ``after``, ascending ("n:*" always names the last message: filtered)."""
        data = self._ok(self.conn.uid("SEARCH", f"UID {after + 1}:*"), "the search")
        found = [int(uid) for uid in b" ".join(d for d in data if d).split() if uid.isdigit()]
        return sorted(uid for uid in found if uid > after)

    def search_header(self, name: str, value: str) -> list[int]:
        data = self._ok(self.conn.uid("SEARCH", "HEADER", name, _quoted(value)), "the search")
        return sorted(int(u) for u in b" ".join(d for d in data if d).split() if u.isdigit())

    def fetch(self, uids: Sequence[int], max_bytes: int) -> Iterator[Fetched]:
        """Each message, read without setting ``\\Seen``; a message larger than ``max_bytes``
        is read up to that size and marked truncated."""
        if not uids:
            return
        meta = self._ok(
            self.conn.uid(
                "FETCH", ",".join(str(u) for u in uids), "(UID RFC822.SIZE INTERNALDATE)"
            ),
            "reading the messages",
        )
        sizes: dict[int, tuple[int, datetime | None]] = {}
        for line in meta:
            found = _META.search(line if isinstance(line, bytes) else b"")
            if found:
                sizes[int(found.group(1))] = (int(found.group(2)), _internal(found.group(3)))
        for uid in uids:
            if uid not in sizes:
                continue  # expunged since the search
            size, internal = sizes[uid]
            part = "BODY.PEEK[]" if size <= max_bytes else f"BODY.PEEK[]<0.{max_bytes}>"
            data = self._ok(self.conn.uid("FETCH", str(uid), f"({part})"), "reading a message")
            body = next((d[1] for d in data if isinstance(d, tuple) and len(d) == 2), None)
            if isinstance(body, bytes):
                yield Fetched(uid, body, internal, size > max_bytes)

    def mark_seen(self, uids: Sequence[int]) -> None:
        if uids:
            self._ok(
                self.conn.uid("STORE", ",".join(str(u) for u in uids), "+FLAGS.SILENT", r"(\Seen)"),
                "marking messages as read",
            )

    def append(self, folder: str, data: bytes) -> None:
        self._ok(
            self.conn.append(
                _quoted(folder),
                r"(\Seen)",
                imaplib.Time2Internaldate(datetime.now().astimezone()),
                data,
            ),
            "keeping a copy of the message sent",
        )

    def idle(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for new mail in the open folder with IDLE; True when the server
        announced some. False at once when the server has no IDLE (the caller polls)."""
        if "IDLE" not in self.conn.capabilities:
            return False
        conn: Any = self.conn
        tag = conn._new_tag().decode()
        conn.send(f"{tag} IDLE\r\n".encode())
        first = conn.readline()
        if not first.startswith(b"+"):
            return False
        arrived = False
        sock = conn.sock
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            pending = isinstance(sock, ssl.SSLSocket) and sock.pending()
            if not pending and (left <= 0 or not select.select([sock], [], [], left)[0]):
                break
            line = conn.readline()
            if not line:
                raise ConnectorError(
                    "The IMAP server closed the connection while waiting for mail.",
                    permanent=False,
                    code="email.cannot_connect",
                    params={"server": "IMAP", "host": self.account.imap_host, "detail": "EOF"},
                )
            if b"EXISTS" in line or b"RECENT" in line:
                arrived = True
                break
        conn.send(b"DONE\r\n")
        while True:
            line = conn.readline()
            if not line or line.startswith(tag.encode()):
                break
        return arrived


def _quoted(value: str) -> str:
    """An IMAP quoted string (folder names, search values): backslash and quote escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_INTERNAL = re.compile(
    r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"
)


def _internal(value: bytes) -> datetime | None:
    """An INTERNALDATE (``17-Jul-1996 02:44:25 -0700``), or None."""
    found = _INTERNAL.fullmatch(value.decode("ascii", errors="replace"))
    if not found or found.group(2).lower() not in _MONTHS:
        return None
    day, _month, year, hour, minute, second, sign, oh, om = found.groups()
    offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    try:
        return datetime(
            int(year),
            _MONTHS.index(_month.lower()) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None


@contextmanager
def imap_session(
    account: EmailAccount,
    *,
    allow_private: bool,
    timeout: float,
    context: ssl.SSLContext,
    resolver: Resolver | None = None,
) -> Iterator[ImapSession]:
    """A logged-in session, logged out at the end whatever happens."""
    address = checked_address(
        account.imap_host, account.imap_port, allow_private=allow_private, resolver=resolver
    )
    try:
        if account.imap_security == "ssl":
            conn: imaplib.IMAP4 = PinnedIMAPSSL(
                account.imap_host, account.imap_port, address, timeout, context
            )
        else:
            conn = PinnedIMAP(account.imap_host, account.imap_port, address, timeout)
            if account.imap_security == "starttls":
                conn.starttls(ssl_context=context)
    except (OSError, imaplib.IMAP4.error) as error:
        raise _failure(account, error) from None
    try:
        try:
            conn.login(account.username, account.password)
        except imaplib.IMAP4.abort as error:
            raise _failure(account, error) from None
        except imaplib.IMAP4.error as error:
            detail = str(error).replace(account.password, "[redacted]")[:300]
            raise AuthExpired(
                f"The IMAP server refused the user name or password: {detail}",
                code="email.login_refused",
                params={"server": "IMAP", "detail": detail},
            ) from None
        try:
            yield ImapSession(account, conn)
        except (OSError, imaplib.IMAP4.abort) as error:
            raise _failure(account, error) from None
        except imaplib.IMAP4.error as error:
            raise _failure(account, error) from None
    finally:
        with suppress(TimeoutError, OSError, imaplib.IMAP4.error):
            conn.logout()
