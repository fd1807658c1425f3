"""The French suites' templates and fillers (see _build.py): sentiment and spam, and the
vocabulary every French suite shares; offensive and hate in _french_toxicity.py."""

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
