"""Moderation rules: watched words, conditions and actions, compiled once and evaluated per message.

Pure Python (pyahocorasick for the watched words), no Django. The product stores rules as JSON
objects (see :mod:`._rules`), compiles a workspace's rules with :func:`compile_rules` and evaluates
each new message with :meth:`RuleSet.evaluate`. Semantics and limits: docs/moderation.md.

>>> rules = compile_rules([{"id": "1", "conditions": [{"kind": "words", "words": ["idiot*"]}],
...                         "actions": [{"kind": "flag"}]}])
>>> outcome = rules.evaluate(Item("Quelle IDIOTIE, l’idiot !"))
>>> outcome.matches[0].reasons[0].spans
((7, 14), (18, 23))
"""

from ._errors import InvalidRule
from ._fold import MAX_CHARS, Folded, fold, fold_char
from ._raids import raid_authors
from ._rules import (
    MAX_RULES,
    SCORES,
    Action,
    ActionKind,
    ConditionKind,
    Item,
    Mode,
    Outcome,
    Reason,
    RuleMatch,
    RuleSet,
    compile_rules,
)
from ._words import MAX_PATTERN_CHARS, MAX_WORDS, Hit, WordIndex, fold_pattern, glob, typed_words

__all__ = [
    "MAX_CHARS",
    "MAX_PATTERN_CHARS",
    "MAX_RULES",
    "MAX_WORDS",
    "SCORES",
    "Action",
    "ActionKind",
    "ConditionKind",
    "Folded",
    "Hit",
    "InvalidRule",
    "Item",
    "Mode",
    "Outcome",
    "Reason",
    "RuleMatch",
    "RuleSet",
    "WordIndex",
    "compile_rules",
    "fold",
    "fold_char",
    "fold_pattern",
    "glob",
    "raid_authors",
    "typed_words",
]
