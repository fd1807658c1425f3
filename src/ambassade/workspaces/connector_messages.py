"""The connectors' messages in the reader's language: every code a connector gives a
``ConnectorError`` (or ``AuthExpired``, ``InvalidConfig``) is worded here, and the labels of the
connectors' kinds that are words rather than names (``network.<kind>``). A ``detail`` parameter is
the network's own words, passed through as they came."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import CATALOGUE, catalogue, register_all

__all__ = ["connector_label"]


def connector_label(kind: str, label: str) -> str:
    """The label of a connector's kind in the reader's language: its ``network.<kind>`` wording,
    else the connector's own label (a network's name: Mastodon, YouTube…)."""
    catalogue()
    wording = CATALOGUE.get(f"network.{kind}")
    return str(wording) if wording is not None else (label or kind)


register_all(
    {
        # Labels of the kinds that are words, not names.
        "network.file": _("File import (CSV, JSONL)"),
        "network.rss": _("RSS / Atom"),
        "network.webhook": _("Webhook"),
    }
)
