"""The merge review list: suggestions from ``engine.identities`` with their evidence in the reader's
language, merge one, merge the ticked high-confidence ones in bulk (one audit line per merge),
dismiss (remembered), and bad or stale input answered with a message, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.community.models import DismissedPair, Identity, Member
from ambassade.workspaces.models import AuditEntry
from tests.workspaces.html import parse


def url(name: str, personas: Any) -> str:
    return reverse(f"community:{name}", args=[personas.workspace_a.slug])


def person(workspace: Any, network: str, handle: str, name: str, reach: int = 10) -> Member:
    member = Member.objects.create(workspace=workspace, display_name=name, reach=reach)
    Identity.objects.create(
        workspace=workspace, member=member, network=network, handle=handle, name=name
    )
    return member


@pytest.fixture
def crowd(personas: Any) -> dict[str, Member]:
    ws = personas.workspace_a
    return {
        # High confidence: the same handle on two networks, and it is their name written out.
        "lea_m": person(ws, "mastodon", "leadubois", "Léa Dubois", reach=500),
        "lea_x": person(ws, "x", "leadubois", "Léa Dubois", reach=90),
        "marc_m": person(ws, "mastodon", "marcvidal", "Marc Vidal", reach=30),
        "marc_b": person(ws, "bluesky", "marcvidal", "Marc Vidal", reach=40),
        # Medium: the same handle on two networks, different names.
        "zed_m": person(ws, "mastodon", "zedzed", "Zed", reach=5),
        "zed_x": person(ws, "x", "zedzed", "Zorro"),
        # Nobody like them.
        "solo": person(ws, "mastodon", "solo", "Han"),
    }


def test_the_members_e_mail_addresses_are_clues_verified_by_the_double_opt_in(
    personas: Any,
) -> None:
    """A member who confirmed lea@example.org, and another known only from that address (an
    RSVP, a contest form): the same e-mail, verified for one, high confidence."""
    from ambassade.community import suggestions
    from ambassade.community.models import Consent

    ws = personas.workspace_a
    lea = person(ws, "mastodon", "ldubois", "Léa D.", reach=300)
    Member.objects.filter(pk=lea.pk).update(email="Lea@Example.org")
    Consent.objects.create(
        workspace=ws,
        member=lea,
        purpose=Consent.Purpose.EMAILING,
        state=Consent.State.GRANTED,
        source=Consent.Source.DOUBLE_OPT_IN,
        email="Lea@Example.org",
    )
    guest = person(ws, "email", "lea@example.org", "Lea")
    found = suggestions.suggestions(ws)
    pair = found[(min(lea.pk, guest.pk), max(lea.pk, guest.pk))]
    assert pair.confidence == "high"
    assert "identity.same_email_half_verified" in {clue.message.code for clue in pair.evidence}


def key(a: Member, b: Member) -> str:
    return f"{min(a.pk, b.pk)}-{max(a.pk, b.pk)}"


def pairs(response: Any) -> dict[str, Any]:
    page = parse(response.content)
    return {
        li.find("button", name="pair").attrs["value"]: li  # type: ignore[union-attr]
        for li in page.find_all("li")
        if li.attrs.get("class", "").startswith("merge-pair ")
    }


def merged_lines() -> int:
    return AuditEntry.objects.filter(action="community.member.merged").count()


def test_it_lists_suggestions_with_their_evidence_in_the_readers_language(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    client.force_login(personas.bob)  # an editor
    found = pairs(client.get(url("merge_review", personas), HTTP_ACCEPT_LANGUAGE="en"))
    lea = found[key(crowd["lea_m"], crowd["lea_x"])]
    assert "Same handle leadubois on 2 networks: Mastodon, X" in lea.text
    assert "High confidence" in lea.text
    assert "checked" in lea.find("input", name="selected").attrs  # type: ignore[union-attr]
    assert lea.text.count("The handle leadubois is the name") == 1  # said once, not per side
    zed = found[key(crowd["zed_m"], crowd["zed_x"])]
    assert "Medium confidence" in zed.text and zed.find("input", name="selected") is None
    assert len(found) == 3  # Han has no one like him
    french = pairs(client.get(url("merge_review", personas), HTTP_ACCEPT_LANGUAGE="fr"))
    text = french[key(crowd["lea_m"], crowd["lea_x"])].text
    assert "Même identifiant leadubois sur 2 réseaux : Mastodon, X" in text
    assert "Confiance élevée" in text


def test_the_members_page_links_to_the_review_for_those_who_may_merge(
    personas: Any, client: Any, people: dict[str, Any], crowd: dict[str, Member]
) -> None:
    review = url("merge_review", personas)
    client.force_login(personas.bob)
    assert review in client.get(url("members", personas)).content.decode()
    client.force_login(people["analyst"])
    assert review not in client.get(url("members", personas)).content.decode()


@pytest.mark.parametrize("role", ["analyst", "approver"])
def test_only_those_who_may_merge_see_or_use_the_review(
    personas: Any, client: Any, people: dict[str, Any], crowd: dict[str, Member], role: str
) -> None:
    client.force_login(people[role])
    pair = key(crowd["lea_m"], crowd["lea_x"])
    assert client.get(url("merge_review", personas)).status_code == 403
    assert client.post(url("merge_review_merge", personas), {"pair": pair}).status_code == 403
    assert client.post(url("merge_review_dismiss", personas), {"pair": pair}).status_code == 403
    assert Member.objects.filter(pk=crowd["lea_x"].pk).exists()
    assert not DismissedPair.objects.exists()


def test_it_merges_one_suggestion_into_the_member_with_the_most_reach(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    client.force_login(personas.bob)
    response = client.post(
        url("merge_review_merge", personas),
        {"pair": key(crowd["zed_x"], crowd["zed_m"])},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 member was merged into another." in response.content.decode()
    assert not Member.objects.filter(pk=crowd["zed_m"].pk).exists()
    assert crowd["zed_x"].identities.count() == 2  # reach 10 against 5
    assert merged_lines() == 1
    assert key(crowd["zed_m"], crowd["zed_x"]) not in pairs(response)


def test_it_merges_the_ticked_high_confidence_suggestions_in_bulk(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    client.force_login(personas.alice)
    ticked = [
        key(crowd["lea_m"], crowd["lea_x"]),
        key(crowd["marc_m"], crowd["marc_b"]),
        key(crowd["zed_m"], crowd["zed_x"]),  # medium: left out of a bulk merge
    ]
    response = client.post(url("merge_review_merge", personas), {"selected": ticked}, follow=True)
    body = response.content.decode()
    assert "2 members were merged into others." in body
    assert "only high-confidence suggestions are merged in bulk" in body
    assert set(crowd["lea_m"].identities.values_list("network", flat=True)) == {"mastodon", "x"}
    assert set(crowd["marc_b"].identities.values_list("network", flat=True)) == {
        "mastodon",
        "bluesky",
    }
    assert Member.objects.filter(pk__in=[crowd["zed_m"].pk, crowd["zed_x"].pk]).count() == 2
    assert merged_lines() == 2  # one line per merge, not one per identity
    assert list(pairs(response)) == [key(crowd["zed_m"], crowd["zed_x"])]


def test_pairs_sharing_a_member_become_one_merge(personas: Any, client: Any) -> None:
    ws = personas.workspace_a
    a = person(ws, "mastodon", "leadubois", "Léa Dubois", reach=5)
    b = person(ws, "x", "leadubois", "Léa Dubois", reach=50)
    c = person(ws, "bluesky", "leadubois", "Léa Dubois", reach=1)
    client.force_login(personas.alice)
    found = pairs(client.get(url("merge_review", personas)))
    assert len(found) == 3
    client.post(url("merge_review_merge", personas), {"selected": list(found)})
    assert Member.objects.filter(workspace=ws).get() == b
    assert b.identities.count() == 3 and merged_lines() == 1
    assert not Member.objects.filter(pk__in=[a.pk, c.pk]).exists()


def test_a_dismissed_pair_is_not_suggested_again(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    client.force_login(personas.bob)
    pair = key(crowd["zed_m"], crowd["zed_x"])
    response = client.post(url("merge_review_dismiss", personas), {"pair": pair}, follow=True)
    assert "will not be suggested again" in response.content.decode()
    assert pair not in pairs(response)
    assert pair not in pairs(client.get(url("merge_review", personas)))
    # Nor merged by a stale page that still showed it.
    response = client.post(url("merge_review_merge", personas), {"pair": pair}, follow=True)
    assert "1 suggestion was left out" in response.content.decode()
    assert Member.objects.filter(pk__in=[crowd["zed_m"].pk, crowd["zed_x"].pk]).count() == 2
    # Dismissing twice is harmless.
    client.post(url("merge_review_dismiss", personas), {"pair": pair})
    assert DismissedPair.objects.count() == 1


def test_a_stale_suggestion_says_so_and_merges_nothing(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    client.force_login(personas.bob)
    pair = key(crowd["lea_m"], crowd["lea_x"])
    client.post(url("merge_review_merge", personas), {"pair": pair})
    # The same suggestion again, from a page opened before the merge.
    for view in ("merge_review_merge", "merge_review_dismiss"):
        response = client.post(url(view, personas), {"pair": pair}, follow=True)
        assert response.status_code == 200
        assert "already merged" in response.content.decode()
    response = client.post(url("merge_review_merge", personas), {"selected": [pair]}, follow=True)
    assert "1 suggestion was left out" in response.content.decode()
    assert merged_lines() == 1 and not DismissedPair.objects.exists()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "12",
        "5-5",
        "-3-4",
        "1-99999999999999999999",
        "999998-999999",
        "²-3",
        "3-²",
        "0-4",
    ],
)
def test_bad_input_gets_a_message_never_a_500(
    personas: Any, client: Any, crowd: dict[str, Member], value: str
) -> None:
    client.force_login(personas.bob)
    for view, field in (
        ("merge_review_merge", "pair"),
        ("merge_review_merge", "selected"),
        ("merge_review_dismiss", "pair"),
    ):
        response = client.post(url(view, personas), {field: value}, follow=True)
        assert response.status_code == 200
        assert "left out" in response.content.decode() or "cannot be dismissed" in (
            response.content.decode()
        )
    assert Member.objects.filter(workspace=personas.workspace_a).count() == 7
    assert merged_lines() == 0 and not DismissedPair.objects.exists()


def test_nothing_ticked_asks_for_a_choice(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    client.force_login(personas.bob)
    response = client.post(url("merge_review_merge", personas), {}, follow=True)
    assert "Tick the suggestions to merge." in response.content.decode()


def test_members_of_another_workspace_are_never_merged_nor_dismissed(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    theirs = person(personas.workspace_b, "x", "leadubois", "Léa Dubois", reach=9999)
    client.force_login(personas.alice)
    pair = key(crowd["lea_m"], theirs)
    for view, field in (
        ("merge_review_merge", "pair"),
        ("merge_review_merge", "selected"),
        ("merge_review_dismiss", "pair"),
    ):
        response = client.post(url(view, personas), {field: pair}, follow=True)
        assert response.status_code == 200
    assert theirs.identities.count() == 1 and crowd["lea_m"].identities.count() == 1
    assert merged_lines() == 0 and not DismissedPair.objects.exists()
    # And B's member is never suggested to A.
    shown = client.get(url("merge_review", personas)).content.decode()
    assert f"members/{theirs.pk}/" not in shown


def test_the_member_page_shows_their_suggestions_from_the_same_engine(
    personas: Any, client: Any, crowd: dict[str, Member]
) -> None:
    from ambassade.community import suggestions
    from ambassade.community.models import Consent

    ws = personas.workspace_a
    lea = person(ws, "mastodon", "ldubois", "Léa D.", reach=300)
    Member.objects.filter(pk=lea.pk).update(email="Lea@Example.org")
    Consent.objects.create(
        workspace=ws,
        member=lea,
        purpose=Consent.Purpose.EMAILING,
        state=Consent.State.GRANTED,
        source=Consent.Source.DOUBLE_OPT_IN,
        email="Lea@Example.org",
    )
    guest = person(ws, "email", "lea@example.org", "Lea")
    # Each member's own suggestions are exactly the review list's pairs that hold them.
    everything = suggestions.suggestions(ws)
    for member in Member.objects.filter(workspace=ws):
        mine = {suggestions._key(c) for c in suggestions.for_member(member)}
        assert mine == {pair for pair in everything if member.pk in pair}, member.display_name
    client.force_login(personas.bob)
    member_url = reverse("community:member", args=[ws.slug, lea.pk])
    page = parse(client.get(member_url, HTTP_ACCEPT_LANGUAGE="en").content)
    shown = page.find("ul", class_="plain-list merge-list")
    assert shown is not None and len(shown.find_all("p", data_merge_score=True)) == 1
    assert "lea@example.org" in shown.text and "High confidence" in shown.text
    evidence = shown.find("ul", class_="merge-evidence")
    assert evidence is not None and "lea@example.org" in evidence.text
    # A dismissed pair leaves the page too.
    suggestions.dismiss(ws, (min(lea.pk, guest.pk), max(lea.pk, guest.pk)), personas.bob)
    page = parse(client.get(member_url, HTTP_ACCEPT_LANGUAGE="en").content)
    assert page.find("ul", class_="plain-list merge-list") is None


def test_the_member_page_shows_the_pairs_found_by_a_name_as_the_review_list_does(
    personas: Any, client: Any
) -> None:
    """A handle that is someone else's name written out, with a typo in one of the names; a
    Mastodon handle with its instance and a Bluesky one with its domain; a profile link written
    another way: each member's page shows exactly the review list's pairs that hold them."""
    import random

    from ambassade.community import suggestions

    ws = personas.workspace_a
    writer = person(ws, "x", "leadubois", "Lea Duboise", reach=200)
    named = person(ws, "mastodon", "lea_d", "Léa Dubois", reach=50)
    person(ws, "mastodon", "marc@piaille.fr", "Marc Vidal")
    person(ws, "bluesky", "marc.bsky.social", "Marc V")
    linked = person(ws, "x", "hugo_r", "Hugo R")
    Identity.objects.filter(member=linked).update(profile_url="https://www.example.org/hugo/")
    other = person(ws, "youtube", "hugochannel", "Hugo")
    Identity.objects.filter(member=other).update(profile_url="http://example.org/hugo")
    rng = random.Random(14)
    first = ["lea", "léa", "marc", "hugo", "inès", "ines", "noah"]
    last = ["dubois", "vidal", "martin", "petit"]
    for n in range(60):
        name = f"{rng.choice(first).title()} {rng.choice(last).title()}"
        handle = rng.choice(
            ["".join(name.casefold().split()), f"{name.split()[0].casefold()}{n % 7}", f"u{n}"]
        )
        network = rng.choice(["x", "mastodon", "bluesky", "youtube"])
        if network == "mastodon" and rng.random() < 0.5:
            handle += "@piaille.fr"
        if not Identity.objects.filter(network=network, handle=handle).exists():
            person(ws, network, handle, name)
    everything = suggestions.suggestions(ws)
    assert (min(writer.pk, named.pk), max(writer.pk, named.pk)) in everything
    for member in Member.objects.filter(workspace=ws):
        mine = {suggestions._key(c): c for c in suggestions.for_member(member)}
        theirs = {pair: c for pair, c in everything.items() if member.pk in pair}
        assert mine == theirs, member.display_name
    # On the page: the pair found by the name written as a handle, with the similar name.
    client.force_login(personas.bob)
    page = parse(
        client.get(
            reverse("community:member", args=[ws.slug, writer.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content
    )
    shown = page.find("ul", class_="plain-list merge-list")
    assert shown is not None and "Léa Dubois" in shown.text
    evidence = shown.find("ul", class_="merge-evidence")
    assert evidence is not None
    assert "leadubois" in evidence.text and "Similar names" in evidence.text, evidence.text
