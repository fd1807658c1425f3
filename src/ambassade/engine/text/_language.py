"""Language identification with lingua, restricted to the configured languages."""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from lingua import (
    ConfidenceValue,
    IsoCode639_1,
    Language,
    LanguageDetector,
    LanguageDetectorBuilder,
)

from ambassade.engine.text._normalize import (
    MAX_LANGUAGE_CHARS,
    MAX_TEXT_CHARS,
    bound,
    language_view,
    strip_links,
)

__all__ = [
    "DEFAULT_LANGUAGES",
    "DEFAULT_PREFERRED",
    "LETTER_MODEL_PATH",
    "LanguageGuess",
    "configured_languages",
    "detect_languages",
    "french_odds",
    "letter_grams",
    "preferred_languages",
    "save_letter_model",
    "without_names",
]

DEFAULT_LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl", "ar")
"""Languages told apart when ``AMBASSADE_TEXT_LANGUAGES`` (comma-separated ISO 639-1 codes) is unset."""
UNDETERMINED = "und"
MIN_CONFIDENCE = 0.3
"""Below this confidence of the best language, the language is ``und``."""
MIN_MARGIN = 1.5
"""The best language must also be this many times as likely as the second, or it is ``und``. With
these two rules, 96.8 % of UMSAB dev tweets (7 languages) get their language, 2.2 % ``und``, 1 % a wrong
one."""
MIN_LETTERS = 4
"""Fewer letters than this (after URLs, mentions, hashtags and emoji are removed) is ``und``."""
_SHORT_TEXT = 30
_SURE = 0.95


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- French or English, by the words informal messages are made of --------------------------------
# lingua reads letter n-grams: SMS spellings ("jsp", "tkt", "wyd"), slang and two-word messages give it
# too little, and a quarter of informal French came back undetermined or as another language. When
# lingua is not sure, a vote of these words decides between French and English: each list holds
# spellings, slang and function words of one language that are not words of the other. Single letters
# and words both languages use ("lol", "omg", "me", "on", "a", "bro") are left out.
_FRENCH_WORDS = _words(
    """
    je nous vous ils elles une des du et est ça ca pas qui quoi mais pour avec dans sur moi toi ces
    mon ton notre votre vos leur au aux très trop oui être avoir fait faire vais suis sont ont était
    peux veux sais quand comment pourquoi aussi encore déjà rien tout tous toujours jamais ici merci
    bonjour salut bonsoir demain hier aujourd ouais ouai hein bah bref voila putain jamais chez
    """
)
"""French function words and common words that are not English, Spanish, Portuguese or Italian ones
("que", "de", "la", "es", "tu", "il", "bien" are left out)."""
_FRENCH_INFORMAL = _words(
    """
    slt cv jsp jpp tkt mdr mdrr ptdr ptdrr wsh wesh oklm jsuis chui chuis jvais jpeux jte jme jsais
    jpense jcrois jai jarrive jcomprends jvoulais jlai ct koi kestu fé bcp mrc stp svp dsl jtm bsx
    bjr bsr pcq prk qqn qq1 qqch vrmt tjrs dm1 a2m1 ajd auj oqp ptn ftg fdp ntm tg nsm tmtc askip
    osef balek frr frero frérot reuf daronne daron hess relou chelou ouf seum cramé bouffon mskn
    miskine cheh wallah vazy zarma dinguerie chépa cest jsuis meuf mec keum ptit ptite bisous chiant
    chiante nulle
    """
)
"""French SMS spellings and slang (they count twice)."""
_FRENCH_SHARED = _words("de que la le les tu il un es va son ta ce mais bien sa lui mes non as ai")
"""French words that Spanish, Portuguese or Italian share: they count only when lingua's favourite, too
unsure to be named, is French or English."""
_ENGLISH_WORDS = _words(
    """
    you he she they it the and are were been being not that this these those what why how who when
    where with for of to my your his our their just like get got do does did have has had can would
    should could there here from about because than then them thanks thank please yes yeah nope
    hello hi hey today tomorrow yesterday really very u im
    """
)
"""English function words and common words that are not French, German, Dutch or Italian ones ("in",
"an", "was", "will", "so", "is", "we", "i" are left out)."""
_ENGLISH_INFORMAL = _words(
    """
    ur wyd hbu wbu idk idc ikr imo imho tbh ngl lmao lmfao stfu smh brb gtg ttyl lmk hmu ily ilysm
    tysm ty np yw thx thnx pls plz omw otw nvm fyi rn af cuz coz gonna wanna gotta lemme gimme kinda
    sorta dunno shoulda woulda coulda whatcha ya yall aint dont cant wont ive youre thats whats
    bruh fam lowkey highkey deadass sus bussin rizz finna tryna yeet periodt l8r gr8 2day b4 wut
    wat luv sry ppl
    """
)
"""English SMS spellings and slang (they count twice)."""
_ENGLISH_SHARED = _words("i in an was will so is we her be on")
"""English words that German, Dutch or Italian share: they count like :data:`_FRENCH_SHARED`."""
INFORMAL_CONFIDENCE = 0.9
"""Below this confidence of lingua's best language (or when it is ``und``), the French-English word vote
decides, unless it is a tie. Measured (docs/text-analysis.md, "Informal French and English"): the
informal language suites go from 46.7 % to 89.2 % identified in French and 44.5 % to 77.5 % in
English, real French tweets (FTR) 91.0 → 93.9 %, UMSAB dev stays at 96.2 %."""
_VOTE_CONFIDENCE = 0.5
"""The confidence given to a language decided by the vote."""
_WORD = re.compile(r"[^\W_]+")
_REPEATS = re.compile(r"(.)\1{2,}")


