"""Moderation rules: conditions → actions, in priority order, compiled once.

A rule is a plain JSON object (what the product stores)::

    {"id": "7", "mode": "on", "match": "all", "continue": false,
     "conditions": [{"kind": "words", "words": ["idiot", "con*"]},
                    {"kind": "score", "score": "offensive", "above": 0.8}],
     "actions": [{"kind": "hide"}, {"kind": "warn"}]}

:func:`compile_rules` checks every rule (``InvalidRule`` names the rule, the field and a coded
message) and compiles them together: the watched words of all rules into one automaton
(:class:`~._words.WordIndex`), their listening queries into one query matcher. :meth:`RuleSet.evaluate`
reads each message once and walks the rules in order: the first rule that matches decides, unless it
says ``continue``; a rule in ``log`` mode is recorded but never decides (it shows what it would have
done). Nothing here runs a regular expression written by a person, and the work per message is
bounded by its length (docs/moderation.md, "Bounded work").
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import regex

from ..query import Document, InvalidQueryError, Matcher, prepare
from ..query._text import normalise, url_host
from ._errors import InvalidRule
from ._fold import Folded, fold
from ._words import Hit, WordIndex

__all__ = [
    "MAX_RULES",
    "ActionKind",
    "ConditionKind",
    "Item",
    "Outcome",
    "Reason",
    "RuleMatch",
    "RuleSet",
    "compile_rules",
]

MAX_RULES: Final = 200
MAX_LIST: Final = 2_000
"""Handles of an author list, or domains of a link allow list."""


class ConditionKind(enum.StrEnum):
    WORDS = "words"
    QUERY = "query"
    SCORE = "score"
    LINKS = "links"
    FIRST_MESSAGE = "first_message"
    STRIKES = "strikes"
    AUTHOR_DENIED = "author_denied"
    AUTHOR_ALLOWED = "author_allowed"
    LANGUAGE = "language"
    NETWORK = "network"
    CAPS = "caps"
    MENTIONS = "mentions"
    RAID = "raid"


class ActionKind(enum.StrEnum):
    #: Stop here and do nothing (an allow list first in the order).
    ALLOW = "allow"
    HIDE = "hide"
    DELETE = "delete"
    #: Require approval: into the review queue, hidden where the network allows it.
    HOLD = "hold"
    FLAG = "flag"
    TAG = "tag"
    ASSIGN = "assign"
    REPLY = "reply"
    WARN = "warn"
    MUTE = "mute"
    BAN = "ban"
    ESCALATE = "escalate"
    #: Suggest crisis mode (for raids).
    CRISIS = "crisis"


class Mode(enum.StrEnum):
    ON = "on"
    LOG = "log"
    OFF = "off"


SCORES: Final = ("offensive", "hateful", "spam")
#: The parameter each action needs, and its type.
_ACTION_PARAMS: Final[dict[ActionKind, tuple[str, type]]] = {
    ActionKind.TAG: ("tag", str),
    ActionKind.ASSIGN: ("user", int),
    ActionKind.REPLY: ("reply", int),
}
_DURATION_ACTIONS: Final = frozenset({ActionKind.MUTE, ActionKind.BAN})
MAX_MINUTES: Final = 5 * 366 * 24 * 60


@dataclass(frozen=True, slots=True)
class Item:
    """What the rules read of one message. ``author`` is the normalised handle; ``strikes`` the
    author's strikes so far; ``first_message`` whether it is the first the workspace heard from
    them; ``raid_authors[minutes]``: how many different authors wrote a near-duplicate of this
    message (its own author included) within that many minutes up to it."""

    text: str
    lang: str = ""
    author: str = ""
    network: str = ""
    url: str = ""
    offensive: float = 0.0
    hateful: float = 0.0
    spam: float = 0.0
    first_message: bool = False
    strikes: int = 0
    raid_authors: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why one condition matched: its kind, the watched words found (as typed) with their spans in
    the original text, and a value (a score, a count) where there is one."""

    kind: ConditionKind
    words: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    value: float | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleMatch:
    rule: str
    actions: tuple[Action, ...]
    reasons: tuple[Reason, ...]
    log_only: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """The rules a message matched, in order: those that decide, and those in log mode."""

    matches: tuple[RuleMatch, ...] = ()
    work: int = 0

    @property
    def deciding(self) -> tuple[RuleMatch, ...]:
        return tuple(match for match in self.matches if not match.log_only)

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(action for match in self.deciding for action in match.actions)


