"""Influencer discovery (community/discovery.py): who is "in the community", the page in English
and French with the reasons worded, and the action that brings a candidate in."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.community import activities, consent, discovery
from ambassade.community.models import Identity, Member, MemberTag
from ambassade.community.scores import store_scores
from tests.listening.conftest import days_ago, item
from tests.workspaces.html import parse


def url(name: str, personas: Any) -> str:
    return reverse(f"community:{name}", args=[personas.workspace_a.slug])


@pytest.fixture
def authors(personas: Any, source: Any, ingest: Any) -> dict[str, Member]:
    ingest(
        source,
        [
            item(str(n), f"Love it {n}", handle=handle, followers=50_000, at=days_ago(n + 1))
            for n, handle in enumerate(["star", "fan", "boss", "quiet"])
        ]
        + [item("q", "Love it again", handle="quiet", followers=10, at=days_ago(2))],
    )
    people = {i.handle: i.member for i in Identity.objects.filter(workspace=personas.workspace_a)}
    people["quiet"].reach = 10
    people["quiet"].save(update_fields=["reach"])
    consent.record(people["fan"], personas.alice, "events", "granted", proof="At the fair")
    Member.objects.filter(pk=people["boss"].pk).update(staff=True)
    store_scores(personas.workspace_a)
    return people


def test_only_authors_outside_the_community_are_candidates(personas: Any, authors: Any) -> None:
    outside = set(discovery.outsiders(personas.workspace_a.pk).values_list("id", flat=True))
    assert authors["star"].pk in outside and authors["quiet"].pk in outside
    assert authors["fan"].pk not in outside  # a consent record
    assert authors["boss"].pk not in outside  # staff
    found = discovery.candidates(personas.workspace_a.pk, timezone.now())
    assert [member.pk for member, _found in found] == [authors["star"].pk]  # quiet: too small
    assert found[0][1].reasons[0].code == "score.discover.influence"


def test_the_page_words_the_reasons_and_tagging_brings_them_in(
    personas: Any, client: Any, authors: Any
) -> None:
    client.force_login(personas.alice)
    english = parse(client.get(url("discover", personas), HTTP_ACCEPT_LANGUAGE="en").content)
    assert english.find("h1").text == "Influencers to discover"
    items = english.find_all("li", class_="discover-item")
    assert len(items) == 1 and "@star" in items[0].text
    reasons = [li.text for li in items[0].find("ul", class_="discover-reasons").find_all("li")]
    assert reasons[0].startswith("Influence ") and "50,000 followers" in reasons
    french = parse(client.get(url("discover", personas), HTTP_ACCEPT_LANGUAGE="fr").content)
    assert french.find("h1").text == "Influenceurs à découvrir"
    first = french.find("ul", class_="discover-reasons").find("li").text
    assert first.startswith("Influence ") and "requêtes" in first
    response = client.post(
        url("discover_add", personas),
        {"member": authors["star"].pk, "tag": "vip"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert MemberTag.objects.filter(member=authors["star"], name="vip").exists()
    empty = parse(client.get(url("discover", personas), HTTP_ACCEPT_LANGUAGE="en").content)
    assert not empty.find_all("li", class_="discover-item")
    assert "No influencer to discover" in empty.text


def test_a_bad_member_id_tags_nobody(personas: Any, client: Any, authors: Any) -> None:
    client.force_login(personas.alice)
    other = reverse("community:discover_add", args=[personas.workspace_a.slug])
    response = client.post(other, {"member": "not a number"})
    assert response.status_code == 302
    assert not MemberTag.objects.exists()


#: Each relationship kind with the source its app records it under.
RELATIONSHIPS = [
    ("rsvp", "events.rsvp"),
    ("event", "events.attended"),
    ("contest_entry", "contests.entry"),
    ("referral", "referrals.referral"),
    ("referred", "referrals.referred"),
    ("referral_converted", "referrals.conversion"),
    ("mission", "missions.completion"),
    ("answered", "inbox.message"),
]


def test_a_relationship_on_the_timeline_brings_them_into_the_community(personas: Any) -> None:
    workspace, now = personas.workspace_a, timezone.now()
    assert {kind for kind, _origin in RELATIONSHIPS} == discovery.RELATIONSHIP_KINDS
    people = {}
    for number, (kind, origin) in enumerate(RELATIONSHIPS):
        identity = activities.identity_for(workspace, "mastodon", f"someone{number}")
        assert identity is not None
        activities.record(identity, "mention", now, "listening.mention", 900 + number)
        activities.record(identity, kind, now, origin, 900 + number)
        people[kind] = identity.member_id
    observed = activities.identity_for(workspace, "mastodon", "observed")
    assert observed is not None
    for number, kind in enumerate(["mention", "message", "moderation", "email_open"]):
        activities.record(observed, kind, now, f"test.{kind}", number)
    outside = set(discovery.outsiders(workspace.pk).values_list("id", flat=True))
    assert outside == {observed.member_id}, [k for k, m in people.items() if m in outside]


def test_an_activity_of_another_member_does_not_count(personas: Any, authors: Any) -> None:
    activities.record(
        authors["quiet"].identities.get(), "contest_entry", timezone.now(), "contests.entry", 7
    )
    outside = set(discovery.outsiders(personas.workspace_a.pk).values_list("id", flat=True))
    assert outside == {authors["star"].pk}


def test_who_is_outside_is_one_query(
    personas: Any, authors: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        assert len(list(discovery.outsiders(personas.workspace_a.pk))) == 2


def test_the_influence_reason_agrees_with_its_number_of_posts() -> None:
    from django.utils import translation

    from ambassade.workspaces.messages import coded, words

    def reason(relevant: int, count: int) -> str:
        return words(
            coded(
                "score.discover.influence",
                influence="9.9",
                reach="9.9",
                relevant=relevant,
                count=count,
            )
        )

    with translation.override("fr"):
        assert "1 publication sur 1 correspond aux requêtes" in reason(1, 1)
        assert "3 publications sur 5 correspondent aux requêtes" in reason(3, 5)
    with translation.override("en"):
        assert "1 post of 1 matches the workspace’s queries" in reason(1, 1)
        assert "3 posts of 5 match the workspace’s queries" in reason(3, 5)
