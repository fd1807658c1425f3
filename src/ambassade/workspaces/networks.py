"""Names of the networks a connection can be made to.

Connectors (``ambassade.connectors.<network>``) will register themselves; until then this list gives the
labels shown in the interface. An unknown network code is shown as is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import StoredMessage, coded, register_all

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
    "tiktok": "TikTok",
    "discord": "Discord",
    "telegram": "Telegram",
    "rss": _("RSS feed"),
    "email": _("E-mail"),
    "webhook": _("Webhook"),
}


def network_label(code: str) -> str:
    return str(NETWORKS.get(code, code))


def network_name(code: str) -> StoredMessage:
    """The network's label as a message parameter: worded when shown (a "Facebook page" reads
    "Page Facebook" in French), its name as it is when the name is not a word."""
    label = NETWORKS.get(code, code)
    if isinstance(label, str):
        return StoredMessage(text=label)
    return coded(f"account_network.{code}")


# The labels that are words, for stored messages naming a network (``network_name``).
register_all(
    {
        f"account_network.{code}": label
        for code, label in NETWORKS.items()
        if not isinstance(label, str)
    }
)


def network_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in NETWORKS.items()]
