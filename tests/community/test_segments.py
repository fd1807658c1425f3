"""Segments in the database: the one query agrees with the pure predicate, scores are stored,
custom fields and tags are written as checked, and the builder and the export work."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

import pytest
from django.urls import reverse

from ambassade.community import crm, scores, segments, services
from ambassade.community.models import Activity, Consent, Identity, Member, Segment
from ambassade.engine.segments import SegmentError, matches
from tests.workspaces.html import parse

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


def by_class(page: Any, name: str) -> list[Any]:
    return [e for e in page.iter() if name in e.attrs.get("class", "").split()]


def by_id(page: Any, name: str) -> Any:
    return page.find(id=name)


def _member(workspace: Any, handle: str, network: str = "mastodon", **values: Any) -> Member:
    member = Member.objects.create(workspace=workspace, display_name=handle, **values)
    Identity.objects.create(workspace=workspace, member=member, network=network, handle=handle)
    return member


@pytest.fixture
def community(personas: Any) -> dict[str, Member]:
    """Twelve members of workspace A with every kind of fact, and one of workspace B."""
    ws, alice = personas.workspace_a, personas.alice
    crm.save_field(ws, alice, key="city", label="City", type="text")
    crm.save_field(ws, alice, key="orders", label="Orders", type="number")
    crm.save_field(ws, alice, key="birthday", label="Birthday", type="date")
    crm.save_field(ws, alice, key="newsletter", label="Newsletter", type="yes_no")
    crm.save_field(ws, alice, key="tier", label="Tier", type="choice", choices=["Gold", "Silver"])
    rng = random.Random(14)
    found = {}
    for number in range(12):
        member = _member(
            ws,
            f"m{number}",
            network=rng.choice(["mastodon", "bluesky", "x"]),
            love=rng.choice([0.0, 2.5, 3.0, 12.0, 40.0]),
            level=rng.choice([1, 2, 3, 4]),
            sentiment=rng.choice([-0.5, 0.0, 0.25, 0.6]),
            influence=rng.choice([0.0, 20.0, 55.5]),
            reach=rng.choice([0, 150, 5000]),
            ambassador=rng.random() < 0.3,
            detractor=rng.random() < 0.2,
            rising=rng.random() < 0.2,
            dormant=rng.random() < 0.2,
            language=rng.choice(["", "fr", "en"]),
            last_seen_at=rng.choice(
                [None, NOW - dt.timedelta(days=5), NOW - dt.timedelta(days=100)]
            ),
            staff=rng.random() < 0.15,
            email=rng.choice(["", f"m{number}@example.org"]),
        )
        if number % 4 == 0:  # a second account elsewhere
            Identity.objects.create(workspace=ws, member=member, network="x", handle=f"m{number}x")
        crm.set_tags(
            member, alice, rng.sample(["vip", "fan", "customer", "troll"], rng.randint(0, 3))
        )
        values = {
            "city": rng.choice(["", "Lyon", "lyon", "Paris", "Saint-Étienne"]),
            "orders": rng.choice(["", "0", "3", "12.5"]),
            "birthday": rng.choice(["", "1990-05-01", "2001-12-31"]),
            "newsletter": rng.choice(["", "yes", "no"]),
            "tier": rng.choice(["", "Gold", "Silver"]),
        }
        crm.set_values(member, alice, values)
        for purpose in rng.sample(["emailing", "contests", "events"], rng.randint(0, 2)):
            at = NOW - dt.timedelta(days=10)
            Consent.objects.create(
                workspace=ws,
                member=member,
                purpose=purpose,
                state="granted",
                source="recorded",
                recorded_at=at,
            )
            if rng.random() < 0.3:
                Consent.objects.create(
                    workspace=ws,
                    member=member,
                    purpose=purpose,
                    state="withdrawn",
                    source="recorded",
                    recorded_at=at + dt.timedelta(days=1),
                )
            if rng.random() < 0.3:  # a pending request changes nothing
                Consent.objects.create(
                    workspace=ws,
                    member=member,
                    purpose=purpose,
                    state="pending",
                    source="double_opt_in",
                    recorded_at=at + dt.timedelta(days=2),
                )
        found[member.display_name] = member
    found["other"] = _member(personas.workspace_b, "m0")
    return found


def _random_definition(rng: random.Random) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, values in (
        ("love", [0, 2.5, 3, 12, 40]),
        ("sentiment", [-0.5, 0, 0.25]),
        ("influence", [0, 20, 55.5]),
        ("followers", [0, 150, 5000]),
    ):
        if rng.random() < 0.25:
            low, high = sorted(rng.sample(values, 2))
            data[name] = rng.choice([{"min": low}, {"max": high}, {"min": low, "max": high}])
    if rng.random() < 0.3:
        data["levels"] = rng.sample([1, 2, 3, 4], rng.randint(1, 3))
    if rng.random() < 0.3:
        data["classes"] = rng.sample(["ambassador", "detractor", "rising", "dormant"], 2)
    tags = ["vip", "fan", "customer", "troll"]
    if rng.random() < 0.5:
        data["tags"] = {
            part: rng.sample(tags, rng.randint(0, 2)) for part in ("any", "all", "none")
        }
    if rng.random() < 0.3:
        data["networks"] = rng.sample(["mastodon", "bluesky", "x"], rng.randint(1, 2))
    if rng.random() < 0.3:
        data["languages"] = rng.sample(["fr", "en"], 1)
    if rng.random() < 0.2:
        data["seen_within_days"] = rng.choice([7, 30, 365])
    if rng.random() < 0.2:
        data["not_seen_for_days"] = rng.choice([7, 90])
    if rng.random() < 0.3:
        data["consents"] = rng.sample(["emailing", "contests", "events"], rng.randint(1, 2))
    data["staff"] = rng.choice(["exclude", "include", "only"])
    if rng.random() < 0.2:
        data["has_email"] = rng.random() < 0.5
    conditions = [
        ("city", ["eq", "ne", "contains", "set", "unset"], ["lyon", "Paris", "étienne", "ly"]),
        ("orders", ["eq", "ne", "lt", "lte", "gt", "gte", "set", "unset"], ["0", "3", "12,5"]),
        ("birthday", ["eq", "lt", "gte", "unset"], ["1990-05-01", "2000-01-01"]),
        ("newsletter", ["is", "unset"], ["yes", "no"]),
        ("tier", ["in", "not_in", "set"], [["Gold"], ["gold", "Silver"]]),
    ]
    if rng.random() < 0.6:
        data["fields"] = [
            {"field": key, "op": rng.choice(ops), "value": rng.choice(values)}
            for key, ops, values in rng.sample(conditions, rng.randint(1, 2))
        ]
    return data


def test_the_query_and_the_pure_predicate_agree(personas: Any, community: Any) -> None:
    ws = personas.workspace_a
    members = list(Member.objects.filter(workspace=ws))
    facts = segments.facts_of(members)
    rng = random.Random(2026)
    sizes = set()
    for _ in range(80):
        data = _random_definition(rng)
        definition = segments.parse_for(ws, data)
        found = set(segments.members_matching(ws, definition, NOW).values_list("id", flat=True))
        expected = {m.pk for m in members if matches(definition, facts[m.pk], NOW)}
        assert found == expected, data
        sizes.add(len(found))
    assert len(sizes) > 5  # the definitions were not all empty nor all everyone
    assert community["other"].pk not in found


def test_text_fields_compare_without_case(personas: Any, community: Any) -> None:
    ws = personas.workspace_a
    lyon = segments.members_matching(
        ws,
        segments.parse_for(
            ws, {"staff": "include", "fields": [{"field": "city", "op": "eq", "value": "LYON"}]}
        ),
        NOW,
    )
    cities = {m.field_values.get(field__key="city").text for m in lyon}
    assert cities == {"Lyon", "lyon"}


def test_segment_members_is_a_queryset_of_the_segment(personas: Any, community: Any) -> None:
    segment = crm.save_segment(
        personas.workspace_a,
        personas.alice,
        name="VIP in Lyon",
        definition={"tags": {"any": ["vip"]}, "staff": "include"},
    )
    assert segment.definition == {"version": 1, "tags": {"any": ["vip"]}, "staff": "include"}
    found = segments.segment_members(segment)
    assert found.model is Member
    assert set(found.values_list("id", flat=True)) == set(
        Member.objects.filter(tag_set__name="vip").values_list("id", flat=True)
    )
    assert found.filter(email__gt="").count() <= found.count()  # other apps narrow it further


def test_a_segment_on_a_deleted_field_refuses_rather_than_widens(
    personas: Any, community: Any
) -> None:
    ws = personas.workspace_a
    segment = crm.save_segment(
        ws,
        personas.alice,
        name="Gold",
        definition={"fields": [{"field": "tier", "op": "in", "value": ["Gold"]}]},
    )
    field = ws and segment and crm.CustomField.objects.get(workspace=ws, key="tier")
    with pytest.raises(services.ActionError, match="Gold"):
        crm.delete_field(field, personas.alice)
    Segment.objects.filter(pk=segment.pk).update(definition=segment.definition)
    field.delete()  # deleted anyway (by an older version, by hand)
    with pytest.raises(SegmentError) as caught:
        segments.segment_members(segment)
    assert caught.value.code == "segment.unknown_field"


def test_store_scores_writes_levels_classes_and_language(personas: Any) -> None:
    ws = personas.workspace_a
    fan = _member(ws, "fan")
    quiet = _member(ws, "quiet")
    identity = fan.identities.get()
    for number in range(31):
        Activity.objects.create(
            workspace=ws,
            identity=identity,
            kind="mention",
            occurred_at=NOW - dt.timedelta(days=number),
            source="test.mention",
            source_id=number,
            weight=1,
        )
    assert set(scores.stale_members(ws)) == {fan.pk, quiet.pk}
    assert scores.store_scores(ws, now=NOW) == 2
    fan.refresh_from_db()
    quiet.refresh_from_db()
    assert (fan.love, fan.level, fan.scored_at) == (31.0, 1, NOW)
    assert (quiet.love, quiet.level) == (0.0, 4)
    assert fan.level_month == NOW.year * 12 + NOW.month - 1
    # The level holds until the month ends: the activities are gone, the level stays 1 in December.
    Activity.objects.filter(identity=identity).delete()
    scores.store_scores(ws, [fan.pk], now=NOW + dt.timedelta(days=1))
    fan.refresh_from_db()
    assert (fan.love, fan.level) == (0.0, 1)
    scores.store_scores(ws, [fan.pk], now=dt.datetime(2027, 1, 1, 1, tzinfo=dt.UTC))
    fan.refresh_from_db()
    assert fan.level == 4
    # Segments read the stored scores.
    assert not segments.members_matching(ws, segments.parse_for(ws, {"levels": [1]})).exists()


def test_custom_field_values_are_checked_all_or_nothing(personas: Any, community: Any) -> None:
    member = community["m1"]
    before = {v.field.key: v.value for v in member.field_values.select_related("field")}
    with pytest.raises(crm.FieldErrors) as caught:
        crm.set_values(
            member,
            personas.alice,
            {"city": "Nice", "orders": "beaucoup", "birthday": "31/12/2001", "tier": "Bronze"},
        )
    assert {k: e.code for k, e in caught.value.errors.items()} == {
        "orders": "field.bad_number",
        "birthday": "field.bad_date",
        "tier": "field.bad_choice",
    }
    after = {v.field.key: v.value for v in member.field_values.select_related("field")}
    assert after == before  # the good city was not saved either


def url(name: str, personas: Any, *args: Any) -> str:
    return reverse(f"community:{name}", args=[personas.workspace_a.slug, *args])


def test_the_member_page_says_each_refused_field(
    personas: Any, community: Any, client: Any
) -> None:
    member = community["m2"]
    client.force_login(personas.bob)
    response = client.post(
        url("member_fields", personas, member.pk),
        {"f_orders": "douze", "f_birthday": "2001-02-30", "f_city": "Nice"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    page = parse(response.content)
    form = by_class(page, "member-fields-form")[0]
    errors = {li.text for ul in by_class(form, "errors") for li in ul.find_all("li")}
    assert errors == {
        "Orders : « douze » n’est pas un nombre",
        "Birthday : « 2001-02-30 » n’est pas une date écrite AAAA-MM-JJ",
    }, errors
    response = client.post(
        url("member_fields", personas, member.pk),
        {"f_orders": "12", "f_birthday": "2001-02-28", "f_city": "Nice", "f_newsletter": "yes"},
    )
    assert response.status_code == 302
    values = {v.field.key: v.value for v in member.field_values.select_related("field")}
    assert values["orders"] == 12.0 and values["birthday"] == dt.date(2001, 2, 28)
    assert values["city"] == "Nice" and values["newsletter"] is True


def test_bulk_tags_from_the_list(personas: Any, community: Any, client: Any) -> None:
    ids = [community["m1"].pk, community["m2"].pk, community["other"].pk]
    client.force_login(personas.bob)
    response = client.post(
        url("members_tags", personas), {"member": ids, "tags": "Salon 2026, vip", "action": "add"}
    )
    assert response.status_code == 302
    tagged = set(Member.objects.filter(tag_set__name="Salon 2026").values_list("id", flat=True))
    assert tagged == {community["m1"].pk, community["m2"].pk}  # not workspace B's
    client.post(
        url("members_tags", personas),
        {"member": ids[:1], "tags": "salon 2026, Salon 2026", "action": "remove"},
    )
    tagged = set(Member.objects.filter(tag_set__name="Salon 2026").values_list("id", flat=True))
    assert tagged == {community["m2"].pk}
    # The list filters on a tag.
    page = parse(client.get(url("members", personas), {"tag": "Salon 2026"}).content)
    assert [a.text for a in by_class(page, "member-link")] == ["m2"]


def test_build_preview_save_and_export(personas: Any, community: Any, client: Any) -> None:
    ws = personas.workspace_a
    client.force_login(personas.alice)
    form = {
        "love_min": "3",
        "tags_any": "vip, fan",
        "staff": "exclude",
        "cond_field_2": "orders",
        "cond_op_2": "gt",
        "cond_value_2": "plenty",
        "name": "Fans",
        "action": "preview",
    }
    response = client.post(url("segment_new", personas), form)
    page = parse(response.content)
    assert "is not a number" in by_id(page, "id_cond_value_2_errors").text
    form["cond_value_2"] = "1"
    response = client.post(url("segment_new", personas), form)
    page = parse(response.content)
    definition = segments.parse_for(
        ws,
        {
            "love": {"min": 3},
            "tags": {"any": ["vip", "fan"]},
            "fields": [{"field": "orders", "op": "gt", "value": 1}],
        },
    )
    expected = segments.members_matching(ws, definition)
    assert str(expected.count()) in by_class(page, "segment-count")[0].text
    form["action"] = "save"
    assert client.post(url("segment_new", personas), form).status_code == 302
    segment = Segment.objects.get(workspace=ws, name="Fans")
    assert segment.definition == definition.to_json()
    # A formula in a member's name is neutralised in the export.
    first = expected.first()
    if first is not None:
        Member.objects.filter(pk=first.pk).update(display_name='=HYPERLINK("http://x")')
    response = client.get(url("segment_export", personas, segment.pk))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["id", "name", "email"] and rows[0][-1] == "field:tier"
    assert {int(r[0]) for r in rows[1:]} == set(expected.values_list("id", flat=True))
    if first is not None:
        assert '\'=HYPERLINK("http://x")' in {r[1] for r in rows[1:]}
    # An editor builds segments but does not export personal data.
    client.force_login(personas.bob)
    assert client.get(url("segment_export", personas, segment.pk)).status_code == 403
    assert client.get(url("segment_edit", personas, segment.pk)).status_code == 200