_SLANG, _WORD_OF, _SHARED = 0, 1, 2
_MARKERS: dict[str, tuple[str, int]] = {
    **{word: ("fr", _SHARED) for word in _FRENCH_SHARED},
    **{word: ("en", _SHARED) for word in _ENGLISH_SHARED},
    **{word: ("fr", _WORD_OF) for word in _FRENCH_WORDS},
    **{word: ("en", _WORD_OF) for word in _ENGLISH_WORDS},
    **{word: ("fr", _SLANG) for word in _FRENCH_INFORMAL},
    **{word: ("en", _SLANG) for word in _ENGLISH_INFORMAL},
}


def _scores(text: str, *, shared: bool) -> tuple[dict[str, int], dict[str, bool]]:
    """The French and English marker scores of a text, and whether each has a slang word. SMS and
    slang words score 2, other words 1; ``shared`` counts the words Romance or Germanic languages share
    too."""
    scores = {"fr": 0, "en": 0}
    slang = {"fr": False, "en": False}
    for word in _WORD.findall(_REPEATS.sub(r"\1\1", bound(text, MAX_LANGUAGE_CHARS).lower())):
        marker = _MARKERS.get(word)
        if marker is None:
            continue
        lang, kind = marker
        if kind == _SLANG:
            scores[lang] += 2
            slang[lang] = True
        elif kind == _WORD_OF or shared:
            scores[lang] += 1
    return scores, slang


def _has_markers(text: str) -> bool:
    """Whether the text has a French or English marker word (shared words aside)."""
    scores, _ = _scores(text, shared=False)
    return scores["fr"] + scores["en"] > 0


def _vote(text: str, *, slang_needed: bool, shared: bool) -> str | None:
    """ "fr" or "en" when the text's marker words score higher for one than for the other, else None;
    with ``slang_needed`` the winner must have a slang word."""
    scores, slang = _scores(text, shared=shared)
    french, english = scores["fr"], scores["en"]
    if french > english and (slang["fr"] or not slang_needed):
        return "fr"
    if english > french and (slang["en"] or not slang_needed):
        return "en"
    return None


