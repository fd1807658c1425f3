"""The missions' pages: made through the form, who did it with the evidence, marked done by hand,
the leaderboard; escaped; the roles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse

from ambassade.community.models import Identity, Member
from ambassade.missions import services
from ambassade.missions.models import Completion, Mission
from tests.listening.conftest import NOW, item
from tests.workspaces.html import parse

HOSTILE = '<img src=x onerror="alert(1)">'


def test_a_mission_is_made_done_shown_and_marked_by_hand(
    client: Any, personas: Any, source: Any, ingest: Any, people: dict[str, Any]
) -> None:
    workspace = personas.workspace_a
    slug = workspace.slug
    ingest(source, [item(h, "hi", handle=h, at=NOW - timedelta(days=9)) for h in ("ana", "ben")])
    Member.objects.update(ambassador=True)
    client.force_login(personas.bob)
    new = reverse("missions:mission_new", args=[slug])
    fields = {
        "title": HOSTILE,
        "kind": "share",
        "instructions": HOSTILE,
        "target_url": "https://cafe.example/blog/roast",
        "points": "12",
        "starts_at": (NOW - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        "ends_at": (NOW + timedelta(days=7)).strftime("%Y-%m-%d %H:%M"),
        "audience": "ambassadors",
    }
    refused = client.post(new, fields | {"target_url": "", "points": "0"})
    assert refused.status_code == 200 and not Mission.objects.exists()
    refused = client.post(new, fields | {"audience": "chosen", "chosen": "@ana, nobody"})
    assert "No member has the handle @nobody." in refused.content.decode()
    response = client.post(new, fields)
    mission = Mission.objects.get()
    assert response.status_code == 302 and mission.points == 12
    ingest(source, [item("s1", "https://cafe.example/blog/roast?utm_source=x", handle="ana")])
    services.match_new(workspace.pk)
    page_url = reverse("missions:mission", args=[slug, mission.pk])
    page = client.get(page_url)
    html = page.content.decode()
    assert HOSTILE not in html  # the title and instructions are escaped
    done = parse(html).find("ol", class_="plain-list mission-completions")
    assert "Links to the target: https://cafe.example/blog/roast?utm_source=x" in done.text
    # Ben did it offline: marked by hand with a note (only those not done are offered).
    ben = Identity.objects.get(handle="ben").member
    form = parse(html).find("select", name="member")
    assert [o.attrs["value"] for o in form.find_all("option")] == [str(ben.pk)]
    response = client.post(
        reverse("missions:mission_mark_done", args=[slug, mission.pk]),
        {"member": str(ben.pk), "note": "At the shop"},
    )
    assert response.status_code == 302
    completion = Completion.objects.get(identity__member=ben)
    assert completion.note == "At the shop" and completion.evidence == "mission.manual"
    # On the members' pages and the leaderboard.
    member_page = client.get(reverse("community:member", args=[slug, ben.pk])).content.decode()
    assert "+12" in parse(member_page).find("ul", class_="plain-list member-missions").text
    board = client.get(reverse("missions:leaderboard", args=[slug]) + "?period=all")
    rows = parse(board.content.decode()).find("table", class_="table leaderboard").find_all("tr")
    assert len(rows) == 3  # a header and two members
    assert client.get(reverse("missions:leaderboard", args=[slug]) + "?period=x").status_code == 200
    # An analyst reads but does not change.
    client.force_login(people["analyst"])
    assert client.get(page_url).status_code == 200
    assert client.get(reverse("missions:missions", args=[slug])).status_code == 200
    assert client.post(new, fields).status_code == 403
    undo = reverse("missions:completion_undo", args=[slug, mission.pk, completion.pk])
    assert client.post(undo).status_code == 403
    client.force_login(personas.bob)
    assert client.post(undo).status_code == 302
    assert not Completion.objects.filter(pk=completion.pk).exists()
    assert (
        client.post(reverse("missions:mission_delete", args=[slug, mission.pk])).status_code == 302
    )
    assert not Mission.objects.exists()
