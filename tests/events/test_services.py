"""RSVPs, the capacity and the waiting list, cancellation and promotion, check-in, members and
their timeline, consent, and the e-mails sent once each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from ambassade.community.models import Activity, Consent, Identity, Member
from ambassade.events import mail as event_mail
from ambassade.events import services
from ambassade.events.models import Email, Rsvp
from ambassade.publishing import links
from tests.events.conftest import STARTS

BEFORE = STARTS - timedelta(days=5)


def _register(event: Any, n: int, **kw: Any) -> Rsvp:
    values = {
        "name": f"Guest {n}",
        "email": f"guest{n}@example.com",
        "lang": "en",
        "consent": False,
    }
    values.update(kw)
    return services.register(event, now=BEFORE + timedelta(minutes=n), **values).rsvp


def test_it_fills_the_seats_then_the_waiting_list(make_event: Any) -> None:
    event = make_event(capacity=2)
    first, second, third, fourth = (_register(event, n) for n in range(4))
    assert [r.status for r in (first, second)] == ["confirmed", "confirmed"]
    assert [r.status for r in (third, fourth)] == ["waitlisted", "waitlisted"]
    assert services.seats_left(event) == 0


def test_it_refuses_when_full_without_a_waiting_list(make_event: Any) -> None:
    event = make_event(capacity=1, waitlist=False)
    _register(event, 0)
    with pytest.raises(services.EventError) as refused:
        _register(event, 1)
    assert refused.value.message.code == "event.full"
    assert Rsvp.objects.count() == 1


def test_it_gives_back_the_same_rsvp_for_the_same_address(make_event: Any) -> None:
    event = make_event()
    first = services.register(
        event, name="Ana", email="Ana@Example.com ", lang="en", consent=False, now=BEFORE
    )
    again = services.register(
        event, name="Ana B", email="ana@example.com", lang="fr", consent=False, now=BEFORE
    )
    assert first.created and not again.created and again.rsvp.pk == first.rsvp.pk
    assert Rsvp.objects.get().email == "ana@example.com"


def test_it_gives_a_cancelled_seat_to_the_first_in_line(make_event: Any) -> None:
    event = make_event(capacity=2)
    first, _second, third, fourth = (_register(event, n) for n in range(4))
    promoted = services.cancel(first)
    assert promoted is not None and promoted.pk == third.pk
    statuses = dict(Rsvp.objects.values_list("pk", "status"))
    assert statuses[first.pk] == "cancelled" and statuses[third.pk] == "confirmed"
    assert statuses[fourth.pk] == "waitlisted"
    assert services.cancel(first) is None  # idempotent: no second seat given
    assert Rsvp.objects.filter(status="confirmed").count() == 2


def test_it_gives_seats_when_the_capacity_grows(make_event: Any, personas: Any) -> None:
    event = make_event(capacity=1)
    rows = [_register(event, n) for n in range(3)]
    promoted = services.update_event(event, personas.alice, capacity=2)
    assert [r.pk for r in promoted] == [rows[1].pk]
    assert Rsvp.objects.get(pk=rows[2].pk).status == "waitlisted"


def test_it_takes_a_cancelled_person_back_at_the_end_of_the_line(make_event: Any) -> None:
    event = make_event(capacity=1)
    first = _register(event, 0)
    old_token = services.private_token(first)
    services.cancel(first)
    second = _register(event, 1)
    again = _register(event, 0)
    assert again.pk == first.pk and again.status == "waitlisted" and second.status == "confirmed"
    assert services.rsvp_for_token(old_token) is None  # the old link died with the cancellation
    assert services.rsvp_for_token(services.private_token(again)).pk == again.pk


def test_it_matches_the_person_to_a_member_by_email(make_event: Any, personas: Any) -> None:
    known = Member.objects.create(
        workspace=personas.workspace_a, display_name="Léa", email="Lea@Example.com"
    )
    Identity.objects.create(
        workspace=personas.workspace_a, member=known, network="mastodon", handle="lea"
    )
    event = make_event()
    rsvp = services.register(
        event, name="Léa D", email="lea@example.com", lang="fr", consent=False, now=BEFORE
    ).rsvp
    assert rsvp.identity.member_id == known.pk
    assert set(known.identities.values_list("network", flat=True)) == {"mastodon", "email"}
    stranger = _register(event, 7)
    member = Member.objects.get(pk=stranger.identity.member_id)
    assert member.pk != known.pk and member.email == "guest7@example.com"
    assert stranger.identity.network == "email" and member.display_name == "Guest 7"
    assert Member.objects.filter(workspace=personas.workspace_a).count() == 2


def test_it_puts_the_rsvp_and_the_attendance_on_the_timeline(make_event: Any) -> None:
    event = make_event()
    rsvp = _register(event, 0)
    assert list(Activity.objects.values_list("kind", "weight")) == [("rsvp", 1.0)]
    done = services.check_in(event, None, text=rsvp.code, now=STARTS)
    again = services.check_in(event, None, text=rsvp.code, now=STARTS + timedelta(minutes=5))
    assert done.outcome == "checked_in" and again.outcome == "already"
    assert again.rsvp.checked_in_at == STARTS  # the first time is kept
    kinds = sorted(Activity.objects.values_list("kind", "weight"))
    assert kinds == [("event", 5.0), ("rsvp", 1.0)]
    from ambassade.community.scores import member_scores

    scores = member_scores(rsvp.identity.member, STARTS + timedelta(hours=1))
    assert scores.love == 6.0


def test_it_records_consent_with_its_proof(make_event: Any) -> None:
    event = make_event()
    rsvp = services.register(
        event,
        name="Zoé",
        email="zoe@example.com",
        lang="fr",
        consent=True,
        address="203.0.113.9",
        agent="Firefox/140",
        now=BEFORE,
    ).rsvp
    consent = Consent.objects.get()
    assert consent.member_id == rsvp.identity.member_id
    assert (consent.purpose, consent.state, consent.source) == ("events", "granted", "public_page")
    for fact in (
        "203.0.113.9",
        "Firefox/140",
        "zoe@example.com",
        f"RSVP #{rsvp.pk}",
        BEFORE.isoformat(timespec="seconds"),
    ):
        assert fact in consent.proof
    _register(event, 1)  # no box ticked: nothing recorded
    assert Consent.objects.count() == 1


def test_it_checks_in_by_qr_token_typed_code_or_list(make_event: Any) -> None:
    event = make_event(capacity=1)
    other = make_event(title_en="Other")
    rsvp, waiting = _register(event, 0), _register(event, 1)
    token = services.ticket_token(rsvp)
    assert services.check_in(event, None, text=token).outcome == "checked_in"
    services.undo_check_in(rsvp, None)
    assert not Activity.objects.filter(kind="event").exists()
    typed = rsvp.code.lower().replace("-", " ")
    assert services.check_in(event, None, text=typed).outcome == "checked_in"
    assert services.check_in(event, None, rsvp_id=waiting.pk).outcome == "waitlisted"
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert services.check_in(event, None, text=forged).outcome == "unknown"
    assert services.check_in(other, None, text=token).outcome == "unknown"
    services.cancel(waiting)
    assert services.check_in(event, None, rsvp_id=waiting.pk).outcome == "cancelled"


def test_it_emails_each_status_once(
    make_event: Any, immediate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = _register(event, 0)
        second = _register(event, 1, lang="fr")
    assert [m.to for m in mail.outbox] == [["guest0@example.com"], ["guest1@example.com"]]
    ticket, waiting = mail.outbox
    assert "Your ticket" in ticket.subject and first.code in ticket.body
    # The ticket's link is counted (events/tracking.py) and leads to the ticket.
    (link,) = [word for word in ticket.body.split() if "/l/" in word]
    code, _sep, token = link.split("/l/")[1].partition("?r=")
    assert links.count_click(code, {"r": token}) == services.ticket_url(first)
    assert ticket.attachments[0][0] == "event.ics"
    assert "liste d’attente" in waiting.subject or "liste d'attente" in waiting.subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first)
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects[0][0] == "guest0@example.com" and "cancelled" in subjects[0][1]
    assert subjects[1][0] == "guest1@example.com" and "billet" in subjects[1][1].lower()
    mail.outbox.clear()
    # A worker started again, or the periodic safety net: nothing is sent twice.
    assert event_mail.send(second.pk, "status") is False
    assert services.unnotified() == []


def test_a_refused_e_mail_is_tried_again_by_the_next_run(
    make_event: Any,
    monkeypatch: Any,
) -> None:
    event = make_event()
    rsvp = _register(event, 0)

    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert event_mail.send(rsvp.pk, "status") is False
    (queued,) = Email.objects.all()
    assert (queued.state, queued.attempts, queued.claimed_by) == ("pending", 1, "")
    monkeypatch.undo()
    assert event_mail.send(rsvp.pk, "status") is False  # queued once: not a second e-mail
    assert event_mail.send_pending().sent == 1
    assert event_mail.send_pending().sent == 0
    assert len(mail.outbox) == 1
    assert Email.objects.get().state == "sent"


def test_a_killed_worker_sends_no_e__mail_twice_and_its_claims_are_resumed(
    make_event: Any, monkeypatch: Any
) -> None:
    from ambassade.workspaces import mailqueue

    event = make_event(capacity=None)
    first, second = _register(event, 0), _register(event, 1)
    one, two = (services.enqueue(r.pk, "status") for r in (first, second))
    assert one and two
    # A worker claimed both, began sending the first, and was killed.
    dead = "dead-worker"
    assert mailqueue.claim(event_mail.QUEUE, Email.objects.all(), dead) == [one, two]
    assert mailqueue.begin(event_mail.QUEUE, one, dead)
    # While its claims are fresh, nobody else sends them.
    assert event_mail.send_pending().sent == 0 and not mail.outbox
    later = timezone.now() + event_mail.QUEUE.stale + timedelta(seconds=1)
    monkeypatch.setattr(mailqueue.timezone, "now", lambda: later)
    result = event_mail.send_pending()
    # The one it had only claimed is resumed; the one it was sending is perhaps sent: never again.
    assert (result.resumed, result.sent) == (1, 1)
    assert [m.to for m in mail.outbox] == [["guest1@example.com"]]
    assert dict(Email.objects.values_list("id", "state")) == {one: "unknown", two: "sent"}
    assert event_mail.send_pending().sent == 0 and len(mail.outbox) == 1
    # The dead worker, were it to wake up, can mark nothing.
    assert not mailqueue.mark(event_mail.QUEUE, one, dead, "sent")


def test_a_status_e_mail_not_sent_before_the_status_changed_is_skipped(
    make_event: Any, monkeypatch: Any
) -> None:
    event = make_event(capacity=None)
    rsvp = _register(event, 0)
    monkeypatch.setattr(
        "django.core.mail.EmailMessage.send", lambda self, fail_silently=False: 1 / 0
    )
    assert event_mail.send(rsvp.pk, "status") is False  # the ticket: refused for now
    monkeypatch.undo()
    services.cancel(rsvp)
    assert event_mail.send(rsvp.pk, "status") is True  # the cancellation
    assert event_mail.send_pending().skipped == 1  # the ticket is no longer due
    (cancelled,) = mail.outbox
    assert "cancelled" in cancelled.subject


def test_it_sends_each_reminder_once_when_due(make_event: Any) -> None:
    event = make_event(capacity=1, reminder_hours=24)
    rsvp, waiting = _register(event, 0), _register(event, 1)
    assert services.due_reminders(now=STARTS - timedelta(hours=25)) == []
    due = services.due_reminders(now=STARTS - timedelta(hours=23))
    assert due == [rsvp.pk]  # the waiting list gets none
    assert event_mail.send(rsvp.pk, "reminder") is True
    assert event_mail.send(rsvp.pk, "reminder") is False  # a second worker, or a restart
    assert services.due_reminders(now=STARTS - timedelta(hours=1)) == []
    assert services.due_reminders(now=STARTS + timedelta(minutes=1)) == []
    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Reminder") and rsvp.code in reminder.body
    assert waiting.pk not in due


def test_it_sends_the_follow_up_to_consenting_attendees_only(
    make_event: Any, personas: Any, immediate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event(capacity=5)
    came = _register(event, 0, consent=True, lang="fr", name="Zoé")
    _silent = services.check_in(event, None, rsvp_id=_register(event, 1).pk, now=STARTS)
    _absent = _register(event, 2, consent=True)
    services.check_in(event, None, rsvp_id=came.pk, now=STARTS)
    mail.outbox.clear()
    with pytest.raises(services.EventError):
        services.request_followup(event, personas.alice, now=STARTS - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        count = services.request_followup(event, personas.alice, now=STARTS + timedelta(hours=3))
    assert count == 1
    (followup,) = mail.outbox
    assert followup.to == ["guest0@example.com"]
    assert "Merci Zoé d'être venu·e à Soirée latte art !" in followup.body
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.request_followup(event, personas.alice, now=STARTS + timedelta(hours=4)) == 0
        )
    assert len(mail.outbox) == 1


def test_it_limits_rsvps_per_address_and_hour(make_event: Any) -> None:
    event = make_event()
    results = [services.throttled(event, "198.51.100.7", now=BEFORE) for _ in range(11)]
    assert results == [False] * services.RSVPS_PER_HOUR + [True]
    assert services.throttled(event, "198.51.100.8", now=BEFORE) is False
    assert services.throttled(event, "198.51.100.7", now=BEFORE + timedelta(minutes=61)) is False


def test_it_refuses_an_event_that_ends_before_it_starts(make_event: Any) -> None:
    with pytest.raises(services.EventError) as refused:
        make_event(ends_at=STARTS - timedelta(hours=1))
    assert refused.value.message.code == "event.ends_before_start"
    with pytest.raises(services.EventError) as online:
        make_event(format="online", online_url="")
    assert online.value.message.code == "event.online_needs_link"


def test_the_periodic_run_sends_what_is_due_and_what_a_stopped_worker_left(
    make_event: Any, monkeypatch: Any
) -> None:
    from ambassade.events import tasks

    event = make_event(capacity=1, reminder_hours=24)
    rsvp = _register(event, 0)  # its e-mail was never sent: the worker stopped
    monkeypatch.setattr(services.timezone, "now", lambda: STARTS - timedelta(hours=2))
    assert tasks.send_due.call_local() == 2  # the ticket, then the reminder
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == ["Reminder", "Your ticket"]
    assert tasks.send_due.call_local() == 0
    assert Rsvp.objects.get(pk=rsvp.pk).reminded_at is not None
    assert list(Email.objects.values_list("what", "state")) == [
        ("reminder", "sent"),
        ("status", "sent"),
    ]


def test_the_member_page_shows_the_event_on_the_timeline(
    make_event: Any, personas: Any, client: Any
) -> None:
    event = make_event()
    rsvp = _register(event, 0)
    services.check_in(event, None, rsvp_id=rsvp.pk, now=STARTS)
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/community/members/{rsvp.identity.member_id}/"
    page = client.get(url).content.decode()
    assert "Attended an event" in page and "Registered for an event" in page
    assert page.count(f"/events/{event.pk}/") >= 2 and "Latte art evening" in page
