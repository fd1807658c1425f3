"""The e-mail channel against a real IMAP server (dovecot) and real SMTP servers (aiosmtpd) on
loopback: incremental reading by UID, flags left alone, IDLE, answers threaded and kept in Sent,
lost answers found by their Message-ID, and each way it can fail."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest

from ambassade.connectors.base import (
    AuthExpired,
    ConnectorError,
    DirectMessage,
    InvalidConfig,
    ItemKind,
    Reply,
)
from ambassade.connectors.email import EmailConnector
from ambassade.connectors.email.account import EmailAccount
from ambassade.connectors.http import OutcomeUnknown
from tests.connectors.email.conftest import Dovecot, Mailbox, smtp_server

SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def mail(n: int, *, sender: str = "marie@client.example", extra: str = "", body: str = "") -> bytes:
    return (
        f"From: Marie L. <{sender}>\r\n"
        f"To: brand@example.test\r\n"
        f"Subject: Commande {n}\r\n"
        f"Date: Mon, 2 Mar 2026 09:{n:02d}:00 +0100\r\n"
        f"Message-ID: <m{n}@client.example>\r\n"
        f"{extra}"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{body or f'Bonjour, où est ma commande {n} ?'}\r\n"
    ).encode()


def connector(dovecot: Dovecot, **kwargs: Any) -> EmailConnector:
    return EmailConnector(allow_private=True, ssl_context=dovecot.trusting(), timeout=10, **kwargs)


def test_it_reads_new_mail_incrementally_and_leaves_flags_alone(
    dovecot: Dovecot, mailbox: Mailbox
) -> None:
    for n in (1, 2):
        mailbox.deliver(mail(n))
    email = connector(dovecot)
    first = email.fetch({}, mailbox.credentials, None)
    assert [item.external_id for item in first.items] == ["m1@client.example", "m2@client.example"]
    item = first.items[0]
    assert item.kind is ItemKind.MESSAGE and item.source == "email"
    assert item.text == "Bonjour, où est ma commande 1 ?"
    assert item.author.id == "marie@client.example" and item.author.name == "Marie L."
    assert item.created_at == datetime(2026, 3, 2, 8, 1, tzinfo=UTC)
    assert item.raw["subject"] == "Commande 1"
    folders = first.next_cursor["folders"]
    assert folders["INBOX"]["uid"] == 2 and folders["INBOX"]["uidvalidity"] > 0
    assert all(b"\\Seen" not in line for line in mailbox.flags())
    assert email.fetch({}, mailbox.credentials, first.next_cursor).items == []
    mailbox.deliver(mail(3))
    third = email.fetch({}, mailbox.credentials, first.next_cursor)
    assert [item.external_id for item in third.items] == ["m3@client.example"]


def test_it_reads_a_backlog_page_by_page(dovecot: Dovecot, mailbox: Mailbox) -> None:
    mailbox.deliver(mail(1))
    email = connector(dovecot, batch=2)
    start = email.fetch({}, mailbox.credentials, None)
    for n in (2, 3, 4):
        mailbox.deliver(mail(n))
    page = email.fetch({}, mailbox.credentials, start.next_cursor)
    assert [i.external_id for i in page.items] == ["m2@client.example", "m3@client.example"]
    assert page.more
    rest = email.fetch({}, mailbox.credentials, page.next_cursor)
    assert [i.external_id for i in rest.items] == ["m4@client.example"] and not rest.more


def test_it_marks_mail_seen_only_when_the_account_asks(dovecot: Dovecot, mailbox: Mailbox) -> None:
    mailbox.deliver(mail(1))
    connector(dovecot).fetch({}, {**mailbox.credentials, "mark_seen": True}, None)
    assert all(b"\\Seen" in line for line in mailbox.flags())


def test_a_changed_uidvalidity_reads_the_folder_again(dovecot: Dovecot, mailbox: Mailbox) -> None:
    mailbox.deliver(mail(1))
    stale = {"folders": {"INBOX": {"uidvalidity": 1, "uid": 99}}}
    result = connector(dovecot).fetch({}, mailbox.credentials, stale)
    assert [item.external_id for item in result.items] == ["m1@client.example"]
    assert result.next_cursor["folders"]["INBOX"]["uidvalidity"] != 1


def test_a_message_over_the_size_limit_is_read_in_part(dovecot: Dovecot, mailbox: Mailbox) -> None:
    mailbox.deliver(mail(1, body="x" * 5000))
    result = connector(dovecot, max_message_bytes=1000).fetch({}, mailbox.credentials, None)
    assert result.items[0].raw["truncated"] is True
    assert len(result.items[0].text) < 1000


def test_it_waits_for_mail_with_idle(dovecot: Dovecot, mailbox: Mailbox) -> None:
    email = connector(dovecot)
    started = time.monotonic()
    assert email.wait_for_mail(mailbox.credentials, 0.5) is False
    assert time.monotonic() - started < 5
    timer = threading.Timer(0.5, mailbox.deliver, args=(mail(7),))
    timer.start()
    try:
        assert email.wait_for_mail(mailbox.credentials, 8) is True
    finally:
        timer.join()


def test_it_answers_threaded_over_starttls_and_keeps_a_copy(
    dovecot: Dovecot, mailbox_factory: Callable[[str], Mailbox]
) -> None:
    brand, customer = mailbox_factory("brand"), mailbox_factory("marie")
    brand.deliver(
        mail(
            1,
            sender=customer.user,
            extra=f"Reply-To: {customer.user}\r\nReferences: <m0@client.example>\r\n"
            "In-Reply-To: <m0@client.example>\r\n",
        )
    )
    with smtp_server(dovecot, security="starttls", user=brand.user, password="smtp-pw") as smtp:
        smtp.handler.boxes[customer.user.lower()] = customer
        creds = {
            **brand.credentials,
            "smtp_port": smtp.port,
            "smtp_security": "starttls",
            "smtp_password": "smtp-pw",
        }
        email = connector(dovecot)
        published = email.reply(
            creds, Reply("m1@client.example", "Elle part demain.", "3lbx7kq2ab2cd")
        )
    assert published.external_id == EmailConnector.message_id(
        EmailAccount.from_credentials(creds), "3lbx7kq2ab2cd"
    )
    envelope, data = smtp.handler.received[0]
    assert envelope.mail_from == brand.user and envelope.rcpt_tos == [customer.user]
    sent = message_from_bytes(data, policy=policy.default)
    assert sent["Subject"] == "Re: Commande 1"
    assert sent["In-Reply-To"] == "<m1@client.example>"
    assert sent["References"] == "<m0@client.example> <m1@client.example>"
    assert sent["Message-ID"] == f"<{published.external_id}>"
    assert str(sent["From"]) == f"Café Lumière <{brand.user}>"
    assert sent.get_content().strip() == "Elle part demain."
    # Delivered into the customer's real mailbox, and a copy kept in the brand's Sent folder.
    assert len(customer.messages()) == 1
    assert len(brand.messages("Sent")) == 1
    found = email.find_reply(
        creds, Reply("m1@client.example", "Elle part demain.", "3lbx7kq2ab2cd"), SINCE
    )
    assert [item.external_id for item in found] == [published.external_id]
    assert email.find_reply(creds, Reply("m1@client.example", "x", "another-key"), SINCE) == []
    thread = email.conversation(creds, "m1@client.example")
    assert [item.external_id for item in thread.items] == [
        "m1@client.example",
        published.external_id,
    ]
    assert thread.items[1].parent_id == "m1@client.example"
    assert thread.root_id == "m0@client.example" and not thread.complete  # m0 is not here
    both = email.fetch({}, creds, None)
    assert {item.raw["folder"] for item in both.items} == {"INBOX", "Sent"}


def test_it_writes_a_new_message_over_implicit_tls(
    dovecot: Dovecot, mailbox_factory: Callable[[str], Mailbox]
) -> None:
    brand, customer = mailbox_factory("brand"), mailbox_factory("paul")
    with smtp_server(dovecot, security="ssl", user=brand.user, password=brand.password) as smtp:
        smtp.handler.boxes[customer.user.lower()] = customer
        creds = {**brand.credentials, "smtp_port": smtp.port, "smtp_security": "ssl"}
        published = connector(dovecot).send_message(
            creds,
            DirectMessage(
                customer.user, "Votre remboursement est parti.", "k1", subject="Remboursement"
            ),
        )
    received = message_from_bytes(customer.messages()[0], policy=policy.default)
    assert received["Subject"] == "Remboursement"
    assert received["Message-ID"] == f"<{published.external_id}>"
    assert "In-Reply-To" not in received


def test_a_refused_imap_password_asks_to_reconnect(
    dovecot: Dovecot, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthExpired) as caught:
        connector(dovecot).fetch({}, {**mailbox.credentials, "password": "wrong-secret-pw"}, None)
    assert caught.value.code == "email.login_refused"
    assert "wrong-secret-pw" not in str(caught.value) and "wrong-secret-pw" not in caplog.text


def test_a_refused_smtp_password_asks_to_reconnect(dovecot: Dovecot, mailbox: Mailbox) -> None:
    with smtp_server(dovecot, security="starttls", user=mailbox.user, password="right") as smtp:
        creds = {
            **mailbox.credentials,
            "smtp_port": smtp.port,
            "smtp_security": "starttls",
            "smtp_password": "wrong-pw",
        }
        with pytest.raises(AuthExpired) as caught:
            connector(dovecot).send_message(creds, DirectMessage("x@client.example", "x", "k"))
    assert caught.value.code == "email.login_refused" and "wrong-pw" not in caught.value.message
    assert smtp.handler.received == []


@pytest.mark.parametrize(
    ("where", "answer", "code", "permanent"),
    [
        ("refuse_rcpt", "550 5.1.1 User unknown", "email.recipient_refused", True),
        ("refuse_rcpt", "451 4.3.0 Try again later", "email.recipient_refused", False),
        ("refuse_data", "554 5.7.1 Message rejected as spam", "email.smtp_refused", True),
        ("refuse_data", "452 4.3.1 Insufficient system storage", "email.smtp_later", False),
    ],
)
def test_smtp_refusals_say_whether_to_retry(
    dovecot: Dovecot, mailbox: Mailbox, where: str, answer: str, code: str, permanent: bool
) -> None:
    with smtp_server(dovecot, security="none") as smtp:
        setattr(smtp.handler, where, answer)
        creds = {**mailbox.credentials, "smtp_port": smtp.port, "username": ""}
        creds["username"] = mailbox.user  # IMAP needs it; the SMTP server offers no AUTH
        creds["smtp_username"] = ""
        with pytest.raises(ConnectorError) as caught:
            connector(dovecot).send_message(
                {**creds, "sent_folder": ""}, DirectMessage("x@client.example", "x", "k")
            )
    assert not isinstance(caught.value, OutcomeUnknown)
    assert caught.value.code == code and caught.value.permanent is permanent
    assert answer.split()[0] in caught.value.message


def test_a_lost_answer_to_data_is_an_unknown_outcome(dovecot: Dovecot, mailbox: Mailbox) -> None:
    with smtp_server(dovecot, security="none") as smtp:
        smtp.handler.stall = 2.0
        creds = {**mailbox.credentials, "smtp_port": smtp.port}
        email = EmailConnector(allow_private=True, ssl_context=dovecot.trusting(), timeout=0.5)
        with pytest.raises(OutcomeUnknown) as caught:
            email.send_message(creds, DirectMessage("x@client.example", "x", "k"))
    assert caught.value.code == "email.maybe_sent" and not caught.value.permanent


def test_private_mail_servers_are_refused_unless_allowed(mailbox: Mailbox) -> None:
    email = EmailConnector()  # allow_private=False: the production default
    with pytest.raises(ConnectorError) as caught:
        email.fetch({}, mailbox.credentials, None)
    assert caught.value.permanent and caught.value.code == "http.private_address"
    with pytest.raises(ConnectorError) as caught:
        email.send_message(
            {**mailbox.credentials, "smtp_port": 2525}, DirectMessage("x@y.example", "x", "k")
        )
    assert caught.value.code == "http.private_address"


def test_an_untrusted_certificate_is_refused(dovecot: Dovecot, mailbox: Mailbox) -> None:
    email = EmailConnector(allow_private=True, timeout=5)  # the system's trust store only
    creds = {**mailbox.credentials, "imap_security": "ssl", "imap_port": dovecot.imaps_port}
    with pytest.raises(ConnectorError) as caught:
        email.fetch({}, creds, None)
    assert caught.value.permanent and caught.value.code == "email.certificate"
    assert connector(dovecot).fetch({}, creds, None).items == []  # trusted: it works


def test_an_unreachable_server_is_temporary(dovecot: Dovecot, mailbox: Mailbox) -> None:
    closed = {**mailbox.credentials, "imap_port": 1, "imap_security": "starttls"}
    with pytest.raises(ConnectorError) as caught:
        connector(dovecot).fetch({}, closed, None)
    assert not caught.value.permanent and caught.value.code == "email.cannot_connect"


def test_a_missing_folder_is_said_so(dovecot: Dovecot, mailbox: Mailbox) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector(dovecot).fetch({"folder": "Support"}, mailbox.credentials, None)
    assert caught.value.permanent and caught.value.code == "email.no_folder"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"imap_security": "none", "imap_host": "imap.example.com"}, "email.needs_tls"),
        ({"smtp_security": "plain"}, "email.bad_security"),
        ({"address": "not an address"}, "email.bad_address"),
        ({"imap_port": 70000}, "email.bad_port"),
        ({"imap_host": "bad host\r\nX"}, "email.bad_host"),
    ],
)
def test_account_settings_are_checked_before_connecting(
    mailbox: Mailbox, change: dict[str, Any], code: str
) -> None:
    with pytest.raises(InvalidConfig) as caught:
        EmailAccount.from_credentials({**mailbox.credentials, **change})
    assert caught.value.code == code


def test_a_misnamed_sent_folder_falls_back_to_the_servers_own(
    dovecot: Dovecot, mailbox_factory: Callable[[str], Mailbox]
) -> None:
    brand, customer = mailbox_factory("brand"), mailbox_factory("lea")
    brand.deliver(mail(1, sender=customer.user))
    creds = {**brand.credentials, "sent_folder": "Sent Items"}  # dovecot's is "Sent" (\Sent)
    with smtp_server(dovecot, security="none") as smtp:
        smtp.handler.boxes[customer.user.lower()] = customer
        email = connector(dovecot)
        result = email.fetch({}, {**creds, "smtp_port": smtp.port}, None)
        assert set(result.next_cursor["folders"]) == {"INBOX", "Sent"}
        email.reply({**creds, "smtp_port": smtp.port}, Reply("m1@client.example", "Merci", "k9"))
    assert len(brand.messages("Sent")) == 1


def test_an_administrator_may_allow_a_private_mail_server(
    dovecot: Dovecot, mailbox: Mailbox
) -> None:
    from ambassade.connectors import http

    http.allow_private_destinations(["127.0.0.0/8"])  # AMBASSADE_ALLOWED_PRIVATE_HOSTS
    try:
        result = EmailConnector(ssl_context=dovecot.trusting()).fetch({}, mailbox.credentials, None)
    finally:
        http.allow_private_destinations([])
    assert result.items == [] and "INBOX" in result.next_cursor["folders"]


def test_a_long_message_goes_with_crlf_line_ends(dovecot: Dovecot, mailbox: Mailbox) -> None:
    """smtplib sends bytes as they are: LF-only line ends made one line of the whole message,
    which a server refuses past 1,000 characters (RFC 5321 4.5.3.1.6)."""
    text = "\n".join(f"Ligne {n} d'une longue réponse, avec des accents : éàç." for n in range(60))
    with smtp_server(dovecot, security="none") as server:
        creds = mailbox.credentials | {"smtp_port": server.port, "sent_folder": ""}
        connector(dovecot).send_message(creds, DirectMessage("x@client.example", text, "long-1"))
        ((_envelope, data),) = server.handler.received
    assert b"\r\n" in data and max(len(line) for line in data.split(b"\r\n")) <= 998
    body = message_from_bytes(data, policy=policy.default).get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").rstrip("\n") == text
