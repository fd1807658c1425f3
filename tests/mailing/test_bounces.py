"""Bounces read back over IMAP from a real dovecot: DSNs (RFC 3464) matched to their recipient by
the returned Message-ID, hard bounces withdraw consent, soft ones are only counted, and each
message is read once."""

from __future__ import annotations

from typing import Any

from ambassade.community import consent
from ambassade.community.models import Activity, Consent
from ambassade.connectors.email.dsn import parse_dsn
from ambassade.mailing import bounces, sending, services
from ambassade.mailing.models import MailingSettings, Recipient
from tests.mailing.conftest import Audience


def dsn(recipient: str, status: str, message_id: str, *, action: str = "failed") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.reader.example>\r\n"
        "To: brand@example.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-" + status + "@mx.reader.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.reader.example\r\n"
        "Arrival-Date: Mon, 7 Dec 2026 08:00:00 +0100\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; {'550 5.1.1 User unknown' if status.startswith('5') else '452 4.2.2 Mailbox full'}\r\n"
        "\r\n"
        "--B\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        "From: Brand A <brand@example.test>\r\n"
        f"To: {recipient}\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "Subject: Du nouveau\r\n"
        "\r\n"
        "--B--\r\n"
    ).encode()


def test_the_dsn_parser_reads_rfc_3464() -> None:
    (bounce,) = parse_dsn(dsn("Ana@Reader.example", "5.1.1", "c.1@example.test"))
    assert bounce.recipient == "ana@reader.example" and bounce.permanent
    assert bounce.status == "5.1.1" and bounce.message_id == "c.1@example.test"
    assert "User unknown" in bounce.diagnostic and bounce.reporting_mta == "mx.reader.example"
    (soft,) = parse_dsn(dsn("b@x.example", "4.2.2", "c.2@example.test", action="delayed"))
    assert not soft.permanent
    assert parse_dsn(dsn("b@x.example", "2.0.0", "c@x", action="delivered")) == []
    assert parse_dsn(b"From: a@b\r\nSubject: hello\r\n\r\nnot a report\r\n") == []
    assert parse_dsn(b"\xff\x00garbage") == []


def test_hard_bounces_unsubscribe_and_soft_ones_are_counted(
    personas: Any,
    audience: Audience,
    campaign: Any,
    smtp: Any,
    mailbox: Any,
    no_enqueue: None,
) -> None:
    services.start(campaign, personas.alice)
    assert sending.run(campaign.pk).finished
    ana = Recipient.objects.get(email="ana@reader.example")
    chloe = Recipient.objects.get(email="chloe@reader.example")
    mailbox.deliver(dsn("ana@reader.example", "5.1.1", ana.message_id))
    # Matched by address when the report carries no usable Message-ID.
    mailbox.deliver(dsn("chloe@reader.example", "4.2.2", "unknown@elsewhere", action="delayed"))
    mailbox.deliver(b"From: someone@x.example\r\nSubject: a reply\r\n\r\nThanks!\r\n")
    # The test's dovecot has its own certificate: trusted here, as an administrator's CA would be.
    options = sending.smtp_options() | {"context": mailbox.server.trusting()}
    counts = bounces.read_bounces(personas.workspace_a, options=options)
    assert counts == {"read": 3, "hard": 1, "soft": 1}
    ana.refresh_from_db()
    chloe.refresh_from_db()
    assert (ana.bounce, ana.bounce_status, chloe.bounce) == ("hard", "5.1.1", "soft")
    assert not consent.has_consent(audience.ana, "emailing")
    withdrawal = Consent.objects.filter(member=audience.ana).first()
    assert withdrawal is not None and withdrawal.source == Consent.Source.BOUNCE
    assert "5.1.1" in withdrawal.proof and "User unknown" in withdrawal.proof
    assert consent.has_consent(audience.chloe, "emailing")
    assert Activity.objects.filter(kind="email_bounce").count() == 1
    # Read again: the cursor moved on, nothing is counted twice.
    assert bounces.read_bounces(personas.workspace_a, options=options) == {
        "read": 0,
        "hard": 0,
        "soft": 0,
    }
    state = MailingSettings.objects.get(workspace=personas.workspace_a)
    assert state.bounces_read_at is not None and not state.bounce_error
    assert sending.progress(campaign).hard_bounced == 1
