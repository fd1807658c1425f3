"""E-mail as a channel: a workspace address read over IMAP and answered over SMTP.

The standard library's ``imaplib``, ``smtplib`` and ``email`` rather than a third-party client:
they are maintained with Python itself, need no dependency, and let the connector choose the
address it connects to (the private-address check of :mod:`.guard`, the address pinned under
TLS), its timeouts and what it reads (``BODY.PEEK``, EXAMINE); IMAP IDLE, missing from imaplib
before Python 3.14, is a few lines (:mod:`.imap`).

- ``fetch`` / ``fetch_messages``: the account's folder and its sent folder, incrementally by UID
  within UIDVALIDITY (cursor ``{"folders": {name: {"uidvalidity", "uid"}}}``). The first read of a
  folder (or one whose UIDVALIDITY changed) takes its newest :attr:`EmailConnector.batch`
  messages; later reads take what came after, oldest first, ``more=True`` while more wait. Flags
  are left as they were unless the account says ``mark_seen``.
- ``wait_for_mail``: IDLE on the folder for up to a given time (True when mail arrived), so a
  worker need not poll every minute; False at once on a server without IDLE.
- ``reply``: to the message's Reply-To (else From), ``Re: subject``, ``In-Reply-To`` and
  ``References`` (the message's own, then its id), read from the mailbox by Message-ID (or given in
  ``Reply.options``: ``to``, ``subject``, ``references``). ``send_message`` writes a new message
  (``DirectMessage.subject``), threaded when ``in_reply_to`` names one.
- The Message-ID of what Ambassade sends is made from the outbox attempt's idempotency key
  (``<key.hash@domain>``): the same attempt always has the same id. After the server accepted it,
  a copy goes to the sent folder (``\\Seen``), where ``find_reply``/``find_message`` look for that
  Message-ID when an outcome is unknown (and in the inbox folder, for servers that file a copy
  themselves). SMTP takes no idempotency key: an answer whose DATA reply was lost may go out twice,
  with the same Message-ID.
- ``conversation``: the messages of both folders whose Message-ID, References or In-Reply-To name
  the thread's root (at most :data:`MAX_THREAD`), in date order.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, ClassVar

from ambassade.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Cursor,
    DirectMessage,
    FetchResult,
    InvalidConfig,
    Published,
    RawItem,
    Reply,
    Thread,
)
from ambassade.connectors.email import smtp
from ambassade.connectors.email.account import EmailAccount
from ambassade.connectors.email.guard import Resolver
from ambassade.connectors.email.imap import ImapSession, imap_session
from ambassade.connectors.email.parse import parse_message

__all__ = ["MAX_THREAD", "EmailConnector"]

#: Messages of one thread read at most.
MAX_THREAD = 200
#: References kept in an answer (the first, the thread's root, and the latest).
MAX_REFERENCES = 20


class EmailConnector(Connector):
    kind: ClassVar[str] = "email"
    label: ClassVar[str] = "E-mail"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.LISTEN,
            Capability.REPLY,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
    )
    needs_credentials: ClassVar[bool] = True

    def __init__(
        self,
        http: Any = None,
        *,
        endpoints: Mapping[str, str] | None = None,
        allow_private: bool = False,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        resolver: Resolver | None = None,
        max_message_bytes: int = 10 * 1024 * 1024,
        batch: int = 100,
    ) -> None:
        super().__init__(http, endpoints=endpoints)
        self.allow_private = allow_private
        self.timeout = timeout
        self.context = ssl_context or ssl.create_default_context()
        self.resolver = resolver
        self.max_message_bytes = max_message_bytes
        self.batch = batch

    # --- configuration --------------------------------------------------------------------------

    def check_config(self, config: Mapping[str, Any]) -> None:
        folder = config.get("folder")
        if folder is not None and (not isinstance(folder, str) or not folder.strip()):
            raise InvalidConfig(
                "The folder to read must be a folder name.",
                code="email.bad_folder",
                params={"folder": str(folder)},
            )

    def account(self, credentials: Credentials) -> EmailAccount:
        return EmailAccount.from_credentials(credentials)

    def _imap(self, account: EmailAccount) -> AbstractContextManager[ImapSession]:
        return imap_session(
            account,
            allow_private=self.allow_private,
            timeout=self.timeout,
            context=self.context,
            resolver=self.resolver,
        )

    # --- reading --------------------------------------------------------------------------------

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)
        account = self.account(credentials)
        inbox = str(config.get("folder") or account.folder)
        state: dict[str, Any] = dict((cursor or {}).get("folders") or {})
        items: list[RawItem] = []
        more = False
        with self._imap(account) as session:
            sent = self._sent_folder(session, account)
            for folder in dict.fromkeys([inbox, *([sent] if sent else [])]):
                found, state[folder], rest = self._read(
                    session, account, folder, state.get(folder), mark=folder == inbox
                )
                items += found
                more = more or rest
        items.sort(key=lambda item: item.created_at)
        return FetchResult(items, {"folders": state}, more=more)

    @staticmethod
    def _sent_folder(session: ImapSession, account: EmailAccount) -> str | None:
        """The account's sent folder; when it names none that exists, the server's folder for
        sent mail (special use ``\\Sent``, "Sent Items", "[Gmail]/Sent Mail"…), else None."""
        if not account.sent_folder:
            return None
        if session.exists(account.sent_folder):
            return account.sent_folder
        return session.special("\\Sent")

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        return self.fetch({}, credentials, cursor)

    def _read(
        self,
        session: ImapSession,
        account: EmailAccount,
        folder: str,
        seen: Any,
        *,
        mark: bool,
    ) -> tuple[list[RawItem], dict[str, int], bool]:
        writable = mark and account.mark_seen
        validity = session.open(folder, readonly=not writable)
        last = seen.get("uid") if isinstance(seen, Mapping) else None
        same = isinstance(seen, Mapping) and seen.get("uidvalidity") == validity
        if same and isinstance(last, int):
            uids = session.uids(last)
            chosen, more = uids[: self.batch], len(uids) > self.batch
        else:
            uids = session.uids(0)
            chosen, more = uids[-self.batch :], False
        items = [
            parse_message(
                fetched.data,
                received_at=fetched.internal_date,
                truncated=fetched.truncated,
                extra={"folder": folder, "uid": fetched.uid},
            )
            for fetched in session.fetch(chosen, self.max_message_bytes)
        ]
        if writable:
            session.mark_seen(chosen)
        top = max(chosen) if chosen else (last if same and isinstance(last, int) else 0)
        return items, {"uidvalidity": validity, "uid": int(top)}, more

    def wait_for_mail(self, credentials: Credentials, seconds: float) -> bool:
        """IDLE on the account's folder for up to ``seconds``: True when mail arrived."""
        account = self.account(credentials)
        with self._imap(account) as session:
            session.open(account.folder, readonly=True)
            return session.idle(seconds)

    def _find(
        self, session: ImapSession, folders: Sequence[str | None], ident: str
    ) -> RawItem | None:
        for folder in dict.fromkeys(f for f in folders if f):
            if not session.exists(folder):
                continue
            session.open(folder, readonly=True)
            uids = session.search_header("Message-ID", f"<{ident}>")
            for fetched in session.fetch(uids[:1], self.max_message_bytes):
                return parse_message(fetched.data, received_at=fetched.internal_date)
        return None

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        account = self.account(credentials)
        with self._imap(account) as session:
            folders = [account.folder, self._sent_folder(session, account)]
            asked = self._find(session, folders, external_id)
            if asked is None:
                raise ConnectorError(
                    f"The mailbox has no message {external_id}.",
                    permanent=True,
                    code="email.message_gone",
                    params={"id": external_id},
                )
            root = asked.thread_id or asked.external_id
            found: dict[str, RawItem] = {asked.external_id: asked}
            complete = True
            for folder in dict.fromkeys(f for f in folders if f):
                if not session.exists(folder):
                    continue
                session.open(folder, readonly=True)
                uids: set[int] = set()
                for header in ("Message-ID", "References", "In-Reply-To"):
                    uids.update(session.search_header(header, f"<{root}>"))
                ordered = sorted(uids)
                if len(ordered) > MAX_THREAD:
                    ordered, complete = ordered[-MAX_THREAD:], False
                for fetched in session.fetch(ordered, self.max_message_bytes):
                    item = parse_message(fetched.data, received_at=fetched.internal_date)
                    found.setdefault(item.external_id, item)
        items = sorted(found.values(), key=lambda item: item.created_at)
        if root not in found:
            complete = False  # the first message is not in these folders
        return Thread(root_id=root, items=items, complete=complete, private=True)

    # --- sending --------------------------------------------------------------------------------

    @staticmethod
    def message_id(account: EmailAccount, key: str) -> str:
        """The Message-ID (without brackets) of what the attempt ``key`` sends."""
        digest = hashlib.sha256(f"{account.address}\n{key}".encode()).hexdigest()[:16]
        safe = "".join(c for c in key if c.isalnum() or c in "-_.")[:40] or "m"
        return f"{safe}.{digest}@{account.domain}"

    def _compose(
        self,
        account: EmailAccount,
        key: str,
        to: str,
        subject: str,
        text: str,
        parent: str | None,
        references: Sequence[str],
    ) -> EmailMessage:
        message = EmailMessage()
        try:
            message["From"] = Address(account.display_name, addr_spec=account.address)
            message["To"] = to
            message["Subject"] = " ".join(subject.split())[:900]
        except (ValueError, IndexError) as error:  # a newline or a broken address
            raise ConnectorError(
                f"The e-mail cannot be written: {error}",
                permanent=True,
                code="email.bad_header",
                params={"detail": str(error)[:200]},
            ) from None
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = f"<{self.message_id(account, key)}>"
        if parent:
            chain = [r for r in references if r != parent] + [parent]
            if len(chain) > MAX_REFERENCES:
                chain = chain[:1] + chain[-(MAX_REFERENCES - 1) :]
            message["In-Reply-To"] = f"<{parent}>"
            message["References"] = " ".join(f"<{r}>" for r in chain)
        message.set_content(text)
        return message

    def _send(self, account: EmailAccount, message: EmailMessage, to: str) -> Published:
        smtp.send(
            account,
            message,
            [to],
            allow_private=self.allow_private,
            timeout=self.timeout,
            context=self.context,
            resolver=self.resolver,
        )
        ident = str(message["Message-ID"]).strip("<>")
        if account.sent_folder:
            try:
                with self._imap(account) as session:
                    folder = self._sent_folder(session, account)
                    if folder:
                        session.append(folder, message.as_bytes())
            except ConnectorError:
                pass  # the message went out; only the sent folder's copy is missing
        return Published(ident, "", datetime.now(UTC))

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        account = self.account(credentials)
        to = str(reply.options.get("to") or "")
        subject = str(reply.options.get("subject") or "")
        refs = reply.options.get("references")
        references = [str(r) for r in refs] if isinstance(refs, list) else None
        if not to or not subject or references is None:
            with self._imap(account) as session:
                original = self._find(
                    session,
                    [account.folder, self._sent_folder(session, account)],
                    reply.in_reply_to,
                )
            if original is None:
                raise ConnectorError(
                    f"The mailbox has no message {reply.in_reply_to} to answer.",
                    permanent=True,
                    code="email.message_gone",
                    params={"id": reply.in_reply_to},
                )
            raw = original.raw
            senders = raw.get("reply_to") or raw.get("from") or []
            to = to or (senders[0]["address"] if senders else "")
            subject = subject or _re(str(raw.get("subject") or ""))
            if references is None:
                references = list(raw.get("references") or [])
        if not to:
            raise ConnectorError(
                "The message answered names no sender to answer.",
                permanent=True,
                code="email.no_recipient",
            )
        message = self._compose(
            account, reply.idempotency_key, to, subject, reply.text, reply.in_reply_to, references
        )
        return self._send(account, message, to)

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        account = self.account(credentials)
        parent = message.in_reply_to or None
        given = message.options.get("references")
        references = [str(r) for r in given] if isinstance(given, list) else []
        subject = message.subject or (message.text.split("\n", 1)[0][:80] if message.text else "")
        composed = self._compose(
            account,
            message.idempotency_key,
            message.recipient,
            subject,
            message.text,
            parent,
            references,
        )
        return self._send(account, composed, message.recipient)

    def _find_sent(self, credentials: Credentials, key: str) -> list[RawItem]:
        account = self.account(credentials)
        ident = self.message_id(account, key)
        with self._imap(account) as session:
            found = self._find(
                session, [self._sent_folder(session, account), account.folder], ident
            )
        return [found] if found is not None else []

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        """The message sent with the attempt's Message-ID, from the sent folder (or the inbox
        folder), whatever its date."""
        return self._find_sent(credentials, reply.idempotency_key)

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        return self._find_sent(credentials, message.idempotency_key)


def _re(subject: str) -> str:
    """``Re: subject``, without piling up prefixes (``Re:``, ``RE:``, French ``Réf. :``)."""
    bare = subject.strip()
    lowered = bare.lower()
    if lowered.startswith(("re:", "re :", "réf:", "réf. :", "aw:")):
        return bare
    return f"Re: {bare}" if bare else "Re:"
