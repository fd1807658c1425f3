"""Suggested replies from a workspace's own past answers, computed where the data lives.

>>> from ambassade.engine.suggest import ReplyIndex
>>> index = ReplyIndex()
>>> index.add("1", "Where is my order?", "@ana Hi Ana, could you DM us your order number? ^Jo")
True
>>> [s.text for s in index.suggest("where's my order")]
['Hi {first_name}, could you DM us your order number? {agent}']
"""

from ambassade.engine.suggest._closeness import closeness_tokens, rouge_l, token_f1
from ambassade.engine.suggest._index import ReplyIndex, Settings, Suggestion, inbound_terms
from ambassade.engine.suggest._neutral import PLACEHOLDERS, Context, neutralise, placeholders_in

__all__ = [
    "PLACEHOLDERS",
    "Context",
    "ReplyIndex",
    "Settings",
    "Suggestion",
    "closeness_tokens",
    "inbound_terms",
    "neutralise",
    "placeholders_in",
    "rouge_l",
    "token_f1",
]
