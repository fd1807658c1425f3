"""`ambassade bench match`: throughput of the compiled query matcher (docs/query-language.md).

Queries: 100, 1,000 and 10,000 drawn at random from one pool of brand-monitoring queries
written here (brands, products, competitors, campaign hashtags, complaint and service vocabulary
in French and English, NEAR/ONEAR, NOT clauses, lang:/source:/site:/url: filters), so each size
holds the same mix. Documents: the airline tweets of ``DATA/airline-tweets/tweets.csv`` when
present (read, never copied) plus French and English messages generated here about the same
brands; generated ones only otherwise.

For each size it measures documents per second of CPU time through the compiled
:class:`Matcher` (tokenising included) on every document, and the naive way (every query
evaluated on every document with :func:`evaluate`, each document tokenised once) on as many
documents as fit in a few seconds; both agree on the documents measured both ways, or the
benchmark fails.
"""

from __future__ import annotations

import csv
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ambassade.benchmarks import BenchOptions, BenchResult
from ambassade.engine.query import Document, Matcher, evaluate, parse, prepare

__all__ = ["TITLE", "generate_documents", "generate_queries", "run"]

TITLE = "Listening queries: compiled matcher"
OPTIONS = {"naive_seconds": "time budget of the naive evaluation per size (4; --quick 1)"}

SIZES = (100, 1_000, 10_000)
TARGET = 20_000  # docs/s at 10,000 queries, one core (issue 4)


@dataclass(frozen=True)
class Brand:
    name: str  # as written: "Air France", "Velora"
    handle: str  # "airfrance"
    sector: str
    products: tuple[str, ...]


# Real airline names, so the public tweets have something to match; every other brand is invented.
_AIRLINES = [
    ("United", "united"),
    ("American Airlines", "americanair"),
    ("US Airways", "usairways"),
    ("Southwest", "southwestair"),
    ("JetBlue", "jetblue"),
    ("Virgin America", "virginamerica"),
    ("Delta", "delta"),
    ("Air France", "airfrance"),
    ("KLM", "klm"),
    ("Lufthansa", "lufthansa"),
    ("easyJet", "easyjet"),
    ("Ryanair", "ryanair"),
    ("British Airways", "british_airways"),
    ("Transavia", "transavia"),
    ("Air Canada", "aircanada"),
    ("Corsair", "corsair"),
]

