"""The default moderation rule set a workspace starts from (the demo's): insults, offensive,
hateful and spam scores, links. Its actions on the networks stay in log-only mode until a person
enables them; what it only puts in the queue is on. Django-free (the benchmark reads it)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ambassade.moderation.specs import rule_spec

__all__ = ["INSULTS", "RULES", "engine_specs"]

INSULTS = "\n".join(
    [
        "idiot*",
        "imbecile*",
        "connard*",
        "connasse*",
        "conne",
        "crétin*",
        "abruti*",
        "débile*",
        "salope*",
        "enculé*",
        "ta gueule",
        "casse-toi",
        "nul à chier",
        "stupid*",
        "moron*",
        "asshole*",
        "bitch*",
        "fuck you",
        "shut up",
        "dumbass*",
    ]
)

RULES: list[dict[str, Any]] = [
    {
        "name": "Raid",
        "raid_authors": 5,
        "raid_minutes": 10,
        "actions": ["hold", "crisis"],
        "mode": "on",
        "article": 1,
    },
    {"name": "Insults", "words": INSULTS, "actions": ["hide"], "mode": "log", "article": 2},
    {
        "name": "Offensive score",
        "score": "offensive",
        "threshold": 0.8,
        "actions": ["hold"],
        "mode": "on",
        "article": 2,
    },
    {
        "name": "Hateful score",
        "score": "hateful",
        "threshold": 0.7,
        "actions": ["hold"],
        "mode": "on",
        "article": 2,
    },
    {
        "name": "Spam",
        "score": "spam",
        "threshold": 0.9,
        "actions": ["hold"],
        "mode": "on",
        "article": 3,
    },
    {"name": "Links (trial)", "links": True, "actions": ["flag"], "mode": "log", "article": 3},
]

_FIELDS = {
    "words": "",
    "score": "",
    "threshold": 0.8,
    "networks": [],
    "authors_denied": "",
    "authors_allowed": "",
    "links": False,
    "minutes": 0,
    "match_any": False,
    "proceed": False,
    "mode": "log",
}


def engine_specs() -> list[dict[str, Any]]:
    """The default rules as the engine reads them, ids 1, 2, 3… in order."""
    return [
        rule_spec(SimpleNamespace(**{**_FIELDS, **fields, "id": number}))
        for number, fields in enumerate(RULES, 1)
    ]