# --- checking what a rule says ---------------------------------------------------------------------


def _fail(rule: str, field_name: str, message: str, code: str, **params: Any) -> InvalidRule:
    return InvalidRule(message, code=code, params=params, field=field_name, rule=rule)


def _number(rule: str, value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _fail(
            rule,
            name,
            f"{name} must be a number from {low} to {high}, not {value!r}",
            "moderation.bad_number",
            name=name,
            low=low,
            high=high,
        )
    return float(value)


def _strings(rule: str, value: Any, name: str, limit: int = MAX_LIST) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _fail(rule, name, f"{name} must be a list of texts", "moderation.bad_list", name=name)
    cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(cleaned) > limit:
        raise _fail(
            rule,
            name,
            f"{name} holds at most {limit} entries, not {len(cleaned)}",
            "moderation.list_too_long",
            name=name,
            count=len(cleaned),
            limit=limit,
        )
    return cleaned


def _handle(text: str) -> str:
    return text.strip().lstrip("@").strip().casefold()


def _domain(text: str) -> str:
    text = normalise(text).strip()
    return url_host(text).removeprefix("www.")


@dataclass(slots=True)
class _Condition:
    kind: ConditionKind
    threshold: float = 0.0
    name: str = ""
    values: frozenset[str] = frozenset()
    minutes: int = 0


@dataclass(slots=True)
class _Rule:
    id: str
    conditions: list[_Condition]
    any_of: bool
    actions: tuple[Action, ...]
    proceed: bool
    log_only: bool


def _condition(rule: str, position: int, spec: Any, lists: dict[str, list[str]]) -> _Condition:
    if not isinstance(spec, dict) or spec.get("kind") not in set(ConditionKind):
        raise _fail(
            rule, "conditions", f"unknown condition {spec!r}", "moderation.unknown_condition"
        )
    kind = ConditionKind(spec["kind"])
    if kind is ConditionKind.WORDS:
        words = _strings(rule, spec.get("words", []), "words", limit=10 * MAX_LIST)
        if not words:
            raise _fail(rule, "words", "the list of watched words is empty", "moderation.no_words")
        key = f"{rule}#{position}"
        lists[key] = words
        return _Condition(kind, name=key)
    if kind is ConditionKind.QUERY:
        text = spec.get("query")
        if not isinstance(text, str) or not text.strip():
            raise _fail(rule, "query", "the query is empty", "moderation.no_query")
        return _Condition(kind, name=text)
    if kind is ConditionKind.SCORE:
        score = spec.get("score")
        if score not in SCORES:
            raise _fail(rule, "score", f"unknown score {score!r}", "moderation.unknown_score")
        return _Condition(kind, _number(rule, spec.get("above"), "above", 0.0, 1.0), name=score)
    if kind is ConditionKind.LINKS:
        allowed = frozenset(
            filter(None, map(_domain, _strings(rule, spec.get("allow", []), "allow")))
        )
        return _Condition(kind, values=allowed)
    if kind in (ConditionKind.AUTHOR_DENIED, ConditionKind.AUTHOR_ALLOWED):
        handles = frozenset(
            filter(None, map(_handle, _strings(rule, spec.get("authors"), "authors")))
        )
        if not handles:
            raise _fail(rule, "authors", "the list of authors is empty", "moderation.no_authors")
        return _Condition(kind, values=handles)
    if kind is ConditionKind.LANGUAGE:
        languages = frozenset(
            code.lower().split("-", 1)[0]
            for code in _strings(rule, spec.get("languages"), "languages")
        )
        if not languages:
            raise _fail(rule, "languages", "no language chosen", "moderation.no_languages")
        return _Condition(kind, values=languages)
    if kind is ConditionKind.NETWORK:
        networks = frozenset(
            n.lower() for n in _strings(rule, spec.get("networks"), "networks", limit=100)
        )
        if not networks:
            raise _fail(rule, "networks", "no network chosen", "moderation.no_networks")
        return _Condition(kind, values=networks)
    if kind is ConditionKind.STRIKES:
        return _Condition(kind, _number(rule, spec.get("at_least"), "at_least", 1, 1000))
    if kind is ConditionKind.CAPS:
        return _Condition(
            kind, _number(rule, spec.get("min_letters", 10), "min_letters", 1, 10_000)
        )
    if kind is ConditionKind.MENTIONS:
        return _Condition(kind, _number(rule, spec.get("more_than"), "more_than", 0, 1000))
    if kind is ConditionKind.RAID:
        authors = _number(rule, spec.get("authors"), "authors", 2, 10_000)
        minutes = int(_number(rule, spec.get("minutes"), "minutes", 1, 7 * 24 * 60))
        return _Condition(kind, authors, minutes=minutes)
    return _Condition(kind)  # FIRST_MESSAGE


def _action(rule: str, spec: Any) -> Action:
    if not isinstance(spec, dict) or spec.get("kind") not in set(ActionKind):
        raise _fail(rule, "actions", f"unknown action {spec!r}", "moderation.unknown_action")
    kind = ActionKind(spec["kind"])
    params: dict[str, str | int] = {}
    needed = _ACTION_PARAMS.get(kind)
    if needed is not None:
        name, kind_of = needed
        value: Any = spec.get(name)
        if isinstance(value, bool) or not isinstance(value, kind_of) or value in ("", 0):
            raise _fail(
                rule,
                "actions",
                f"the action {kind} needs its {name}",
                "moderation.action_needs",
                action=str(kind),
                name=name,
            )
        given: Any = value  # an int or a str, as checked above
        params[name] = given.strip()[:40] if isinstance(given, str) else int(given)
    if kind in _DURATION_ACTIONS:
        params["minutes"] = int(_number(rule, spec.get("minutes", 0), "minutes", 0, MAX_MINUTES))
    return Action(kind, params)


_COST: Final = {
    kind: cost
    for cost, kind in enumerate(
        [
            ConditionKind.FIRST_MESSAGE,
            ConditionKind.STRIKES,
            ConditionKind.SCORE,
            ConditionKind.AUTHOR_DENIED,
            ConditionKind.AUTHOR_ALLOWED,
            ConditionKind.LANGUAGE,
            ConditionKind.NETWORK,
            ConditionKind.RAID,
            ConditionKind.MENTIONS,
            ConditionKind.CAPS,
            ConditionKind.LINKS,
            ConditionKind.WORDS,
            ConditionKind.QUERY,
        ]
    )
}


def _rule(spec: Any, lists: dict[str, list[str]], queries: dict[str, str]) -> _Rule:
    if not isinstance(spec, dict):
        raise _fail("", "", "a rule is a JSON object", "moderation.bad_rule")
    rule = str(spec.get("id", "")).strip()
    if not rule:
        raise _fail("", "id", "a rule needs an id", "moderation.bad_rule")
    mode = spec.get("mode", "on")
    if mode not in set(Mode):
        raise _fail(rule, "mode", f"unknown mode {mode!r}", "moderation.unknown_mode")
    conditions_spec, actions_spec = spec.get("conditions"), spec.get("actions")
    if not isinstance(conditions_spec, list) or not conditions_spec:
        raise _fail(rule, "conditions", "a rule needs a condition", "moderation.no_conditions")
    if not isinstance(actions_spec, list) or not actions_spec:
        raise _fail(rule, "actions", "a rule needs an action", "moderation.no_actions")
    conditions = [_condition(rule, i, c, lists) for i, c in enumerate(conditions_spec)]
    for condition in conditions:
        if condition.kind is ConditionKind.QUERY:
            queries[f"{rule}#{len(queries)}"] = condition.name
            condition.name = f"{rule}#{len(queries) - 1}"
    actions = tuple(_action(rule, a) for a in actions_spec)
    # Cheap conditions first: a rule whose conditions must all hold stops at the first that fails.
    conditions.sort(key=lambda condition: _COST[condition.kind])
    return _Rule(
        rule,
        conditions,
        spec.get("match", "all") == "any",
        actions,
        bool(spec.get("continue", False)),
        mode == Mode.LOG,
    )


def compile_rules(specs: Sequence[Any]) -> RuleSet:
    """Check and compile rules, in priority order (rules in ``off`` mode are left out)."""
    if len(specs) > MAX_RULES:
        raise _fail(
            "", "", f"at most {MAX_RULES} rules", "moderation.too_many_rules", limit=MAX_RULES
        )
    lists: dict[str, list[str]] = {}
    queries: dict[str, str] = {}
    rules = []
    seen: set[str] = set()
    for spec in specs:
        rule = _rule(spec, lists, queries)
        if rule.id in seen:
            raise _fail(rule.id, "id", "two rules have the same id", "moderation.duplicate_rule")
        seen.add(rule.id)
        if isinstance(spec, dict) and spec.get("mode", "on") == Mode.OFF:
            continue
        rules.append(rule)
    try:
        words = WordIndex(lists)
    except InvalidRule as error:
        owner = next(
            (key.split("#", 1)[0] for key, ws in lists.items() if error.params.get("word") in ws),
            "",
        )
        error.rule = error.rule or owner
        raise
    try:
        matcher = Matcher(queries) if queries else None
    except InvalidQueryError as error:
        raise InvalidRule(
            error.message,
            code=error.code or "moderation.bad_query",
            params=dict(error.params),
            field="query",
            rule=error.query_id.split("#", 1)[0],
        ) from None
    return RuleSet(rules, words, matcher)


# --- reading a message -----------------------------------------------------------------------------

_LINK: Final = re.compile(r"(?:https?://|www\.)[^\s<>\"«»“”]+", re.I)
_AT: Final = re.compile(r"(?<![\w@])@\w")
_LETTER: Final = regex.compile(r"\p{L}")
_UPPER: Final = regex.compile(r"\p{Lu}")
_URL_TRAILING: Final = ".,;:!?)]}'’…"
_NO_LOWER: Final = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ")
MAX_SPANS: Final = 50
"""Highlights kept per condition: enough to show, bounded whatever the message."""


class _Facts:
    """What the rules read of one message, each computed once, on first use. ``work`` counts
    the characters read and the steps taken (what the bounded-work test checks)."""

    __slots__ = (
        "_caps",
        "_folded",
        "_hits",
        "_hosts",
        "_mentions",
        "_queries",
        "handle",
        "item",
        "lang",
        "ruleset",
        "text",
        "work",
    )

    def __init__(self, item: Item, ruleset: RuleSet) -> None:
        self.item = item
        self.ruleset = ruleset
        self.text = item.text[:10_000]
        self.work = 0
        self.handle = _handle(item.author)
        self.lang = (item.lang or "und").lower().split("-", 1)[0]
        self._folded: Folded | None = None
        self._hits: dict[str, list[Hit]] | None = None
        self._queries: frozenset[str] | None = None
        self._hosts: list[str] | None = None
        self._caps: tuple[int, int] | None = None
        self._mentions: int | None = None

    @property
    def folded(self) -> Folded:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    @property
    def hits(self) -> dict[str, list[Hit]]:
        if self._hits is None:
            self._hits, work = self.ruleset.words.search(self.folded)
            self.work += work
        return self._hits

    @property
    def queries(self) -> frozenset[str]:
        if self._queries is None:
            matcher = self.ruleset.matcher
            if matcher is None:
                self._queries = frozenset()
                return self._queries
            item = self.item
            document = prepare(
                Document(
                    self.text,
                    lang=item.lang or None,
                    source=item.network or None,
                    author=item.author or None,
                    url=item.url or None,
                )
            )
            self.work += len(document.scanned) + len(matcher)
            self._queries = frozenset(matcher.match(document))
        return self._queries

    @property
    def hosts(self) -> list[str]:
        if self._hosts is None:
            self.work += len(self.text)
            text = self.text
            if "://" not in text and "www." not in text.lower():
                self._hosts = []
                return self._hosts
            self._hosts = [
                url_host(normalise(found.group().rstrip(_URL_TRAILING))).removeprefix("www.")
                for found in _LINK.finditer(self.text)
            ]
        return self._hosts

    @property
    def caps(self) -> tuple[int, int]:
        """(letters, upper-case letters)."""
        if self._caps is None:
            text = self.text
            # Most messages have lower-case letters enough to tell at once (in C): fewer than
            # four upper-case letters for one lower-case is never "all caps".
            if text.lower() == text or 5 * (len(text) - len(text.translate(_NO_LOWER))) > len(text):
                self._caps = (0, 0)
            else:
                self.work += 2 * len(text)
                self._caps = (len(_LETTER.findall(text)), len(_UPPER.findall(text)))
        return self._caps

    @property
    def mentions(self) -> int:
        if self._mentions is None:
            self.work += len(self.text)
            self._mentions = len(_AT.findall(self.text)) if "@" in self.text else 0
        return self._mentions


def _outside(host: str, allowed: frozenset[str]) -> bool:
    return not any(host == domain or host.endswith("." + domain) for domain in allowed)


def _check(condition: _Condition, facts: _Facts) -> Reason | None:
    item = facts.item
    kind = condition.kind
    if kind is ConditionKind.WORDS:
        hits = facts.hits.get(condition.name)
        if not hits:
            return None
        words = facts.ruleset.words
        typed = tuple(dict.fromkeys(words.typed[hit.pattern] for hit in hits))
        spans = tuple(
            sorted({facts.folded.original(hit.start, hit.end) for hit in hits[:MAX_SPANS]})
        )
        return Reason(kind, words=typed, spans=spans)
    if kind is ConditionKind.SCORE:
        value = float(getattr(item, condition.name))
        if value > condition.threshold:
            return Reason(kind, value=value, detail=condition.name)
        return None
    if kind is ConditionKind.QUERY:
        return Reason(kind) if condition.name in facts.queries else None
    if kind is ConditionKind.LINKS:
        outside = [
            host
            for host in facts.hosts
            if host and (not condition.values or _outside(host, condition.values))
        ]
        return Reason(kind, detail=outside[0], value=len(outside)) if outside else None
    if kind is ConditionKind.FIRST_MESSAGE:
        return Reason(kind) if item.first_message else None
    if kind is ConditionKind.STRIKES:
        return Reason(kind, value=item.strikes) if item.strikes >= condition.threshold else None
    if kind is ConditionKind.AUTHOR_DENIED or kind is ConditionKind.AUTHOR_ALLOWED:
        handle = facts.handle
        return Reason(kind, detail=handle) if handle and handle in condition.values else None
    if kind is ConditionKind.LANGUAGE:
        return Reason(kind, detail=facts.lang) if facts.lang in condition.values else None
    if kind is ConditionKind.NETWORK:
        network = item.network.lower()
        return Reason(kind, detail=network) if network in condition.values else None
    if kind is ConditionKind.CAPS:
        letters, upper = facts.caps
        if letters >= condition.threshold and upper >= 0.8 * letters:
            return Reason(kind, value=round(upper / letters, 2))
        return None
    if kind is ConditionKind.MENTIONS:
        count = facts.mentions
        return Reason(kind, value=count) if count > condition.threshold else None
    # RAID
    authors = item.raid_authors.get(condition.minutes, 0)
    return Reason(kind, value=authors) if authors >= condition.threshold else None


# What a rule is found by: one of its conditions (any of them for a rule that needs only one), looked
# up in an index per message instead of trying every rule. The order says which is preferred.
_ANCHORS: Final = (
    ConditionKind.WORDS,
    ConditionKind.QUERY,
    ConditionKind.AUTHOR_DENIED,
    ConditionKind.AUTHOR_ALLOWED,
    ConditionKind.LANGUAGE,
    ConditionKind.NETWORK,
    ConditionKind.SCORE,
)


class RuleSet:
    """Compiled rules, in priority order. ``raid_windows``: the windows (minutes) whose author
    counts the raid conditions read, for the caller to fill in :attr:`Item.raid_authors`.

    Each rule is anchored on one condition it cannot match without (on all of its conditions when
    one is enough): the lists of watched words found in the message, the queries it matches, its
    author, its language and its scores are looked up in indexes, so a message costs one reading
    and a few lookups whatever the number of rules; only the rules found are then checked whole."""

    def __init__(self, rules: list[_Rule], words: WordIndex, matcher: Matcher | None) -> None:
        self._rules = rules
        self.words = words
        self.matcher = matcher
        self.ids: tuple[str, ...] = tuple(rule.id for rule in rules)
        self.raid_windows: frozenset[int] = frozenset(
            c.minutes for rule in rules for c in rule.conditions if c.kind is ConditionKind.RAID
        )
        self.reads: frozenset[ConditionKind] = frozenset(
            c.kind for rule in rules for c in rule.conditions
        )
        self._by_name: dict[str, list[int]] = {}
        self._by_author: dict[str, list[int]] = {}
        self._by_lang: dict[str, list[int]] = {}
        self._by_network: dict[str, list[int]] = {}
        self._by_score: dict[str, list[tuple[float, int]]] = {score: [] for score in SCORES}
        # The other conditions are gates: one value per message (its links, its upper-case letters…)
        # and, per rule, the least value that can let it through.
        self._gates: dict[tuple[ConditionKind, int], list[tuple[float, int]]] = {}
        for number, rule in enumerate(rules):
            if rule.any_of:
                anchors = rule.conditions
            else:
                anchors = [
                    min(
                        rule.conditions,
                        key=lambda c: _ANCHORS.index(c.kind) if c.kind in _ANCHORS else 99,
                    )
                ]
            for condition in anchors:
                self._anchor(number, condition)
        for listed in (
            *self._by_name.values(),
            *self._by_author.values(),
            *self._by_lang.values(),
            *self._by_network.values(),
        ):
            listed[:] = sorted(set(listed))
        for scored in (*self._by_score.values(), *self._gates.values()):
            scored.sort()

    def _anchor(self, number: int, condition: _Condition) -> None:
        kind = condition.kind
        if kind in (ConditionKind.WORDS, ConditionKind.QUERY):
            self._by_name.setdefault(condition.name, []).append(number)
        elif kind in (ConditionKind.AUTHOR_DENIED, ConditionKind.AUTHOR_ALLOWED):
            for handle in condition.values:
                self._by_author.setdefault(handle, []).append(number)
        elif kind is ConditionKind.LANGUAGE:
            for lang in condition.values:
                self._by_lang.setdefault(lang, []).append(number)
        elif kind is ConditionKind.NETWORK:
            for network in condition.values:
                self._by_network.setdefault(network, []).append(number)
        elif kind is ConditionKind.SCORE:
            self._by_score[condition.name].append((condition.threshold, number))
        else:
            needed = {
                ConditionKind.FIRST_MESSAGE: 1.0,
                ConditionKind.LINKS: 1.0,
                ConditionKind.MENTIONS: condition.threshold + 1,
            }.get(kind, condition.threshold)
            self._gates.setdefault((kind, condition.minutes), []).append((needed, number))

    def __len__(self) -> int:
        return len(self._rules)

    def _candidates(self, facts: _Facts) -> list[int]:
        found: set[int] = set()
        for (kind, minutes), gated in self._gates.items():
            value = _gate(kind, minutes, facts)
            for needed, number in gated:
                if needed > value:
                    break
                found.add(number)
        by_name = self._by_name
        if self.words.patterns:
            for list_id in facts.hits:
                found.update(by_name.get(list_id, ()))
        if self.matcher is not None:
            for query_id in facts.queries:
                found.update(by_name.get(query_id, ()))
        if facts.handle:
            found.update(self._by_author.get(facts.handle, ()))
        found.update(self._by_lang.get(facts.lang, ()))
        found.update(self._by_network.get(facts.item.network.lower(), ()))
        item = facts.item
        for score, scored in self._by_score.items():
            if scored:
                value = float(getattr(item, score))
                for threshold, number in scored:
                    if threshold >= value:
                        break
                    found.add(number)
        return sorted(found)

    def evaluate(self, item: Item) -> Outcome:
        facts = _Facts(item, self)
        matches: list[RuleMatch] = []
        candidates = self._candidates(facts)
        for number in candidates:
            rule = self._rules[number]
            reasons = _evaluate(rule, facts)
            if reasons is None:
                continue
            matches.append(RuleMatch(rule.id, rule.actions, reasons, rule.log_only))
            if not rule.log_only and not rule.proceed:
                break
        return Outcome(tuple(matches), facts.work + len(self._rules) + len(candidates))

    def evaluate_many(self, items: Iterable[Item]) -> list[Outcome]:
        return [self.evaluate(item) for item in items]


def _gate(kind: ConditionKind, minutes: int, facts: _Facts) -> float:
    """The value of a message that the gates of ``kind`` compare (see :meth:`RuleSet._anchor`)."""
    item = facts.item
    if kind is ConditionKind.FIRST_MESSAGE:
        return 1.0 if item.first_message else 0.0
    if kind is ConditionKind.STRIKES:
        return float(item.strikes)
    if kind is ConditionKind.RAID:
        return float(item.raid_authors.get(minutes, 0))
    if kind is ConditionKind.LINKS:
        return float(len(facts.hosts))
    if kind is ConditionKind.MENTIONS:
        return float(facts.mentions)
    letters, upper = facts.caps  # CAPS: the letters, when most are upper case
    return float(letters) if letters and upper >= 0.8 * letters else 0.0


def _evaluate(rule: _Rule, facts: _Facts) -> tuple[Reason, ...] | None:
    reasons: list[Reason] = []
    for condition in rule.conditions:
        reason = _check(condition, facts)
        if reason is None:
            if not rule.any_of:
                return None
            continue
        reasons.append(reason)
        if rule.any_of:
            break
    return tuple(reasons) if reasons else None