_SECTORS: dict[str, dict[str, list[str]]] = {
    "airline": {
        "products": ["premium economy", "business class", "flying blue", "app", "wifi", "lounge"],
        "issues": [
            "retard*",
            "delay*",
            "annul*",
            "cancel*",
            "bagage*",
            "luggage",
            "baggage",
            '"lost luggage"',
            "overbook*",
            "surbook*",
            "grève",
            "strike",
        ],
        "words": [
            "vol",
            "flight",
            "avion",
            "plane",
            "gate",
            "porte",
            "équipage",
            "crew",
            "siège",
            "seat",
            "escale",
            "layover",
            "hublot",
            "tarmac",
            "hôtesse",
            "pilote",
        ],
    },
    "telecom": {
        "products": ["box", "fibre", "forfait", "5g", "mobile", "tv"],
        "issues": [
            "panne",
            "outage",
            "coupure",
            '"no signal"',
            '"pas de réseau"',
            "lent*",
            "slow",
            "factur*",
            "bill*",
            "débit",
        ],
        "words": [
            "réseau",
            "network",
            "internet",
            "wifi",
            "appel",
            "call",
            "sms",
            "data",
            "roaming",
        ],
    },
    "retail": {
        "products": ["livraison express", "carte fidélité", "drive", "marketplace", "app"],
        "issues": [
            "livraison",
            "delivery",
            "rembours*",
            "refund*",
            "rupture",
            '"out of stock"',
            "colis",
            "parcel",
            "retour*",
            "return*",
            "arnaque",
            "scam",
        ],
        "words": [
            "commande",
            "order",
            "magasin",
            "store",
            "caisse",
            "panier",
            "cart",
            "promo",
            "soldes",
            "sale",
        ],
    },
    "cosmetics": {
        "products": ["sérum", "crème de nuit", "mascara", "fond de teint", "shampoing", "spf 50"],
        "issues": [
            "allergi*",
            "irritation",
            "brûl*",
            '"effets secondaires"',
            "rash",
            "rougeur*",
            "périmé",
            "expired",
        ],
        "words": ["peau", "skin", "cheveux", "hair", "parfum", "texture", "vegan", "bio"],
    },
    "bank": {
        "products": ["carte gold", "appli mobile", "livret", "crédit immo", "virement instantané"],
        "issues": [
            "frais",
            "fees",
            "fraud*",
            "bloqu*",
            "blocked",
            "piratage",
            "hack*",
            "bug*",
            "virement*",
            "transfer*",
        ],
        "words": [
            "compte",
            "account",
            "carte",
            "card",
            "conseiller",
            "advisor",
            "agence",
            "branch",
        ],
    },
    "auto": {
        "products": ["hybride", "électrique", "suv", "citadine", "recharge rapide"],
        "issues": [
            "rappel",
            "recall",
            "batterie",
            "battery",
            "panne",
            "breakdown",
            "garage",
            "freins",
            "brakes",
            "autonomie",
            "range",
        ],
        "words": [
            "voiture",
            "car",
            "moteur",
            "engine",
            "essai",
            "test drive",
            "concession",
            "dealer",
            "borne",
            "charger",
        ],
    },
    "food": {
        "products": [
            "menu enfant",
            "burger veggie",
            "café glacé",
            "formule midi",
            "click and collect",
        ],
        "issues": [
            "intoxication",
            "food poisoning",
            "froid",
            "cold",
            "attente",
            "wait*",
            "sale",
            "dirty",
            "cheveu",
            "hair",
            "oubli*",
            "missing",
        ],
        "words": [
            "resto",
            "restaurant",
            "commande",
            "order",
            "livreur",
            "driver",
            "frites",
            "fries",
            "dessert",
            "boisson",
            "drink",
        ],
    },
}

_SERVICE = [
    '"service client"',
    '"customer service"',
    "support",
    "sav",
    "conseiller",
    "agent*",
    "hotline",
    '"help desk"',
]
_PRAISE = [
    "merci",
    "thanks",
    "thank",
    "bravo",
    "génial",
    "great",
    "love",
    "adore",
    "top",
    "parfait",
    "amazing",
]
_INTENT = [
    '"je veux"',
    '"want to buy"',
    "acheter",
    '"where can i buy"',
    '"où acheter"',
    "commander",
    "abonner",
    "subscribe",
]
_NOISE = [
    "job*",
    "recrut*",
    "hiring",
    "career*",
    "stage",
    "internship",
    "concours",
    "giveaway",
    "bitcoin",
    "crypto*",
    "porn*",
    "casino",
]
_SYLLABLES = [
    "ka",
    "lo",
    "ve",
    "ri",
    "mo",
    "ta",
    "zen",
    "bel",
    "nor",
    "qui",
    "fla",
    "dor",
    "sy",
    "ven",
    "lux",
    "ora",
    "tri",
    "no",
    "bri",
    "cal",
    "mi",
    "sa",
    "pe",
    "tho",
    "vi",
    "ro",
    "len",
    "dia",
    "fe",
    "gal",
    "ju",
    "ne",
    "xo",
    "ar",
    "is",
    "el",
]


def _brands(rng: random.Random, count: int) -> list[Brand]:
    sectors = list(_SECTORS)
    brands = [
        Brand(name, handle, "airline", tuple(rng.sample(_SECTORS["airline"]["products"], 2)))
        for name, handle in _AIRLINES
    ]
    seen = {b.handle for b in brands}
    while len(brands) < count:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if rng.random() < 0.15:
            name += " " + rng.choice(
                ["Mobile", "Bank", "Paris", "Motors", "Beauty", "Café", "Home"]
            )
        handle = name.lower().replace(" ", "").replace("é", "e")
        if handle in seen or len(handle) < 4:
            continue
        seen.add(handle)
        sector = rng.choice(sectors)
        products = tuple(rng.sample(_SECTORS[sector]["products"], 2))
        brands.append(
            Brand(
                name.title() if rng.random() < 0.5 else name.capitalize(), handle, sector, products
            )
        )
    return brands


