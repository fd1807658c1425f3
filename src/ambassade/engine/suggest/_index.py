"""An incremental index of a workspace's past answers, and the suggestions it makes.

Each entry is one past exchange: the message a person sent (``inbound``) and the answer the brand
gave it (``reply``). A new message is compared with the past inbound messages by BM25 over their
words, word pairs and word stems (the first five letters of longer words, so that *commande* meets
*commandé* and *commandes*); optionally, sentence vectors the caller computed add their cosine.

The answers of the closest past messages are then ranked by minimum Bayes risk: each one by the
votes of the messages it answered (weighted by how close they are), plus how much it agrees, in its
words, with the answers given to all the close messages — the brand's usual answer to this kind of
message rises above a one-off. The most frequent answers compete too. The three best answers that are
not near-copies of one another are suggested; with fewer, the most frequent ones complete the list.

Answers are stored neutralised (``_neutral``): the customer's name, the agent's signature, order
numbers… are placeholders. Identical neutralised answers form one group, whose support is how often
the brand sent it; a group is shown in its most recent wording. An address (URL) appears in a
suggestion only when the brand used it in at least two answers (its help page); otherwise it is the
placeholder ``{link}``.

Adding or removing an entry costs the length of its texts (postings lists grow at their end; a removed
entry is skipped until enough are gone to rebuild), so the app keeps one index per workspace up to
date as replies are sent. Not thread-safe: callers hold a lock.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ambassade.engine.suggest._closeness import closeness_tokens, rouge_l
from ambassade.engine.suggest._neutral import URL, Context, neutralise, placeholders_in
from ambassade.engine.text import normalize
from ambassade.engine.text._normalize import bound, tokenize

__all__ = ["MAX_INBOUND_CHARS", "ReplyIndex", "Settings", "Suggestion", "inbound_terms"]

#: Messages are compared on their first 2,000 characters: a suggestion costs a bounded time.
MAX_INBOUND_CHARS = 2_000
_WORD = re.compile(r"\w")
_STEM = 5
#: How many of the most frequent answers are kept ranked as entries come and go.
_POPULAR_KEPT = 64


@dataclass(frozen=True, slots=True)
class Settings:
    """How suggestions are made. The defaults are the ones ``ambassade bench replies`` measures
    (chosen on half of its brands)."""

    #: How many past messages vote.
    neighbours: int = 20
    #: A neighbour's vote is (its score / the best score) to this power: higher trusts the closest.
    sharpness: float = 1.0
    #: Weights of word pairs and of word stems against single words in the BM25 score.
    bigram_weight: float = 1.0
    stem_weight: float = 0.3
    #: Weight of the cosine of sentence vectors (when the caller gives them) against BM25 (0–1).
    vector_weight: float = 0.0
    #: BM25 parameters.
    k1: float = 1.2
    b: float = 0.75
    #: Terms in more than this share of the past messages are skipped (they say little, cost much).
    max_df: float = 0.25
    #: Weight of an answer's agreement with the answers of the close messages (0: votes alone).
    consensus: float = 4.0
    #: How many of the most frequent answers compete for agreement with the neighbours' answers.
    popular: int = 10
    #: Weight of an answer's popularity (log of its support).
    prior: float = 0.05
    #: Two answers at least this close (ROUGE-L) are one suggestion.
    duplicate: float = 0.7
    #: Oldest entries are dropped beyond this many (None: keep all).
    max_entries: int | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested answer: ``text`` with its placeholders (``placeholders``) for the agent to fill,
    ``score`` its share of the neighbours' votes (0–1; 0 for an answer suggested for its frequency
    alone), ``support`` how many past answers were this one, and ``keys`` the past exchanges that
    voted for it, closest first (at most five)."""

    text: str
    score: float
    support: int
    keys: tuple[str, ...]
    placeholders: tuple[str, ...]