STRONG_VOTE = 3
"""Marker words of one of French and English scoring this much, with none of the other, overrule even
a confident guess of the other (lingua read the letters of a French name in an English message:
"Friday ritual: latte noisette and a croissant at café lumière", "Je kiffe le Black Friday")."""


def _contradicted(text: str, code: str) -> str | None:
    """French or English when the function words of ``text`` say so strongly (:data:`STRONG_VOTE`) and
    ``code`` (French or English) has none of its own."""
    scores, _ = _scores(text, shared=False)
    for other in ("en", "fr"):
        third = "en" if other == "fr" else "fr"
        if (
            other != code
            and scores[other] >= STRONG_VOTE
            and scores.get(code, 0) == 0
            and (code in ("fr", "en") or scores[third] == 0)
        ):
            return other
    return None


# --- French or English, by letter n-grams -------------------------------------------------------
# When lingua is unsure and the marker words tie (none at all, most often: "gros naze", "j'arrive",
# "gg ez", "moron"), a logistic regression over letter n-grams of each word decides between French
# and English. It learnt from real French and English messages, formal and informal (tweets,
# subtitles, reviews, SMS, comments: training/_language.py), never from the informal suites.
LETTER_MODEL_PATH = Path(__file__).with_name("models") / "language.npz"
LETTER_MARGIN = 1.5
"""The letter model decides only when its log-odds of French against English is at least this far
from 0 (about 82 % sure); otherwise the text keeps lingua's answer (often ``und``)."""
LETTER_MARGIN_OTHER = 5.0
"""The same when lingua's favourite, too unsure to be named, is neither French nor English (about
99 % sure). Asked only when lingua's favourite is French or English, the letter model took real
French tweets (FTR dev, 416) from 394 to 394 identified; asked at this margin otherwise too, 400, at
the cost of 99 of UMSAB's 10,815 German, Spanish, Italian, Portuguese and Arabic tweets going from
``und`` to French or English (161 at a margin of 3, for the same 400): docs/text-analysis.md."""
_GRAM_SIZES = range(1, 6)


def letter_grams(text: str) -> set[str]:
    """The letter n-grams (1 to 5) of each word of ``text`` as language identification reads it
    (:func:`~ambassade.engine.text._normalize.language_view`, lower case, letters repeated more than
    twice cut to two), each word padded with a space on both sides."""
    view = _REPEATS.sub(r"\1\1", language_view(text).lower())
    grams: set[str] = set()
    for word in view.split():
        padded = f" {word} "
        for n in _GRAM_SIZES:
            if n > len(padded):
                break
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def save_letter_model(
    path: Path, grams: Sequence[str], weights: Iterable[float], bias: float
) -> None:
    """Write the letter model (numpy only, no pickle): the grams, one weight each, the intercept."""
    if any("\n" in gram for gram in grams):
        raise ValueError("a letter gram cannot hold a line break")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        grams=np.frombuffer("\n".join(grams).encode("utf-8"), dtype=np.uint8),
        weights=np.asarray(list(weights), dtype=np.float32),
        bias=np.asarray([bias], dtype=np.float64),
    )


_letter_lock = threading.Lock()
_letter_model: tuple[dict[str, float], float] | None = None


def _letters() -> tuple[dict[str, float], float]:
    global _letter_model
    if _letter_model is None:
        with _letter_lock:
            if _letter_model is None:
                with np.load(LETTER_MODEL_PATH, allow_pickle=False) as data:
                    grams = bytes(data["grams"]).decode("utf-8").split("\n")
                    weights = data["weights"].astype(np.float64).tolist()
                    if len(grams) != len(weights):
                        raise ValueError(f"{LETTER_MODEL_PATH}: grams and weights differ in number")
                    _letter_model = (dict(zip(grams, weights, strict=True)), float(data["bias"][0]))
    return _letter_model


