"""Rules: conditions, actions, priority, continue, log-only mode, and coded errors."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.engine.moderation import (
    ActionKind,
    ConditionKind,
    InvalidRule,
    Item,
    compile_rules,
    raid_authors,
)


def rule(
    rule_id: str, *conditions: dict[str, Any], actions: list[str] | None = None, **options: Any
) -> dict[str, Any]:
    return {
        "id": rule_id,
        "conditions": list(conditions),
        "actions": [{"kind": kind} for kind in (actions or ["flag"])],
        **options,
    }


def decided(rules: list[dict[str, Any]], item: Item) -> list[str]:
    return [match.rule for match in compile_rules(rules).evaluate(item).deciding]


WORDS = {"kind": "words", "words": ["idiot"]}


@pytest.mark.parametrize(
    ("condition", "matching", "other"),
    [
        (
            {"kind": "query", "query": "remboursement AND arnaque"},
            Item("Remboursement ? Arnaque !"),
            Item("arnaque"),
        ),
        (
            {"kind": "score", "score": "offensive", "above": 0.8},
            Item("x", offensive=0.9),
            Item("x", offensive=0.8),
        ),
        (
            {"kind": "score", "score": "spam", "above": 0.5},
            Item("x", spam=0.6),
            Item("x", hateful=0.9),
        ),
        ({"kind": "links"}, Item("vu sur https://promo.example/x"), Item("pas de lien")),
        (
            {"kind": "links", "allow": ["cafe-lumiere.fr"]},
            Item("www.scam.example"),
            Item("https://shop.cafe-lumiere.fr/a"),
        ),
        ({"kind": "first_message"}, Item("x", first_message=True), Item("x")),
        ({"kind": "strikes", "at_least": 2}, Item("x", strikes=3), Item("x", strikes=1)),
        (
            {"kind": "author_denied", "authors": ["@Troll"]},
            Item("x", author="troll"),
            Item("x", author="ana"),
        ),
        (
            {"kind": "author_allowed", "authors": ["ana"]},
            Item("x", author="ana"),
            Item("x", author="troll"),
        ),
        ({"kind": "language", "languages": ["fr"]}, Item("x", lang="fr-CA"), Item("x", lang="en")),
        ({"kind": "caps", "min_letters": 5}, Item("ARRÊTEZ DE MENTIR"), Item("Arrêtez DE MENTIR")),
        ({"kind": "mentions", "more_than": 2}, Item("@a @b @c salut"), Item("@a @b mail@x.fr")),
        (
            {"kind": "raid", "authors": 3, "minutes": 10},
            Item("x", raid_authors={10: 3}),
            Item("x", raid_authors={10: 2}),
        ),
        (WORDS, Item("quel idiot"), Item("idiotie")),
    ],
)
def test_it_reads_each_condition(condition: dict[str, Any], matching: Item, other: Item) -> None:
    rules = compile_rules([rule("1", condition)])
    assert [m.rule for m in rules.evaluate(matching).matches] == ["1"]
    assert rules.evaluate(other).matches == ()
    reason = rules.evaluate(matching).matches[0].reasons[0]
    assert reason.kind == ConditionKind(condition["kind"])


def test_it_lets_the_first_matching_rule_decide() -> None:
    rules = [
        rule("allow", {"kind": "author_allowed", "authors": ["ana"]}, actions=["allow"]),
        rule("hide", WORDS, actions=["hide"]),
        rule("flag", WORDS),
    ]
    assert decided(rules, Item("idiot", author="ana")) == ["allow"]
    assert decided(rules, Item("idiot", author="bob")) == ["hide"]
    rules[1]["continue"] = True
    assert decided(rules, Item("idiot", author="bob")) == ["hide", "flag"]


def test_it_records_log_only_rules_without_letting_them_decide() -> None:
    rules = [rule("log", WORDS, actions=["hide"], mode="log"), rule("flag", WORDS)]
    outcome = compile_rules(rules).evaluate(Item("idiot"))
    assert [(m.rule, m.log_only) for m in outcome.matches] == [("log", True), ("flag", False)]
    assert [a.kind for a in outcome.actions] == [ActionKind.FLAG]


def test_it_leaves_rules_that_are_off_out() -> None:
    assert decided([rule("off", WORDS, mode="off")], Item("idiot")) == []


def test_it_needs_all_conditions_or_any_of_them() -> None:
    score = {"kind": "score", "score": "offensive", "above": 0.5}
    assert decided([rule("1", WORDS, score)], Item("idiot", offensive=0.1)) == []
    assert decided([rule("1", WORDS, score)], Item("idiot", offensive=0.9)) == ["1"]
    assert decided([rule("1", WORDS, score, match="any")], Item("idiot")) == ["1"]


def test_it_keeps_action_parameters() -> None:
    rules = compile_rules(
        [
            {
                "id": "1",
                "conditions": [WORDS],
                "actions": [
                    {"kind": "tag", "tag": " insulte "},
                    {"kind": "mute", "minutes": 60},
                    {"kind": "ban"},
                    {"kind": "reply", "reply": 4},
                ],
            }
        ]
    )
    actions = rules.evaluate(Item("idiot")).actions
    assert [(a.kind, dict(a.params)) for a in actions] == [
        (ActionKind.TAG, {"tag": "insulte"}),
        (ActionKind.MUTE, {"minutes": 60}),
        (ActionKind.BAN, {"minutes": 0}),
        (ActionKind.REPLY, {"reply": 4}),
    ]


@pytest.mark.parametrize(
    ("spec", "code", "field"),
    [
        (rule("1"), "moderation.no_conditions", "conditions"),
        ({"id": "1", "conditions": [WORDS], "actions": []}, "moderation.no_actions", "actions"),
        (
            rule("1", {"kind": "regex", "pattern": "(a+)+$"}),
            "moderation.unknown_condition",
            "conditions",
        ),
        (rule("1", {"kind": "words", "words": ["*"]}), "moderation.word_too_short", "words"),
        (
            rule("1", {"kind": "query", "query": "a AND ("}),
            "query.operand_expected_after_at_end",
            "query",
        ),
        (
            rule("1", {"kind": "score", "score": "offensive", "above": 2}),
            "moderation.bad_number",
            "above",
        ),
        (
            rule("1", {"kind": "score", "score": "rude", "above": 0.5}),
            "moderation.unknown_score",
            "score",
        ),
        (
            {"id": "1", "conditions": [WORDS], "actions": [{"kind": "tag"}]},
            "moderation.action_needs",
            "actions",
        ),
        (rule("1", WORDS, mode="maybe"), "moderation.unknown_mode", "mode"),
    ],
)
def test_it_refuses_a_bad_rule_with_a_coded_message(spec: Any, code: str, field: str) -> None:
    with pytest.raises(InvalidRule) as error:
        compile_rules([rule("0", WORDS), spec])
    assert (error.value.code, error.value.field, error.value.rule) == (code, field, "1")


def test_it_refuses_regular_expressions_as_words_by_reading_them_literally() -> None:
    rules = compile_rules([rule("1", {"kind": "words", "words": ["(ab+)+$", "a.*b"]})])
    assert rules.evaluate(Item("abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb!")).matches == ()
    assert rules.evaluate(Item("aXXXb")).matches == ()
    assert [m.rule for m in rules.evaluate(Item("le (ab+)+$ ici")).matches] == ["1"]


def test_it_counts_the_authors_of_a_raid_in_each_window() -> None:
    history = [
        (7, "a", 0.0),
        (7, "b", 60.0),
        (7, "b", 90.0),
        (7, "c", 600.0),
        (8, "d", 600.0),
        (0, "e", 600.0),
    ]
    targets = [(7, "c", 600.0), (8, "d", 600.0), (0, "e", 600.0), (7, "b", 90.0)]
    assert raid_authors(history, targets, [5, 15]) == [
        {5: 1, 15: 3},
        {5: 1, 15: 1},
        {5: 0, 15: 0},
        {5: 2, 15: 2},
    ]


def test_a_network_condition_limits_a_rule_to_some_networks() -> None:
    rules = compile_rules(
        [
            {
                "id": "yt",
                "conditions": [
                    {"kind": "network", "networks": ["YouTube"]},
                    {"kind": "score", "score": "spam", "above": 0.5},
                ],
                "actions": [{"kind": "hide"}],
            },
            {
                "id": "any",
                "conditions": [{"kind": "network", "networks": ["reddit", "x"]}],
                "actions": [{"kind": "flag"}],
            },
        ]
    )
    assert [m.rule for m in rules.evaluate(Item("buy", network="youtube", spam=0.9)).matches] == [
        "yt"
    ]
    assert rules.evaluate(Item("buy", network="youtube", spam=0.1)).matches == ()
    assert [m.rule for m in rules.evaluate(Item("hi", network="x")).matches] == ["any"]
    with pytest.raises(InvalidRule) as caught:
        compile_rules(
            [
                {
                    "id": "1",
                    "conditions": [{"kind": "network", "networks": []}],
                    "actions": [{"kind": "flag"}],
                }
            ]
        )
    assert caught.value.code == "moderation.no_networks"
