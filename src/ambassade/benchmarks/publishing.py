"""`ambassade bench publishing`: speed of the per-network rules (docs/publishing-rules.md).

Builds a fixed set of realistic posts (French and English sentences, accents, emoji with ZWJ and skin
tones, flags, links, mentions and hashtags; from a short announcement to a long thread), then measures,
per network, how many `validate()` calls run per second (the composer revalidates on each keystroke),
and how many `split_thread()` calls per second on the long posts. Nothing is read from the data sets.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import partial

from ambassade.benchmarks import BenchOptions, BenchResult, progress
from ambassade.engine.publishing import (
    Media,
    MediaKind,
    Network,
    split_thread,
    validate,
)

__all__ = ["TITLE", "posts", "run"]

TITLE = "Publishing rules (validation speed)"

_SENTENCES = (
    "Nous lançons aujourd'hui notre nouvelle gamme éco-conçue, fabriquée à Lyon.",
    "Merci à toutes et à tous pour vos retours pendant la bêta !",
    "Rendez-vous jeudi à 18 h pour un direct avec l'équipe produit.",
    "Our new range is out today, designed with our community.",
    "Questions? Ask us anything, we answer every message.",
    "Les précommandes ouvrent le 3 septembre : premiers arrivés, premiers servis.",
    "Ça coûte moins cher qu'un café ☕ par mois.",
    "Big thanks to everyone who joined the livestream 🙏🏽",
)
_EXTRAS = (
    "https://ambassade.fr/produits/eco?ref=lancement",
    "https://fr.wikipedia.org/wiki/Lyon_(ville)",
    "www.ambassade.fr/presse",
    "@alice",
    "@alice@mastodon.social",
    "@bob.bsky.social",
    "#rentrée",
    "#écologie",
    "#MadeInFrance",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇫🇷",
    "👍🏽",
    "🎉",
)


def posts(count: int, seed: int = 20261126) -> list[str]:
    """`count` posts of 1 to 12 sentences with a few links, mentions, hashtags and emoji."""
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        pieces: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6, 12))):
            pieces.append(rng.choice(_SENTENCES))
            if rng.random() < 0.5:
                pieces.append(rng.choice(_EXTRAS))
        result.append(" ".join(pieces))
    return result


_MEDIA = [
    Media(
        MediaKind.IMAGE,
        "image/jpeg",
        800_000,
        "Une tasse de café",
        "https://cdn.ambassade.fr/a.jpg",
    ),
    Media(MediaKind.IMAGE, "image/jpeg", 1_200_000, "", "https://cdn.ambassade.fr/b.jpg"),
]


def _rate(label: str, calls: list[Callable[[], object]], rounds: int) -> tuple[float, float]:
    """Calls per second and mean microseconds per call, over `rounds` passes."""
    report = progress(label)
    started = time.perf_counter()
    for done in range(1, rounds + 1):
        for call in calls:
            call()
        report(done, rounds)
    elapsed = time.perf_counter() - started
    total = rounds * len(calls)
    return total / elapsed, elapsed / total * 1e6


def run(options: BenchOptions) -> BenchResult:
    corpus = posts(100 if options.quick else 400)
    rounds = 1 if options.quick else 3
    lengths = sorted(len(text) for text in corpus)
    rows = []
    total_calls = 0
    total_seconds = 0.0
    for network in Network:
        media = [_MEDIA[0]] if network is Network.INSTAGRAM else _MEDIA
        calls: list[Callable[[], object]] = [
            partial(validate, network, text, media) for text in corpus
        ]
        rate, micros = _rate(f"validate {network.value}", calls, rounds)
        total_calls += rounds * len(calls)
        total_seconds += rounds * len(calls) / rate
        rows.append(f"| {network.value} | {rate:,.0f} | {micros:,.0f} |")
    overall = total_calls / total_seconds
    long_posts = [text for text in corpus if len(text) > 500]
    split_rows = []
    for network in (Network.X, Network.BLUESKY, Network.MASTODON, Network.THREADS):
        calls = [partial(split_thread, network, text) for text in long_posts]
        rate, micros = _rate(f"split {network.value}", calls, rounds)
        split_rows.append(f"| {network.value} | {rate:,.0f} | {micros:,.0f} |")
    markdown = "\n".join(
        [
            f"{len(corpus)} generated posts (median {lengths[len(lengths) // 2]} characters, longest "
            f"{lengths[-1]}), French and English, with links, mentions, hashtags and emoji; two images "
            f"attached (one without alt text). {rounds} pass(es), one process.",
            "",
            "| network | validate() per second | µs per call |",
            "|---|---:|---:|",
            *rows,
            "",
            f"All networks: **{overall:,.0f} validations per second**.",
            "",
            f"Thread splitting of the {len(long_posts)} posts longer than 500 characters:",
            "",
            "| network | split_thread() per second | µs per call |",
            "|---|---:|---:|",
            *split_rows,
        ]
    )
    return BenchResult(markdown=markdown, summary=f"validations_per_s={overall:.0f}")