def french_odds(text: str) -> float:
    """The letter model's log-odds that ``text`` is French rather than English."""
    weights, bias = _letters()
    return bias + sum(weights.get(gram, 0.0) for gram in letter_grams(text))


def _by_letters(text: str, margin: float) -> str | None:
    odds = french_odds(text)
    if odds >= margin:
        return "fr"
    if odds <= -margin:
        return "en"
    return None


# --- proper names ---------------------------------------------------------------------------------
# A brand, a place or a person's name says nothing of the language it is written in, but lingua reads
# its letters like any other: "Can't log in to the Café Lumière app" came out Dutch, "Café Lumière your
# app charged me TWICE" French. Capitalised words inside a sentence are names far more often than not
# in French and English, so they are left out of what lingua reads, unless they are most of the text
# or the text has no French or English marker word (German capitalises its nouns; measured in
# docs/benchmarks.md, "Language identification").
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…:;\n\"«»“”()\[\]|•–—-]")
MAX_NAME_SHARE = 0.4
"""Capitalised words inside sentences are left out of language identification only when they are at
most this share of the words (a title in capitals, or German with its capitalised nouns, keeps them)."""


def without_names(text: str) -> str:
    """``text`` without the capitalised words (``Café``, ``LUMIÈRE``) that do not start a sentence: the
    names in it. URLs, @mentions and #hashtags are removed first; "I" stays."""
    text = strip_links(bound(text, MAX_TEXT_CHARS))
    kept: list[str] = []
    names = 0
    previous_end = 0
    for match in _NAME_WORD.finditer(text):
        word = match.group()
        starts_sentence = (not kept and not names) or bool(
            _SENTENCE_END.search(text, previous_end, match.start())
        )
        previous_end = match.end()
        if word[0].isupper() and not starts_sentence and word != "I":
            names += 1
            continue
        kept.append(word)
    if not names or names > MAX_NAME_SHARE * (names + len(kept)):
        return text
    return " ".join(kept)


# --- a prior toward the users' languages ---------------------------------------------------------
DEFAULT_PREFERRED = ("fr", "en")
"""The languages of this product's users when ``AMBASSADE_TEXT_PREFERRED`` is unset: lingua's
likelihood of every other language is multiplied by :data:`OTHER_PRIOR` before the best is chosen, so
that a short or ambiguous message leans French or English rather than Dutch or Italian."""
OTHER_PRIOR = 0.5
"""Measured (docs/benchmarks.md, "Language identification"): real French and English messages gain
0.4 to 3 points, the other languages of UMSAB lose 1 to 2.5."""


def preferred_languages() -> tuple[str, ...]:
    """The codes favoured by the prior (``AMBASSADE_TEXT_PREFERRED``, comma-separated ISO 639-1 codes;
    ``none`` for no prior; default fr, en)."""
    raw = os.environ.get("AMBASSADE_TEXT_PREFERRED", "").strip().lower()
    if not raw:
        return DEFAULT_PREFERRED
    if raw == "none":
        return ()
    codes = tuple(dict.fromkeys(code.strip() for code in raw.split(",") if code.strip()))
    for code in codes:
        _language(code, "AMBASSADE_TEXT_PREFERRED")
    return codes


def _between_french_and_english(text: str, leader: str | None, contenders: set[str]) -> bool:
    """Whether an undetermined ``text`` (as lingua reads it) is French or English for all we know:
    French and English are preferred languages, it has :data:`MIN_LETTERS` letters or more, and
    lingua's likeliest language is French or English, or, for a short text (under 30 letters,
    where lingua's ranking is noise: "on verra" is Italian, "me too" Dutch), one of its three
    likeliest is."""
    letters = len(text) - text.count(" ")
    if letters < MIN_LETTERS or not {"fr", "en"} <= set(preferred_languages()):
        return False
    if leader is None or leader in ("fr", "en"):
        return True
    return letters < _SHORT_TEXT and {"fr", "en"} <= contenders


