"""A segment's definition, its checking and the pure predicate (see the package's docstring).

A definition is a JSON object; every criterion present must hold (AND). Absent or empty
criteria do not filter:

====================  =================================================================
``love``              ``{"min": 3, "max": 30}`` engagement, bounds included (either may be absent)
``sentiment``         ``{"min": -1, "max": 1}`` toward the brand
``influence``         ``{"min": 20}``
``followers``         ``{"min": 1000}`` the member's reach (most followers on one account)
``levels``            ``[1, 2]`` Orbit levels (1 is the inner orbit)
``classes``           ``["ambassador", "rising"]`` at least one of them
``tags``              ``{"any": [...], "all": [...], "none": [...]}``
``networks``          ``["mastodon"]`` has an account on one of them
``languages``         ``["fr"]`` the member's language
``seen_within_days``  ``30``: active in the last 30 days
``not_seen_for_days`` ``90``: nothing for 90 days (or never seen: an imported customer)
``consents``          ``["emailing"]`` has given (and not withdrawn) each of these
``staff``             ``"exclude"`` (default), ``"include"`` or ``"only"``
``has_email``         ``true`` / ``false``
``fields``            ``[{"field": "city", "op": "eq", "value": "Lyon"}, ...]`` custom fields
====================  =================================================================

Custom field operators by type (:data:`FIELD_OPERATORS`): ``eq``, ``ne``, ``contains`` (text,
case and accents of case aside: both sides are case-folded), ``lt``/``lte``/``gt``/``gte``
(numbers, ISO dates), ``is`` (yes/no), ``in``/``not_in`` (choices), ``set``/``unset``. ``ne``
and ``not_in`` also match members without a value (they do not have that value).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

__all__ = [
    "CLASSES",
    "FIELD_OPERATORS",
    "FIELD_TYPES",
    "STAFF_CHOICES",
    "Definition",
    "Facts",
    "FieldCondition",
    "Range",
    "SegmentError",
    "matches",
    "parse",
    "parse_field_value",
]

CLASSES: Final = ("ambassador", "detractor", "rising", "dormant")
STAFF_CHOICES: Final = ("exclude", "include", "only")
FIELD_TYPES: Final = ("text", "number", "date", "yes_no", "choice")
FIELD_OPERATORS: Final[Mapping[str, tuple[str, ...]]] = {
    "text": ("eq", "ne", "contains", "set", "unset"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "set", "unset"),
    "date": ("eq", "ne", "lt", "lte", "gt", "gte", "set", "unset"),
    "yes_no": ("is", "unset"),
    "choice": ("in", "not_in", "set", "unset"),
}
RANGES: Final = ("love", "sentiment", "influence", "followers")
LEVELS: Final = (1, 2, 3, 4)
MAX_ITEMS: Final = 50
MAX_TEXT: Final = 1000
MAX_DAYS: Final = 3650
_YES: Final = frozenset({"yes", "y", "true", "1", "oui", "o", "vrai", "x"})
_NO: Final = frozenset({"no", "n", "false", "0", "non", "faux"})
_NUMBER: Final = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

Value: TypeAlias = str | float | dt.date | bool
#: A custom field as the caller defines it: its type and, for a choice, its choices.
FieldSpec: TypeAlias = tuple[str, Sequence[str]]


class SegmentError(ValueError):
    """A definition or a value that cannot be used; ``code`` and ``params`` say what and where
    (``where``: the criterion, such as ``love.min`` or ``fields.2.value``)."""

    def __init__(self, text: str, code: str, **params: str | int | float) -> None:
        super().__init__(text)
        self.message = text
        self.code = code
        self.params: dict[str, str | int | float] = dict(params)


@dataclass(frozen=True, slots=True)
class Range:
    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def to_json(self) -> dict[str, float]:
        found = {}
        if self.min is not None:
            found["min"] = self.min
        if self.max is not None:
            found["max"] = self.max
        return found


@dataclass(frozen=True, slots=True)
class FieldCondition:
    field: str
    type: str
    op: str
    value: Value | tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"field": self.field, "op": self.op}
        if isinstance(self.value, tuple):
            found["value"] = list(self.value)
        elif isinstance(self.value, dt.date):
            found["value"] = self.value.isoformat()
        elif self.value is not None:
            found["value"] = self.value
        return found


@dataclass(frozen=True, slots=True)
class Definition:
    love: Range | None = None
    sentiment: Range | None = None
    influence: Range | None = None
    followers: Range | None = None
    levels: frozenset[int] = frozenset()
    classes: frozenset[str] = frozenset()
    tags_any: frozenset[str] = frozenset()
    tags_all: frozenset[str] = frozenset()
    tags_none: frozenset[str] = frozenset()
    networks: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    seen_within_days: int | None = None
    not_seen_for_days: int | None = None
    consents: frozenset[str] = frozenset()
    staff: str = "exclude"
    has_email: bool | None = None
    fields: tuple[FieldCondition, ...] = ()

    def ranges(self) -> dict[str, Range]:
        return {name: value for name in RANGES if isinstance(value := getattr(self, name), Range)}

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON of the definition (what is stored): sorted lists, no empty criteria."""
        found: dict[str, Any] = {"version": 1}
        for name, bounds in self.ranges().items():
            found[name] = bounds.to_json()
        for name in ("levels", "classes", "networks", "languages", "consents"):
            values = getattr(self, name)
            if values:
                found[name] = sorted(values)
        tags = {
            part: sorted(values)
            for part, values in (
                ("any", self.tags_any),
                ("all", self.tags_all),
                ("none", self.tags_none),
            )
            if values
        }
        if tags:
            found["tags"] = tags
        if self.seen_within_days is not None:
            found["seen_within_days"] = self.seen_within_days
        if self.not_seen_for_days is not None:
            found["not_seen_for_days"] = self.not_seen_for_days
        found["staff"] = self.staff
        if self.has_email is not None:
            found["has_email"] = self.has_email
        if self.fields:
            found["fields"] = [condition.to_json() for condition in self.fields]
        return found


