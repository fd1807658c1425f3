"""Contests: entries collected from the stream, exclusions, the frozen list and the verifiable draw."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ambassade.contests import drawing, services
from ambassade.contests import entries as contest_entries
from ambassade.contests.models import Collection, Contest, Entry
from ambassade.engine.draw import Draw, verify
from tests.contests.conftest import CLOSES, OPENS
from tests.listening.conftest import NOW, item


def _valid(contest: Contest) -> dict[str, str]:
    return {e.handle: e.code for e in Entry.objects.filter(contest=contest, excluded="")}


def _reasons(contest: Contest) -> dict[str, str]:
    return {e.handle or e.email: e.excluded for e in Entry.objects.filter(contest=contest)}


def test_it_collects_one_entry_per_person_from_the_hashtag(
    make_contest: Any, source: Any, ingest: Any
) -> None:
    contest = make_contest()
    ingest(
        source,
        [
            item("1", "I want it #Lumiere", handle="ana"),
            item("2", "Again #lumière please", handle="ana", at=NOW + timedelta(minutes=1)),
            item("3", "#lumiere for me", handle="ben"),
            item("4", "no tag here", handle="cleo"),
            item("5", "too early #lumiere", handle="dan", at=OPENS - timedelta(minutes=1)),
            item("6", "too late #lumiere", handle="eve", at=CLOSES),
        ],
    )
    state = contest_entries.collect(contest.pk)
    assert state is not None and state.scanned == 6 and state.total == 6 and state.found == 2
    assert set(_valid(contest)) == {"ana", "ben"}
    # Ana's first message is her entry; a second run reads nothing new and adds nothing.
    assert Entry.objects.get(contest=contest, handle="ana").mention.external_id == "1"
    again = contest_entries.collect(contest.pk)
    assert (
        again is not None
        and again.scanned == 6
        and Entry.objects.filter(contest=contest).count() == 2
    )


def test_it_leaves_out_spam_and_the_brands_own_accounts(
    make_contest: Any, source: Any, ingest: Any, personas: Any
) -> None:
    from ambassade.workspaces.models import Connection

    Connection.objects.create(
        workspace=personas.workspace_a, network="mastodon", account_name="@cafe@social.example"
    )
    contest = make_contest()
    ingest(
        source,
        [
            item("1", "free money #lumiere", handle="bot"),
            item("2", "#lumiere our own contest", handle="cafe"),
            item("3", "#lumiere count me in", handle="ana"),
        ],
    )
    contest_entries.collect(contest.pk)
    assert _reasons(contest) == {"bot": "spam", "cafe": "brand_account", "ana": ""}
    # Turned off, the spam model leaves entries alone (checked again at the close).
    off = make_contest(exclude_bots=False, exclude_staff=False)
    contest_entries.collect(off.pk)
    assert set(_valid(off)) == {"bot", "cafe", "ana"}


def test_it_takes_comments_on_the_post_that_mention_a_friend(
    make_contest: Any, source: Any, ingest: Any
) -> None:
    contest = make_contest(hashtag="", post_external_id="post-9", friend_mention=True)
    ingest(
        source,
        [
            item("1", "me! @zoe", handle="ana", parent_id="post-9", thread_id="post-9"),
            item("2", "me without a friend", handle="ben", parent_id="post-9"),
            item("3", "only myself @cleo", handle="cleo", parent_id="post-9"),
            item(
                "4", "@brand@social.example and @dan@piaille.fr", handle="eve", thread_id="post-9"
            ),
            item("5", "elsewhere @zoe", handle="fay", parent_id="post-1"),
        ],
    )
    contest_entries.collect(contest.pk)
    assert set(_valid(contest)) == {"ana", "eve"}


def test_it_resumes_a_collection_whose_worker_stopped(
    make_contest: Any, source: Any, ingest: Any
) -> None:
    contest = make_contest()
    ingest(source, [item(str(n), f"#lumiere {n}", handle=f"p{n}") for n in range(7)])

    def killed(state: Collection) -> None:
        raise KeyboardInterrupt  # the worker dies after its first batch

    with pytest.raises(KeyboardInterrupt):
        contest_entries.collect(contest.pk, batch=3, progress=killed)
    state = Collection.objects.get(contest=contest)
    assert (
        state.running and state.scanned == 3 and Entry.objects.filter(contest=contest).count() == 3
    )
    # Its claim holds until the heartbeat is old; then any worker goes on from where it stopped.
    assert contest_entries.collect(contest.pk, batch=3) is None
    Collection.objects.filter(pk=state.pk).update(heartbeat_at=NOW - timedelta(hours=1))
    done = contest_entries.collect(contest.pk, batch=3)
    assert done is not None and not done.running and done.scanned == 7 and done.found == 7
    assert Entry.objects.filter(contest=contest).count() == 7


def test_it_counts_merged_identities_once_and_rechecks_at_the_close(
    make_contest: Any, source: Any, ingest: Any, personas: Any
) -> None:
    from ambassade.community.models import Identity
    from ambassade.community.services import merge_members

    contest = make_contest()
    bluesky = type(source).objects.create(workspace=personas.workspace_a, name="B", kind="bluesky")
    ingest(source, [item("1", "#lumiere", handle="ana"), item("2", "#lumiere", handle="ben")])
    ingest(
        bluesky,
        [item("3", "#lumiere", handle="ana", source="bluesky", at=NOW + timedelta(hours=1))],
    )
    contest_entries.collect(contest.pk)
    assert Entry.objects.filter(contest=contest, excluded="").count() == 3
    # Ana's two accounts are found to be one person, and Ben is left out by the organiser.
    first, second = Identity.objects.filter(handle="ana").order_by("network")
    merge_members(second.member, [first.member], personas.alice)
    services.set_exclusions(contest, personas.alice, [Identity.objects.get(handle="ben").pk])
    with pytest.raises(services.ContestError):
        drawing.freeze(contest.pk, now=CLOSES - timedelta(seconds=1))
    frozen = drawing.freeze(contest.pk, now=CLOSES)
    assert frozen is not None and frozen.entry_count == 1
    entries = {(e.network, e.handle): e for e in Entry.objects.filter(contest=contest)}
    kept = entries[("bluesky", "ana")]  # the earliest of Ana's entries stays
    assert kept.excluded == "duplicate" and kept.duplicate_of == entries[("mastodon", "ana")]
    assert entries[("mastodon", "ana")].excluded == ""
    assert entries[("mastodon", "ben")].excluded == "excluded_member"
    # Frozen: nothing enters or changes any more.
    assert contest_entries.collect(contest.pk) is None
    with pytest.raises(services.ContestError):
        services.set_exclusions(contest, personas.alice, [])
    assert (
        frozen.entries_sha256
        == hashlib.sha256((entries[("mastodon", "ana")].code + "\n").encode()).hexdigest()
    )


def test_it_keeps_the_seed_encrypted_and_publishes_it_only_with_the_draw(
    make_contest: Any, personas: Any
) -> None:
    contest = make_contest(hashtag="", form_entry=True, winners=2, reserves=1)
    seed = services.seed_of(contest)
    assert hashlib.sha256(seed).hexdigest() == contest.commitment
    stored = bytes(Contest.objects.values_list("seed_ciphertext", flat=True).get(pk=contest.pk))
    assert seed not in stored and seed.hex().encode() not in stored
    assert contest.seed_hex == "" and drawing.published(contest) is None
    for n in range(5):
        contest_entries.enter_by_form(
            contest,
            name=f"P{n}",
            email=f"p{n}@example.com",
            lang="en",
            now=OPENS + timedelta(hours=n),
        )
    with pytest.raises(services.ContestError):
        drawing.draw(contest, personas.alice)  # not frozen
    drawing.freeze(contest.pk, now=CLOSES)
    contest.refresh_from_db()
    drawn = drawing.draw(contest, personas.alice, now=CLOSES + timedelta(hours=1))
    assert drawn.seed_hex == seed.hex() and len(drawn.results) == 3
    with pytest.raises(services.ContestError):
        drawing.draw(drawn, personas.alice)  # once only
    published = drawing.published(drawn)
    assert published is not None and verify(published).ok


def test_it_reproduces_the_draw_with_the_standalone_verifier(
    make_contest: Any, personas: Any, tmp_path: Path, capsys: Any
) -> None:
    from ambassade.cli import verify_draw

    contest = make_contest(hashtag="", form_entry=True, winners=1, reserves=1)
    for n in range(4):
        contest_entries.enter_by_form(
            contest, name="x", email=f"{n}@example.com", lang="fr", now=OPENS
        )
    drawing.freeze(contest.pk, now=CLOSES)
    contest.refresh_from_db()
    drawing.draw(contest, personas.alice)
    published = drawing.published(Contest.objects.get(pk=contest.pk))
    assert published is not None
    path = tmp_path / "draw.json"
    path.write_text(published.to_json(), encoding="utf-8")
    args = type("Args", (), {"draw": path, "lang": "en"})()
    assert verify_draw.run(args) == 0
    assert "verified" in capsys.readouterr().out
    # A winner swapped in the file is caught, naming the first differing result.
    data = json.loads(path.read_text())
    loser = next(code for code in data["entries"] if code not in data["results"])
    data["results"][0] = loser
    path.write_text(json.dumps(data), encoding="utf-8")
    assert verify_draw.run(args) == 1
    assert loser in capsys.readouterr().err
    assert Draw.from_json(json.loads(published.to_json())) == published


def test_it_takes_one_form_entry_per_address_while_open(make_contest: Any) -> None:
    contest = make_contest(hashtag="", form_entry=True)
    first, created = contest_entries.enter_by_form(
        contest, name="Ann", email="Ann@Example.com ", lang="fr", now=OPENS
    )
    again, created_again = contest_entries.enter_by_form(
        contest, name="Ann B", email="ann@example.com", lang="en", now=OPENS
    )
    assert created and not created_again and again.pk == first.pk
    assert first.email == "ann@example.com" and len(first.code) == 9
    for when in (OPENS - timedelta(seconds=1), CLOSES):
        with pytest.raises(services.ContestError) as refused:
            contest_entries.enter_by_form(
                contest, name="Late", email="l@example.com", lang="en", now=when
            )
        assert refused.value.message.code == "contest.not_open"
    social = make_contest()
    with pytest.raises(services.ContestError):
        contest_entries.enter_by_form(social, name="A", email="a@example.com", lang="en", now=OPENS)


def test_it_fixes_the_rules_once_the_contest_is_open(make_contest: Any, personas: Any) -> None:
    upcoming = make_contest(
        starts_at=NOW + timedelta(days=400), closes_at=NOW + timedelta(days=401)
    )
    assert services.update_contest(upcoming, personas.alice, winners=3) == ["winners"]
    opened = make_contest(starts_at=NOW - timedelta(days=400), closes_at=NOW + timedelta(days=400))
    with pytest.raises(services.ContestError) as refused:
        services.update_contest(opened, personas.alice, winners=3)
    assert refused.value.message.code == "contest.rules_fixed"
    assert services.update_contest(opened, personas.alice, prize="two mugs") == ["prize"]
    with pytest.raises(services.ContestError):
        make_contest(hashtag="")  # no way to enter


def test_it_fills_notifications_in_the_winners_language_without_format(make_contest: Any) -> None:
    contest = make_contest(
        hashtag="",
        form_entry=True,
        notify_en="Hi {name}, {code}: {prize} {name.__class__} {unknown}",
    )
    french, _ = contest_entries.enter_by_form(
        contest, name="Léa", email="l@example.com", lang="fr", now=OPENS
    )
    english, _ = contest_entries.enter_by_form(
        contest, name="Bo", email="b@example.com", lang="en", now=OPENS
    )
    lang, text = drawing.notification(contest, english)
    assert lang == "en"
    assert text == f"Hi Bo, {english.code}: a coffee machine {{name.__class__}} {{unknown}}"
    lang, text = drawing.notification(contest, french)
    assert lang == "fr" and text.startswith("Félicitations Léa") and french.code in text
    assert "/rules/" in text


def test_it_leaves_out_accounts_made_after_the_opening(
    make_contest: Any, source: Any, ingest: Any
) -> None:
    from ambassade.connectors.base import Author, RawItem

    def entry(key: str, handle: str, made: Any) -> RawItem:
        return RawItem(
            source="mastodon",
            external_id=key,
            text="#lumiere me",
            created_at=NOW,
            author=Author(handle=handle, created_at=made),
        )

    contest = make_contest()
    ingest(
        source,
        [
            entry("1", "old", OPENS - timedelta(days=300)),
            entry("2", "fresh", OPENS + timedelta(hours=1)),
            entry("3", "unknown", None),
        ],
    )
    contest_entries.collect(contest.pk)
    assert _reasons(contest) == {"old": "", "fresh": "new_account", "unknown": ""}
    lenient = make_contest(exclude_new_accounts=False)
    contest_entries.collect(lenient.pk)
    assert set(_valid(lenient)) == {"old", "fresh", "unknown"}


def test_it_refuses_to_draw_when_the_seeds_key_is_gone(
    make_contest: Any, personas: Any, settings: Any
) -> None:
    from cryptography.fernet import Fernet

    contest = make_contest(hashtag="", form_entry=True)
    contest_entries.enter_by_form(contest, name="A", email="a@example.com", lang="en", now=OPENS)
    drawing.freeze(contest.pk, now=CLOSES)
    settings.VAULT_KEYS = [Fernet.generate_key()]
    with pytest.raises(services.ContestError) as refused:
        drawing.draw(Contest.objects.get(pk=contest.pk), personas.alice)
    assert refused.value.message.code == "contest.seed_unreadable"
    assert Contest.objects.get(pk=contest.pk).drawn_at is None


def test_it_puts_entries_on_the_timeline_and_leaves_out_staff(
    make_contest: Any, source: Any, ingest: Any, client: Any, personas: Any
) -> None:
    from django.urls import reverse

    from ambassade.community.models import Activity, Identity

    contest = make_contest()
    ingest(source, [item("1", "#lumiere", handle="ana"), item("2", "#lumiere", handle="lea")])
    Identity.objects.get(handle="lea").member.__class__.objects.filter(
        identities__handle="lea"
    ).update(staff=True)
    contest_entries.collect(contest.pk)
    assert _reasons(contest) == {"ana": "", "lea": "staff"}
    entry = Entry.objects.get(contest=contest, handle="ana")
    activity = Activity.objects.get(source="contests.entry", source_id=entry.pk)
    assert activity.kind == "contest_entry" and activity.mention_id == entry.mention_id
    assert activity.identity.handle == "ana" and activity.weight == 1.0
    client.force_login(personas.alice)
    page = client.get(
        reverse("community:member", args=[personas.workspace_a.slug, activity.identity.member_id])
    )
    assert b"Contest entry" in page.content


def test_the_contest_page_names_each_entry_s_network(
    make_contest: Any, source: Any, ingest: Any, personas: Any, client: Any
) -> None:
    from django.urls import reverse

    contest = make_contest()
    ingest(source, [item("1", "I want it #Lumiere", handle="ana")])
    contest_entries.collect(contest.pk)
    client.force_login(personas.alice)
    page = client.get(
        reverse("contests:contest", args=[personas.workspace_a.slug, contest.pk]),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert ">Mastodon</a>" in page and ">mastodon</a>" not in page  # a word, not its code