def _guess(
    values: list[ConfidenceValue], codes: tuple[str, ...], preferred: tuple[str, ...]
) -> LanguageGuess:
    if not values:
        return LanguageGuess(UNDETERMINED, 0.0)
    weighted = sorted(
        (
            (
                value.value * (1.0 if not preferred or code in preferred else OTHER_PRIOR),
                code,
            )
            for value in values
            for code in (value.language.iso_code_639_1.name.lower(),)
        ),
        reverse=True,
    )
    total = sum(weight for weight, _ in weighted) or 1.0
    best, code = weighted[0][0] / total, weighted[0][1]
    second = weighted[1][0] / total if len(weighted) > 1 else 0.0
    if best < MIN_CONFIDENCE or best < MIN_MARGIN * second:
        return LanguageGuess(UNDETERMINED, float(best))
    return LanguageGuess(code if code in codes else UNDETERMINED, float(best))


@dataclass(frozen=True)
class LanguageGuess:
    """An ISO 639-1 code (or ``und``) and the detector's confidence in it, in [0, 1].

    ``alternatives``: for a text left ``und`` between French and English (:func:`detect_languages`),
    French and English with the probability of each (the letter model's, summing to 1); the
    accurate and fast tiers then analyse it with both languages' heads. Empty otherwise."""

    code: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()


def configured_languages() -> tuple[str, ...]:
    """The ISO 639-1 codes the detector chooses among (``AMBASSADE_TEXT_LANGUAGES`` or the default)."""
    raw = os.environ.get("AMBASSADE_TEXT_LANGUAGES", "").strip()
    if not raw:
        return DEFAULT_LANGUAGES
    codes = tuple(dict.fromkeys(code.strip().lower() for code in raw.split(",") if code.strip()))
    for code in codes:
        _language(code)
    return codes


def _language(code: str, variable: str = "AMBASSADE_TEXT_LANGUAGES") -> Language:
    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        raise ValueError(f"unknown ISO 639-1 language code {code!r} in {variable}") from None


_lock = threading.Lock()
_detectors: dict[tuple[str, ...], tuple[LanguageDetector, LanguageDetector]] = {}


def _detectors_for(codes: tuple[str, ...]) -> tuple[LanguageDetector, LanguageDetector]:
    """(accurate, fast) detectors, built once per language set: building one takes a second."""
    found = _detectors.get(codes)
    if found is None:
        with _lock:
            found = _detectors.get(codes)
            if found is None:
                languages = [_language(code) for code in codes]
                if len(languages) == 1:
                    # lingua needs two languages at least; a lone one is still checked by its alphabet.
                    languages.append(
                        Language.LATIN if languages[0] != Language.LATIN else Language.ENGLISH
                    )
                accurate = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_preloaded_language_models()
                    .build()
                )
                fast = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_low_accuracy_mode()
                    .build()
                )
                found = (accurate, fast)
                _detectors[codes] = found
    return found


