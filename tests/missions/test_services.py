"""Missions completed from the listening stream: once per member, idempotent and resumable; by
hand with a note; points, leaderboard, timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ambassade.community import services as community
from ambassade.community.models import Activity, Identity, Member
from ambassade.listening.models import Mention
from ambassade.missions import leaderboard, services
from ambassade.missions.models import Completion, Cursor, Mission
from ambassade.products import services as products
from tests.listening.conftest import NOW, item

URL = "https://cafe.example/blog/new-roast"


def member(handle: str) -> Member:
    return Identity.objects.get(handle=handle).member


def ambassadors(*handles: str) -> None:
    Member.objects.filter(identities__handle__in=handles).update(ambassador=True)


def mission(personas: Any, **fields: Any) -> Mission:
    values = {
        "title": "Share the new roast",
        "kind": "share",
        "target_url": URL + "?utm_source=newsletter",
        "points": 10,
        "starts_at": NOW - timedelta(days=1),
        "ends_at": NOW + timedelta(days=7),
        "audience": "ambassadors",
    }
    return services.save_mission(personas.workspace_a, personas.alice, **(values | fields))


def done(made: Mission) -> dict[str, str]:
    return {
        c.identity.handle: c.evidence
        for c in Completion.objects.filter(mission=made).select_related("identity")
    }


@pytest.fixture
def crowd(personas: Any, source: Any, ingest: Any) -> None:
    """Ana and Ben are ambassadors, Cleo is not, Sam is an ambassador who is staff."""
    ingest(
        source,
        [
            item(f"hello-{h}", "hello", handle=h, at=NOW - timedelta(days=30))
            for h in ("ana", "ben", "cleo", "sam")
        ],
    )
    ambassadors("ana", "ben", "sam")
    Member.objects.filter(identities__handle="sam").update(staff=True)


def test_a_share_completes_once_per_member_and_matching_twice_changes_nothing(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    share = mission(personas)
    ingest(
        source,
        [
            item("1", f"Lisez {URL}/?fbclid=abc", handle="ana", at=NOW),
            item("2", f"encore {URL}", handle="ana", at=NOW + timedelta(hours=1)),
            item("3", f"{URL}", handle="cleo", at=NOW),  # not an ambassador
            item("4", f"{URL}", handle="sam", at=NOW),  # staff
            item("5", "https://cafe.example/blog/other", handle="ben", at=NOW),
            item("6", f"{URL}", handle="ben", at=NOW - timedelta(days=2)),  # before it started
        ],
    )
    workspace = personas.workspace_a.pk
    assert services.match_new(workspace) == 1
    assert done(share) == {"ana": "mission.linked"}
    completion = Completion.objects.get(mission=share)
    assert completion.mention.external_id == "1" and completion.points == 10
    assert completion.completed_at == NOW
    # Running it again reads nothing new; matching the same mentions again makes nothing twice.
    assert services.match_new(workspace) == 0
    Cursor.objects.filter(workspace_id=workspace).update(last_mention_id=0)
    assert services.match_new(workspace) == 0
    assert Completion.objects.filter(mission=share).count() == 1
    # On Ana's timeline, once, worth the engagement of a mission.
    activity = Activity.objects.get(kind="mission")
    assert activity.identity.handle == "ana" and activity.weight == 4
    assert activity.source == services.ACTIVITY_SOURCE and activity.source_id == completion.pk


def test_a_killed_matching_resumes_where_it_stopped(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    share = mission(personas)
    ingest(
        source,
        [
            item(str(n), f"{URL} #{n}", handle=h, at=NOW)
            for n, h in enumerate(["cleo", "ana", "ben"])
        ],
    )
    workspace = personas.workspace_a.pk

    def killed(cursor: Cursor) -> None:
        raise KeyboardInterrupt  # the worker dies after its first batch

    with pytest.raises(KeyboardInterrupt):
        services.match_new(workspace, batch=2, progress=killed)
    assert done(share) == {"ana": "mission.linked"}  # the first batch was kept
    assert services.workspaces_to_match() == [workspace]
    assert services.match_new(workspace, batch=2) == 1
    assert done(share) == {"ana": "mission.linked", "ben": "mission.linked"}
    assert services.workspaces_to_match() == []


def test_answers_reviews_and_hashtags(
    personas: Any, source: Any, ingest: Any, crowd: None, django_capture_on_commit_callbacks: Any
) -> None:
    ingest(source, [item("q", "Which grinder for espresso?", handle="cleo", at=NOW)])
    question = Mention.objects.get(external_id="q")
    answer = mission(personas, kind="answer", target_url=question.url, title="Answer Cleo")
    assert answer.target_external_id == "q" and answer.target_network == "mastodon"
    with django_capture_on_commit_callbacks(execute=True):
        cold = products.save_product(personas.workspace_a, personas.alice, name="Cold brew")
    review = mission(personas, kind="review", product=cold, title="Review the cold brew")
    tag = mission(personas, kind="hashtag", hashtag="#CaféLumière", title="Tag us", points=5)
    long = "The cold brew " + " ".join(["is smooth"] * 12)
    ingest(
        source,
        [
            item("a1", "The Baratza Encore", handle="ana", parent_id="q", at=NOW),
            item("a2", "cold brew is nice", handle="ben", at=NOW),  # too short for a review
            item("a3", long, handle="ben", at=NOW + timedelta(minutes=1)),
            item("a4", "Un matin au #cafelumiere", handle="ana", at=NOW),
            item("a5", "cafelumiere sans dièse", handle="ben", at=NOW),
        ],
    )
    assert services.match_new(personas.workspace_a.pk) == 3
    assert done(answer) == {"ana": "mission.replied"}
    assert done(review) == {"ben": "mission.reviewed"}
    assert done(tag) == {"ana": "mission.hashtag"}
    board = leaderboard.leaders(personas.workspace_a, None)
    assert [(row.rank, row.member.pk, row.points, row.missions) for row in board] == [
        (1, member("ana").pk, 15, 2),
        (2, member("ben").pk, 10, 1),
    ]


def test_chosen_members_and_segments(personas: Any, source: Any, ingest: Any, crowd: None) -> None:
    from ambassade.community.models import Segment

    chosen = mission(personas, audience="chosen", chosen=[member("cleo").pk], title="Cleo's")
    segment = Segment.objects.create(
        workspace=personas.workspace_a, name="Ben", definition={"networks": ["mastodon"]}
    )
    by_segment = mission(personas, audience="segment", segment=segment, title="Segment's")
    ingest(source, [item(h, URL, handle=h, at=NOW) for h in ("ana", "cleo", "sam")])
    services.match_new(personas.workspace_a.pk)
    assert done(chosen) == {"cleo": "mission.linked"}
    assert done(by_segment) == {"ana": "mission.linked", "cleo": "mission.linked"}  # not staff
    with pytest.raises(services.MissionError) as refused:
        mission(personas, audience="chosen", chosen=[], title="Nobody's")
    assert refused.value.field == "chosen"
    with pytest.raises(services.MissionError) as refused:
        mission(personas, kind="share", target_url="javascript:alert(1)")
    assert refused.value.field == "target_url"
    with pytest.raises(services.MissionError) as refused:
        mission(personas, ends_at=NOW - timedelta(days=3))
    assert refused.value.field == "ends_at"


def test_marked_done_by_hand_once_and_taken_back(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    share = mission(personas)
    ben = member("ben")
    completion = services.mark_done(share, ben, personas.bob, "Shared it in the shop's window")
    assert completion.evidence == "mission.manual" and completion.marked_by == personas.bob
    with pytest.raises(services.MissionError) as twice:
        services.mark_done(share, ben, personas.bob)
    assert twice.value.message.code == "mission.already_done"
    with pytest.raises(services.MissionError) as staff:
        services.mark_done(share, member("sam"), personas.bob)
    assert staff.value.message.code == "mission.staff"
    # Ben's message afterwards does not complete it again.
    ingest(source, [item("b", URL, handle="ben", at=NOW)])
    assert services.match_new(personas.workspace_a.pk) == 0
    services.undo(completion, personas.bob)
    assert not Completion.objects.filter(mission=share).exists()
    assert not Activity.objects.filter(kind="mission").exists()


def test_merged_accounts_count_once_on_the_leaderboard(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    share = mission(personas)
    ingest(source, [item("x1", "hi", handle="ana_x", source="bluesky", at=NOW - timedelta(days=3))])
    ambassadors("ana_x")
    ingest(
        source,
        [
            item("1", URL, handle="ana", at=NOW),
            item("2", URL, handle="ana_x", source="bluesky", at=NOW),
        ],
    )
    services.match_new(personas.workspace_a.pk)
    assert len(done(share)) == 2
    community.merge_members(member("ana"), member("ana_x"), personas.alice)
    board = leaderboard.leaders(personas.workspace_a, NOW - timedelta(days=1))
    assert [(row.member.pk, row.points, row.missions) for row in board] == [
        (member("ana").pk, 10, 1)
    ]


def test_the_ingest_queues_the_matching(
    personas: Any, source: Any, ingest: Any, crowd: None, immediate: None
) -> None:
    share = mission(personas)
    ingest(source, [item("1", URL, handle="ana", at=NOW)])
    assert done(share) == {"ana": "mission.linked"}


def test_a_members_missions_are_exported_and_erased_with_them(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    from ambassade.community import privacy

    share = mission(personas)
    services.mark_done(share, member("ana"), personas.bob, "Seen at the shop")
    data = privacy.export_member(member("ana"), personas.alice)
    assert [(m["mission"], m["points"], m["note"]) for m in data["missions"]] == [
        ("Share the new roast", 10, "Seen at the shop")
    ]
    privacy.erase_member(member("ana"), personas.alice)
    assert not Completion.objects.exists()
    assert leaderboard.leaders(personas.workspace_a, None) == []
