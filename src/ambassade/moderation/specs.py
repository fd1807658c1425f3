"""A moderation rule as the engine reads it, from the fields a person fills in (``models.Rule``,
or any object with the same attributes). Django-free, so the benchmark reads the default rule set
without a database."""

from __future__ import annotations

from typing import Any

__all__ = ["lines", "rule_spec"]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def rule_spec(rule: Any) -> dict[str, Any]:
    """The engine's JSON for a rule: its conditions (words, score, networks, authors, links), its
    actions, its mode and priority options."""
    conditions: list[dict[str, Any]] = []
    words = [w.strip() for w in rule.words.splitlines() if w.strip()]
    if words:
        conditions.append({"kind": "words", "words": words})
    if rule.score:
        conditions.append({"kind": "score", "score": rule.score, "above": rule.threshold})
    if rule.networks:
        conditions.append({"kind": "network", "networks": list(rule.networks)})
    if lines(rule.authors_denied):
        conditions.append({"kind": "author_denied", "authors": lines(rule.authors_denied)})
    if lines(rule.authors_allowed):
        conditions.append({"kind": "author_allowed", "authors": lines(rule.authors_allowed)})
    if rule.links:
        conditions.append({"kind": "links"})
    actions: list[dict[str, Any]] = []
    for kind in rule.actions:
        action: dict[str, Any] = {"kind": kind}
        if kind in ("mute", "ban"):
            action["minutes"] = rule.minutes
        actions.append(action)
    return {
        "id": str(rule.id),
        "mode": rule.mode,
        "match": "any" if rule.match_any else "all",
        "continue": rule.proceed,
        "conditions": conditions,
        "actions": actions,
    }
