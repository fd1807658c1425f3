"""Names of the networks a connection can be made to.

Connectors (``ambassade.connectors.<network>``) will register themselves; until then this list gives the
labels shown in the interface. An unknown network code is shown as is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NETWORKS: dict[str, object] = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "reddit": "Reddit",
    "youtube": "YouTube",
    "x": "X",
    "facebook": _("Facebook page"),
    "instagram": "Instagram",
    "threads": "Threads",
    "linkedin": "LinkedIn",
    "discord": "Discord",
    "telegram": "Telegram",
    "rss": _("RSS feed"),
    "email": _("E-mail"),
    "webhook": _("Webhook"),
}


def network_label(code: str) -> str:
    return str(NETWORKS.get(code, code))


def network_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in NETWORKS.items()]
