"""Saved segments deciding who may win a contest: resolved once at the freeze, published with the
draw (and checked by the standalone verifier), untouched by a later edit of the segment; all or
nothing when a segment cannot be resolved."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from ambassade.community.models import Identity, Member, MemberTag, Segment
from ambassade.contests import drawing, services
from ambassade.contests import entries as contest_entries
from ambassade.contests.models import Contest, Entry, SegmentRule
from ambassade.engine.draw import Draw, DrawError, verify
from tests.contests.conftest import CLOSES, OPENS
from tests.listening.conftest import NOW, item
from tests.workspaces.html import parse


def _tag(member: Member, *names: str) -> None:
    for name in names:
        MemberTag.objects.create(workspace_id=member.workspace_id, member=member, name=name)


def _segment(personas: Any, name: str, tag: str) -> Segment:
    return Segment.objects.create(
        workspace=personas.workspace_a, name=name, definition={"tags": {"any": [tag]}}
    )


@pytest.fixture
def entered(make_contest: Any, source: Any, ingest: Any, personas: Any) -> dict[str, Any]:
    """A contest open to the segment "Fans" but not to "Jury": Ana (a fan), Ben (a fan on the
    jury) and Cleo (neither) entered on Mastodon; Eve (a fan known by her address) and Zed
    (unknown) by the form."""
    fans, jury = _segment(personas, "Fans", "fan"), _segment(personas, "Jury", "jury")
    contest = make_contest(form_entry=True, only_segment=fans, exclude_segments=[jury])
    ingest(
        source,
        [
            item(str(n), "#lumiere", handle=handle)
            for n, handle in enumerate(["ana", "ben", "cleo"])
        ],
    )
    contest_entries.collect(contest.pk)
    members = {i.handle: i.member for i in Identity.objects.filter(workspace=personas.workspace_a)}
    eve = Member.objects.create(
        workspace=personas.workspace_a, display_name="Eve", email="Eve@x.org"
    )
    _tag(members["ana"], "fan")
    _tag(members["ben"], "fan", "jury")
    _tag(eve, "fan")
    for name, email in (("Eve", "eve@x.org"), ("Zed", "zed@x.org")):
        contest_entries.enter_by_form(contest, name=name, email=email, lang="en", now=OPENS)
    return {"contest": contest, "fans": fans, "jury": jury, "members": members, "eve": eve}


def _reasons(contest: Contest) -> dict[str, str]:
    return {e.handle or e.email: e.excluded for e in Entry.objects.filter(contest=contest)}


def test_segments_decide_who_may_win_fixed_at_the_freeze_and_published(
    entered: dict[str, Any], personas: Any, tmp_path: Path, capsys: Any
) -> None:
    from ambassade.cli import verify_draw

    contest, fans, jury = entered["contest"], entered["fans"], entered["jury"]
    # Before the freeze, nothing is decided: every entry counts.
    assert set(_reasons(contest).values()) == {""}
    frozen = drawing.freeze(contest.pk, now=CLOSES)
    assert frozen is not None and frozen.entry_count == 2
    assert _reasons(contest) == {
        "ana": "",
        "ben": "in_segment",
        "cleo": "not_in_segment",
        "eve@x.org": "",
        "zed@x.org": "not_in_segment",
    }
    codes = {e.handle or e.email: e.code for e in Entry.objects.filter(contest=contest)}
    only = SegmentRule.objects.get(contest=contest, rule="only")
    out = SegmentRule.objects.get(contest=contest, rule="exclude")
    members = entered["members"]
    assert only.member_ids == sorted([members["ana"].pk, members["ben"].pk, entered["eve"].pk])
    assert only.left_out == sorted([codes["cleo"], codes["zed@x.org"]])
    assert out.member_ids == [members["ben"].pk] and out.left_out == [codes["ben"]]
    assert only.definition == {"tags": {"any": ["fan"]}} and only.resolved_at == CLOSES
    # The segments change afterwards: the frozen contest and its draw do not.
    Segment.objects.filter(pk=fans.pk).update(definition={}, name="Everyone")
    jury.delete()
    drawn = drawing.draw(Contest.objects.get(pk=contest.pk), personas.alice)
    assert set(drawn.results) == {codes["ana"], codes["eve@x.org"]}
    published = drawing.published(drawn)
    assert published is not None and verify(published).ok
    data = json.loads(published.to_json())
    assert data["eligibility"] == [
        {
            "rule": "exclude",
            "segment": "Jury",
            "definition": {"tags": {"any": ["jury"]}},
            "members": 1,
            "left_out": [codes["ben"]],
        },
        {
            "rule": "only",
            "segment": "Fans",
            "definition": {"tags": {"any": ["fan"]}},
            "members": 3,
            "left_out": sorted([codes["cleo"], codes["zed@x.org"]]),
        },
    ]
    assert Draw.from_json(data) == published
    path = tmp_path / "draw.json"
    path.write_text(published.to_json(), encoding="utf-8")
    args = type("Args", (), {"draw": path, "lang": "fr"})()
    assert verify_draw.run(args) == 0
    capsys.readouterr()
    # An entry a segment left out slipped back into the list (its hash made again): caught.
    data["entries"].append(codes["ben"])
    listing = "".join(f"{c}\n" for c in sorted(data["entries"], key=str.encode))
    data["entries_sha256"] = hashlib.sha256(listing.encode()).hexdigest()
    path.write_text(json.dumps(data), encoding="utf-8")
    assert verify_draw.run(args) == 1
    error = capsys.readouterr().err
    assert codes["ben"] in error and "Jury" in error and "segment" in error


def test_a_deleted_segment_freezes_nothing_and_says_which(
    entered: dict[str, Any], personas: Any
) -> None:
    contest = entered["contest"]
    entered["jury"].delete()
    problem = drawing.segment_problem(contest)
    assert problem is not None and problem.code == "contest.segment_deleted"
    with pytest.raises(services.ContestError) as refused:
        drawing.freeze(contest.pk, now=CLOSES)
    assert refused.value.message.code == "contest.segment_deleted"
    assert refused.value.message.params["segment"] == "Jury"
    contest.refresh_from_db()
    assert contest.frozen_at is None and contest.entries_sha256 == ""
    assert set(_reasons(contest).values()) == {""}
    assert not SegmentRule.objects.filter(contest=contest, resolved_at__isnull=False).exists()
    # Open, its rules are fixed, but a deleted segment may be replaced (here: by none).
    assert services.update_contest(
        contest, personas.alice, only_segment=entered["fans"], exclude_segments=[]
    ) == ["segments"]
    frozen = drawing.freeze(contest.pk, now=CLOSES)
    assert frozen is not None and frozen.entry_count == 3  # Ana, Ben and Eve: fans


def test_segment_rules_are_checked_and_fixed_once_open(make_contest: Any, personas: Any) -> None:
    fans = _segment(personas, "Fans", "fan")
    with pytest.raises(services.ContestError) as both:
        make_contest(only_segment=fans, exclude_segments=[fans])
    assert both.value.message.code == "contest.segment_both"
    other = Segment.objects.create(workspace=personas.workspace_b, name="B's", definition={})
    with pytest.raises(services.ContestError) as foreign:
        make_contest(exclude_segments=[other])
    assert foreign.value.message.code == "contest.segment_unknown"
    upcoming = make_contest(
        starts_at=NOW + timedelta(days=400), closes_at=NOW + timedelta(days=401)
    )
    changed = services.update_contest(upcoming, personas.alice, only_segment=fans)
    assert changed == ["segments"]
    assert list(upcoming.segment_rules.values_list("rule", "name")) == [("only", "Fans")]
    opened = make_contest()
    with pytest.raises(services.ContestError) as fixed:
        services.update_contest(opened, personas.alice, exclude_segments=[fans])
    assert fixed.value.message.code == "contest.rules_fixed"
    assert not opened.segment_rules.exists()
    # The same choice again is no change, even once open.
    assert services.update_contest(opened, personas.alice, exclude_segments=[]) == []


def test_the_draw_file_refuses_a_bad_eligibility() -> None:
    good = Draw.make(bytes(32), ["a", "b"], 1).to_json()
    data = json.loads(good)
    data["eligibility"] = [{"rule": "maybe", "segment": "x", "definition": {}, "members": 0}]
    with pytest.raises(DrawError) as bad:
        Draw.from_json(data)
    assert bad.value.code == "draw.bad_eligibility"
    assert bad.value.params["field"] == "eligibility.1.rule"


def test_the_pages_offer_the_workspaces_segments_and_show_the_rules(
    entered: dict[str, Any], personas: Any, client: Any
) -> None:
    Segment.objects.create(workspace=personas.workspace_b, name="Not A's", definition={})
    contest, slug = entered["contest"], personas.workspace_a.slug
    client.force_login(personas.alice)
    form = parse(client.get(reverse("contests:contest_new", args=[slug])).content)
    names = [f.attrs.get("name") for f in form.find_all() if f.tag in ("input", "select")]
    assert names.index("only_segment") == names.index("exclude_bots") + 1
    offered = [o.text for o in form.find("select", id="id_only_segment").find_all("option")]
    assert offered[1:] == ["Fans", "Jury"]
    page = client.get(
        reverse("contests:contest", args=[slug, contest.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    rules = parse(page.content).find("ul", data_segment_rules=True).find_all("li")
    assert [r.attrs["data-rule"] for r in rules] == ["exclude", "only"]
    assert "Fans" in rules[1].text and "figées" in rules[1].text
    rules_page = client.get(
        reverse("contests:rules", kwargs={"contest_token": contest.token}),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert "Seuls les membres de la liste « Fans »" in rules_page and "« Jury »" in rules_page
    drawing.freeze(contest.pk, now=CLOSES)
    page = client.get(
        reverse("contests:contest", args=[slug, contest.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = parse(page.content)
    rules = html.find("ul", data_segment_rules=True).find_all("li")
    assert "3 members" in rules[1].text and "2 entries left out" in rules[1].text
    assert "Not in the segment allowed to win" in html.text