@dataclass(frozen=True, slots=True)
class Facts:
    """What a segment can ask of one member (the community app reads them from the database)."""

    love: float = 0.0
    level: int = 4
    sentiment: float = 0.0
    influence: float = 0.0
    followers: int = 0
    classes: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    networks: frozenset[str] = frozenset()
    language: str = ""
    last_seen_at: dt.datetime | None = None
    consents: frozenset[str] = frozenset()
    staff: bool = False
    has_email: bool = False
    fields: Mapping[str, Value] = field(default_factory=dict)


# --- values -------------------------------------------------------------------------------------


def _fail(code: str, text: str, **params: str | int | float) -> SegmentError:
    return SegmentError(text, code, **params)


def parse_field_value(
    kind: str, raw: object, choices: Sequence[str] = (), where: str = ""
) -> Value:
    """A custom field's value from what a person typed (or a JSON value): text (trimmed, at
    most 1,000 characters), number (``3.5`` or ``3,5``), ISO date (``2026-12-07``), yes/no
    (yes/no, oui/non, true/false, 1/0) or one of ``choices`` (case aside: the choice as defined
    is returned). SegmentError ``field.*`` otherwise, with ``where`` and the ``value``."""
    text = raw if isinstance(raw, str) else ""
    shown = str(raw)[:80]
    if kind == "text":
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise _fail("field.bad_text", f"{where}: not a text", where=where, value=shown)
        value = str(raw).strip()
        if len(value) > MAX_TEXT:
            raise _fail(
                "field.too_long",
                f"{where}: longer than {MAX_TEXT} characters",
                where=where,
                limit=MAX_TEXT,
            )
        return value
    if kind == "number":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            number = float(raw)
        elif _NUMBER.fullmatch(text.strip().replace("\u202f", "").replace(" ", "")):
            number = float(text.strip().replace("\u202f", "").replace(" ", "").replace(",", "."))
        else:
            raise _fail(
                "field.bad_number", f"{where}: not a number: {shown}", where=where, value=shown
            )
        if not math.isfinite(number):
            raise _fail(
                "field.bad_number", f"{where}: not a number: {shown}", where=where, value=shown
            )
        return number
    if kind == "date":
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        try:
            if not _DATE.fullmatch(text.strip()):
                raise ValueError(text)
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise _fail(
                "field.bad_date",
                f"{where}: not a date YYYY-MM-DD: {shown}",
                where=where,
                value=shown,
            ) from None
    if kind == "yes_no":
        if isinstance(raw, bool):
            return raw
        key = text.strip().casefold()
        if key in _YES:
            return True
        if key in _NO:
            return False
        raise _fail(
            "field.bad_yes_no", f"{where}: not yes or no: {shown}", where=where, value=shown
        )
    if kind == "choice":
        key = text.strip().casefold()
        for choice in choices:
            if choice.casefold() == key:
                return choice
        raise _fail(
            "field.bad_choice",
            f"{where}: not one of the choices: {shown}",
            where=where,
            value=shown,
            choices=", ".join(choices)[:400],
        )
    raise _fail("field.bad_type", f"{where}: unknown field type {kind!r}", where=where, value=kind)


def _number(raw: object, where: str) -> float:
    if raw is None or raw == "":
        raise _fail("segment.bad_number", f"{where}: a number is needed", where=where, value="")
    value = parse_field_value("number", raw, where=where)
    assert isinstance(value, float)
    return value


