"""The demo brand's stream: French and English messages about "Café Lumière" and its competitors,
written for this project (no data set copied), generated deterministically.

:func:`generate` gives the items of a time window: the volume follows a daily rhythm (Paris time),
the messages mix praise, complaints, questions, bug reports, purchase intent, spam and a toxic
minority, with hashtags, mentions and links, from a few influential and many ordinary authors. One
incident — the loyalty app charging cards twice — builds into a spike of negative messages from
``incident_at``. Everything is derived from a seed and the hour, so generating the same window twice
gives the same items (same external ids): re-ingesting them changes nothing.

:class:`DemoConnector` (source kind ``demo``) serves the live part: each poll returns what was "posted"
since the last one. :func:`ensure_demo_stream` sets the demo workspace up (competitors, queries, the
source) and backfills the last days, so the stream, share of voice and trending terms have something
to show at once.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TextIO
from zoneinfo import ZoneInfo

from ambassade.connectors.base import (
    Author,
    Capability,
    Connector,
    FetchResult,
    ItemKind,
    RawItem,
)

__all__ = ["DemoConnector", "ensure_demo_stream", "generate", "last_month_start", "sampled"]

PARIS = ZoneInfo("Europe/Paris")
BACKFILL_DAYS = 10
#: Before the last ``days`` of a backfill (what the alert detectors and the inbox read closely), the
#: older days are kept at a share of the stream that tapers from the whole stream, going back in
#: time, by ``OLDER_TAPER_DAYS`` (an exponential's time constant) down to ``OLDER_SHARE`` percent:
#: enough for the last complete month's report and the analytics areas, light enough for the demo
#: to build quickly. A flat share would show a step in every volume chart where the full stream
#: starts; the taper keeps the curve continuous for about the same number of mentions.
OLDER_SHARE = 12
OLDER_TAPER_DAYS = 4.0
# Messages per hour at the busiest hour, all brands together.
PEAK_RATE = 16.0
# Relative volume by local hour (0–23): quiet nights, morning coffee, lunch, evening.
RHYTHM = [
    0.15, 0.08, 0.05, 0.04, 0.05, 0.12, 0.35, 0.75, 1.0, 0.85, 0.6, 0.65,
    0.9, 0.85, 0.55, 0.5, 0.6, 0.75, 0.9, 0.85, 0.7, 0.55, 0.4, 0.25,
]  # fmt: skip
WEEKEND = 1.2

NETWORKS = ("x", "mastodon", "bluesky", "reddit", "youtube", "rss")
NETWORK_WEIGHTS = (34, 20, 16, 14, 8, 8)
HOSTS = {
    "x": "x.example",
    "mastodon": "piaille.example",
    "bluesky": "bsky.example",
    "reddit": "reddit.example",
    "youtube": "video.example",
    "rss": "blog.example",
}


@dataclass(frozen=True)
class Brand:
    names: tuple[str, ...]
    handle: str
    products: tuple[str, ...]


BRAND = Brand(
    ("Café Lumière", "Cafe Lumiere", "café lumière", "CAFÉ LUMIÈRE"),
    "cafelumiere",
    ("latte noisette", "cold brew", "croissant", "espresso", "chai latte", "flat white"),
)
COMPETITORS = {
    "Grain Noir": Brand(
        ("Grain Noir", "grain noir"), "grainnoir", ("moka", "cappuccino", "cookie")
    ),
    "Nova Coffee": Brand(
        ("Nova Coffee", "nova coffee"), "novacoffee", ("iced latte", "bagel", "americano")
    ),
    "Brûlerie Atlas": Brand(
        ("Brûlerie Atlas", "Brulerie Atlas"), "bruleriatlas", ("café filtre", "torréfaction maison")
    ),
}
COMPETITOR_COLOURS = {
    "Grain Noir": "#5b6770",
    "Nova Coffee": "#2f7d6d",
    "Brûlerie Atlas": "#a0522d",
}

# {b}: the brand's name or @handle or #handle; {p}: a product; {h}: the handle; {u}: a link.
MESSAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "praise": {
        "fr": (
            "Le {p} de chez {b} ce matin, un petit bonheur ☕",
            "Franchement {b} a le meilleur {p} du quartier. Merci à l'équipe de la rue Oberkampf !",
            "Service adorable chez {b}, la barista s'est souvenue de ma commande 😍",
            "Nouvelle carte d'automne chez {b} : le {p} est une tuerie #automne",
            "Je travaille chez {b} tous les mercredis, wifi parfait et musique douce. Merci !",
            "Très bonne surprise : {b} propose enfin du lait d'avoine sans supplément 👏",
            "Mon rituel du vendredi : {p} + croissant chez {b}. Rien de mieux.",
            "Bravo {b} pour les gobelets consignés, c'est simple et ça marche #zerodechet",
        ),
        "en": (
            "The {p} at {b} this morning was perfect ☕",
            "Honestly {b} makes the best {p} in town. Thanks to the team!",
            "Lovely staff at {b}, they remembered my order after one visit 😍",
            "New autumn menu at {b}: the {p} is amazing #coffeetime",
            "Working from {b} again today, great wifi and calm music. Love this place",
            "Big thanks to {b} for oat milk at no extra cost 👏",
            "Friday ritual: {p} and a croissant at {b}. Nothing better.",
        ),
    },
    "complaint": {
        "fr": (
            "30 minutes d'attente chez {b} pour un {p} tiède. Décevant.",
            "{b} vous avez encore augmenté vos prix ? 5,20 € le {p}, sérieusement…",
            "Commande en click & collect oubliée chez {b}, personne ne s'excuse. Nul.",
            "Le {p} avait un goût de brûlé aujourd'hui chez {b} 😕",
            "Toujours pas de prise électrique qui marche chez {b} République",
            "Service très lent chez {b} ce midi, il faut embaucher !",
        ),
        "en": (
            "Waited 30 minutes at {b} for a lukewarm {p}. Disappointing.",
            "{b} did you raise prices again? $6 for a {p} is too much",
            "My pickup order at {b} was forgotten and nobody apologised. Terrible.",
            "The {p} tasted burnt today at {b} 😕",
            "Really slow service at {b} at lunch, hire more people!",
        ),
    },
    "question": {
        "fr": (
            "{b} est-ce que vous avez des options sans lactose ?",
            "Quelqu'un sait si {b} ouvre le dimanche à Lyon ?",
            "{b} comment je récupère mes points fidélité d'une ancienne carte ?",
            "Vous faites des cartes cadeaux {b} ? C'est pour un anniversaire",
            "{b} le {p} contient-il des fruits à coque ? Mon fils est allergique",
        ),
        "en": (
            "{b} do you have any dairy-free options?",
            "Does anyone know if {b} opens on Sundays in Lyon?",
            "{b} how do I move my loyalty points from an old card?",
            "Do you sell gift cards {b}? Asking for a birthday",
            "{b} does the {p} contain nuts? My son is allergic",
        ),
    },
    "bug": {
        "fr": (
            "L'appli {b} plante dès que j'ouvre l'onglet commandes (Android 14)",
            "Impossible de me connecter à l'application {b} depuis la mise à jour",
            "Le QR code de l'appli {b} ne s'affiche plus en caisse, bug ?",
        ),
        "en": (
            "The {b} app crashes when I open the orders tab (iOS 18)",
            "Can't log in to the {b} app since the last update",
            "The QR code in the {b} app won't show at the till, bug?",
        ),
    },
    "purchase": {
        "fr": (
            "J'ai trop envie de tester le nouveau {p} de {b}, quelqu'un a goûté ?",
            "Où acheter les grains {b} en ligne ? Je veux la même chose à la maison",
            "Je vais commander le coffret de Noël {b}, il a l'air top {u}",
        ),
        "en": (
            "I really want to try the new {p} from {b}, anyone tasted it?",
            "Where to buy {b} beans online? I want the same at home",
            "Going to order the {b} holiday box, looks great {u}",
        ),
    },
    "news": {
        "fr": (
            "{b} ouvre trois nouveaux cafés à Bordeaux cette année {u}",
            "Article : comment {b} a réinventé le café de quartier {u}",
            "{b} lance une gamme de cafés décaféinés à l'eau {u}",
        ),
        "en": (
            "{b} is opening three new cafés in Bordeaux this year {u}",
            "Read: how {b} reinvented the neighbourhood café {u}",
            "{b} launches a range of water-processed decaf coffees {u}",
        ),
    },
    "spam": {
        "fr": (
            "GAGNEZ 1000€ PAR JOUR depuis chez vous !!! Cliquez ici {u} #cafelumiere #crypto",
            "Carte cadeau {b} GRATUITE 🎁🎁 il suffit de remplir ce formulaire {u}",
        ),
        "en": (
            "FREE {b} GIFT CARD 🎁🎁 just fill in this form {u} #giveaway",
            "Make $500 a day from home!!! Click now {u} #coffee #crypto",
        ),
    },
    "toxic": {
        "fr": (
            "Bande d'incapables chez {b}, vous êtes vraiment des clowns",
            "{b} c'est pour les bobos idiots qui paient 6 balles un café, pathétique",
        ),
        "en": (
            "{b} staff are a bunch of useless idiots",
            "Only morons pay that much at {b}, pathetic",
        ),
    },
}
INCIDENT: dict[str, tuple[str, ...]] = {
    "fr": (
        "{b} votre appli m'a débité DEUX FOIS mon {p} ! Remboursez-moi #doublepaiement",
        "Moi aussi double prélèvement avec l'appli {b} ce matin 😡 #doublepaiement",
        "Attention : l'appli fidélité {b} débite deux fois les paiements, vérifiez vos comptes",
        "3 débits pour un seul café avec l'appli {b}, c'est une blague ? #doublepaiement",
        "{b} toujours aucune réponse sur les doubles paiements, inadmissible",
        "Je supprime l'appli {b}, double paiement et service client injoignable",
    ),
    "en": (
        "{b} your app charged me TWICE for my {p}! Refund me #doublecharge",
        "Same here, double charge with the {b} app this morning 😡 #doublecharge",
        "Warning: the {b} loyalty app is charging cards twice, check your bank",
        "Still no answer from {b} about the double charges, unacceptable",
    ),
}
CATEGORY_WEIGHTS = {
    "praise": 30,
    "complaint": 16,
    "question": 14,
    "bug": 6,
    "purchase": 10,
    "news": 7,
    "spam": 7,
    "toxic": 3,
}
# Share of messages about each brand (the demo brand leads, as brands usually do in their own watch).
BRAND_WEIGHTS = {"": 52, "Grain Noir": 22, "Nova Coffee": 16, "Brûlerie Atlas": 10}

FIRST = (
    "Camille", "Léa", "Hugo", "Nina", "Yanis", "Chloé", "Lucas", "Inès", "Tom", "Manon",
    "Sam", "Alex", "Jordan", "Emma", "Noah", "Olivia", "Liam", "Maya", "Ethan", "Zoé",
)  # fmt: skip
LAST = (
    "Martin", "Bernard", "Petit", "Robert", "Moreau", "Fournier", "Girard", "Lambert",
    "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Hughes", "Mercier", "Blanc",
)  # fmt: skip
INFLUENCER_FOLLOWERS = 40_000
INFLUENCERS = (
    ("latte.lucie", "Lucie — Latte Art", 184_000),
    ("foodie_paris", "Foodie Paris", 96_000),
    ("coffeegeek_uk", "The Coffee Geek", 72_000),
    ("le_gout_de_lyon", "Le Goût de Lyon", 41_000),
    ("baristadaily", "Barista Daily", 230_000),
)


def _authors(seed: int) -> list[Author]:
    rng = random.Random(seed * 7919)
    people = []
    for i in range(140):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = f"{first.lower()}{last.lower()}{rng.randint(1, 99)}"
        handle = handle.replace("é", "e").replace("è", "e").replace("ï", "i").replace("ë", "e")
        followers = int(math.exp(rng.gauss(5.0, 1.3)))
        people.append(
            Author(handle=handle, name=f"{first} {last}", id=f"u{i}", followers=followers)
        )
    for i, (handle, name, followers) in enumerate(INFLUENCERS):
        people.append(Author(handle=handle, name=name, id=f"i{i}", followers=followers))
    return people


def _rate(at: datetime) -> float:
    local = at.astimezone(PARIS)
    weight = RHYTHM[local.hour] * (WEEKEND if local.weekday() >= 5 else 1.0)
    return PEAK_RATE * weight


def _incident_rate(at: datetime, incident_at: datetime | None) -> float:
    """Messages per hour about the incident: builds for 6 hours, then fades over a day."""
    if incident_at is None or at < incident_at:
        return 0.0
    hours = (at - incident_at).total_seconds() / 3600
    peak = 26.0
    if hours < 6:
        return peak * (hours / 6) ** 2
    return peak * math.exp(-(hours - 6) / 9)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _brand_ref(rng: random.Random, brand: Brand) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(brand.names)
    if roll < 0.85:
        return "@" + brand.handle
    return "#" + brand.handle


def _compose(
    rng: random.Random, templates: tuple[str, ...], brand: Brand, hour_key: str, k: int
) -> str:
    text = rng.choice(templates)
    link = f"https://{rng.choice(('blog', 'news', 'shop'))}.example/{brand.handle}/{hour_key}-{k}"
    text = text.format(
        b=_brand_ref(rng, brand), p=rng.choice(brand.products), h=brand.handle, u=link
    )
    if "#" not in text and rng.random() < 0.2:
        text += rng.choice((" #café", " #coffee", " #paris", " #lyon", " #barista"))
    return text


def _stable(value: str) -> int:
    return int.from_bytes(hashlib.blake2s(value.encode(), digest_size=4).digest(), "big")


def sampled(key: str, percent: int) -> bool:
    """Whether ``key`` (an external id) is among the ``percent`` in a hundred kept of a sample: the
    same ones every time."""
    return _stable(key) % 100 < percent


def home_network(handle: str) -> str:
    """The network an author mostly writes on (fixed by the handle, weighted as the networks are)."""
    roll = _stable(handle) % sum(NETWORK_WEIGHTS)
    for network, weight in zip(NETWORKS, NETWORK_WEIGHTS, strict=True):
        if roll < weight:
            return network
        roll -= weight
    return NETWORKS[0]


def _item(
    rng: random.Random, at: datetime, text: str, author: Author, key: str, lang: str
) -> RawItem:
    # Five posts in six on the author's own network, the sixth anywhere (drawn in any case, so that
    # the rest of the generated stream stays as it was); the influencers keep to their own.
    drawn = rng.choices(NETWORKS, NETWORK_WEIGHTS)[0]
    elsewhere = _stable(key) % 6 == 0 and (author.followers or 0) < INFLUENCER_FOLLOWERS
    network = drawn if elsewhere else home_network(author.handle or "")
    host = HOSTS[network]
    kind = ItemKind.ARTICLE if network == "rss" else ItemKind.POST
    if network == "youtube":
        kind = ItemKind.COMMENT
    return RawItem(
        source=network,
        external_id=key,
        text=text,
        created_at=at,
        url=f"https://{host}/@{author.handle}/{key}",
        author=Author(
            handle=author.handle,
            name=author.name,
            id=author.id,
            url=f"https://{host}/@{author.handle}",
            followers=author.followers,
        ),
        lang=None,
        kind=kind,
        metrics={"likes": int(rng.expovariate(1 / 6)), "shares": int(rng.expovariate(1 / 2))},
    )


def generate(
    start: datetime, end: datetime, *, seed: int = 1, incident_at: datetime | None = None
) -> list[RawItem]:
    """The demo items created in ``[start, end)``, oldest first. Deterministic per hour."""
    authors = _authors(seed)
    influencers = authors[-len(INFLUENCERS) :]
    items: list[RawItem] = []
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    brand_names = list(BRAND_WEIGHTS)
    brand_weights = list(BRAND_WEIGHTS.values())
    categories = list(CATEGORY_WEIGHTS)
    category_weights = list(CATEGORY_WEIGHTS.values())
    while hour < end:
        key = hour.strftime("%Y%m%d%H")
        rng = random.Random(f"{seed}:{key}")
        count = _poisson(rng, _rate(hour))
        incident = _poisson(rng, _incident_rate(hour, incident_at))
        for k in range(count + incident):
            at = hour + timedelta(seconds=rng.randrange(3600))
            lang = "fr" if rng.random() < 0.62 else "en"
            author = rng.choice(influencers) if rng.random() < 0.04 else rng.choice(authors[:-5])
            if k >= count:
                text = _compose(rng, INCIDENT[lang], BRAND, key, k)
            else:
                name = rng.choices(brand_names, brand_weights)[0]
                brand = COMPETITORS[name] if name else BRAND
                category = rng.choices(categories, category_weights)[0]
                text = _compose(rng, MESSAGES[category][lang], brand, key, k)
            if start <= at < end:
                items.append(_item(rng, at, text, author, f"demo-{seed}-{key}-{k}", lang))
        hour += timedelta(hours=1)
    items.sort(key=lambda item: item.created_at)
    return items


class DemoConnector(Connector):
    """Source kind ``demo``: what the demo brand's audience "posted" since the last poll.

    Config: ``seed`` (int), ``incident_at`` (ISO 8601 or empty). Cursor: ``{"until": ISO 8601}``;
    the first poll starts ten minutes back, and a poll never reaches back more than two days."""

    kind: ClassVar[str] = "demo"
    label: ClassVar[str] = "Demo stream"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})

    def __init__(
        self, *args: Any, clock: Callable[[], datetime] = lambda: datetime.now(UTC), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def fetch(
        self, config: Mapping[str, Any], credentials: Any, cursor: Mapping[str, Any] | None
    ) -> FetchResult:
        now = self._clock()
        since = now - timedelta(minutes=10)
        if cursor and cursor.get("until"):
            since = max(datetime.fromisoformat(str(cursor["until"])), now - timedelta(days=2))
        incident = config.get("incident_at")
        items = generate(
            since,
            now,
            seed=int(config.get("seed", 1)),
            incident_at=datetime.fromisoformat(str(incident)) if incident else None,
        )
        return FetchResult(items=items, next_cursor={"until": now.isoformat()})


# --- the demo workspace ---------------------------------------------------------------------------

QUERIES: tuple[tuple[str, str, str, str], ...] = (
    # name, kind, competitor, query text
    ("Café Lumière", "brand", "", '"café lumière" OR cafelumiere'),
    ("Grain Noir", "competitor", "Grain Noir", '"grain noir" OR grainnoir'),
    ("Nova Coffee", "competitor", "Nova Coffee", '"nova coffee" OR novacoffee'),
    ("Brûlerie Atlas", "competitor", "Brûlerie Atlas", '"brûlerie atlas" OR bruleriatlas'),
    (
        "Appli et fidélité / App and loyalty",
        "topic",
        "",
        '(appli OR app OR application) AND (cafelumiere OR "café lumière")',
    ),
    (
        "Double paiement / Double charge",
        "topic",
        "",
        "#doublepaiement OR #doublecharge OR ((debite* OR charg*) NEAR/6 (deux OR twice OR double))",
    ),
    (
        "Intention d'achat / Purchase intent",
        "topic",
        "",
        '"envie de tester" OR "où acheter" OR commander OR "want to try" OR "where to buy" OR order',
    ),
)


def last_month_start(now: datetime, time_zone: str) -> datetime:
    """The first instant of the month before ``now``'s, in ``time_zone``: where the demo's history
    starts so that the last complete month (the sample monthly report's) is whole."""
    zone = ZoneInfo(time_zone)
    first = now.astimezone(zone).date().replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return datetime.combine(previous, datetime.min.time(), zone).astimezone(UTC)


def older_share(age: timedelta) -> float:
    """The percent of the stream kept ``age`` before the full stream starts: 100 at the start,
    tapering to ``OLDER_SHARE`` (continuous, so that no chart shows a step there)."""
    days = max(age.total_seconds(), 0.0) / 86_400
    return max(float(OLDER_SHARE), 100.0 * math.exp(-days / OLDER_TAPER_DAYS))


def older_items(start: datetime, end: datetime, *, seed: int = 1) -> list[RawItem]:
    """The demo items of ``[start, end)``, the full stream starting at ``end``, thinned by
    :func:`older_share` of their age before ``end`` (the same ones every time: chosen by their
    external id)."""
    return [
        item
        for item in generate(start, end, seed=seed)
        if _stable(item.external_id) % 10_000 < older_share(end - item.created_at) * 100
    ]


def ensure_demo_stream(
    workspace: Any,
    out: TextIO,
    *,
    now: datetime | None = None,
    days: int = BACKFILL_DAYS,
    since: datetime | None = None,
) -> Any:
    """Give the demo workspace its competitors, queries and live demo source, and backfill the last
    ``days`` days on the first run, and the days from ``since`` before them at a lighter density
    (:func:`older_share`). Running it again reuses what exists."""
    from ambassade.listening import services
    from ambassade.listening.models import Competitor, ListeningQuery, Source

    now = now or datetime.now(UTC)
    competitors = {}
    for name in COMPETITORS:
        competitors[name], _ = Competitor.objects.get_or_create(
            workspace=workspace, name=name, defaults={"color": COMPETITOR_COLOURS[name]}
        )
    for name, kind, competitor, text in QUERIES:
        ListeningQuery.objects.get_or_create(
            workspace=workspace,
            name=name,
            defaults={"text": text, "kind": kind, "competitor": competitors.get(competitor)},
        )
    source = Source.objects.filter(workspace=workspace, kind="demo").first()
    if source is not None:
        return source
    # The incident started yesterday evening, so its spike is in the backfill and still fading.
    incident_at = (now - timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    source = Source.objects.create(
        workspace=workspace,
        name="Réseaux sociaux (démo) / Social networks (demo)",
        kind="demo",
        config={"seed": 1, "incident_at": incident_at.isoformat()},
        interval=60,
        next_run_at=now + timedelta(seconds=60),
    )
    full = now - timedelta(days=days)
    items = generate(full, now, seed=1, incident_at=incident_at)
    if since is not None and since < full:
        items = older_items(since, full, seed=1) + items
        days = (now - since).days
    out.write(f"Backfilling {len(items)} demo mentions over {days} days…\n")

    def progress(done: int, total: int) -> None:
        out.write(f"  {done}/{total}\n")

    services.import_items(source, items, batch=1000, progress=progress)
    Source.objects.filter(id=source.id).update(
        cursor={"until": now.isoformat()},
        last_run_at=now,
        last_success_at=now,
        last_status=Source.Status.OK,
    )
    return source
