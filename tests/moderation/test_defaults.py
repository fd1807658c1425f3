"""The default rule set compiles, records insults without acting, and queues what the scores flag."""

from __future__ import annotations

from ambassade.engine.moderation import Item, compile_rules
from ambassade.moderation.defaults import RULES, engine_specs


def test_the_default_rules_compile_and_hide_nothing_by_themselves() -> None:
    specs = engine_specs()
    assert [s["id"] for s in specs] == ["1", "2", "3", "4", "5", "6"]
    ruleset = compile_rules(specs)
    insult = ruleset.evaluate(Item("Quel IDIOT ce serveur"))
    assert [m.rule for m in insult.matches] == ["2"] and not insult.deciding
    spam = ruleset.evaluate(Item("win money now", spam=0.95))
    assert [m.rule for m in spam.deciding] == ["5"]
    # A raid is read first: held, and crisis mode suggested (nothing hidden).
    raid = ruleset.evaluate(Item("win money now", spam=0.95, raid_authors={10: 5}))
    assert [m.rule for m in raid.deciding] == ["1"]
    assert [a.kind for a in raid.actions] == ["hold", "crisis"]
    assert [a.kind for a in spam.actions] == ["hold"]
    assert ruleset.evaluate(Item("Merci pour le café")).matches == ()
    acting = [r for r in RULES if {"hide", "delete", "mute", "ban"} & set(r["actions"])]
    assert acting and all(r["mode"] == "log" for r in acting)
