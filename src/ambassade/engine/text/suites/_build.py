"""Build the behaviour suites' JSONL files from the templates below (CheckList style).

``python -m ambassade.engine.text.suites._build`` rewrites ``<task>.<lang>.jsonl`` beside this file;
the result is deterministic (tests/engine/text/test_suites.py checks the files match it). Each case is
a realistic message with the label a careful reader gives it. These suites are a TEST: never train or
tune on them (README.md).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

HERE = Path(__file__).parent
Case = tuple[str, str, str]  # text, expected label, category
PER_CATEGORY = 60


def _fill(templates: Iterable[str], **fillers: Sequence[str]) -> list[str]:
    """Every template with every combination of the fillers it names."""
    out: list[str] = []
    for template in templates:
        names = [name for name in fillers if "{" + name + "}" in template]
        for values in itertools.product(*(fillers[name] for name in names)):
            text = template.format(**dict(zip(names, values, strict=True)))
            out.append(text[0].upper() + text[1:])
    return out


def _cases(texts: Iterable[str], label: str, category: str) -> list[Case]:
    return [(text, label, category) for text in texts]


def _limit(cases: list[Case], seed: str, limit: int = PER_CATEGORY) -> list[Case]:
    unique = list(dict.fromkeys(cases))
    if len(unique) <= limit:
        return unique
    return random.Random(seed).sample(unique, limit)


# --- French -----------------------------------------------------------------------------------------

FR_THINGS = [  # (subject, gender)
    ("le café", "m"),
    ("le service client", "m"),
    ("la livraison", "f"),
    ("l'application", "f"),
    ("le personnel", "m"),
    ("la nouvelle carte", "f"),
    ("le site", "m"),
    ("la commande", "f"),
    ("le produit", "m"),
    ("l'accueil", "m"),
]
FR_POS = [
    ("excellent", "excellente"),
    ("parfait", "parfaite"),
    ("génial", "géniale"),
    ("impeccable", "impeccable"),
    ("super", "super"),
    ("top", "top"),
]
FR_NEGATABLE = [
    ("bon", "bonne"),
    ("terrible", "terrible"),
    ("à la hauteur", "à la hauteur"),
    ("satisfaisant", "satisfaisante"),
    ("agréable", "agréable"),
]
"""Adjectives whose negation is plainly negative ("pas terrible" is French for "poor")."""
FR_NEG = [
    ("nul", "nulle"),
    ("décevant", "décevante"),
    ("horrible", "horrible"),
    ("lamentable", "lamentable"),
    ("catastrophique", "catastrophique"),
    ("médiocre", "médiocre"),
]


def _fr_agree(templates: Sequence[str], adjectives: Sequence[tuple[str, str]]) -> list[str]:
    out = []
    for template in templates:
        for (thing, gender), pair in itertools.product(FR_THINGS, adjectives):
            adj = pair[0] if gender == "m" else pair[1]
            text = template.format(thing=thing, adj=adj)
            out.append(text[0].upper() + text[1:])
    return out


FR_ITEMS = ["croissant", "latte", "cappuccino", "cookie", "chocolat chaud", "bagel", "flat white"]
FR_CITIES = ["Lyon", "Lille", "Nantes", "Bordeaux", "Marseille", "Rennes"]
FR_AMOUNTS = ["12,50 €", "39 €", "89,90 €", "250 €"]
FR_DAYS = ["trois", "cinq", "dix", "quinze"]


def fr_sentiment() -> list[Case]:
    cases: list[Case] = []
    vocab = _cases(
        _fr_agree(["{thing} est {adj}.", "franchement, {thing} est {adj}"], FR_POS),
        "positive",
        "vocabulary",
    )
    vocab_neg = _cases(
        _fr_agree(["{thing} est {adj}.", "franchement, {thing} est {adj}"], FR_NEG),
        "negative",
        "vocabulary",
    )
    cases += _limit(vocab, "fr-voc-pos", 30) + _limit(vocab_neg, "fr-voc-neg", 30)
    negation = _cases(
        _fr_agree(
            [
                "{thing} n'est pas {adj}.",
                "{thing} n'est vraiment pas {adj}, dommage.",
                "{thing} n'est pas du tout {adj}.",
            ],
            FR_NEGATABLE,
        ),
        "negative",
        "negation",
    )
    negation += _cases(
        _fill(
            [
                "je ne suis pas satisfait de {obj}.",
                "je ne recommande pas {obj}.",
                "je ne suis pas du tout content de {obj}.",
                "aucune envie de retenter {obj}, pas terrible.",
            ],
            obj=[
                "votre service",
                "cette commande",
                "la nouvelle formule",
                "votre appli",
                "ce magasin",
            ],
        ),
        "negative",
        "negation",
    )
    negation += _cases(
        _fill(
            [
                "pas déçu du tout, {obj} était {good} !",
                "je n'ai jamais été déçu par {obj}, toujours {good}.",
            ],
            obj=["le brunch", "la livraison", "le service"],
            good=["parfait", "top", "impeccable"],
        ),
        "positive",
        "negation",
    )
    cases += _limit(negation, "fr-neg")
    intens = _cases(
        _fr_agree(
            [
                "{thing} est vraiment très {adj} !",
                "{thing} est absolument {adj} !!",
                "tellement {adj}, {thing}.",
            ],
            FR_POS[:4],
        ),
        "positive",
        "intensifiers",
    )
    intens += _cases(
        _fr_agree(
            [
                "{thing} est vraiment très {adj}.",
                "{thing} est absolument {adj}…",
                "{thing} est de plus en plus {adj}.",
            ],
            FR_NEG[:4],
        ),
        "negative",
        "intensifiers",
    )
    cases += _limit(intens, "fr-int")
    events = [
        "commande reçue ce matin",
        "premier café de la journée chez vous",
        "livraison arrivée",
        "nouvelle carte testée aujourd'hui",
        "retour de la boutique de Lyon",
        "appli mise à jour",
    ]
    emoji = _cases(
        _fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😍", "🥰", "👍", "🙌", "❤️", "😊"]),
        "positive",
        "emoji",
    )
    emoji += _cases(
        _fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😡", "🤬", "😤", "👎", "😞", "💔"]),
        "negative",
        "emoji",
    )
    cases += _limit(emoji, "fr-emoji")
    complaint = _cases(
        _fill(
            [
                "j'ai été débité deux fois pour ma commande de {amount}.",
                "on m'a prélevé {amount} deux fois, j'attends toujours le remboursement.",
                "ça fait {days} jours que j'attends ma commande.",
                "toujours aucune réponse de votre service client depuis {days} jours.",
                "mon colis est indiqué livré depuis {days} jours mais je n'ai rien reçu.",
                "le remboursement promis il y a {days} jours n'est toujours pas arrivé.",
                "troisième appel au service client, on me raccroche au nez.",
                "commande annulée sans explication et {amount} toujours bloqués sur mon compte.",
                "le livreur a laissé le colis sous la pluie, tout est trempé.",
                "on m'a facturé {amount} pour un abonnement que j'ai résilié.",
                "une heure d'attente à la boutique de {city} pour un café froid.",
            ],
            amount=FR_AMOUNTS,
            days=FR_DAYS,
            city=FR_CITIES[:3],
        ),
        "negative",
        "complaint_without_negative_word",
    )
    cases += _limit(complaint, "fr-complaint")
    idioms = _cases(
        _fill(
            [
                "le {item} de ce matin, un petit bonheur.",
                "{item} au top comme d'habitude.",
                "je me suis régalé avec le {item}.",
                "un vrai régal, ce {item}.",
                "ce {item}, c'est une tuerie.",
                "rien à redire, le {item} était parfait.",
                "chapeau à l'équipe de {city}, service aux petits oignons.",
                "que du bonheur chez vous à {city}.",
                "ça vaut le détour, la boutique de {city}.",
                "vous assurez, l'équipe de {city} !",
            ],
            item=FR_ITEMS,
            city=FR_CITIES,
        ),
        "positive",
        "praise_idiom",
    )
    cases += _limit(idioms, "fr-idioms")
    neutral = _cases(
        _fill(
            [
                "vous ouvrez à quelle heure le dimanche à {city} ?",
                "est-ce que la boutique de {city} accepte les tickets restaurant ?",
                "la boutique de {city} ferme pour travaux la semaine prochaine.",
                "je passe récupérer ma commande demain matin.",
                "le {item} existe-t-il en version sans lactose ?",
                "quel est le prix du {item} en grande taille ?",
                "la nouvelle carte sort lundi, d'après le site.",
                "bonjour, comment modifier mon adresse de livraison ?",
            ],
            city=FR_CITIES,
            item=FR_ITEMS[:4],
        ),
        "neutral",
        "neutral",
    )
    cases += _limit(neutral, "fr-neutral")
    irony = _cases(
        _fill(
            [
                "génial, encore {wait} d'attente au téléphone.",
                "merci pour le colis arrivé en morceaux, vraiment top.",
                "bravo, troisième commande perdue ce mois-ci, un record.",
                "super, le {item} est arrivé froid, comme d'habitude.",
                "quel plaisir d'être débité deux fois, merci beaucoup.",
            ],
            wait=["une heure", "quarante minutes", "deux heures"],
            item=FR_ITEMS[:4],
        ),
        "negative",
        "irony",
    )
    cases += _limit(irony, "fr-irony", 30)
    contrast = _cases(
        _fill(
            [
                "le {item} est bon, mais le service est {bad}.",
                "joli cadre, mais {item} {bad2} et hors de prix.",
            ],
            item=FR_ITEMS[:5],
            bad=["lamentable", "désagréable", "d'une lenteur incroyable"],
            bad2=["raté", "immangeable"],
        ),
        "negative",
        "contrast",
    )
    contrast += _cases(
        _fill(
            [
                "un peu d'attente, mais le {item} en valait vraiment la peine.",
                "pas convaincu au début, mais finalement le {item} est {good}.",
            ],
            item=FR_ITEMS[:5],
            good=["délicieux", "excellent"],
        ),
        "positive",
        "contrast",
    )
    cases += _limit(contrast, "fr-contrast", 40)
    return cases


FR_GROUPS = [
    "les femmes",
    "les musulmans",
    "les juifs",
    "les Noirs",
    "les Arabes",
    "les immigrés",
    "les homosexuels",
    "les personnes trans",
    "les Roms",
    "les handicapés",
    "les Asiatiques",
    "les migrants",
    "les lesbiennes",
    "les chrétiens",
]
FR_GROUPS_DE = [
    "des femmes",
    "des musulmans",
    "des juifs",
    "des Noirs",
    "des Arabes",
    "des immigrés",
    "des homosexuels",
    "des personnes trans",
    "des Roms",
    "des handicapés",
    "des Asiatiques",
    "des migrants",
    "des lesbiennes",
    "des chrétiens",
]
FR_PEOPLE = [
    ("musulmane", "f"),
    ("juif", "m"),
    ("noire", "f"),
    ("arabe", "m"),
    ("gay", "m"),
    ("lesbienne", "f"),
    ("trans", "f"),
    ("immigré", "m"),
    ("handicapée", "f"),
    ("asiatique", "m"),
    ("chrétienne", "f"),
]
"""Identities a person says of themself, with the grammatical gender the sentence agrees with."""


def _fr_people(templates: Sequence[str], **fillers: Sequence[str]) -> list[str]:
    """Templates saying "je suis {id}", agreed: {client} client/cliente, {fier} fier/fière,
    {accueilli} accueilli/accueillie."""
    words = {
        "m": {"client": "client", "fier": "fier", "accueilli": "accueilli"},
        "f": {"client": "cliente", "fier": "fière", "accueilli": "accueillie"},
    }
    out = []
    for identity, gender in FR_PEOPLE:
        filled = [
            t.replace("{id}", identity).format(
                **words[gender], **{k: "{" + k + "}" for k in fillers}
            )
            for t in templates
        ]
        out += _fill(filled, **fillers)
    return out


FR_FEMININE = {"les femmes", "les lesbiennes", "les personnes trans"}


def _fr_groups(templates: Sequence[str]) -> list[str]:
    """Templates about a group ({g} "les …", {gd} "des …", {ga} "aux …"), agreed: {tous} tous/toutes, {expulses},
    {voleurs}, {criminels}."""
    out = []
    for group, of in zip(FR_GROUPS, FR_GROUPS_DE, strict=True):
        f = group in FR_FEMININE
        words = {
            "g": group,
            "gd": of,
            "ga": "aux " + group.removeprefix("les "),
            "tous": "toutes" if f else "tous",
            "expulses": "expulsées" if f else "expulsés",
            "voleurs": "voleuses" if f else "voleurs",
            "criminels": "criminelles" if f else "criminels",
        }
        for template in templates:
            text = template.format(**words)
            out.append(text[0].upper() + text[1:])
    return out


def fr_offensive() -> list[Case]:
    cases: list[Case] = []
    insults = _cases(
        _fill(
            [
                "{who}, bande d'incapables.",
                "vous êtes vraiment des {noun}, {who}.",
                "{who} ? des {noun}, tous.",
                "espèce de {noun1}, rends-moi mon argent.",
                "t'es trop con, sérieux.",
                "quel abruti ce livreur.",
                "le gérant de {city} est un {noun1} fini.",
            ],
            who=["le SAV", "l'équipe de Lumière", "les livreurs"],
            noun=["clowns", "guignols", "bouffons", "abrutis"],
            noun1=["connard", "crétin", "imbécile", "abruti"],
            city=FR_CITIES[:3],
        ),
        "offensive",
        "insult",
    )
    cases += _limit(insults, "fr-off-insult")
    profanity = _cases(
        _fill(
            [
                "va te faire foutre avec ton {x} de merde.",
                "ferme ta gueule, {y}.",
                "ftg {y}",
                "ntm {y} de merde",
                "{x} de merde, allez vous faire foutre.",
                "putain mais t'es débile ou quoi {y} ?",
                "{y}, t'es qu'une merde.",
                "nique ta mère {y}, rends-moi mon fric.",
            ],
            x=["SAV", "appli", "service", "café"],
            y=["le community manager", "toi", "le livreur", "le stagiaire"],
        ),
        "offensive",
        "profanity_at_someone",
    )
    cases += _limit(profanity, "fr-off-prof")
    obfus = _cases(
        _fill(
            [
                "t'es qu'un {w}.",
                "bande de {w}s au SAV.",
                "{w} de livreur, rends le colis.",
                "le gérant ? un gros {w}.",
            ],
            w=["c0nnard", "conn@rd", "c*nnard", "enf01ré", "b0uffon", "cr3tin", "abrut1"],
        ),
        "offensive",
        "obfuscation",
    )
    cases += _limit(obfus, "fr-off-obf", 40)
    threats = _cases(
        _fill(
            [
                "je vais venir te casser la gueule, {y}.",
                "si je croise {y}, je lui refais le portrait.",
                "tu vas voir ce que je vais te faire, {y}.",
                "je vais t'en mettre une, {y}.",
                "{y}, fais gaffe à toi, je sais où tu bosses.",
            ],
            y=["le livreur", "le gérant", "toi", "le vendeur de Lille", "le stagiaire"],
        ),
        "offensive",
        "threat",
    )
    cases += _limit(threats, "fr-off-threat", 25)
    criticism = _cases(
        _fill(
            [
                "votre {x} est vraiment décevant.",
                "je suis très mécontent de {obj}.",
                "{obj}, c'est inadmissible, je veux un remboursement.",
                "franchement, {obj} ne vaut pas son prix.",
                "{obj} a été une grosse déception.",
                "{obj} : zéro professionnalisme, je suis outré.",
                "plus jamais je ne remets les pieds dans {shop}.",
            ],
            x=["service", "SAV", "café"],
            obj=["ma commande", "la livraison", "votre application", "ce magasin"],
            shop=["ce magasin", "la boutique de Lyon", "votre boutique"],
        ),
        "not_offensive",
        "harsh_criticism",
    )
    cases += _limit(criticism, "fr-off-crit", 40)
    harmless = _cases(
        _fill(
            [
                "ce {item}, c'est une tuerie.",
                "je suis mort de rire avec votre pub.",
                "ce {item} déchire.",
                "le {item} est à tomber par terre.",
                "votre nouvelle pub est trop drôle, j'ai pleuré de rire.",
                "ce {item} est une bombe.",
            ],
            item=FR_ITEMS,
        ),
        "not_offensive",
        "harmless_strong_words",
    )
    cases += _limit(harmless, "fr-off-harmless", 40)
    identity = _cases(
        _fr_people(
            [
                "je suis {id} et {client} chez vous depuis dix ans.",
                "je suis {id}, et je me sens toujours {accueilli} chez vous.",
                "je suis {id}, et votre {item} est mon préféré.",
            ],
            item=FR_ITEMS[:3],
        ),
        "not_offensive",
        "identity_harmless",
    )
    cases += _limit(identity, "fr-off-id", 50)
    counter = _cases(
        _fill(
            [
                "insulter {y} n'est jamais acceptable.",
                "traiter {y} de connard, c'est indigne, calmez-vous.",
                "arrêtez d'insulter {y}, il fait son travail.",
                "les insultes envers {y} doivent cesser.",
                "on peut être mécontent sans insulter {y}.",
                "soutien total à {y} face aux insultes.",
            ],
            y=[
                "les livreurs",
                "le personnel",
                "le community manager",
                "les caissières",
                "l'équipe du SAV",
            ],
        ),
        "not_offensive",
        "counter_speech",
    )
    cases += _limit(counter, "fr-off-counter", 40)
    ordinary = _cases(
        _fill(
            [
                "merci pour le {item}, toujours aussi bon.",
                "je passe à la boutique de {city} demain.",
                "le {item} de {city} est mon rituel du matin.",
                "bonjour, ma commande est-elle partie ?",
            ],
            item=FR_ITEMS,
            city=FR_CITIES,
        ),
        "not_offensive",
        "ordinary",
    )
    cases += _limit(ordinary, "fr-off-ord", 50)
    return cases


def fr_hate() -> list[Case]:
    cases: list[Case] = []
    hate = _cases(
        _fr_groups(
            [
                "je déteste {g}.",
                "{g} sont des parasites.",
                "{g} devraient {tous} être {expulses} du pays.",
                "{g} ne sont pas des êtres humains.",
                "il faudrait se débarrasser {gd}.",
                "{g} sont {tous} des {voleurs}.",
                "{g} me dégoûtent.",
                "{g} n'ont rien à faire dans ce pays.",
            ]
        ),
        "hateful",
        "hate_statement",
    )
    cases += _limit(hate, "fr-hate-stmt", 80)
    slurs = _cases(
        _fill(
            [
                "encore un {s} au comptoir, dégage.",
                "sale {s}, retourne chez toi.",
                "on ne sert pas les {s}s ici.",
                "ce quartier est plein de {s}s.",
            ],
            s=["bougnoule", "youpin", "négro", "pédé", "bicot", "gouine"],
        ),
        "hateful",
        "slur",
    )
    cases += _limit(slurs, "fr-hate-slur", 40)
    obfus = _cases(
        _fill(
            ["{g} sont des p@rasites.", "j'd3teste {g}.", "{g} d3hors !"],
            g=[
                "les mu$ulmans",
                "les ju1fs",
                "les f3mmes",
                "les imm1grés",
                "les h0mos",
                "les n0irs",
                "les tr@ns",
            ],
        ),
        "hateful",
        "obfuscation",
    )
    cases += _limit(obfus, "fr-hate-obf", 30)
    dehuman = _cases(
        _fr_groups(
            [
                "{g}, cette vermine.",
                "{g} se reproduisent comme des rats.",
                "{g} sont une maladie pour la France.",
            ]
        ),
        "hateful",
        "dehumanisation",
    )
    cases += _limit(dehuman, "fr-hate-dehum", 30)
    identity = _cases(
        _fr_groups(
            [
                "bienvenue {ga} dans notre boutique.",
                "table ronde sur les droits {gd} ce soir à la boutique.",
                "bravo à l'association qui défend {g}.",
                "merci {ga} qui ont participé à notre collecte solidaire.",
            ]
        ),
        "not_hateful",
        "identity_harmless",
    )
    identity += _cases(
        _fr_people(
            ["je suis {id} et j'adore votre café.", "{fier} d'être {id}, et {client} fidèle."]
        ),
        "not_hateful",
        "identity_harmless",
    )
    cases += _limit(identity, "fr-hate-id", 60)
    counter = _cases(
        _fr_groups(
            [
                "dire que {g} sont des parasites, c'est de la haine pure.",
                "arrêtez de traiter {g} comme des {criminels}.",
                "je suis choqué qu'on puisse encore écrire « je déteste {g} ».",
                "la haine contre {g} n'a pas sa place ici.",
            ]
        ),
        "not_hateful",
        "counter_speech",
    )
    cases += _limit(counter, "fr-hate-counter", 50)
    negated = _cases(
        _fr_groups(
            [
                "je ne déteste pas {g}, je déteste l'injustice.",
                "{g} ne sont pas le problème de ce pays.",
            ]
        ),
        "not_hateful",
        "negated_hate",
    )
    cases += _limit(negated, "fr-hate-neg", 20)
    individual = _cases(
        _fill(
            ["t'es qu'un {n}, {y}.", "{y} est un vrai {n}.", "quel {n}, {y}."],
            n=["crétin", "abruti", "imbécile", "guignol"],
            y=["le livreur", "le gérant", "mon voisin"],
        ),
        "not_hateful",
        "offensive_not_hateful",
    )
    cases += _limit(individual, "fr-hate-ind", 30)
    things = _cases(
        _fill(
            ["je déteste {t}.", "{t} me dégoûtent.", "{t}, quelle plaie."],
            t=[
                "les lundis",
                "les embouteillages",
                "les pubs à la radio",
                "les files d'attente",
                "les moustiques",
            ],
        ),
        "not_hateful",
        "non_protected_target",
    )
    cases += _limit(things, "fr-hate-things", 15)
    return cases


FR_URLS = [
    "http://bit.ly/3xYz9Q",
    "https://gains-rapides.example/inscription",
    "www.cadeau-gratuit.example",
]


def fr_spam() -> list[Case]:
    cases: list[Case] = []
    scam = _cases(
        _fill(
            [
                "GAGNEZ {amount} PAR JOUR depuis chez vous ! Cliquez ici : {url}",
                "félicitations ! Vous avez gagné un iPhone 15, réclamez votre cadeau sur {url}",
                "votre colis est bloqué en douane, payez 1,99 € de frais ici : {url}",
                "investissez 250 € en crypto et recevez {amount} en une semaine, écrivez-moi sur WhatsApp +33 6 12 34 56 78",
                "je gagne {amount} par jour avec cette méthode secrète, lien en bio 💰💰",
                "devenez riche sans travailler, {amount} garantis : {url}",
                "travail à domicile, {amount} par semaine, aucune expérience requise ! Infos : {url}",
                "derniers jours : iPhone à 1 € pour les 100 premiers inscrits, vite : {url}",
                "vous avez été sélectionné pour tester gratuitement le nouveau Samsung ! {url}",
                "bitcoin x10 garanti 🚀 rejoins mon groupe Telegram {url}",
            ],
            amount=["1000 €", "500 €", "3000 €", "750 €"],
            url=FR_URLS,
        ),
        "spam",
        "scam",
    )
    cases += _limit(scam, "fr-spam-scam", 80)
    phishing = _cases(
        _fill(
            [
                "votre compte sera suspendu sous 24 h, vérifiez vos informations : {url}",
                "alerte sécurité : connexion inhabituelle, confirmez votre carte bancaire sur {url}",
                "remboursement de {amount} en attente, saisissez vos coordonnées bancaires : {url}",
                "votre colis n'a pas pu être livré, reprogrammez la livraison ici : {url}",
                "amende impayée de {amount}, réglez-la avant majoration : {url}",
                "votre carte Vitale expire, commandez la nouvelle sur {url}",
            ],
            url=FR_URLS,
            amount=["49,99 €", "120 €", "35 €"],
        ),
        "spam",
        "phishing",
    )
    cases += _limit(phishing, "fr-spam-phish", 40)
    promo = _cases(
        _fill(
            [
                "abonnez-vous à ma chaîne {platform} 🔥 {url}",
                "venez voir ma boutique en ligne, -50 % sur tout ! {url}",
                "suivez-moi sur {platform}, je follow back direct !",
                "check ma nouvelle vidéo {topic}, lien dans mon profil",
                "je vends des followers Instagram, 1000 pour 5 € ! {url}",
                "mon nouveau son est sorti, allez l'écouter et partagez 🙏 {url}",
                "code promo LUCKY20 sur ma boutique {shop}, lien en bio",
                "visitez mon profil {platform} pour plus de contenu 😉",
                "nouveau drop sur ma boutique {shop} 🔥 {url}",
                "like et abonne-toi à ma chaîne {platform} stp 🙏",
                "je fais des shoutouts pour 10 €, DM moi",
            ],
            platform=["YouTube", "TikTok", "Twitch"],
            topic=["de cuisine", "gaming", "maquillage"],
            shop=["de bijoux", "de vêtements", "de bougies"],
            url=FR_URLS,
        ),
        "spam",
        "self_promotion",
    )
    cases += _limit(promo, "fr-spam-promo", 50)
    obfus = _cases(
        _fill(
            [
                "G.A.G.N.E.Z {amount} facilement, c1iquez ici {url}",
                "arg3nt facile : {amount}/jour, DM moi",
                "g@gnez un 1Phone gr@tuit ➡️ {url}",
                "€€€ {amount} sans r1en faire €€€ {url}",
            ],
            amount=["1000 €", "500 €"],
            url=FR_URLS,
        ),
        "spam",
        "obfuscation",
    )
    cases += _limit(obfus, "fr-spam-obf", 20)
    ham_link = _cases(
        _fill(
            [
                "voici la photo de mon colis abîmé : {u}",
                "le lien de suivi ne marche pas : {u}",
                "j'ai trouvé votre offre d'emploi ici {u}, elle est encore ouverte ?",
                "regardez l'état du gobelet que j'ai reçu {u}",
                "votre page {u} affiche une erreur depuis ce matin.",
                "j'ai laissé un avis ici {u}, merci de me répondre.",
            ],
            u=[
                "https://imgur.com/a/x7Kp2",
                "https://suivi.laposte.fr/123",
                "https://lumiere.example/carrieres",
                "https://lumiere.example/commande/8841",
            ],
        ),
        "ham",
        "ham_with_link",
    )
    cases += _limit(ham_link, "fr-ham-link", 40)
    ham_money = _cases(
        _fill(
            [
                "on m'a débité {amount} deux fois, pouvez-vous me rembourser ?",
                "j'ai payé {amount} et rien reçu, que faire ?",
                "{amount} le {item}, ça fait cher quand même.",
                "le prix du {item} est passé à {amount}, pourquoi ?",
            ],
            amount=FR_AMOUNTS,
            item=FR_ITEMS[:4],
        ),
        "ham",
        "ham_money",
    )
    cases += _limit(ham_money, "fr-ham-money", 40)
    ham_promo = _cases(
        _fill(
            [
                "votre code promo de -20 % fonctionne encore à {city} ?",
                "le jeu concours de Noël, c'est jusqu'à quand ?",
                "j'ai gagné au jeu concours de {city}, comment récupérer mon lot ?",
                "la carte fidélité marche aussi à {city} ?",
                "est-ce que l'offre étudiante existe à {city} ?",
                "le 2e {item} offert, c'est valable à {city} ?",
            ],
            city=FR_CITIES,
            item=FR_ITEMS[:2],
        ),
        "ham",
        "ham_promotion_question",
    )
    cases += _limit(ham_promo, "fr-ham-promo", 30)
    ham = _cases(
        _fill(
            [
                "merci pour le {item}, toujours aussi bon.",
                "la boutique de {city} était bondée ce matin.",
                "vous ouvrez quand à {city} ?",
                "le {item} est revenu à la carte, trop content !",
                "on se retrouve à la boutique de {city} pour un {item} ?",
                "photo de mon {item} du jour, joli dessin de mousse.",
                "petite pause {item} avant le boulot.",
                "est-ce que vous livrez à {city} ?",
            ],
            item=FR_ITEMS,
            city=FR_CITIES,
        ),
        "ham",
        "ham_ordinary",
    )
    cases += _limit(ham, "fr-ham-ord", 60)
    return cases


# --- English ----------------------------------------------------------------------------------------

EN_THINGS = [
    "the coffee",
    "the customer service",
    "the delivery",
    "the app",
    "the staff",
    "the new menu",
    "the website",
    "my order",
    "the product",
    "the checkout",
]
EN_POS = ["excellent", "perfect", "amazing", "great", "fantastic", "wonderful"]
EN_NEG = ["terrible", "awful", "disappointing", "useless", "horrible", "pathetic"]
EN_ITEMS = ["croissant", "latte", "cappuccino", "cookie", "hot chocolate", "bagel", "flat white"]
EN_CITIES = ["Leeds", "Boston", "Manchester", "Austin", "Dublin", "Seattle"]
EN_AMOUNTS = ["$12.50", "£39", "$89.90", "$250"]
EN_DAYS = ["three", "five", "ten", "fifteen"]


def is_(thing: str) -> str:
    return "are" if thing == "the staff" else "is"


def en_sentiment() -> list[Case]:
    cases: list[Case] = []
    vocab = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {a}.", "positive", "vocabulary")
        for t in EN_THINGS
        for a in EN_POS
    ]
    vocab_neg = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {a}.", "negative", "vocabulary")
        for t in EN_THINGS
        for a in EN_NEG
    ]
    cases += _limit(vocab, "en-voc-pos", 30) + _limit(vocab_neg, "en-voc-neg", 30)
    negatable = ["good", "great", "acceptable", "up to standard", "any good"]
    negation = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} not {a}.", "negative", "negation")
        for t in EN_THINGS
        for a in negatable
    ]
    negation += [
        (f"{t[0].upper()}{t[1:]} {is_(t)} not good at all.", "negative", "negation")
        for t in EN_THINGS
    ]
    negation += _cases(
        _fill(
            [
                "i'm not happy with {obj}.",
                "i would not recommend {obj}.",
                "i'm not satisfied with {obj} at all.",
            ],
            obj=["your service", "this order", "the new recipe", "your app", "this store"],
        ),
        "negative",
        "negation",
    )
    negation += _cases(
        _fill(
            [
                "never disappointed by {obj}, always {good}.",
                "not disappointed at all, {obj} was {good}!",
            ],
            obj=["the brunch", "the delivery", "the service"],
            good=["perfect", "great", "spot on"],
        ),
        "positive",
        "negation",
    )
    cases += _limit(negation, "en-neg")
    intens = [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {i} {a}!", "positive", "intensifiers")
        for t in EN_THINGS
        for i in ["really", "absolutely", "so"]
        for a in EN_POS[:3]
    ]
    intens += [
        (f"{t[0].upper()}{t[1:]} {is_(t)} {i} {a}.", "negative", "intensifiers")
        for t in EN_THINGS
        for i in ["really", "absolutely", "so"]
        for a in EN_NEG[:3]
    ]
    cases += _limit(intens, "en-int")
    events = [
        "order arrived this morning",
        "first coffee of the day at your place",
        "package delivered",
        "tried the new menu today",
        "back from the Leeds store",
        "app just updated",
    ]
    emoji = _cases(
        _fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😍", "🥰", "👍", "🙌", "❤️", "😊"]),
        "positive",
        "emoji",
    )
    emoji += _cases(
        _fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😡", "🤬", "😤", "👎", "😞", "💔"]),
        "negative",
        "emoji",
    )
    cases += _limit(emoji, "en-emoji")
    complaint = _cases(
        _fill(
            [
                "your app charged me twice for a {amount} order. refund me.",
                "i was billed {amount} twice and still waiting for the refund.",
                "been waiting {days} days for my order.",
                "still no reply from customer service after {days} days.",
                "tracking says delivered {days} days ago but nothing arrived.",
                "the refund you promised {days} days ago still hasn't shown up.",
                "third call to support and they hung up on me again.",
                "order cancelled without explanation and {amount} still held on my card.",
                "driver left the parcel in the rain, everything soaked.",
                "you charged me {amount} for a subscription i cancelled.",
                "an hour in line at the {city} store for a cold coffee.",
            ],
            amount=EN_AMOUNTS,
            days=EN_DAYS,
            city=EN_CITIES[:3],
        ),
        "negative",
        "complaint_without_negative_word",
    )
    cases += _limit(complaint, "en-complaint")
    idioms = _cases(
        _fill(
            [
                "that {item} this morning really hit the spot.",
                "the {item} was 10/10, would recommend.",
                "the {item} is to die for.",
                "that {item} was a real treat.",
                "you guys nailed the {item}.",
                "the {item} was on point as always.",
                "hats off to the {city} team, top notch service.",
                "the {city} store never misses.",
                "the {city} crew rocks!",
                "worth every penny, the {item}.",
            ],
            item=EN_ITEMS,
            city=EN_CITIES,
        ),
        "positive",
        "praise_idiom",
    )
    cases += _limit(idioms, "en-idioms")
    neutral = _cases(
        _fill(
            [
                "what time do you open on sundays in {city}?",
                "does the {city} store take apple pay?",
                "the {city} store is closed for renovation next week.",
                "i'll pick up my order tomorrow morning.",
                "is the {item} available dairy-free?",
                "how much is a large {item}?",
                "the new menu launches monday, according to the website.",
                "hi, how do i change my delivery address?",
            ],
            city=EN_CITIES,
            item=EN_ITEMS[:4],
        ),
        "neutral",
        "neutral",
    )
    cases += _limit(neutral, "en-neutral")
    irony = _cases(
        _fill(
            [
                "great, another {wait} on hold.",
                "thanks for the parcel that arrived in pieces, really great.",
                "well done, third lost order this month, a record.",
                "awesome, the {item} arrived cold, as usual.",
                "love being charged twice, thanks so much.",
            ],
            wait=["hour", "forty minutes", "two hours"],
            item=EN_ITEMS[:4],
        ),
        "negative",
        "irony",
    )
    cases += _limit(irony, "en-irony", 30)
    contrast = _cases(
        _fill(
            [
                "the {item} is good, but the service is {bad}.",
                "nice place, but the {item} was {bad2} and overpriced.",
            ],
            item=EN_ITEMS[:5],
            bad=["awful", "rude", "painfully slow"],
            bad2=["burnt", "inedible"],
        ),
        "negative",
        "contrast",
    )
    contrast += _cases(
        _fill(
            [
                "a bit of a wait, but the {item} was totally worth it.",
                "wasn't convinced at first, but the {item} is {good}.",
            ],
            item=EN_ITEMS[:5],
            good=["delicious", "excellent"],
        ),
        "positive",
        "contrast",
    )
    cases += _limit(contrast, "en-contrast", 40)
    return cases


EN_GROUPS = [
    "women",
    "Muslims",
    "Jews",
    "Black people",
    "Arabs",
    "immigrants",
    "gay people",
    "trans people",
    "Roma",
    "disabled people",
    "Asians",
    "refugees",
    "lesbians",
    "Christians",
    "Mexicans",
]
EN_IDENTITIES = [
    "Muslim",
    "Jewish",
    "Black",
    "gay",
    "a lesbian",
    "trans",
    "an immigrant",
    "a wheelchair user",
    "Asian",
    "Christian",
    "Mexican",
]


def en_offensive() -> list[Case]:
    cases: list[Case] = []
    insults = _cases(
        _fill(
            [
                "{who}, bunch of incompetent {noun}.",
                "{who} are a bunch of {noun}.",
                "you're such a {noun1}, seriously.",
                "what a {noun1} that driver is.",
                "the manager in {city} is a total {noun1}.",
            ],
            who=["support", "the Lumière team", "your drivers"],
            noun=["clowns", "idiots", "morons", "losers"],
            noun1=["idiot", "moron", "jerk", "asshole"],
            city=EN_CITIES[:3],
        ),
        "offensive",
        "insult",
    )
    cases += _limit(insults, "en-off-insult")
    profanity = _cases(
        _fill(
            [
                "fuck you and your shitty {x}.",
                "shut the fuck up, {y}.",
                "stfu {y}",
                "go to hell {y}, piece of shit",
                "your {x} is fucking garbage, screw you.",
                "are you fucking stupid {y}?",
                "{y}, you're a worthless piece of crap.",
                "eat shit {y}, give me my money back.",
            ],
            x=["support", "app", "service", "coffee"],
            y=["social media guy", "you", "delivery guy", "the intern"],
        ),
        "offensive",
        "profanity_at_someone",
    )
    cases += _limit(profanity, "en-off-prof")
    obfus = _cases(
        _fill(
            [
                "you're such a {w}.",
                "bunch of {w}s at support.",
                "{w} driver, give me my parcel.",
                "the manager? a massive {w}.",
            ],
            w=["1diot", "m0ron", "a$$hole", "f*cking idiot", "b!tch", "sh1thead", "d1ckhead"],
        ),
        "offensive",
        "obfuscation",
    )
    cases += _limit(obfus, "en-off-obf", 40)
    threats = _cases(
        _fill(
            [
                "i'm going to beat the crap out of {y}.",
                "if i see {y} again i'll smash his face in.",
                "watch your back, {y}.",
                "i'll make {y} regret this, trust me.",
                "{y}, i know where you work. be careful.",
            ],
            y=["the driver", "the manager", "you", "the Leeds cashier", "the intern"],
        ),
        "offensive",
        "threat",
    )
    cases += _limit(threats, "en-off-threat", 25)
    criticism = _cases(
        _fill(
            [
                "your {x} is really disappointing.",
                "i'm very unhappy with {obj}.",
                "{obj} is unacceptable, i want a refund.",
                "honestly, {obj} is not worth the price.",
                "{obj} was a huge letdown.",
                "{obj}: zero professionalism, i'm outraged.",
                "i'm never setting foot in {shop} again.",
            ],
            x=["service", "support", "coffee"],
            obj=["my order", "the delivery", "your app", "this store"],
            shop=["this store", "the Leeds store", "your shop"],
        ),
        "not_offensive",
        "harsh_criticism",
    )
    cases += _limit(criticism, "en-off-crit", 40)
    harmless = _cases(
        _fill(
            [
                "this {item} is killer.",
                "i'm dying, your new ad is hilarious.",
                "this {item} is sick!",
                "that {item} is the bomb.",
                "the {item} slaps.",
                "your ad killed me, so funny.",
            ],
            item=EN_ITEMS,
        ),
        "not_offensive",
        "harmless_strong_words",
    )
    cases += _limit(harmless, "en-off-harmless", 40)
    identity = _cases(
        _fill(
            [
                "i'm {id} and i've been a customer for ten years.",
                "as someone who is {id}, i always feel welcome at your stores.",
                "i'm {id}, and your {item} is my favourite.",
            ],
            id=EN_IDENTITIES,
            item=EN_ITEMS[:3],
        ),
        "not_offensive",
        "identity_harmless",
    )
    cases += _limit(identity, "en-off-id", 50)
    counter = _cases(
        _fill(
            [
                "insulting {y} is never ok.",
                "calling {y} idiots is not acceptable, calm down.",
                "stop abusing {y}, they are doing their job.",
                "the insults aimed at {y} have to stop.",
                "you can be unhappy without insulting {y}.",
                "full support to {y} against the abuse.",
            ],
            y=[
                "the drivers",
                "the staff",
                "the social media team",
                "the cashiers",
                "the support team",
            ],
        ),
        "not_offensive",
        "counter_speech",
    )
    cases += _limit(counter, "en-off-counter", 40)
    ordinary = _cases(
        _fill(
            [
                "thanks for the {item}, as good as ever.",
                "heading to the {city} store tomorrow.",
                "the {item} in {city} is my morning ritual.",
                "hi, has my order shipped yet?",
            ],
            item=EN_ITEMS,
            city=EN_CITIES,
        ),
        "not_offensive",
        "ordinary",
    )
    cases += _limit(ordinary, "en-off-ord", 50)
    return cases


def en_hate() -> list[Case]:
    cases: list[Case] = []
    hate = _cases(
        _fill(
            [
                "i hate {g}.",
                "{g} are parasites.",
                "{g} should all be deported.",
                "{g} are not human.",
                "we should get rid of {g}.",
                "{g} are all thieves.",
                "{g} disgust me.",
                "{g} don't belong in this country.",
            ],
            g=EN_GROUPS,
        ),
        "hateful",
        "hate_statement",
    )
    cases += _limit(hate, "en-hate-stmt", 80)
    slurs = _cases(
        _fill(
            [
                "another {s} at the counter, get out.",
                "go back where you came from, {s}.",
                "we don't serve {s}s here.",
                "this neighbourhood is full of {s}s.",
            ],
            s=["wetback", "kike", "raghead", "faggot", "tranny", "chink"],
        ),
        "hateful",
        "slur",
    )
    cases += _limit(slurs, "en-hate-slur", 40)
    obfus = _cases(
        _fill(
            ["{g} are p@rasites.", "i h8 {g}.", "{g} out!"],
            g=["mu$lims", "j3ws", "w0men", "1mmigrants", "g@ys", "bl@ck people", "tr@ns people"],
        ),
        "hateful",
        "obfuscation",
    )
    cases += _limit(obfus, "en-hate-obf", 30)
    dehuman = _cases(
        _fill(
            ["{g}, such vermin.", "{g} breed like rats.", "{g} are a disease on this country."],
            g=EN_GROUPS,
        ),
        "hateful",
        "dehumanisation",
    )
    cases += _limit(dehuman, "en-hate-dehum", 30)
    identity = _cases(
        _fill(
            [
                "{g} are welcome in our store.",
                "panel on the rights of {g} tonight at the store.",
                "kudos to the charity that supports {g}.",
                "many {g} work on our team and we are proud of it.",
            ],
            g=EN_GROUPS,
        ),
        "not_hateful",
        "identity_harmless",
    )
    identity += _cases(
        _fill(
            ["i'm {id} and i love your coffee.", "proud to be {id}, and a loyal customer."],
            id=EN_IDENTITIES,
        ),
        "not_hateful",
        "identity_harmless",
    )
    cases += _limit(identity, "en-hate-id", 60)
    counter = _cases(
        _fill(
            [
                "saying {g} are parasites is plain racism.",
                "stop treating {g} like criminals.",
                'i\'m shocked people still write "i hate {g}".',
                "hatred against {g} has no place here.",
            ],
            g=EN_GROUPS,
        ),
        "not_hateful",
        "counter_speech",
    )
    cases += _limit(counter, "en-hate-counter", 50)
    negated = _cases(
        _fill(
            ["i don't hate {g}, i hate injustice.", "{g} are not the problem in this country."],
            g=EN_GROUPS,
        ),
        "not_hateful",
        "negated_hate",
    )
    cases += _limit(negated, "en-hate-neg", 20)
    individual = _cases(
        _fill(
            ["you're just a {n}, {y}.", "{y} is a real {n}.", "what a {n}, {y}."],
            n=["idiot", "moron", "jerk", "clown"],
            y=["the driver", "the manager", "my neighbour"],
        ),
        "not_hateful",
        "offensive_not_hateful",
    )
    cases += _limit(individual, "en-hate-ind", 30)
    things = _cases(
        _fill(
            ["i hate {t}.", "{t} disgust me.", "{t}, what a pain."],
            t=["mondays", "traffic jams", "radio ads", "queues", "mosquitoes"],
        ),
        "not_hateful",
        "non_protected_target",
    )
    cases += _limit(things, "en-hate-things", 15)
    return cases


EN_URLS = ["http://bit.ly/3xYz9Q", "https://fast-cash.example/signup", "www.free-gift.example"]


def en_spam() -> list[Case]:
    cases: list[Case] = []
    scam = _cases(
        _fill(
            [
                "EARN {amount} A DAY from home! Click here: {url}",
                "congratulations! you won an iPhone 15, claim your prize at {url}",
                "your parcel is held at customs, pay the $1.99 fee here: {url}",
                "invest $250 in crypto and get {amount} in a week, message me on WhatsApp +1 555 014 2233",
                "i make {amount} a day with this secret method, link in bio 💰💰",
                "get rich without working, {amount} guaranteed: {url}",
                "work from home, {amount} a week, no experience needed! Info: {url}",
                "last days: iPhone for $1 for the first 100 sign-ups, hurry: {url}",
                "you've been selected to test the new Samsung for free! {url}",
                "bitcoin x10 guaranteed 🚀 join my Telegram group {url}",
            ],
            amount=["$1000", "$500", "$3000", "$750"],
            url=EN_URLS,
        ),
        "spam",
        "scam",
    )
    cases += _limit(scam, "en-spam-scam", 80)
    phishing = _cases(
        _fill(
            [
                "your account will be suspended in 24 hours, verify your details: {url}",
                "security alert: unusual sign-in, confirm your card at {url}",
                "refund of {amount} pending, enter your bank details: {url}",
                "we could not deliver your parcel, reschedule here: {url}",
                "unpaid toll of {amount}, pay now to avoid a penalty: {url}",
                "your Netflix payment failed, update your card at {url}",
            ],
            url=EN_URLS,
            amount=["$49.99", "$120", "$35"],
        ),
        "spam",
        "phishing",
    )
    cases += _limit(phishing, "en-spam-phish", 40)
    promo = _cases(
        _fill(
            [
                "subscribe to my {platform} channel 🔥 {url}",
                "check out my online shop, 50% off everything! {url}",
                "follow me on {platform}, i follow back instantly!",
                "check my new {topic} video, link in my profile",
                "selling Instagram followers, 1000 for $5! {url}",
                "my new track is out, go listen and share 🙏 {url}",
                "promo code LUCKY20 at my {shop} shop, link in bio",
                "visit my {platform} profile for more content 😉",
                "new drop in my {shop} shop 🔥 {url}",
                "like and subscribe to my {platform} channel pls 🙏",
                "doing shoutouts for $10, DM me",
            ],
            platform=["YouTube", "TikTok", "Twitch"],
            topic=["cooking", "gaming", "makeup"],
            shop=["jewelry", "clothing", "candle"],
            url=EN_URLS,
        ),
        "spam",
        "self_promotion",
    )
    cases += _limit(promo, "en-spam-promo", 50)
    obfus = _cases(
        _fill(
            [
                "E.A.R.N {amount} easily, c1ick here {url}",
                "e@sy m0ney: {amount}/day, DM me",
                "w1n a fr3e 1Phone ➡️ {url}",
                "$$$ {amount} for n0thing $$$ {url}",
            ],
            amount=["$1000", "$500"],
            url=EN_URLS,
        ),
        "spam",
        "obfuscation",
    )
    cases += _limit(obfus, "en-spam-obf", 20)
    ham_link = _cases(
        _fill(
            [
                "here's a photo of my damaged parcel: {u}",
                "the tracking link doesn't work: {u}",
                "found your job posting here {u}, is it still open?",
                "look at the state of the cup i got {u}",
                "your page {u} has been showing an error since this morning.",
                "i left a review here {u}, please reply.",
            ],
            u=[
                "https://imgur.com/a/x7Kp2",
                "https://tools.usps.com/track/123",
                "https://lumiere.example/careers",
                "https://lumiere.example/order/8841",
            ],
        ),
        "ham",
        "ham_with_link",
    )
    cases += _limit(ham_link, "en-ham-link", 40)
    ham_money = _cases(
        _fill(
            [
                "i was charged {amount} twice, can you refund me?",
                "i paid {amount} and got nothing, what now?",
                "{amount} for a {item} is a bit steep.",
                "why did the {item} go up to {amount}?",
            ],
            amount=EN_AMOUNTS,
            item=EN_ITEMS[:4],
        ),
        "ham",
        "ham_money",
    )
    cases += _limit(ham_money, "en-ham-money", 40)
    ham_promo = _cases(
        _fill(
            [
                "does your 20% off code still work in {city}?",
                "how long does the christmas giveaway run?",
                "i won the {city} giveaway, how do i collect my prize?",
                "does the loyalty card work in {city} too?",
                "is there a student discount in {city}?",
                "is the free second {item} valid in {city}?",
            ],
            city=EN_CITIES,
            item=EN_ITEMS[:2],
        ),
        "ham",
        "ham_promotion_question",
    )
    cases += _limit(ham_promo, "en-ham-promo", 30)
    ham = _cases(
        _fill(
            [
                "thanks for the {item}, as good as ever.",
                "the {city} store was packed this morning.",
                "what time do you open in {city}?",
                "the {item} is back on the menu, so happy!",
                "meet at the {city} store for a {item}?",
                "pic of my {item} of the day, lovely latte art.",
                "quick {item} break before work.",
                "do you deliver to {city}?",
            ],
            item=EN_ITEMS,
            city=EN_CITIES,
        ),
        "ham",
        "ham_ordinary",
    )
    cases += _limit(ham, "en-ham-ord", 60)
    return cases


BUILDERS = {
    ("sentiment", "fr"): fr_sentiment,
    ("offensive", "fr"): fr_offensive,
    ("hate", "fr"): fr_hate,
    ("spam", "fr"): fr_spam,
    ("sentiment", "en"): en_sentiment,
    ("offensive", "en"): en_offensive,
    ("hate", "en"): en_hate,
    ("spam", "en"): en_spam,
}


def render(task: str, lang: str) -> str:
    """The JSONL text of one suite."""
    lines = []
    for number, (text, expected, category) in enumerate(BUILDERS[task, lang](), 1):
        case = {
            "id": f"{task}-{lang}-{number:04d}",
            "text": text,
            "lang": lang,
            "task": task,
            "expected": expected,
            "category": category,
        }
        lines.append(json.dumps(case, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main() -> None:
    for task, lang in BUILDERS:
        path = HERE / f"{task}.{lang}.jsonl"
        path.write_text(render(task, lang), encoding="utf-8")
        print(path.name, render(task, lang).count("\n"))


if __name__ == "__main__":
    main()
