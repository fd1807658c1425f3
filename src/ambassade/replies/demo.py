"""The demo brand's saved replies (Café Lumière), in English and French, with their variables and
shortcuts: the double-charge incident, a late order, thanks, a bug, moving to private messages.
Running it again creates nothing."""

from __future__ import annotations

from typing import Any, TextIO

from ambassade.replies.models import SavedReply

__all__ = ["SAVED_REPLIES", "ensure_demo_saved_replies"]

#: (shortcut, name, English, French)
SAVED_REPLIES = [
    (
        "double",
        "Double charge / Double débit",
        "Hi {first_name}, we are sorry: a payment incident charged some cards twice. The second "
        "charge is refunded automatically within 3 days. {agent_first_name}, Café Lumière",
        "Bonjour {first_name}, toutes nos excuses : un incident de paiement a débité certaines "
        "cartes deux fois. Le second débit est remboursé automatiquement sous 3 jours. "
        "{agent_first_name}, Café Lumière",
    ),
    (
        "late",
        "Late order / Commande en retard",
        "Hi {first_name}, sorry for the wait. Could you send us your order number in a private "
        "message? We look into it right away ({ticket}).",
        "Bonjour {first_name}, désolés pour l'attente. Pouvez-vous nous envoyer votre numéro de "
        "commande en message privé ? Nous regardons tout de suite ({ticket}).",
    ),
    (
        "thanks",
        "Thanks / Merci",
        "Thank you {first_name}, that means a lot to the whole team!",
        "Merci {first_name}, ça fait très plaisir à toute l'équipe !",
    ),
    (
        "bug",
        "Bug reported / Bug signalé",
        "Thanks {first_name}, we have passed it on to our technical team ({ticket}) and will tell "
        "you here as soon as it is fixed.",
        "Merci {first_name}, nous l'avons transmis à notre équipe technique ({ticket}) et vous "
        "prévenons ici dès que c'est corrigé.",
    ),
    (
        "dm",
        "Private messages / Messages privés",
        "Hi {first_name}, could you write to us in a private message so we can look at your "
        "account?",
        "Bonjour {first_name}, pouvez-vous nous écrire en message privé pour que nous regardions "
        "votre compte ?",
    ),
]


def ensure_demo_saved_replies(workspace: Any, owner: Any, out: TextIO) -> int:
    """Create the saved replies the workspace does not have yet (by shortcut). Returns how many it
    made."""
    have = set(SavedReply.objects.filter(workspace=workspace).values_list("shortcut", flat=True))
    made = [
        SavedReply(
            workspace=workspace,
            shortcut=shortcut,
            name=name,
            text_en=english,
            text_fr=french,
            created_by=owner,
        )
        for shortcut, name, english, french in SAVED_REPLIES
        if shortcut not in have
    ]
    SavedReply.objects.bulk_create(made)
    if made:
        out.write(f"  {len(made)} saved replies\n")
    return len(made)
