"""Sending a campaign over a real SMTP server (aiosmtpd on loopback): the audience is the members
with consent, each e-mail goes once in the person's language with RFC 8058's headers, the pace is
kept, refusals are told apart, and a killed worker never makes anyone receive it twice."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone

from ambassade.community.models import Activity
from ambassade.mailing import sending, services
from ambassade.mailing.models import Campaign, Recipient
from tests.mailing.conftest import Audience


def received(smtp: Any) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for envelope, data in smtp.handler.received:
        message = message_from_bytes(data, policy=policy.default)
        for rcpt in envelope.rcpt_tos:
            found.setdefault(rcpt, []).append(message)  # type: ignore[arg-type]
    return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def test_it_sends_once_to_each_member_with_consent_in_their_language(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    assert services.start(campaign, personas.alice) == 3
    result = sending.run(campaign.pk)
    assert [str(r.error) for r in Recipient.objects.all()] == ["", "", ""]
    assert (result.sent, result.failed, result.finished) == (3, 0, True)
    got = received(smtp)
    # Denis never consented and Eve withdrew: nothing for them.
    assert sorted(got) == ["ana@reader.example", "bruno@reader.example", "chloe@reader.example"]
    assert all(len(messages) == 1 for messages in got.values())
    ana = got["ana@reader.example"][0]
    assert ana["Subject"] == "Du nouveau, Ana"
    assert ana["Content-Language"] == "fr"
    assert text_of(ana).startswith("Bonjour Ana,")
    # RFC 8058: the one-click unsubscription, on an https address of its own.
    row = Recipient.objects.get(email="ana@reader.example")
    # (A long header is folded: its value starts after the fold.)
    assert ana["List-Unsubscribe"].strip() == f"<https://ambassade.example/u/{row.token}/>"
    assert ana["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ana["Message-ID"] == f"<{row.message_id}>"
    assert f"https://ambassade.example/u/{row.token}/" in text_of(ana)
    # The link is tracked, per person; the trailing full stop is not part of it.
    link = campaign.links.get(target="https://cafe.example/nouveau?x=1")
    assert campaign.links.filter(target="https://cafe.example/new").exists()
    assert f"https://ambassade.example/l/{link.code}?r={row.token}." in text_of(ana)
    # A handle is no first name: the default is used. English for the English opt-in.
    chloe = got["chloe@reader.example"][0]
    assert chloe["Subject"] == "Something new"
    assert text_of(chloe).startswith("Hello there,")
    # What a person wrote is escaped in the HTML part, never markup.
    bruno = html_of(got["bruno@reader.example"][0])
    assert "Bonjour Bruno," in bruno and "<b>" not in bruno.split("<body", 1)[1].split("Bonjour")[0]
    # On each timeline, once; running again sends nothing more.
    assert Activity.objects.filter(kind="email_sent").count() == 3
    again = sending.run(campaign.pk)
    assert again.sent == 0 and len(smtp.handler.received) == 3
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.SENT and campaign.finished_at is not None


def test_a_killed_worker_sends_no_e_mail_twice(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    """The worker dies right after the server accepted the second e-mail, before marking it: the
    next worker takes over, counts that one as perhaps sent, and sends only the third."""
    services.start(campaign, personas.alice)
    real = sending.SmtpSession

    class Dying(real):  # type: ignore[misc, valid-type]
        count = 0

        def send(
            self, message: Any, recipient: str, *, sender: str = "", signer: Any = None
        ) -> None:
            super().send(message, recipient, sender=sender, signer=signer)
            Dying.count += 1
            if Dying.count == 2:
                raise KeyboardInterrupt  # the process is killed here

    with pytest.raises(KeyboardInterrupt):
        sending.run(
            campaign.pk,
            worker="dead",
            session_factory=lambda account: Dying(account, **sending.smtp_options()),
        )
    assert len(smtp.handler.received) == 2
    # Still leased by the dead worker: another one waits for the lease to go stale.
    assert sending.run(campaign.pk, worker="second").stopped == "busy"
    Campaign.objects.filter(pk=campaign.pk).update(
        heartbeat_at=timezone.now() - sending.STALE - sending.STALE
    )
    assert campaign.pk in sending.due()
    result = sending.run(campaign.pk, worker="second")
    assert (result.sent, result.finished) == (1, True)
    got = received(smtp)
    assert len(got) == 3 and all(len(messages) == 1 for messages in got.values())
    states = sorted(Recipient.objects.values_list("state", flat=True))
    assert states == ["sent", "sent", "unknown"]
    assert sending.progress(campaign).unknown == 1


def test_it_keeps_the_pace(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None, monkeypatch: Any
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(rate_per_hour=1800)  # one every 2 seconds
    services.start(campaign, personas.alice)
    waits: list[float] = []
    clock = [1000.0]

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return clock[0]

        @staticmethod
        def sleep(seconds: float) -> None:
            waits.append(seconds)
            clock[0] += seconds

    monkeypatch.setattr(sending, "time", Clock)
    sending.run(campaign.pk)
    assert len(smtp.handler.received) == 3
    assert waits == [pytest.approx(2.0), pytest.approx(2.0)]


def test_refusals_are_retried_later_or_failed_for_good(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    services.start(campaign, personas.alice)
    smtp.handler.refuse_rcpt = "550 5.1.1 No such user"
    result = sending.run(campaign.pk)
    assert (result.failed, result.sent) == (3, 0)
    row = Recipient.objects.first()
    assert row is not None and "550 5.1.1 No such user" in str(row.error)

    other = services.create_campaign(
        personas.workspace_a,
        personas.alice,
        name="Later",
        connection=campaign.connection,
        subject_en="Hi",
        body_en="Hello",
        rate_per_hour=360_000,
    )
    services.start(other, personas.alice)
    smtp.handler.refuse_rcpt = "451 4.3.0 Try again later"
    result = sending.run(other.pk)
    assert result.retried == 3 and result.sent == 0 and not result.finished
    rows = Recipient.objects.filter(campaign=other)
    assert all(r.state == "queued" and r.retry_at > timezone.now() for r in rows)
    smtp.handler.refuse_rcpt = ""
    rows.update(retry_at=timezone.now())
    assert sending.run(other.pk).sent == 3


def test_a_withdrawal_after_the_start_is_respected(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    from ambassade.community import consent

    services.start(campaign, personas.alice)
    consent.record(audience.ana, personas.alice, "emailing", "withdrawn", proof="phone call")
    result = sending.run(campaign.pk)
    assert (result.sent, result.skipped) == (2, 1)
    assert "ana@reader.example" not in received(smtp)


def test_pause_resume_and_cancel(
    personas: Any, audience: Audience, campaign: Any, smtp: Any, no_enqueue: None
) -> None:
    services.start(campaign, personas.alice)
    services.pause(campaign, personas.alice)
    assert sending.run(campaign.pk).stopped == "busy"
    assert smtp.handler.received == []
    services.resume(campaign, personas.alice)
    services.cancel(campaign, personas.alice)
    assert sending.run(campaign.pk).sent == 0
    assert sending.progress(campaign).skipped == 3
    with pytest.raises(services.CampaignError):
        services.update_campaign(campaign, personas.alice, name="Changed")


def test_a_refused_password_pauses_the_campaign(
    personas: Any, audience: Audience, campaign: Any, dovecot: Any, no_enqueue: None
) -> None:
    from ambassade.workspaces import services as ws
    from tests.connectors.email.conftest import smtp_server

    with smtp_server(dovecot, security="ssl", user="brand", password="right") as server:
        connection = campaign.connection
        secret = connection.secret().reveal() | {
            "smtp_port": server.port,
            "smtp_security": "ssl",
            "smtp_username": "brand",
            "smtp_password": "wrong",
        }
        ws.connect_account(
            personas.workspace_a,
            network="email",
            account_name=connection.account_name,
            secret=secret,
            actor=personas.alice,
        )
        services.start(campaign, personas.alice)
        options = sending.smtp_options() | {"context": dovecot.trusting()}
        result = sending.run(
            campaign.pk,
            session_factory=lambda account: sending.SmtpSession(account, **options),
        )
    assert result.stopped == "auth" and result.sent == 0
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.PAUSED
    assert "wrong" not in str(campaign.last_error)
    assert sending.progress(campaign).queued == 3
