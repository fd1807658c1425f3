"""The segments' definitions and pure predicate (ambassade.engine.segments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from ambassade.engine.segments import (
    Definition,
    Facts,
    SegmentError,
    matches,
    parse,
    parse_field_value,
)

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
FIELDS = {
    "city": ("text", []),
    "orders": ("number", []),
    "birthday": ("date", []),
    "newsletter": ("yes_no", []),
    "tier": ("choice", ["Gold", "Silver"]),
}


def test_an_empty_definition_is_the_community_without_staff() -> None:
    definition = parse({})
    assert definition == Definition()
    assert matches(definition, Facts(), NOW)
    assert not matches(definition, Facts(staff=True), NOW)
    assert matches(parse({"staff": "include"}), Facts(staff=True), NOW)
    assert not matches(parse({"staff": "only"}), Facts(), NOW)


def test_ranges_include_their_bounds() -> None:
    definition = parse({"love": {"min": "3", "max": 10}, "sentiment": {"min": "-0,25"}})
    assert definition.love is not None and (definition.love.min, definition.love.max) == (3, 10)
    assert matches(definition, Facts(love=3, sentiment=-0.25), NOW)
    assert matches(definition, Facts(love=10), NOW)
    assert not matches(definition, Facts(love=10.1), NOW)
    assert not matches(definition, Facts(love=5, sentiment=-0.3), NOW)


@pytest.mark.parametrize(
    ("data", "code", "where"),
    [
        ({"love": {"min": "lots"}}, "field.bad_number", "love.min"),
        ({"love": {"min": 5, "max": 1}}, "segment.empty_range", "love"),
        ({"colour": "red"}, "segment.unknown_criterion", "colour"),
        ({"levels": [5]}, "segment.bad_levels", "levels"),
        ({"classes": ["hero"]}, "segment.unknown_value", "classes"),
        ({"consents": ["spam"]}, "segment.unknown_value", "consents"),
        ({"seen_within_days": "0"}, "segment.bad_days", "seen_within_days"),
        ({"seen_within_days": "a week"}, "segment.bad_days", "seen_within_days"),
        ({"staff": "maybe"}, "segment.unknown_value", "staff"),
        (
            {"fields": [{"field": "zodiac", "op": "eq", "value": "x"}]},
            "segment.unknown_field",
            "fields.1.field",
        ),
        (
            {"fields": [{"field": "orders", "op": "contains", "value": "1"}]},
            "segment.bad_operator",
            "fields.1.op",
        ),
        (
            {"fields": [{"field": "orders", "op": "gt", "value": "many"}]},
            "field.bad_number",
            "fields.1.value",
        ),
        (
            {"fields": [{"field": "birthday", "op": "lt", "value": "07/12/2026"}]},
            "field.bad_date",
            "fields.1.value",
        ),
        (
            {"fields": [{"field": "tier", "op": "in", "value": ["Bronze"]}]},
            "field.bad_choice",
            "fields.1.value",
        ),
        (
            {"fields": [{"field": "city", "op": "eq", "value": " "}]},
            "segment.missing_value",
            "fields.1.value",
        ),
        (
            {"fields": [{"field": "newsletter", "op": "is", "value": "perhaps"}]},
            "field.bad_yes_no",
            "fields.1.value",
        ),
    ],
)
def test_a_bad_definition_names_its_criterion(data: dict[str, Any], code: str, where: str) -> None:
    with pytest.raises(SegmentError) as caught:
        parse(data, FIELDS)
    assert (caught.value.code, caught.value.params["where"]) == (code, where)


def test_tags_networks_languages_consents() -> None:
    definition = parse(
        {
            "tags": {"any": ["vip", "fan"], "all": ["customer"], "none": ["troll"]},
            "networks": ["mastodon"],
            "languages": ["FR"],
            "consents": ["emailing"],
        }
    )
    fan = Facts(
        tags=frozenset({"fan", "customer"}),
        networks=frozenset({"mastodon", "x"}),
        language="fr",
        consents=frozenset({"emailing", "contests"}),
    )
    assert matches(definition, fan, NOW)
    assert not matches(definition, replace(fan, tags=frozenset({"fan"})), NOW)
    assert not matches(definition, replace(fan, tags=fan.tags | {"troll"}), NOW)
    assert not matches(definition, replace(fan, networks=frozenset({"x"})), NOW)
    assert not matches(definition, replace(fan, language="en"), NOW)
    assert not matches(definition, replace(fan, consents=frozenset()), NOW)


def test_activity_windows() -> None:
    recent = parse({"seen_within_days": 30})
    quiet = parse({"not_seen_for_days": "90"})
    assert matches(recent, Facts(last_seen_at=NOW - dt.timedelta(days=30)), NOW)
    assert not matches(recent, Facts(last_seen_at=NOW - dt.timedelta(days=31)), NOW)
    assert not matches(recent, Facts(), NOW)  # never seen is not active
    assert matches(quiet, Facts(), NOW)  # an imported customer never seen is quiet
    assert matches(quiet, Facts(last_seen_at=NOW - dt.timedelta(days=91)), NOW)
    assert not matches(quiet, Facts(last_seen_at=NOW - dt.timedelta(days=89)), NOW)


def test_custom_field_conditions() -> None:
    def one(op: str, field: str, value: object = None) -> Definition:
        return parse({"fields": [{"field": field, "op": op, "value": value}]}, FIELDS)

    lyon = Facts(
        fields={
            "city": "Lyon",
            "orders": 3.0,
            "birthday": dt.date(1990, 5, 1),
            "newsletter": True,
            "tier": "Gold",
        }
    )
    nobody = Facts()
    cases = [
        (one("eq", "city", "LYON"), True, False),
        (one("ne", "city", "lyon"), False, True),  # no value is "not Lyon"
        (one("contains", "city", "yo"), True, False),
        (one("gt", "orders", "2,5"), True, False),
        (one("lte", "orders", 3), True, False),
        (one("lt", "orders", 3), False, False),
        (one("eq", "orders", "3"), True, False),
        (one("lt", "birthday", "2000-01-01"), True, False),
        (one("gte", "birthday", "1990-05-02"), False, False),
        (one("is", "newsletter", "oui"), True, False),
        (one("is", "newsletter", "no"), False, False),
        (one("unset", "newsletter"), False, True),
        (one("in", "tier", ["gold", "Silver"]), True, False),
        (one("not_in", "tier", ["Gold"]), False, True),
        (one("set", "city"), True, False),
    ]
    for definition, for_lyon, for_nobody in cases:
        assert matches(definition, lyon, NOW) is for_lyon, definition.fields
        assert matches(definition, nobody, NOW) is for_nobody, definition.fields


def test_the_canonical_json_parses_to_the_same_definition() -> None:
    data = {
        "love": {"min": 3},
        "levels": [2, 1],
        "classes": ["rising", "ambassador"],
        "tags": {"any": ["b", "a"], "none": ["x"]},
        "networks": ["x", "mastodon"],
        "languages": ["fr"],
        "seen_within_days": "30",
        "consents": ["emailing"],
        "has_email": True,
        "fields": [
            {"field": "birthday", "op": "lt", "value": "2000-01-01"},
            {"field": "tier", "op": "in", "value": ["silver", "gold"]},
        ],
    }
    definition = parse(data, FIELDS)
    canonical = definition.to_json()
    assert canonical["levels"] == [1, 2] and canonical["fields"][1]["value"] == ["Gold", "Silver"]
    assert parse(canonical, FIELDS) == definition


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("number", "1 234,5", 1234.5),
        ("number", 7, 7.0),
        ("date", "2026-02-28", dt.date(2026, 2, 28)),
        ("yes_no", "Oui", True),
        ("yes_no", "false", False),
        ("choice", "gold", "Gold"),
        ("text", "  Lyon ", "Lyon"),
    ],
)
def test_field_values_are_read_as_people_type_them(kind: str, raw: object, value: object) -> None:
    assert parse_field_value(kind, raw, ["Gold", "Silver"], "x") == value


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        ("number", "nan", "field.bad_number"),
        ("number", "1e999", "field.bad_number"),
        ("date", "2026-02-30", "field.bad_date"),
        ("date", "20260228", "field.bad_date"),
        ("text", "x" * 1001, "field.too_long"),
    ],
)
def test_bad_field_values_are_refused(kind: str, raw: object, code: str) -> None:
    with pytest.raises(SegmentError) as caught:
        parse_field_value(kind, raw, where="Birthday")
    assert caught.value.code == code and caught.value.params["where"] == "Birthday"
