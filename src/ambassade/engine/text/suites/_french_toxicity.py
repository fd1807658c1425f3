"""The French offensive and hate suites' templates and fillers (see _build.py)."""

from __future__ import annotations

from collections.abc import Sequence

from ambassade.engine.text.suites._common import Case, cases, fill, limit
from ambassade.engine.text.suites._french import FR_CITIES, FR_ITEMS

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
        out += fill(filled, **fillers)
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
    out: list[Case] = []
    insults = cases(
        fill(
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
    out += limit(insults, "fr-off-insult")
    profanity = cases(
        fill(
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
    out += limit(profanity, "fr-off-prof")
    obfus = cases(
        fill(
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
    out += limit(obfus, "fr-off-obf", 40)
    threats = cases(
        fill(
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
    out += limit(threats, "fr-off-threat", 25)
    criticism = cases(
        fill(
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
    out += limit(criticism, "fr-off-crit", 40)
    harmless = cases(
        fill(
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
    out += limit(harmless, "fr-off-harmless", 40)
    identity = cases(
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
    out += limit(identity, "fr-off-id", 50)
    counter = cases(
        fill(
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
    out += limit(counter, "fr-off-counter", 40)
    ordinary = cases(
        fill(
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
    out += limit(ordinary, "fr-off-ord", 50)
    return out


def fr_hate() -> list[Case]:
    out: list[Case] = []
    hate = cases(
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
    out += limit(hate, "fr-hate-stmt", 80)
    slurs = cases(
        fill(
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
    out += limit(slurs, "fr-hate-slur", 40)
    obfus = cases(
        fill(
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
    out += limit(obfus, "fr-hate-obf", 30)
    dehuman = cases(
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
    out += limit(dehuman, "fr-hate-dehum", 30)
    identity = cases(
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
    identity += cases(
        _fr_people(
            ["je suis {id} et j'adore votre café.", "{fier} d'être {id}, et {client} fidèle."]
        ),
        "not_hateful",
        "identity_harmless",
    )
    out += limit(identity, "fr-hate-id", 60)
    counter = cases(
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
    out += limit(counter, "fr-hate-counter", 50)
    negated = cases(
        _fr_groups(
            [
                "je ne déteste pas {g}, je déteste l'injustice.",
                "{g} ne sont pas le problème de ce pays.",
            ]
        ),
        "not_hateful",
        "negated_hate",
    )
    out += limit(negated, "fr-hate-neg", 20)
    individual = cases(
        fill(
            ["t'es qu'un {n}, {y}.", "{y} est un vrai {n}.", "quel {n}, {y}."],
            n=["crétin", "abruti", "imbécile", "guignol"],
            y=["le livreur", "le gérant", "mon voisin"],
        ),
        "not_hateful",
        "offensive_not_hateful",
    )
    out += limit(individual, "fr-hate-ind", 30)
    things = cases(
        fill(
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
    out += limit(things, "fr-hate-things", 15)
    return out
