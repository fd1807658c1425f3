"""Authors become members: upsert in bulk, idempotency, one identity per (network, handle) whatever
the case, followers and reach, merge and split, the rebuild command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from ambassade.community import crm, services
from ambassade.community.models import Activity, Appearance, Identity, Member
from ambassade.listening import routing
from ambassade.listening import services as listening_services
from ambassade.listening.models import Mention, Source
from ambassade.workspaces.models import AuditEntry
from tests.listening.conftest import days_ago, item


def figures() -> list[tuple[Any, ...]]:
    return sorted(
        Member.objects.values_list(
            "display_name", "mention_count", "reach", "first_seen_at", "last_seen_at"
        )
    ) + sorted(
        Identity.objects.values_list(
            "network", "handle", "name", "followers", "max_followers", "mention_count"
        )
    )


def test_it_registers_on_the_routing_hook() -> None:
    assert routing.RECEIVERS["community"] is services.record_authors


def test_it_makes_members_of_the_authors_of_new_mentions(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(
        source,
        [
            item("1", "I love it", handle="ana", followers=5000, at=days_ago(2)),
            item("2", "Great coffee", handle="ana", followers=5100, at=days_ago(1)),
            item("3", "Slow service", handle="bruno", followers=40),
        ],
    )
    ana = Identity.objects.get(handle="ana")
    assert (ana.network, ana.name, ana.followers, ana.mention_count) == ("mastodon", "Ana", 5100, 2)
    assert ana.profile_url == ""  # the items carry no profile URL
    member = ana.member
    assert member.workspace == personas.workspace_a
    assert (member.display_name, member.mention_count, member.reach) == ("Ana", 2, 5100)
    assert (member.first_seen_at, member.last_seen_at) == (days_ago(2), days_ago(1))
    assert Member.objects.count() == 2
    assert Appearance.objects.filter(identity=ana).count() == 2


def test_it_changes_nothing_when_the_same_items_come_again(source: Any, ingest: Any) -> None:
    items = [
        item(str(i), f"message {i}", handle=f"user{i % 4}", followers=10 * i, at=days_ago(i))
        for i in range(1, 13)
    ]
    ingest(source, items)
    before = figures()
    assert Member.objects.count() == 4
    ingest(source, items)  # listening routes nothing the second time…
    # …and recording the same stored mentions again (a rebuild, a retried receiver) counts nothing twice.
    services.record_authors(source.workspace, list(Mention.objects.all()))
    assert figures() == before
    assert Appearance.objects.count() == 12


def test_it_keeps_one_member_per_network_and_handle_whatever_the_case(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(
        source,
        [
            item("1", "one", handle="Ana"),
            item("2", "two", handle="@ana"),
            item("3", "three", handle="ANA"),
            item("4", "four", handle="ana", source="bluesky"),
        ],
    )
    ingest(source, [item("5", "five", handle="aNa")])
    assert sorted(Identity.objects.values_list("network", "handle", "mention_count")) == [
        ("bluesky", "ana", 1),
        ("mastodon", "ana", 4),
    ]
    # Another network is another identity, so another member until someone merges them.
    assert Member.objects.count() == 2


def test_it_keeps_workspaces_apart(personas: Any, source: Any, ingest: Any) -> None:
    other = Source.objects.create(workspace=personas.workspace_b, name="B", kind="mastodon")
    ingest(source, [item("1", "hello", handle="ana")])
    ingest(other, [item("1", "hello", handle="ana")])
    assert Member.objects.filter(workspace=personas.workspace_a).count() == 1
    assert Member.objects.filter(workspace=personas.workspace_b).count() == 1
    assert Identity.objects.values("member").distinct().count() == 2


def test_it_follows_followers_and_keeps_the_most_seen_as_reach(source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "a", handle="ana", followers=100, at=days_ago(3))])
    ingest(source, [item("2", "b", handle="ana", followers=250, at=days_ago(2))])
    identity = Identity.objects.get()
    assert (identity.followers, identity.member.reach) == (250, 250)
    ingest(source, [item("3", "c", handle="ana", followers=180, at=days_ago(1))])
    identity.refresh_from_db()
    # The latest count is shown; the reach is the most followers ever seen.
    assert (identity.followers, identity.max_followers, identity.member.reach) == (180, 250, 250)
    # A backfill of an older mention does not roll the profile back.
    ingest(source, [item("0", "d", handle="ana", followers=90, at=days_ago(9))])
    identity.refresh_from_db()
    assert (identity.followers, identity.mention_count) == (180, 4)
    assert identity.first_seen_at == days_ago(9)


def test_it_keeps_only_http_profile_urls(source: Any) -> None:
    mention = Mention(
        workspace=source.workspace,
        source=source,
        network="mastodon",
        external_id="x",
        text="hi",
        author_handle="eve",
        author_url="javascript:alert(1)",
        sentiment="neutral",
        created_at=days_ago(1),
    )
    mention.save()
    services.record_authors(source.workspace, [mention])
    assert Identity.objects.get().profile_url == ""


def test_it_skips_mentions_without_an_author_handle(source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "anonymous", handle=""), item("2", "someone", handle="  @ ")])
    assert not Member.objects.exists()


def test_it_records_a_batch_in_a_few_queries(
    source: Any, django_assert_max_num_queries: Any
) -> None:
    listening_services.ingest(
        source,
        [item(str(i), f"text {i}", handle=f"user{i}", followers=i) for i in range(200)],
    )
    mentions = list(Mention.objects.all())
    # One lookup and the workspace's feed sources (listening/acting.py); the rest are bulk writes,
    # split only by SQLite's limit of 999 parameters (a member's stored scores make more columns,
    # so more batches of members).
    with django_assert_max_num_queries(19):
        services.record_authors(source.workspace, mentions)
    assert Member.objects.count() == 200
    with django_assert_max_num_queries(11):
        services.record_authors(source.workspace, mentions)


def test_it_merges_a_member_into_another(personas: Any, source: Any, ingest: Any) -> None:
    ingest(
        source,
        [
            item("1", "a", handle="ana", followers=100, at=days_ago(3)),
            item("2", "b", handle="ana_bsky", followers=50, source="bluesky", at=days_ago(1)),
        ],
    )
    target = Identity.objects.get(handle="ana").member
    other = Identity.objects.get(handle="ana_bsky").member
    crm.add_note(target, personas.alice, "Loves lattes.")
    crm.set_tags(target, personas.alice, ["fan"])
    crm.add_note(other, personas.alice, "Asked about the app.")
    crm.set_tags(other, personas.alice, ["app", "fan"])
    merged = services.merge_members(target, other, personas.bob)
    assert not Member.objects.filter(pk=other.pk).exists()
    assert set(merged.identities.values_list("handle", flat=True)) == {"ana", "ana_bsky"}
    assert (merged.mention_count, merged.reach) == (2, 100)  # the most followers seen
    assert (merged.first_seen_at, merged.last_seen_at) == (days_ago(3), days_ago(1))
    assert sorted(merged.note_set.values_list("text", flat=True)) == [
        "Asked about the app.",
        "Loves lattes.",
    ]
    assert crm.tags_of(merged) == ["app", "fan"]
    # Both notes are on the merged member's timeline.
    assert merged.scored_at is None  # scored again by the next community.score_members
    assert Activity.objects.filter(identity__member=merged, kind="note").count() == 2
    entry = AuditEntry.objects.filter(action="community.member.merged").get()
    assert (entry.actor, entry.object_id) == (personas.bob, str(target.pk))
    assert [m["identities"] for m in entry.details["merged"]] == [["@ana_bsky (bluesky)"]]
    # Later mentions of the merged identity count for the merged member.
    ingest(source, [item("3", "c", handle="ana_bsky", source="bluesky")])
    merged.refresh_from_db()
    assert merged.mention_count == 3


def test_it_refuses_to_merge_a_member_with_itself(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "a", handle="ana")])
    member = Member.objects.get()
    with pytest.raises(services.ActionError):
        services.merge_members(member, member, personas.alice)


def test_it_separates_an_identity_again(personas: Any, source: Any, ingest: Any) -> None:
    ingest(
        source,
        [
            item("1", "a", handle="ana", followers=100),
            item("2", "b", handle="zed", followers=7, source="bluesky"),
        ],
    )
    target = Identity.objects.get(handle="ana").member
    services.merge_members(target, Identity.objects.get(handle="zed").member, personas.alice)
    zed = Identity.objects.get(handle="zed")
    new = services.split_identity(zed, personas.alice)
    target.refresh_from_db()
    assert (target.mention_count, target.reach, new.mention_count, new.reach) == (1, 100, 1, 7)
    assert new.display_name == "Zed"
    with pytest.raises(services.ActionError):
        services.split_identity(Identity.objects.get(handle="zed"), personas.alice)


def test_it_rebuilds_members_from_stored_mentions(personas: Any, source: Any) -> None:
    routing.unregister("community")  # as if the mentions came before the app
    try:
        listening_services.ingest(
            source,
            [item(str(i), f"text {i}", handle=f"u{i % 3}", followers=i) for i in range(10)],
        )
    finally:
        routing.register("community", services.record_authors)
    assert not Member.objects.exists()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "rebuild_members", workspace=personas.workspace_a.slug, batch=4, stdout=out, stderr=err
    )
    assert "10 mentions read; 3 new members" in out.getvalue()
    assert sorted(Member.objects.values_list("mention_count", flat=True)) == [3, 3, 4]
    before = figures()
    call_command("rebuild_members", workspace=personas.workspace_a.slug, stdout=io.StringIO())
    assert figures() == before


def test_it_recounts_after_mentions_are_deleted(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "a", handle="ana"), item("2", "b", handle="ana")])
    Mention.objects.filter(external_id="2").delete()
    services.rebuild_members(personas.workspace_a)
    assert Member.objects.get().mention_count == 1


def test_it_names_an_unknown_workspace(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No workspace"):
        call_command("rebuild_members", workspace="nope")


def test_it_starts_again_when_another_ingest_created_the_identity_first(
    personas: Any, source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    routing.unregister("community")
    try:
        listening_services.ingest(source, [item("1", "a", handle="ana", followers=10)])
    finally:
        routing.register("community", services.record_authors)
    mention = Mention.objects.get()
    # Another process records the same author between this receiver's lookup and its insert.
    member = Member.objects.create(workspace=personas.workspace_a)
    Identity.objects.create(
        workspace=personas.workspace_a, member=member, network="mastodon", handle="ana"
    )
    real = Identity.objects.filter
    missed: list[int] = []

    def stale_lookup(*args: Any, **kwargs: Any) -> Any:
        if not missed:
            missed.append(1)
            return Identity.objects.none()
        return real(*args, **kwargs)

    monkeypatch.setattr(Identity.objects, "filter", stale_lookup)
    services.record_authors(personas.workspace_a, [mention])
    assert missed
    identity = Identity.objects.get()
    assert (identity.member_id, identity.mention_count, identity.followers) == (member.pk, 1, 10)
    assert Member.objects.count() == 1


def test_a_feed_authors_identity_is_on_rss_whatever_the_items_link(
    personas: Any, source: Any, ingest: Any
) -> None:
    """A feed item linking to x.com is an X mention, but its author handle is the feed author's
    name: the identity is on rss, so it never looks like an X handle to merge suggestions."""
    feed = Source.objects.create(workspace=personas.workspace_a, name="Blog", kind="rss")
    x_search = Source.objects.create(workspace=personas.workspace_a, name="X search", kind="x")
    ingest(
        feed,
        [item("https://blog.example/1", "Nice", source="x", handle="ana", url="https://x.com/a/1")],
    )
    ingest(x_search, [item("x1", "Nice too", source="x", handle="ana")])
    assert Mention.objects.get(source=feed).network == "x"
    assert sorted(Identity.objects.values_list("network", "handle")) == [
        ("rss", "ana"),
        ("x", "ana"),
    ]
