"""RGPD: a member's data exported from every app, and erased from every app in one action: after it,
no text, handle or e-mail of theirs is left in any column of any table of the database."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from ambassade.bugreports.models import BugReport
from ambassade.community import consent, crm, privacy, services
from ambassade.community.models import Consent, Identity, Member
from ambassade.connectors.base import ItemKind
from ambassade.crisis.models import Alert, Notification
from ambassade.inbox import services as inbox_services
from ambassade.inbox.models import Conversation, Message
from ambassade.listening.models import Feedback, Mention, MentionRevision
from ambassade.moderation.models import Appeal, Decision, NetworkAction, Review, Rule, Strike
from ambassade.replies.models import Reply
from ambassade.satisfaction.models import Survey
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import AuditEntry
from tests.listening.conftest import days_ago, item

#: What is theirs: their handle (also in their name and e-mail address) and words of their texts.
SECRETS = ("zorglub", "xylophonique", "quasimodo", "vermicelle")


def everywhere(*needles: str) -> dict[str, list[str]]:
    """For each of ``needles``, every ``table.column`` of the database holding it (any case): every
    column of every table with rows, whatever its type, read as text."""
    found: dict[str, list[str]] = {needle: [] for needle in needles}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 (schema names)
            if cursor.fetchone() is None:
                continue
            for column in connection.introspection.get_table_description(cursor, table):
                value = f"LOWER(CAST({quote(column.name)} AS TEXT))"
                cursor.execute(
                    f"SELECT DISTINCT {value} FROM {quote(table)} "  # noqa: S608
                    f"WHERE " + " OR ".join([f"{value} LIKE %s"] * len(needles)),
                    [f"%{needle}%" for needle in needles],
                )
                for (text,) in cursor.fetchall():
                    for needle in needles:
                        if needle in text and f"{table}.{column.name}" not in found[needle]:
                            found[needle].append(f"{table}.{column.name}")
    return found


@pytest.fixture
def zorglub(personas: Any, source: Any, ingest: Any, brand_query: Any) -> Member:
    """Zorglub, with data in every app of workspace A; and Ana, whose data must stay."""
    workspace = personas.workspace_a
    ingest(
        source,
        [
            item("1", "lumiere xylophonique #vermicelle", handle="Zorglub", at=days_ago(3)),
            item("2", "lumiere second post", handle="zorglub", at=days_ago(2), source="bluesky"),
            item("3", "lumiere from Ana", handle="ana", at=days_ago(2)),
        ],
    )
    ingest(
        source,
        [
            item(
                "dm-1",
                "Mon secret quasimodo",
                handle="zorglub",
                kind=ItemKind.MESSAGE,
                thread_id="t-1",
                at=days_ago(1),
            )
        ],
    )
    mention = Mention.objects.get(external_id="1")
    MentionRevision.objects.create(
        workspace=workspace,
        mention=mention,
        text="lumiere xylophonique before the edit",
        written_at=days_ago(4),
        replaced_at=days_ago(3),
    )
    Feedback.objects.create(workspace=workspace, mention=mention, kind="spam", text=mention.text)
    # Community: merged across networks (an audit line listing both accounts), notes, consents.
    one = Identity.objects.get(network="mastodon", handle="zorglub").member
    other = Identity.objects.get(network="bluesky", handle="zorglub").member
    member = services.merge_members(one, other, personas.alice)
    crm.add_note(member, personas.alice, "Zorglub likes vermicelle")
    crm.set_tags(member, personas.alice, ["vip", "zorglubfan"])
    city = crm.save_field(workspace, personas.alice, key="city", label="City", type="text")
    crm.set_values(member, personas.alice, {"city": "Zorglubville"})
    del city
    consent.record(member, personas.alice, "contests", "granted", proof="Form signed by Zorglub")
    consent.request_optin(member, personas.alice, "zorglub@example.org", "fr")
    # Inbox: the brand's answer and a note in the private conversation; a reply written here.
    conversation = Conversation.objects.get(thread_key="t-1")
    inbox_services.add_message(
        conversation,
        Message(direction=Message.Direction.OUTBOUND, text="Bonjour Zorglub, quasimodo noted"),
    )
    inbox_services.add_message(
        conversation, Message(direction=Message.Direction.NOTE, text="Zorglub is a regular")
    )
    Reply.objects.create(
        workspace=workspace,
        conversation=conversation,
        connection=personas.connection,
        text="Dear Zorglub",
        recipient="zorglub",
        sequence=1,
        status="published",
    )
    Survey.objects.create(
        workspace=workspace,
        conversation=conversation,
        token_hash="0" * 64,
        network="mastodon",
        score=2,
        comment="quasimodo was slow",
    )
    BugReport.objects.create(
        workspace=workspace,
        conversation=conversation,
        marker="amb-zzzzzzzzzzzzzzzzzzzz",
        title="Card charged twice",
        description="Reported by @zorglub",
        quote="Mon secret quasimodo",
    )
    # Moderation: a decision, a review, an action on the network, a rule naming them.
    decision = Decision.objects.create(
        workspace=workspace,
        mention=mention,
        action="hide",
        text=mention.text,
        author_handle="Zorglub",
        network="mastodon",
        note="zorglub again",
        explanation={"words": ["xylophonique"]},
    )
    Review.objects.create(
        workspace=workspace, mention=mention, text=mention.text, explanation={"w": "vermicelle"}
    )
    NetworkAction.objects.create(
        workspace=workspace,
        mention=mention,
        decision=decision,
        network="mastodon",
        action="hide",
        target="zorglub",
        reason="xylophonique",
    )
    Rule.objects.create(workspace=workspace, name="Deny", authors_denied="@zorglub\nspammer")
    strike = Strike.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="zorglub",
        mention=mention,
        kind="warn",
        text=mention.text,
        message="Zorglub, mind the charter",
    )
    Appeal.objects.create(workspace=workspace, strike=strike, text="I am Zorglub, quasimodo")
    # Crisis: an influencer alert and its notification.
    title = coded("alert.influencer_any", author="Zorglub", followers=90000)
    alert = Alert.objects.create(
        workspace=workspace,
        kind="influencer",
        severity="high",
        title=title,
        mention_ids=[mention.pk],
        details={"author": "Zorglub", "text": mention.text},
        dedup_key="author:zorglub",
    )
    Notification.objects.create(workspace=workspace, user=personas.alice, alert=alert, title=title)
    # Contests: an entry by their comment, one by the form with their address.
    from ambassade.contests import services as contest_services
    from ambassade.contests.models import Entry

    contest = contest_services.create_contest(
        workspace,
        personas.alice,
        name="Spring contest",
        organiser="A",
        prize="a mug",
        starts_at=days_ago(5),
        closes_at=days_ago(-5),
        winners=1,
        reserves=0,
        form_entry=True,
    )
    for code, via, extra in (
        ("ZZZZ-0001", Entry.Via.MESSAGE, {"network": "bluesky", "handle": "zorglub"}),
        ("ZZZZ-0002", Entry.Via.FORM, {"name": "Zorglub Z.", "email": "zorglub@example.org"}),
    ):
        Entry.objects.create(
            workspace=workspace,
            contest=contest,
            code=code,
            via=via,
            entered_at=days_ago(1),
            **extra,
        )
    # Events: an RSVP with their address (matched to them by it), consent given, checked in.
    from ambassade.events import services as event_services

    event = event_services.create_event(
        workspace,
        personas.alice,
        title_en="Tasting",
        title_fr="Dégustation",
        organiser="A",
        format="physical",
        venue="the shop",
        starts_at=days_ago(2),
        ends_at=days_ago(2) + timedelta(hours=2),
    )
    rsvp = event_services.register(
        event,
        name="Zorglub Z.",
        email="Zorglub@example.org",
        lang="fr",
        consent=True,
        address="203.0.113.77",
        agent="Zorglub-Browser/1",
        now=days_ago(3),
    ).rsvp
    event_services.check_in(event, personas.alice, rsvp_id=rsvp.pk, now=days_ago(2))
    # And an invitation to it, sent to their address from a segment.
    from ambassade.events.models import Invitation

    Invitation.objects.create(
        workspace=workspace,
        event=event,
        member=member,
        name="Zorglub Z.",
        email="zorglub@example.org",
        segment_name="Regulars",
        state="sent",
    )
    # Referrals: they were referred by Ana's code, and referred a friend with their own.
    from ambassade.referrals import recording
    from ambassade.referrals import services as referral_services

    programme = referral_services.programme_of(workspace)
    referral_services.save_programme(
        programme, personas.alice, enabled=True, landing_url="https://a.example/"
    )
    ana_code = referral_services.give_code(
        Identity.objects.get(handle="ana").member, personas.alice
    )
    recording.record_signup(
        programme,
        code=ana_code.code,
        email="zorglub@example.org",
        name="Zorglub Z.",
        customer="zorglub-77",
        address="203.0.113.77",
        at=days_ago(4),
    )
    own_code = referral_services.give_code(member, personas.alice)
    recording.record_signup(
        programme,
        code=own_code.code,
        email="friend@example.org",
        name="Friend",
        customer="",
        address="",
        at=days_ago(3),
    )
    return member


def test_the_export_holds_their_data_from_every_app(
    personas: Any, zorglub: Member, client: Any
) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/community/members/{zorglub.pk}/export.json"
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["format"] == privacy.FORMAT
    networks = {a["network"] for a in data["community"]["accounts"]}
    assert networks == {"mastodon", "bluesky", "email"}
    texts = [m["text"] for m in data["listening"]["mentions"]]
    assert "lumiere xylophonique #vermicelle" in texts and "lumiere from Ana" not in texts
    assert data["listening"]["mentions"][0]["earlier_texts"]
    bodies = [m["text"] for c in data["inbox"]["conversations"] for m in c["messages"]]
    assert "Mon secret quasimodo" in bodies
    assert data["replies"][0]["text"] == "Dear Zorglub"
    assert data["moderation"]["decisions"][0]["action"] == "hide"
    assert data["moderation"]["strikes"][0]["appeal"]["text"] == "I am Zorglub, quasimodo"
    assert data["satisfaction"][0]["comment"] == "quasimodo was slow"
    assert data["bugreports"][0]["quote"] == "Mon secret quasimodo"
    assert data["crisis"]["alerts"]
    assert {e["code"] for e in data["contests"]} == {"ZZZZ-0001", "ZZZZ-0002"}
    consents = {c["purpose"] for c in data["community"]["consents"]}
    assert consents == {"contests", "emailing", "events"}
    (rsvp,) = data["events"]["rsvps"]
    (invitation,) = data["events"]["invitations"]
    assert invitation["email"] == "zorglub@example.org" and invitation["segment"] == "Regulars"
    assert rsvp["email"] == "zorglub@example.org" and rsvp["checked_in_at"]
    kinds = {a["kind"] for a in data["community"]["timeline"]}
    assert kinds >= {"mention", "message", "answered", "rsvp", "event", "note"}
    assert kinds >= {"referral", "referred"}
    referrals = data["referrals"]
    assert [r["customer"] for r in referrals["referred_by"]] == ["zorglub-77"]
    assert len(referrals["codes"]) == 1 and len(referrals["referred_others"]) == 1
    assert "friend@example.org" not in json.dumps(referrals)  # the friend's data is theirs
    # What the team wrote about them: tags, notes with their author, custom fields.
    assert data["community"]["member"]["tags"] == ["vip", "zorglubfan"]
    assert [n["text"] for n in data["community"]["notes"]] == ["Zorglub likes vermicelle"]
    assert data["community"]["notes"][0]["author"]
    assert data["community"]["fields"] == {"city": "Zorglubville"}
    # Audited without naming them.
    entry = AuditEntry.objects.get(action="community.member.exported")
    assert "zorglub" not in (entry.object_repr + json.dumps(entry.details)).lower()
    # Only those who may: an editor may not export, an outsider sees nothing.
    client.force_login(personas.bob)
    assert client.get(url).status_code == 403


def test_erasure_leaves_no_trace_of_them_anywhere(
    personas: Any, zorglub: Member, client: Any
) -> None:
    assert all(everywhere(*SECRETS).values())  # the scan sees each of them before
    client.force_login(personas.alice)
    base = f"/w/{personas.workspace_a.slug}/community/members/{zorglub.pk}/"
    assert client.post(base + "erase/").status_code == 302  # not confirmed: nothing happens
    assert Member.objects.filter(pk=zorglub.pk).exists()
    response = client.post(base + "erase/", {"confirm": "erase"})
    assert response.status_code == 302
    assert everywhere(*SECRETS) == {secret: [] for secret in SECRETS}
    # The audit log keeps that an erasure happened, and nothing of who.
    entry = AuditEntry.objects.get(action="community.member.erased")
    assert entry.object_id == "" and entry.object_repr == ""
    # What was not theirs stays: Ana, the brand's figures.
    assert Mention.objects.filter(author_handle="ana").exists()
    assert Identity.objects.filter(handle="ana").exists()
    assert Mention.objects.filter(workspace=personas.workspace_a).count() == 3
    survey = Survey.objects.get()
    assert survey.score == 2
    assert Decision.objects.get().action == "hide"
    assert Rule.objects.get().authors_denied == "spammer"
    assert Consent.objects.count() == 0
    from ambassade.events.models import Rsvp

    kept = Rsvp.objects.get()  # the event's figures stay: registered, checked in
    assert kept.checked_in_at is not None and kept.name == "" and kept.identity_id is None
    from ambassade.referrals.models import Referral, ReferralCode, Reward

    # Ana's referral of them stays (her reward too), anonymised; their friend's stays, detached.
    theirs = Referral.objects.get(referrer__handle="ana")
    assert (theirs.email, theirs.name, theirs.customer, theirs.referred_id) == ("", "", "", None)
    assert Reward.objects.filter(referral=theirs).exists()
    friend = Referral.objects.get(email="friend@example.org")
    assert friend.referrer_id is None and friend.code_id is None
    assert list(ReferralCode.objects.values_list("identity__handle", flat=True)) == ["ana"]
    # The stream still searches Ana's mention; the erased one matches nothing.
    from ambassade.listening import search

    everything = Mention.objects.filter(workspace=personas.workspace_a)
    assert search.search(everything, "Ana").exists()
    assert not search.search(everything, "xylophonique").exists()


def test_only_managers_erase(personas: Any, zorglub: Member, client: Any) -> None:
    client.force_login(personas.bob)
    url = f"/w/{personas.workspace_a.slug}/community/members/{zorglub.pk}/erase/"
    assert client.post(url, {"confirm": "erase"}).status_code == 403
    assert Member.objects.filter(pk=zorglub.pk).exists()


def test_a_request_expires(personas: Any, zorglub: Member) -> None:
    pending = Consent.objects.get(state="pending")
    with pytest.raises(consent.ConsentError):
        consent.confirm(
            pending, address="", agent="", now=pending.expires_at + timedelta(seconds=1)
        )