def _group(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


def _aliases(brand: Brand) -> str:
    items = [f'"{brand.name}"' if " " in brand.name else brand.name.lower()]
    if " " in brand.name or "_" in brand.handle:
        items.append(brand.handle.replace("_", ""))
    items += [f"#{brand.handle}", f"@{brand.handle}"]
    return _group(items)


def _query(rng: random.Random, brand: Brand, competitors: Sequence[Brand]) -> str:
    vocab = _SECTORS[brand.sector]
    b = _aliases(brand)
    pick = rng.sample
    kind = rng.randrange(12)
    if kind == 0:
        return b
    if kind == 1:
        return f"{b} AND {_group(pick(vocab['issues'], 4))} NOT {_group(pick(_NOISE, 3))}"
    if kind == 2:
        return f"{b} NEAR/5 {_group(pick(_SERVICE, 3))}"
    if kind == 3 and competitors:
        others = " OR ".join(_aliases(c).strip("()") for c in competitors)
        return f"{b} AND ({others})"
    if kind == 4:
        year = rng.choice((2025, 2026))
        slogan = " ".join(rng.sample(vocab["words"], 2))
        season = rng.choice(["summer", "noel", "live"])
        return f'#{brand.handle}{year} OR #{brand.handle}{season} OR "{brand.name} {slogan}"'
    if kind == 5:
        return f"{b} AND {_group(pick(_PRAISE, 3))} lang:{rng.choice(['fr', 'en'])}"
    if kind == 6:
        source = rng.choice(["reddit", "x", "mastodon", "youtube"])
        return f"{b} source:{source} NOT {_group(pick(_NOISE, 2))}"
    if kind == 7:
        product = brand.products[0]
        problems = ["cassé", "broken", "bug*", "panne", '"marche pas"', "nul"]
        return f'"{brand.name} {product}" ONEAR/3 {_group(problems[: rng.randint(2, 6)])}'
    if kind == 8:
        return f"site:{brand.handle}.com OR url:{brand.handle}.fr/promo"
    if kind == 9:
        return f"{b} AND {_group(pick(_INTENT, 3))}"
    if kind == 10:
        words = _group(pick(vocab["words"], 3))
        noise = " OR ".join(pick(_NOISE, 2))
        return f'({b} OR "{brand.products[1]}") AND {words} NOT (author:{brand.handle} OR {noise})'
    issue = rng.choice(vocab["issues"])
    return f"{brand.handle[:3]}* AND {b} AND {issue} lang:fr"


def generate_queries(count: int, seed: int = 4) -> dict[str, str]:
    """`count` brand-monitoring queries, about four per brand, ids ``q00000``…"""
    rng = random.Random(seed)
    brands = _brands(rng, max(len(_AIRLINES), count // 4))
    by_sector: dict[str, list[Brand]] = {}
    for brand in brands:
        by_sector.setdefault(brand.sector, []).append(brand)
    queries = {}
    for number in range(count):
        brand = brands[number % len(brands)] if number < len(brands) else rng.choice(brands)
        rivals = [b for b in by_sector[brand.sector] if b is not brand]
        competitors = rng.sample(rivals, min(len(rivals), rng.randint(1, 3)))
        queries[f"q{number:05}"] = _query(rng, brand, competitors)
    return queries


_FR = [
    "{b} encore {issue} ce matin, c'est la 3e fois ce mois-ci {tag}",
    "Franchement {praise} @{h} pour le {product}, rien à dire",
    "Quelqu'un sait si le {product} de {b} vaut le coup ? {url}",
    "Ça fait 2h que j'attends le service client de {b}… {issue} #{h}",
    "@{h} mon {word} est {issue}, je fais comment ?",
    "Je veux acheter le {product} {b}, des avis ? {tag}",
    "Le {word} de {b} vs {c}, aucun doute, {b} {praise}",
    "Concours ! Gagnez un {product} {b} en RT + follow {url}",
    "Pas terrible l'expérience {b} aujourd'hui, {word} {issue} et personne pour répondre",
]
_EN = [
    "{b} {issue} again, third time this month {tag}",
    "Honestly {praise} @{h}, the {product} is great",
    "Anyone tried the {product} from {b}? {url}",
    "Been waiting 2 hours for {b} customer service… {issue} #{h}",
    "@{h} my {word} got {issue}, what do I do?",
    "Want to buy the {b} {product}, any reviews? {tag}",
    "{b} vs {c} for the {word}? {b} wins, {praise}",
    "Giveaway! Win a {b} {product}, RT and follow {url}",
    "Not great with {b} today, {word} {issue} and nobody answers",
]


def generate_documents(count: int, seed: int = 40) -> list[Document]:
    """French and English messages about the brands of :func:`generate_queries`."""
    rng = random.Random(seed)
    brands = _brands(random.Random(4), 2_500)
    documents = []
    for _ in range(count):
        brand = rng.choice(brands)
        vocab = _SECTORS[brand.sector]
        french = rng.random() < 0.5
        template = rng.choice(_FR if french else _EN)
        text = template.format(
            b=brand.name if rng.random() < 0.7 else brand.name.lower(),
            h=brand.handle,
            c=rng.choice(brands).name,
            issue=rng.choice(vocab["issues"]).strip('"*') + rng.choice(["", "s", "é", "ed"]),
            praise=rng.choice(_PRAISE),
            product=rng.choice(brand.products),
            word=rng.choice(vocab["words"]),
            tag=rng.choice(["", f"#{brand.handle}", "#fail", "#help", "#merci", ""]),
            url=rng.choice(
                [
                    "",
                    f"https://{brand.handle}.com/promo/{rng.randint(1, 99)}",
                    f"https://www.{brand.handle}.fr/promo?utm_source=x",
                    "https://t.co/x1y2",
                ]
            ),
        )
        documents.append(
            Document(
                text,
                lang="fr" if french else "en",
                source=rng.choice(["x", "reddit", "mastodon", "youtube", "rss"]),
                author=f"user{rng.randrange(5_000)}",
            )
        )
    return documents


def _tweets(path: Path) -> list[Document]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            Document(row["text"], lang="en", source="x", author=row.get("name") or None)
            for row in csv.DictReader(handle)
        ]


def _compiled(
    matcher: Matcher, documents: list[Document], passes: int
) -> tuple[float, float, float]:
    """CPU seconds per document (the best of `passes` runs over all documents: other processes on
    the machine only ever slow a run down), candidate queries and matches per document."""
    best = float("inf")
    candidates = matched = 0
    for _ in range(passes):
        candidates = matched = 0
        start = time.process_time()
        for document in documents:
            matched += len(matcher.match(document))
            candidates += matcher.last_candidates
        best = min(best, time.process_time() - start)
    count = len(documents)
    return best / count, candidates / count, matched / count


def _naive(
    matcher: Matcher, queries: dict[str, str], documents: list[Document], budget: float
) -> tuple[float, int]:
    """Documents per CPU second evaluating every query on each of the first documents that fit in
    `budget` seconds (at least 20), checking the compiled matcher agrees on each."""
    trees = [(query_id, parse(text)) for query_id, text in queries.items()]
    done, seconds = 0, 0.0
    while done < len(documents) and (done < 20 or seconds < budget):
        document = documents[done]
        start = time.process_time()
        prepared = prepare(document)
        expected = [query_id for query_id, tree in trees if evaluate(tree, prepared)]
        seconds += time.process_time() - start
        if matcher.match(document) != sorted(expected):
            raise AssertionError(f"compiled and naive disagree on {document!r}")
        done += 1
    return done / seconds, done


def run(options: BenchOptions) -> BenchResult:
    rng = random.Random(7)
    tweets_path = options.data_dir / "airline-tweets" / "tweets.csv"
    generated = generate_documents(2_000 if options.quick else 10_000)
    if tweets_path.exists():
        tweets = _tweets(tweets_path)
        corpus = (
            f"{len(tweets):,} airline tweets (`airline-tweets/tweets.csv`, English) and "
            f"{len(generated):,} generated French and English messages"
        )
        documents = tweets + generated
    else:
        corpus = f"{len(generated):,} generated French and English messages (no tweets found)"
        documents = generated
    if options.quick:
        documents = documents[:: max(1, len(documents) // 3_000)]
    rng.shuffle(documents)
    # Held out for Matcher.tune, as a product would tune on recent traffic: never measured.
    held_out = len(documents) // 10
    sample, documents = documents[:held_out], documents[held_out:]
    pool = generate_queries(max(SIZES))
    rows = []
    per_doc = {}
    naive_budget = float(options.extra.get("naive_seconds", 1.0 if options.quick else 4.0))
    passes = 1 if options.quick else 3
    for size in SIZES:
        chosen = dict(sorted(rng.sample(sorted(pool.items()), size)))
        start = time.process_time()
        matcher = Matcher(chosen)
        build = time.process_time() - start
        seconds, candidates, matched = _compiled(matcher, documents, passes)
        per_doc[size] = seconds
        naive_rate, naive_docs = _naive(matcher, chosen, documents, naive_budget)
        print(
            f"  {size:>6,} queries: {1 / seconds:,.0f} docs/s compiled, "
            f"{naive_rate:,.1f} docs/s naive",
            file=sys.stderr,
        )
        naive = f"{naive_rate:,.1f} ({naive_docs:,} docs)"
        rows.append(_row(f"{size:,}", seconds, candidates, matched, naive, naive_rate, build))
        if size == SIZES[-1]:
            start = time.process_time()
            matcher.tune(sample)
            tune = time.process_time() - start
            seconds, candidates, matched = _compiled(matcher, documents, passes)
            tuned_rate = 1 / seconds
            print(f"  {size:>6,} queries, tuned: {tuned_rate:,.0f} docs/s", file=sys.stderr)
            rows.append(
                _row(f"{size:,}, tuned", seconds, candidates, matched, "same", naive_rate, tune)
            )
    growth = per_doc[SIZES[-1]] / per_doc[SIZES[0]]
    final_rate = 1 / per_doc[SIZES[-1]]
    verdict = "is met" if final_rate >= TARGET else "is missed"
    sizes = ", ".join(f"{size:,}" for size in SIZES[:-1]) + f" and {SIZES[-1]:,}"
    how = f"the best of {passes} passes over the documents" if passes > 1 else "one pass"
    markdown = f"""
Documents: {corpus}, shuffled; {len(sample):,} of them are held out to tune with and the other
{len(documents):,} are measured. Each is matched against {sizes} queries drawn at random from one
pool of generated brand-monitoring queries: brands with their hashtags and handles, products,
competitors, complaint and service words in French and English, NEAR/ONEAR, NOT clauses, and lang:,
source:, site: and url: filters. Rates are documents per second of CPU time on one core, tokenising
included, {how}.

*Naive* evaluates every query on every document with `evaluate`, each document tokenised once. It
runs on the first documents that fit in about {naive_budget:g} s (at least 20), and gave the same
matches as the compiled matcher on every one of them. *Tuned* is the same {SIZES[-1]:,}-query
matcher after `Matcher.tune` on the held-out documents: anchors chosen by measured key frequencies
instead of the fixed estimate (its last column is the tuning time).

{_HEADER}
{chr(10).join(rows)}

From {SIZES[0]:,} to {SIZES[-1]:,} queries ({SIZES[-1] // SIZES[0]}× more), the cost per document
grows {growth:.1f}× (untuned). The target of {TARGET:,} docs/s at 10,000 queries {verdict}:
{final_rate:,.0f} docs/s untuned, {tuned_rate:,.0f} tuned.
"""
    summary = (
        f"{final_rate:,.0f} docs/s at {SIZES[-1]:,} queries ({tuned_rate:,.0f} tuned; "
        f"target {TARGET:,}), cost/doc ×{growth:.1f} from {SIZES[0]:,} to {SIZES[-1]:,} queries"
    )
    return BenchResult(markdown=markdown, summary=summary)


_HEADER = (
    "| queries | compiled docs/s | µs/doc | candidate queries/doc | matches per 1,000 docs "
    "| naive docs/s | speed-up | compile |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _row(
    label: str,
    seconds: float,
    candidates: float,
    matched: float,
    naive: str,
    naive_rate: float,
    build: float,
) -> str:
    rate = 1 / seconds
    return (
        f"| {label} | {rate:,.0f} | {1e6 * seconds:,.1f} | {candidates:.1f} | "
        f"{1000 * matched:,.0f} | {naive} | {rate / naive_rate:,.0f}× | {build:.2f} s |"
    )
