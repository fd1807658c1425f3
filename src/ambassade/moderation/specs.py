"""A moderation rule as the engine reads it, from the fields a person fills in (``models.Rule``,
or any object with the same attributes). Django-free, so the benchmark reads the default rule set
without a database."""

from __future__ import annotations

from typing import Any

__all__ = ["CAPS_MIN_LETTERS", "lines", "rule_spec"]

#: "Written in capitals": at least this many letters, 80 % of them upper case.
CAPS_MIN_LETTERS = 10


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def rule_spec(rule: Any) -> dict[str, Any]:
    """The engine's JSON for a rule: its conditions (words, listening query, score, networks,
    authors, links, languages, capitals, mentions, first message, strikes, raids), its actions,
    its mode and priority options."""
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
    query = (getattr(rule, "query", "") or "").strip()
    if query:
        conditions.append({"kind": "query", "query": query})
    languages = list(getattr(rule, "languages", None) or [])
    if languages:
        conditions.append({"kind": "language", "languages": languages})
    if getattr(rule, "caps", False):
        conditions.append({"kind": "caps", "min_letters": CAPS_MIN_LETTERS})
    if getattr(rule, "mentions_over", None) is not None:
        conditions.append({"kind": "mentions", "more_than": rule.mentions_over})
    if getattr(rule, "first_message", False):
        conditions.append({"kind": "first_message"})
    if getattr(rule, "strikes_at_least", None) is not None:
        conditions.append({"kind": "strikes", "at_least": rule.strikes_at_least})
    if getattr(rule, "raid_authors", None) is not None:
        conditions.append(
            {"kind": "raid", "authors": rule.raid_authors, "minutes": rule.raid_minutes}
        )
    actions: list[dict[str, Any]] = []
    for kind in rule.actions:
        action: dict[str, Any] = {"kind": kind}
        if kind in ("mute", "ban"):
            action["minutes"] = rule.minutes
        elif kind == "tag":
            action["tag"] = getattr(rule, "tag", "") or ""
        elif kind == "assign":
            action["user"] = getattr(rule, "assign_to_id", None) or 0
        elif kind == "reply":
            action["reply"] = getattr(rule, "saved_reply_id", None) or 0
        actions.append(action)
    return {
        "id": str(rule.id),
        "mode": rule.mode,
        "match": "any" if rule.match_any else "all",
        "continue": rule.proceed,
        "conditions": conditions,
        "actions": actions,
    }
