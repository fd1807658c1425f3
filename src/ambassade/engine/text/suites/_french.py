"""The French suites' templates and fillers (see _build.py)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ambassade.engine.text.suites._common import Case, cases, fill, limit

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
    out: list[Case] = []
    vocab = cases(
        _fr_agree(["{thing} est {adj}.", "franchement, {thing} est {adj}"], FR_POS),
        "positive",
        "vocabulary",
    )
    vocab_neg = cases(
        _fr_agree(["{thing} est {adj}.", "franchement, {thing} est {adj}"], FR_NEG),
        "negative",
        "vocabulary",
    )
    out += limit(vocab, "fr-voc-pos", 30) + limit(vocab_neg, "fr-voc-neg", 30)
    negation = cases(
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
    negation += cases(
        fill(
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
    negation += cases(
        fill(
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
    out += limit(negation, "fr-neg")
    intens = cases(
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
    intens += cases(
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
    out += limit(intens, "fr-int")
    events = [
        "commande reçue ce matin",
        "premier café de la journée chez vous",
        "livraison arrivée",
        "nouvelle carte testée aujourd'hui",
        "retour de la boutique de Lyon",
        "appli mise à jour",
    ]
    emoji = cases(
        fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😍", "🥰", "👍", "🙌", "❤️", "😊"]),
        "positive",
        "emoji",
    )
    emoji += cases(
        fill(["{e} {m}", "{e} {m}{m}"], e=events, m=["😡", "🤬", "😤", "👎", "😞", "💔"]),
        "negative",
        "emoji",
    )
    out += limit(emoji, "fr-emoji")
    complaint = cases(
        fill(
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
    out += limit(complaint, "fr-complaint")
    idioms = cases(
        fill(
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
    out += limit(idioms, "fr-idioms")
    neutral = cases(
        fill(
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
    out += limit(neutral, "fr-neutral")
    irony = cases(
        fill(
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
    out += limit(irony, "fr-irony", 30)
    contrast = cases(
        fill(
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
    contrast += cases(
        fill(
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
    out += limit(contrast, "fr-contrast", 40)
    return out


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


FR_URLS = [
    "http://bit.ly/3xYz9Q",
    "https://gains-rapides.example/inscription",
    "www.cadeau-gratuit.example",
]


def fr_spam() -> list[Case]:
    out: list[Case] = []
    scam = cases(
        fill(
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
    out += limit(scam, "fr-spam-scam", 80)
    phishing = cases(
        fill(
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
    out += limit(phishing, "fr-spam-phish", 40)
    promo = cases(
        fill(
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
    out += limit(promo, "fr-spam-promo", 50)
    obfus = cases(
        fill(
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
    out += limit(obfus, "fr-spam-obf", 20)
    ham_link = cases(
        fill(
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
    out += limit(ham_link, "fr-ham-link", 40)
    ham_money = cases(
        fill(
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
    out += limit(ham_money, "fr-ham-money", 40)
    ham_promo = cases(
        fill(
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
    out += limit(ham_promo, "fr-ham-promo", 30)
    ham = cases(
        fill(
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
    out += limit(ham, "fr-ham-ord", 60)
    return out
