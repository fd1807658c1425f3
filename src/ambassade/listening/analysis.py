"""The text engine as the pipeline uses it.

``analyse(texts)`` calls :func:`ambassade.engine.text.analyze`. When the engine's model file is not
installed (a development checkout before ``ambassade train-text``), it degrades the way the engine does
for an unsupported language: language identified, sentiment "unsupported", scores 0; it logs it once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from ambassade.engine import text as engine_text
from ambassade.engine.text import Analysis

__all__ = ["Analysis", "analyse", "described"]

log = logging.getLogger(__name__)
_warned = False


def analyse(texts: Sequence[str]) -> list[Analysis]:
    global _warned
    try:
        return engine_text.analyze(list(texts))
    except (FileNotFoundError, OSError) as exc:
        if not _warned:
            log.warning("text model unavailable (%s): mentions stored without sentiment", exc)
            _warned = True
    guesses = engine_text.detect_languages(list(texts))
    return [
        Analysis(
            lang=guess.code,
            lang_confidence=guess.confidence,
            sentiment=engine_text.UNSUPPORTED,
            sentiment_score=0.0,
            offensive=0.0,
            hateful=0.0,
            spam=0.0,
            fingerprint=engine_text.fingerprint(text),
            keywords=(),
        )
        for text, guess in zip(texts, guesses, strict=True)
    ]


def described(analysed_as: str, tier: str) -> tuple[str, str]:
    """How a stored mention was analysed, in words for the mention page: (which heads, which tier).

    ``analysed_as`` and ``tier`` are the mention's fields of those names; empty strings (a mention
    stored before they were kept) give empty descriptions."""
    if tier == "none":
        return "", _("Not analysed: the text model was not installed when it was heard.")
    tiers = {
        "accurate": _("Accurate (sentence encoders stacked with the lexical models)"),
        "fast": _("Fast (the lexical models alone)"),
    }
    tier_text = tiers.get(tier, "")
    if analysed_as == "fr+en":
        heads = _(
            "French or English, undetermined: both the French and the English models, "
            "each weighted by how likely its language is"
        )
    elif analysed_as == "fr":
        heads = _("French: the French models")
    elif analysed_as == "en":
        heads = _("English: the English models")
    elif analysed_as == "und":
        heads = _("Language undetermined: the models shared by every language")
    elif analysed_as and tier == "fast":
        heads = _language_name(analysed_as)
    elif analysed_as:
        heads = _("%(language)s: the models shared by every language") % {
            "language": _language_name(analysed_as)
        }
    else:
        heads = ""
    return heads, tier_text


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code.upper()
