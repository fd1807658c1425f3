"""The names of the counters a network gives back for a published post, in words.

Publishers return ``Published``/``RawItem.metrics`` as a mapping of a few known names to numbers
(``likes``, ``reposts``, ``replies``, ``quotes``, ``reactions``, ``shares``, ``comments``, ``views``,
``score``, ``upvote_percent``). This module is the one place that says each of them in the
person's language, and which of them count as *engagement* (interactions a person chose to make,
which ``services.best_times`` adds up: a view or a percentage is not one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import gettext, ngettext

__all__ = ["ENGAGEMENT", "engagement", "metric_phrase"]

# Interactions, added up for the best time to post. Views are exposure, a score is a net vote
# count that can be negative, and a percentage is not a count.
ENGAGEMENT = frozenset({"likes", "reposts", "replies", "quotes", "reactions", "shares", "comments"})


_PHRASES: dict[str, Callable[[int], str]] = {
    "likes": lambda n: ngettext("%(count)s like", "%(count)s likes", n) % {"count": n},
    "reposts": lambda n: ngettext("%(count)s repost", "%(count)s reposts", n) % {"count": n},
    "replies": lambda n: ngettext("%(count)s reply", "%(count)s replies", n) % {"count": n},
    "quotes": lambda n: ngettext("%(count)s quote", "%(count)s quotes", n) % {"count": n},
    "reactions": lambda n: ngettext("%(count)s reaction", "%(count)s reactions", n) % {"count": n},
    "shares": lambda n: ngettext("%(count)s share", "%(count)s shares", n) % {"count": n},
    "comments": lambda n: ngettext("%(count)s comment", "%(count)s comments", n) % {"count": n},
    "views": lambda n: ngettext("%(count)s view", "%(count)s views", n) % {"count": n},
    "score": lambda n: gettext("score %(count)s") % {"count": n},
    "upvote_percent": lambda n: gettext("%(count)s %% upvoted") % {"count": n},
}


def metric_phrase(name: str, value: object) -> str:
    """``"12 likes"``, ``"score 40"``…; an unknown name is shown as ``name value``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{name} {value}"
    phrase = _PHRASES.get(name)
    if phrase is None:
        return f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
    return phrase(int(value))


def engagement(metrics: Mapping[str, object] | None) -> float:
    """The interactions a post received: the sum of its ``ENGAGEMENT`` counters."""
    total = 0.0
    for name, value in (metrics or {}).items():
        if name in ENGAGEMENT and isinstance(value, int | float) and not isinstance(value, bool):
            total += value
    return total