def inbound_terms(text: str) -> tuple[list[str], int]:
    """The BM25 terms of a message (``w:`` words, ``b:`` word pairs, ``s:`` stems of words longer
    than five letters) and its length in words."""
    tokens = [
        tok
        for tok in tokenize(normalize(bound(text, MAX_INBOUND_CHARS)))
        if tok != "@user" and _WORD.match(tok)
    ]
    terms = [f"w:{tok}" for tok in tokens]
    terms += [f"b:{a} {b}" for a, b in itertools.pairwise(tokens)]
    terms += [f"s:{tok[:_STEM]}" for tok in tokens if len(tok) > _STEM and not tok.isdigit()]
    return terms, len(tokens)


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2.0 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


class _Group:
    """Identical neutralised answers."""

    __slots__ = ("bag", "docs", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.docs: list[int] = []
        self.bag: frozenset[str] | None = None


class _Posting:
    """The entries holding a term: their numbers, counts and BM25 term weights."""

    __slots__ = ("counts", "docs", "removed", "weights")

    def __init__(self) -> None:
        self.docs = array("i")
        self.counts = array("f")
        self.weights = array("f")
        self.removed = 0  # entries removed but still listed until the index is rebuilt


class ReplyIndex:
    """Past exchanges, searchable by their inbound message (module docstring)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._clear()
        self._groups: list[_Group] = []
        self._group_of: dict[tuple[str, ...], int] = {}
        self._url_count: Counter[str] = Counter()
        self._languages: dict[str, int] = {}
        self._popular_cache: list[int] | None = None

    def _clear(self) -> None:
        self._keys: list[str] = []
        self._doc: OrderedDict[str, int] = OrderedDict()  # alive keys, oldest first
        self._alive = bytearray()
        self._inbound: list[str] = []
        self._lang = array("i")
        self._group = array("i")
        self._urls_of: list[tuple[str, ...]] = []
        self._length = array("f")
        self._postings: dict[str, _Posting] = {}
        self._total_length = 0.0
        self._average_used = 0.0  # the average length the stored BM25 weights were computed with
        self._dead = 0
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._has_vector = bytearray()

    def __len__(self) -> int:
        return len(self._doc)

    def __contains__(self, key: object) -> bool:
        return key in self._doc

    # --- writing ------------------------------------------------------------------------------

    def add(
        self,
        key: str,
        inbound: str,
        reply: str,
        *,
        context: Context | None = None,
        lang: str | None = None,
        vector: npt.ArrayLike | None = None,
        neutralised: bool = False,
    ) -> bool:
        """Index one exchange (replacing the entry of the same key). False when the answer is empty
        once neutralised (nothing to suggest). ``vector``: the inbound message's sentence vector;
        ``neutralised``: the reply was neutralised already (the app stores it so)."""
        if key in self._doc:
            self.remove(key)
        text = reply if neutralised else neutralise(reply, context)
        tokens = tuple(closeness_tokens(text))
        if not tokens:
            return False
        group_id = self._group_of.get(tokens)
        if group_id is None:
            group_id = len(self._groups)
            self._groups.append(_Group(text))
            self._group_of[tokens] = group_id
        group = self._groups[group_id]
        group.text = text  # the most recent wording
        group.bag = None
        urls = tuple(dict.fromkeys(URL.findall(text)))
        self._url_count.update(urls)
        self._append(key, inbound, self._language(lang), group_id, urls, vector)
        self._touch_popular(group_id, grew=True)
        limit = self.settings.max_entries
        while limit is not None and len(self._doc) > limit:
            self.remove(next(iter(self._doc)))
        return True

    def add_many(self, entries: Iterable[tuple[str, str, str]]) -> int:
        """Index ``(key, inbound, reply)`` exchanges; returns how many were kept."""
        return sum(self.add(key, inbound, reply) for key, inbound, reply in entries)

    def remove(self, key: str) -> bool:
        """Forget one exchange (a reply deleted, a conversation erased). False if unknown."""
        doc = self._doc.pop(key, None)
        if doc is None:
            return False
        self._alive[doc] = 0
        self._dead += 1
        for term in set(inbound_terms(self._inbound[doc])[0]):
            self._postings[term].removed += 1
        self._total_length -= self._length[doc]
        self._url_count.subtract(self._urls_of[doc])
        group_id = self._group[doc]
        self._groups[group_id].docs.remove(doc)
        self._touch_popular(group_id, grew=False)
        if self._dead > max(1_000, len(self._keys) // 4):
            self._rebuild()
        return True

    def _language(self, lang: str | None) -> int:
        if lang is None:
            return -1
        return self._languages.setdefault(lang, len(self._languages))

    def _append(
        self,
        key: str,
        inbound: str,
        lang: int,
        group_id: int,
        urls: tuple[str, ...],
        vector: npt.ArrayLike | None,
    ) -> None:
        doc = len(self._keys)
        self._keys.append(key)
        self._doc[key] = doc
        self._alive.append(1)
        self._inbound.append(inbound)
        self._lang.append(lang)
        self._group.append(group_id)
        self._urls_of.append(urls)
        self._groups[group_id].docs.append(doc)
        self._store_vector(doc, vector)
        terms, length = inbound_terms(inbound)
        self._length.append(float(length))
        self._total_length += length
        average = self._average()
        if not self._average_used or abs(average - self._average_used) > 0.1 * self._average_used:
            self._reweigh(average)
        settings = self.settings
        norm = settings.k1 * (1.0 - settings.b + settings.b * length / self._average_used)
        for term, count in Counter(terms).items():
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = _Posting()
            posting.docs.append(doc)
            posting.counts.append(float(count))
            posting.weights.append(count * (settings.k1 + 1.0) / (count + norm))

    def _average(self) -> float:
        return max(self._total_length / max(len(self._doc), 1), 1.0)

    def _reweigh(self, average: float) -> None:
        """Compute every stored BM25 weight again with the current average length (the weights
        are kept precomputed; they are redone when the average has moved by a tenth)."""
        self._average_used = average
        if not self._postings:
            return
        settings = self.settings
        lengths = np.frombuffer(self._length, dtype=np.float32)
        for posting in self._postings.values():
            docs = np.frombuffer(posting.docs, dtype=np.int32)
            counts = np.frombuffer(posting.counts, dtype=np.float32)
            norm = settings.k1 * (1.0 - settings.b + settings.b * lengths[docs] / average)
            weights = np.frombuffer(posting.weights, dtype=np.float32)
            weights[:] = counts * (settings.k1 + 1.0) / (counts + norm)
            del docs, counts, weights  # release the buffers: the arrays grow again

    def _store_vector(self, doc: int, vector: npt.ArrayLike | None) -> None:
        if vector is None:
            self._has_vector.append(0)
            return
        row = np.asarray(vector, dtype=np.float32).ravel()
        if not self._vectors.size:
            self._vectors = np.zeros((64, len(row)), dtype=np.float32)
        if len(row) != self._vectors.shape[1]:
            raise ValueError(
                f"every vector must have {self._vectors.shape[1]} dimensions, not {len(row)}"
            )
        if doc >= len(self._vectors):
            grown = np.zeros((2 * max(doc, len(self._vectors)), len(row)), dtype=np.float32)
            grown[: len(self._vectors)] = self._vectors
            self._vectors = grown
        norm = float(np.linalg.norm(row))
        self._vectors[doc] = row / norm if norm else row
        self._has_vector.append(1)

    def _rebuild(self) -> None:
        """Drop removed entries for good (numbers them again from 0)."""
        entries = [
            (
                key,
                self._inbound[doc],
                self._lang[doc],
                self._group[doc],
                self._urls_of[doc],
                self._vectors[doc].copy() if self._has_vector[doc] else None,
            )
            for key, doc in self._doc.items()
        ]
        self._clear()
        for group in self._groups:
            group.docs = []
        self._total_length = 0.0
        for entry in entries:
            self._append(*entry)
        self._popular_cache = None

    def _touch_popular(self, group_id: int, *, grew: bool) -> None:
        """Keep the ranking of the most frequent answers current without sorting every group."""
        cache = self._popular_cache
        if cache is None:
            return
        if group_id in cache:
            if not self._groups[group_id].docs:
                cache.remove(group_id)
            # One answer fewer may put it under one outside the list: close enough for a ranking
            # of the most frequent answers, and ranking every group again at each removal is not.
            cache.sort(key=self._popularity, reverse=True)
        elif grew and (
            len(cache) < _POPULAR_KEPT or self._popularity(group_id) > self._popularity(cache[-1])
        ):
            cache.append(group_id)
            cache.sort(key=self._popularity, reverse=True)
            del cache[_POPULAR_KEPT:]

    def _popularity(self, group_id: int) -> tuple[int, int]:
        docs = self._groups[group_id].docs
        return (len(docs), docs[-1] if docs else -1)

    # --- reading ------------------------------------------------------------------------------

    def scores(self, inbound: str, vector: npt.ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """How close each entry is to a new message (removed ones 0): its BM25 score over the best
        one, plus ``vector_weight`` times the cosine of the vectors when both have one."""
        settings = self.settings
        total = len(self._keys)
        alive = len(self._doc)
        if not alive:
            return np.zeros(total, dtype=np.float64)
        terms, _ = inbound_terms(inbound)
        doc_parts: list[npt.NDArray[np.int32]] = []
        weight_parts: list[npt.NDArray[np.float32]] = []
        for term, count in Counter(terms).items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            df = len(posting.docs) - posting.removed
            if not df or (alive > 50 and df > settings.max_df * alive):
                continue
            idf = math.log(1.0 + (alive - df + 0.5) / (df + 0.5))
            block = term[0]
            weight = idf * (1.0 + math.log(count))
            if block == "b":
                weight *= settings.bigram_weight
            elif block == "s":
                weight *= settings.stem_weight
            doc_parts.append(np.frombuffer(posting.docs, dtype=np.int32))
            weight_parts.append(np.frombuffer(posting.weights, dtype=np.float32) * weight)
        if doc_parts:
            scores = np.bincount(
                np.concatenate(doc_parts), weights=np.concatenate(weight_parts), minlength=total
            ).astype(np.float64)
        else:
            scores = np.zeros(total, dtype=np.float64)
        del doc_parts, weight_parts  # release the buffers: the arrays grow again
        dead = np.frombuffer(self._alive, dtype=np.uint8) == 0 if self._dead else None
        if dead is not None:
            scores[dead] = 0.0
        top = float(scores.max()) if total else 0.0
        if top > 0.0:
            scores /= top
        if vector is not None and settings.vector_weight and self._vectors.size:
            query = np.asarray(vector, dtype=np.float32).ravel()
            size = float(np.linalg.norm(query))
            if size:
                cosine = self._vectors[:total] @ (query / size)
                scores += settings.vector_weight * np.maximum(cosine, 0.0)
                if dead is not None:
                    scores[dead] = 0.0
        return scores

    def suggest(
        self,
        inbound: str,
        k: int = 3,
        *,
        lang: str | None = None,
        vector: npt.ArrayLike | None = None,
    ) -> list[Suggestion]:
        """Up to ``k`` answers for a new message, best first (module docstring). With ``lang``, only
        answers to messages in that language (or of no known language) are suggested."""
        if k <= 0 or not self._doc:
            return []
        settings = self.settings
        scores = self.scores(inbound, vector)
        if lang is not None:
            code = self._languages.get(lang, -2)
            langs = np.frombuffer(self._lang, dtype=np.int32)
            scores[(langs != code) & (langs != -1)] = 0.0
        votes: dict[int, float] = {}
        closest: dict[int, list[int]] = {}
        count = min(settings.neighbours, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top], kind="stable")]
        best = float(scores[top[0]])
        for doc in top.tolist():
            score = float(scores[doc])
            if score <= 0.0 or best <= 0.0:
                break
            group = int(self._group[doc])
            votes[group] = votes.get(group, 0.0) + (score / best) ** settings.sharpness
            closest.setdefault(group, []).append(doc)
        ranked = {
            group: vote + settings.prior * math.log(len(self._groups[group].docs))
            for group, vote in votes.items()
        }
        if settings.consensus and votes:
            # Minimum Bayes risk: an answer that resembles what the brand answered to most of the
            # close messages is likelier to be close to what it will answer now.
            candidates = list(votes) + self._popular(lang, set(votes), settings.popular)
            weight = sum(votes.values())
            for group in candidates:
                mine = self._bag(group)
                agreement = sum(
                    vote * _dice(mine, self._bag(other)) for other, vote in votes.items()
                )
                ranked[group] = ranked.get(group, 0.0) + settings.consensus * agreement / weight
        # Equal ranks: the answer sent most recently first.
        order = sorted(ranked, key=lambda group: (-ranked[group], -self._groups[group].docs[-1]))
        chosen = self._distinct(order, k)
        if len(chosen) < k:
            fill = self._popular(lang, set(chosen), 4 * k)
            chosen += self._distinct(fill, k - len(chosen), chosen)
        total = sum(votes.values()) or 1.0
        return [
            self._suggestion(group, votes.get(group, 0.0) / total, closest.get(group, []))
            for group in chosen
        ]

    def most_frequent(self, k: int = 3, *, lang: str | None = None) -> list[Suggestion]:
        """The ``k`` answers sent most often (distinct), most recent first among equals."""
        return [
            self._suggestion(group, 0.0, [])
            for group in self._distinct(self._popular(lang, set(), 4 * k), k)
        ]

    def _popular(self, lang: str | None, exclude: set[int], count: int) -> list[int]:
        """Up to ``count`` of the most frequent answers (in ``lang``), not in ``exclude``."""
        if self._popular_cache is None:
            alive = (index for index, group in enumerate(self._groups) if group.docs)
            self._popular_cache = heapq.nlargest(_POPULAR_KEPT, alive, key=self._popularity)
        code = -2 if lang is None else self._languages.get(lang, -3)

        def fits(group_id: int) -> bool:
            if group_id in exclude:
                return False
            return code == -2 or any(
                self._lang[d] in (-1, code) for d in self._groups[group_id].docs
            )

        found = [group for group in self._popular_cache if fits(group)][:count]
        if len(found) < count and len(self._popular_cache) == _POPULAR_KEPT:
            # Rare: a language or an exclusion emptied the kept list; rank every group.
            alive = (i for i, group in enumerate(self._groups) if group.docs and fits(i))
            found = heapq.nlargest(count, alive, key=self._popularity)
        return found

    def _bag(self, group_id: int) -> frozenset[str]:
        group = self._groups[group_id]
        if group.bag is None:
            group.bag = frozenset(closeness_tokens(group.text))
        return group.bag

    def _distinct(self, order: Sequence[int], k: int, chosen: Sequence[int] = ()) -> list[int]:
        """The first ``k`` groups of ``order`` that are not near-copies of one taken before."""
        taken: list[int] = []
        seen = [closeness_tokens(self._groups[group].text) for group in chosen]
        for group in order:
            if len(taken) == k:
                break
            tokens = closeness_tokens(self._groups[group].text)
            if any(rouge_l(tokens, other) >= self.settings.duplicate for other in seen):
                continue
            taken.append(group)
            seen.append(tokens)
        return taken

    def _suggestion(self, group_id: int, score: float, docs: Sequence[int]) -> Suggestion:
        group = self._groups[group_id]
        text = URL.sub(
            lambda m: m.group() if self._url_count[m.group()] >= 2 else "{link}", group.text
        )
        return Suggestion(
            text=text,
            score=round(score, 4),
            support=len(group.docs),
            keys=tuple(self._keys[doc] for doc in docs[:5]),
            placeholders=placeholders_in(text),
        )
