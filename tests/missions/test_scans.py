"""A mission made or widened now counts the messages stored since its start (a resumable scan
through the same matching as the stream's); chosen members follow merges and separations; a quote
of the target counts where the network names it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ambassade.community import services as community
from ambassade.community.models import Identity
from ambassade.listening.models import Mention
from ambassade.missions import services
from ambassade.missions.models import Assignee, Completion, Mission
from tests.listening.conftest import NOW, item
from tests.missions.test_services import URL, ambassadors, crowd, done, member, mission

__all__ = ["crowd"]  # the fixture, used by name


def test_a_new_mission_completes_from_the_messages_stored_before_it(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    ingest(
        source,
        [
            item("1", f"Lisez {URL}", handle="ana", at=NOW - timedelta(hours=3)),
            item("2", URL, handle="cleo", at=NOW - timedelta(hours=2)),  # not an ambassador
            item("3", URL, handle="ben", at=NOW - timedelta(hours=1)),
            item("4", URL, handle="ben", at=NOW - timedelta(days=5)),  # before the start
        ],
    )
    share = mission(personas)  # the workspace's first: its cursor starts at the newest mention
    workspace = personas.workspace_a.pk
    assert services.match_new(workspace) == 0  # the stream's matching reads only what comes next
    assert share.scanning and share.scan_version == 1

    def killed(current: Mission) -> None:
        raise KeyboardInterrupt  # the worker dies after its first batch

    with pytest.raises(KeyboardInterrupt):
        services.scan(share.pk, batch=2, progress=killed)
    share.refresh_from_db()
    # Three messages in the period; the first batch read two of them and was kept.
    assert (share.scanned, share.scan_total, share.scan_percent) == (2, 3, 66)
    assert done(share) == {"ana": "mission.linked"}
    assert services.scannable() == []  # its worker's heartbeat is fresh
    assert services.scannable(NOW + timedelta(days=30)) == [share.pk]  # later: taken up again
    Mission.objects.filter(pk=share.pk).update(scan_heartbeat_at=None)
    seen: list[int] = []
    finished = services.scan(share.pk, batch=2, progress=lambda m: seen.append(m.scanned))
    assert finished is not None and finished.scan_done_at is not None and seen == [3]
    assert done(share) == {"ana": "mission.linked", "ben": "mission.linked"}
    assert Completion.objects.get(mission=share, identity__handle="ben").mention.external_id == "3"
    assert services.scan(share.pk) is None  # over
    # Mentions after the scan's end are the cursor's, once each.
    ingest(source, [item("5", URL, handle="ben", at=NOW)])
    assert services.match_new(workspace) == 0
    assert Completion.objects.filter(mission=share).count() == 2


def test_widening_a_mission_scans_again_and_a_new_title_does_not(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    ingest(source, [item("old", URL, handle="ben", at=NOW - timedelta(days=3))])
    share = mission(personas)
    services.scan(share.pk)
    assert done(share) == {}
    share = services.save_mission(personas.workspace_a, personas.alice, share, title="Renamed")
    assert share.scan_version == 1 and not share.scanning
    share = services.save_mission(
        personas.workspace_a, personas.alice, share, starts_at=NOW - timedelta(days=5)
    )
    assert share.scan_version == 2 and share.scanning and share.scan_until_id is None
    services.scan(share.pk)
    assert done(share) == {"ben": "mission.linked"}
    # A scan of an older version stops when the mission changed under it.
    version = share.scan_version
    services.save_mission(
        personas.workspace_a, personas.alice, share, ends_at=NOW + timedelta(days=9)
    )
    assert services._scan_batch(share.pk, version, 10, NOW) is None


def test_saving_a_mission_queues_its_scan(
    personas: Any,
    source: Any,
    ingest: Any,
    crowd: None,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ingest(source, [item("1", URL, handle="ana", at=NOW - timedelta(hours=1))])
    with django_capture_on_commit_callbacks(execute=True):
        share = mission(personas)
    share.refresh_from_db()
    assert done(share) == {"ana": "mission.linked"}
    assert (share.scanned, share.scan_total) == (1, 1) and share.scan_done_at is not None


def test_the_scan_command_shows_its_progress(
    personas: Any, source: Any, ingest: Any, crowd: None, capsys: Any
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    ingest(source, [item(str(n), URL, handle="ana", at=NOW - timedelta(hours=n)) for n in (1, 2)])
    share = mission(personas)
    call_command("scan_missions", workspace=personas.workspace_a.slug, batch=1)
    out, err = capsys.readouterr()
    assert "Share the new roast: 1 completions added, 2 mentions read." in out
    assert "2/2 (100%)" in err
    assert done(share) == {"ana": "mission.linked"}
    with pytest.raises(CommandError):
        call_command("scan_missions", workspace=personas.workspace_b.slug, mission=[share.pk])


def test_chosen_members_follow_a_merge_and_its_undoing(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    ingest(
        source, [item("x1", "hi", handle="cleo_x", source="bluesky", at=NOW - timedelta(days=3))]
    )
    cleo, cleo_x, ben = member("cleo"), member("cleo_x"), member("ben")
    chosen = mission(personas, audience="chosen", chosen=[cleo_x.pk, ben.pk], title="Chosen")
    asked = lambda: set(services.assigned_members(chosen).values_list("pk", flat=True))  # noqa: E731
    assert asked() == {cleo_x.pk, ben.pk}
    # Cleo's Bluesky account merged into her Mastodon member: she is asked, once.
    community.merge_members(cleo, cleo_x, personas.alice)
    assert asked() == {cleo.pk, ben.pk}
    assert services.assigned_members(chosen).count() == 2
    ingest(source, [item("c", URL, handle="cleo", at=NOW)])
    services.match_new(personas.workspace_a.pk)
    assert done(chosen) == {"cleo": "mission.linked"}
    # The form shows her handles; saving it as it is changes nobody.
    from ambassade.missions.forms import MissionForm

    form = MissionForm(personas.workspace_a, instance=chosen)
    assert form.initial["chosen"] == "ben, cleo, cleo_x"
    services.save_mission(personas.workspace_a, personas.alice, chosen, chosen=[cleo.pk, ben.pk])
    assert Assignee.objects.filter(mission=chosen).count() == 2
    # Separated again: the Bluesky account's member is the one asked, the Mastodon one is not.
    split = community.split_identity(Identity.objects.get(handle="cleo_x"), personas.alice)
    assert asked() == {split.pk, ben.pk}
    # Both chosen, then merged: one member, asked through both accounts, each back on a split.
    services.save_mission(
        personas.workspace_a, personas.alice, chosen, chosen=[member("cleo").pk, split.pk, ben.pk]
    )
    community.merge_members(member("cleo"), split, personas.alice)
    assert asked() == {member("cleo").pk, ben.pk}
    assert Assignee.objects.filter(mission=chosen).count() == 3
    again = community.split_identity(Identity.objects.get(handle="cleo_x"), personas.alice)
    assert asked() == {member("cleo").pk, again.pk, ben.pk}


def test_a_quote_of_the_target_completes_a_share(
    personas: Any, source: Any, ingest: Any, crowd: None
) -> None:
    target = "https://cafe.social/users/brand/statuses/55"
    ingest(source, [item(target, "Our new roast", handle="brand", at=NOW - timedelta(days=2))])
    heard = Mention.objects.get(external_id=target)
    share = mission(personas, target_url=heard.url)
    assert (share.target_external_id, share.target_network) == (target, "mastodon")
    ambassadors("ana_x")
    ingest(
        source,
        [
            item("q1", "So true", handle="ana", quoted_id=target, at=NOW),
            # The same id quoted on another network names another post.
            item("q2", "So true", handle="ben", source="bluesky", quoted_id=target, at=NOW),
        ],
    )
    services.match_new(personas.workspace_a.pk)
    assert done(share) == {"ana": "mission.quoted"}
    assert Mention.objects.get(external_id="q1").quoted_external_id == target