def detect_languages(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> list[LanguageGuess]:
    """The language of each text among ``languages`` (default: :func:`configured_languages`).

    URLs, @mentions, #hashtags, emoji, digits, punctuation and the capitalised words inside sentences
    (names: :func:`without_names`) are removed first; lingua's likelihoods are weighted toward the
    preferred languages (:func:`preferred_languages`); a text with too few letters left, or whose best
    language is not clearly ahead, is ``und``. Between French and English, marker words decide when
    lingua is unsure, and overrule it when they are many for one and none for the other; a text they
    and the letter model leave ``und``, whose likeliest language for lingua is French or English,
    gets both as ``alternatives`` with their probabilities (:class:`LanguageGuess`). Only the
    beginning of a long text is read, its words cut to 64 letters
    (:func:`~ambassade.engine.text._normalize.language_view`).
    """
    return _detect(texts, languages)


def _detect(
    texts: Sequence[str],
    languages: Sequence[str] | None = None,
    *,
    names: bool = True,
    prior: bool = True,
    overrule: bool = True,
    letters: bool = True,
) -> list[LanguageGuess]:
    """:func:`detect_languages`, each of its three safeguards against names and ambiguity switchable so
    that ``ambassade bench language`` measures what each brings."""
    codes = tuple(languages) if languages is not None else configured_languages()
    accurate, fast = _detectors_for(codes)
    preferred = preferred_languages() if prior else ()
    stripped = [
        language_view(without_names(text) if names and _has_markers(text) else text)
        for text in texts
    ]
    guesses = [LanguageGuess(UNDETERMINED, 0.0)] * len(texts)
    candidates = [
        i for i, text in enumerate(stripped) if len(text) - text.count(" ") >= MIN_LETTERS
    ]
    # A cascade: lingua's low-accuracy mode (trigrams only, about four times faster) decides when it is
    # sure and the text is not short; the other texts go to the accurate mode. On UMSAB dev this keeps
    # 99.6 % of the accurate mode's accuracy at about three times its speed.
    recheck = []
    leaders: dict[int, str] = {}  # lingua's favourite for the rechecked texts, even when unsure
    contenders: dict[int, set[str]] = {}  # and its three likeliest languages
    if candidates:
        results = fast.compute_language_confidence_values_in_parallel(
            [stripped[i] for i in candidates]
        )
        for i, values in zip(candidates, results, strict=True):
            if len(stripped[i]) < _SHORT_TEXT or not values or values[0].value < _SURE:
                recheck.append(i)
            else:
                guesses[i] = _guess(values, codes, preferred)
    if recheck:
        results = accurate.compute_language_confidence_values_in_parallel(
            [stripped[i] for i in recheck]
        )
        for i, values in zip(recheck, results, strict=True):
            guesses[i] = _guess(values, codes, preferred)
            if values:
                leaders[i] = values[0].language.iso_code_639_1.name.lower()
                contenders[i] = {v.language.iso_code_639_1.name.lower() for v in values[:3]}
    if "fr" in codes and "en" in codes:
        for i, guess in enumerate(guesses):
            if guess.code == UNDETERMINED or guess.confidence < INFORMAL_CONFIDENCE:
                voted = _vote(
                    texts[i],
                    # Another language than French or English is overruled by slang only.
                    slang_needed=guess.code not in (UNDETERMINED, "fr", "en"),
                    shared=leaders.get(i, "fr") in ("fr", "en"),
                )
                if (
                    voted is None
                    and letters
                    and {"fr", "en"} <= set(preferred_languages())
                    and guess.code == UNDETERMINED
                    and len(stripped[i]) - stripped[i].count(" ") >= MIN_LETTERS
                ):
                    # The letter model knows only French and English: when lingua's favourite,
                    # however unsure, is another language, it must be surer.
                    other = leaders.get(i, "fr") not in ("fr", "en")
                    voted = _by_letters(
                        stripped[i], LETTER_MARGIN_OTHER if other else LETTER_MARGIN
                    )
                if voted is not None and voted != guess.code:
                    guesses[i] = LanguageGuess(voted, _VOTE_CONFIDENCE)
                elif (
                    voted is None
                    and letters
                    and guess.code == UNDETERMINED
                    and _between_french_and_english(
                        stripped[i], leaders.get(i), contenders.get(i, set())
                    )
                ):
                    # Undetermined between French and English: both, with the letter model's odds.
                    french = 1.0 / (1.0 + math.exp(-french_odds(stripped[i])))
                    guesses[i] = LanguageGuess(
                        UNDETERMINED, guess.confidence, (("fr", french), ("en", 1.0 - french))
                    )
            elif overrule and guess.code != UNDETERMINED:
                overruled = _contradicted(texts[i], guess.code)
                if overruled is not None:
                    guesses[i] = LanguageGuess(overruled, _VOTE_CONFIDENCE)
    return guesses