def _range(raw: object, where: str) -> Range | None:
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, Mapping) or set(raw) - {"min", "max"}:
        raise _fail("segment.bad_range", f"{where}: expected min and max", where=where)
    low = None if raw.get("min") in (None, "") else _number(raw["min"], f"{where}.min")
    high = None if raw.get("max") in (None, "") else _number(raw["max"], f"{where}.max")
    if low is not None and high is not None and low > high:
        raise _fail(
            "segment.empty_range", f"{where}: the minimum is above the maximum", where=where
        )
    return None if low is None and high is None else Range(low, high)


def _strings(raw: object, where: str, allowed: Sequence[str] | None = None) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise _fail("segment.bad_list", f"{where}: expected a list of texts", where=where)
    values = frozenset(item.strip() for item in raw if item.strip())
    if len(values) > MAX_ITEMS:
        raise _fail(
            "segment.too_many", f"{where}: more than {MAX_ITEMS}", where=where, limit=MAX_ITEMS
        )
    if allowed is not None:
        for value in sorted(values):
            if value not in allowed:
                raise _fail(
                    "segment.unknown_value",
                    f"{where}: unknown value {value!r}",
                    where=where,
                    value=value[:80],
                )
    return values


def _days(raw: object, where: str) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise _fail("segment.bad_days", f"{where}: a number of days is needed", where=where)
    try:
        days = int(raw)
    except ValueError:
        raise _fail(
            "segment.bad_days", f"{where}: a number of days is needed", where=where
        ) from None
    if not 1 <= days <= MAX_DAYS:
        raise _fail(
            "segment.bad_days",
            f"{where}: between 1 and {MAX_DAYS} days",
            where=where,
            limit=MAX_DAYS,
        )
    return days


def _condition(raw: object, where: str, fields: Mapping[str, FieldSpec]) -> FieldCondition:
    if not isinstance(raw, Mapping):
        raise _fail("segment.bad_condition", f"{where}: expected a condition", where=where)
    key = raw.get("field")
    if not isinstance(key, str) or key not in fields:
        raise _fail(
            "segment.unknown_field",
            f"{where}: no custom field {key!r}",
            where=f"{where}.field",
            value=str(key)[:80],
        )
    kind, choices = fields[key]
    op = raw.get("op")
    if op not in FIELD_OPERATORS.get(kind, ()):
        raise _fail(
            "segment.bad_operator",
            f"{where}: {op!r} does not apply to a {kind} field",
            where=f"{where}.op",
            value=str(op)[:40],
        )
    value_where = f"{where}.value"
    raw_value = raw.get("value")
    value: Value | tuple[str, ...] | None
    if op in ("set", "unset"):
        value = None
    elif op in ("in", "not_in"):
        items = raw_value if isinstance(raw_value, list | tuple) else [raw_value]
        picked = []
        for item in items:
            choice = parse_field_value("choice", item, choices, value_where)
            assert isinstance(choice, str)
            picked.append(choice)
        if not picked:
            raise _fail(
                "segment.bad_condition", f"{value_where}: choose at least one", where=value_where
            )
        value = tuple(sorted(set(picked)))
    elif op == "is":
        value = parse_field_value("yes_no", raw_value, where=value_where)
    else:
        if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
            raise _fail(
                "segment.missing_value", f"{value_where}: a value is needed", where=value_where
            )
        value = parse_field_value(kind, raw_value, choices, value_where)
        if kind == "text":
            assert isinstance(value, str)
            value = value.casefold()
    return FieldCondition(key, kind, op, value)


_KEYS: Final = frozenset(
    {
        "version",
        *RANGES,
        "levels",
        "classes",
        "tags",
        "networks",
        "languages",
        "seen_within_days",
        "not_seen_for_days",
        "consents",
        "staff",
        "has_email",
        "fields",
    }
)


def parse(
    data: Mapping[str, Any],
    fields: Mapping[str, FieldSpec] | None = None,
    purposes: Sequence[str] = ("emailing", "contests", "events"),
) -> Definition:
    """The definition in ``data`` (JSON), checked against the workspace's custom ``fields``
    (key → (type, choices)). SegmentError names the first criterion that cannot be used."""
    fields = fields or {}
    if not isinstance(data, Mapping):
        raise _fail("segment.bad_definition", "a segment is a JSON object", where="")
    for key in sorted(set(data) - _KEYS):
        raise _fail("segment.unknown_criterion", f"unknown criterion {key!r}", where=str(key)[:80])
    if data.get("version", 1) != 1:
        raise _fail("segment.bad_version", "unknown version", where="version")
    levels_raw = data.get("levels") or []
    if not isinstance(levels_raw, list | tuple) or any(
        isinstance(level, bool) or level not in LEVELS for level in levels_raw
    ):
        raise _fail("segment.bad_levels", "levels are 1 to 4", where="levels")
    tags = data.get("tags") or {}
    if not isinstance(tags, Mapping) or set(tags) - {"any", "all", "none"}:
        raise _fail("segment.bad_tags", "tags: any, all, none", where="tags")
    staff = data.get("staff") or "exclude"
    if staff not in STAFF_CHOICES:
        raise _fail("segment.unknown_value", "staff", where="staff", value=str(staff)[:40])
    has_email = data.get("has_email")
    if has_email is not None and not isinstance(has_email, bool):
        raise _fail(
            "segment.unknown_value", "has_email", where="has_email", value=str(has_email)[:40]
        )
    conditions = data.get("fields") or []
    if not isinstance(conditions, list | tuple):
        raise _fail("segment.bad_condition", "fields: a list of conditions", where="fields")
    if len(conditions) > MAX_ITEMS:
        raise _fail("segment.too_many", "fields", where="fields", limit=MAX_ITEMS)
    ranges = {name: _range(data.get(name), name) for name in RANGES}
    return Definition(
        love=ranges["love"],
        sentiment=ranges["sentiment"],
        influence=ranges["influence"],
        followers=ranges["followers"],
        levels=frozenset(int(level) for level in levels_raw),
        classes=_strings(data.get("classes"), "classes", CLASSES),
        tags_any=_strings(tags.get("any"), "tags.any"),
        tags_all=_strings(tags.get("all"), "tags.all"),
        tags_none=_strings(tags.get("none"), "tags.none"),
        networks=_strings(data.get("networks"), "networks"),
        languages=frozenset(
            value.casefold() for value in _strings(data.get("languages"), "languages")
        ),
        seen_within_days=_days(data.get("seen_within_days"), "seen_within_days"),
        not_seen_for_days=_days(data.get("not_seen_for_days"), "not_seen_for_days"),
        consents=_strings(data.get("consents"), "consents", purposes),
        staff=staff,
        has_email=has_email,
        fields=tuple(
            _condition(raw, f"fields.{number}", fields) for number, raw in enumerate(conditions, 1)
        ),
    )


# --- the predicate ------------------------------------------------------------------------------


def _field_holds(condition: FieldCondition, value: Value | None) -> bool:
    op, wanted = condition.op, condition.value
    if op == "set":
        return value is not None
    if op == "unset":
        return value is None
    if op == "ne":
        return value is None or not _equal(condition, value)
    if op == "not_in":
        assert isinstance(wanted, tuple)
        return value is None or value not in wanted
    if value is None:
        return False
    if op == "eq":
        return _equal(condition, value)
    if op == "is":
        return value is wanted
    if op == "in":
        assert isinstance(wanted, tuple)
        return value in wanted
    if op == "contains":
        return isinstance(value, str) and isinstance(wanted, str) and wanted in value.casefold()
    if isinstance(value, bool) or isinstance(wanted, bool | tuple) or wanted is None:
        return False
    if type(value) is not type(wanted):
        return False
    if op == "lt":
        return value < wanted  # type: ignore[operator]
    if op == "lte":
        return value <= wanted  # type: ignore[operator]
    if op == "gt":
        return value > wanted  # type: ignore[operator]
    if op == "gte":
        return value >= wanted  # type: ignore[operator]
    return False


def _equal(condition: FieldCondition, value: Value) -> bool:
    if condition.type == "text":
        return isinstance(value, str) and value.casefold() == condition.value
    return value == condition.value and type(value) is type(condition.value)


def matches(definition: Definition, facts: Facts, now: dt.datetime) -> bool:
    """Whether a member with these ``facts`` is in the segment at ``now`` (an aware time)."""
    d = definition
    if d.staff == "exclude" and facts.staff:
        return False
    if d.staff == "only" and not facts.staff:
        return False
    values = {
        "love": facts.love,
        "sentiment": facts.sentiment,
        "influence": facts.influence,
        "followers": float(facts.followers),
    }
    for name, bounds in d.ranges().items():
        if not bounds.holds(values[name]):
            return False
    if d.levels and facts.level not in d.levels:
        return False
    if d.classes and not d.classes & facts.classes:
        return False
    if d.tags_any and not d.tags_any & facts.tags:
        return False
    if not d.tags_all <= facts.tags:
        return False
    if d.tags_none & facts.tags:
        return False
    if d.networks and not d.networks & facts.networks:
        return False
    if d.languages and facts.language.casefold() not in d.languages:
        return False
    if d.seen_within_days is not None and (
        facts.last_seen_at is None
        or facts.last_seen_at < now - dt.timedelta(days=d.seen_within_days)
    ):
        return False
    if d.not_seen_for_days is not None and (
        facts.last_seen_at is not None
        and facts.last_seen_at >= now - dt.timedelta(days=d.not_seen_for_days)
    ):
        return False
    if not d.consents <= facts.consents:
        return False
    if d.has_email is not None and facts.has_email != d.has_email:
        return False
    return all(_field_holds(condition, facts.fields.get(condition.field)) for condition in d.fields)
