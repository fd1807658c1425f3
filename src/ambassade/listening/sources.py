"""Which connector reads a source, and the kinds a person may choose.

Network connectors come from :mod:`ambassade.connectors.registry`. Two kinds belong to this app:
``demo`` (the demo brand's generated stream, :mod:`ambassade.listening.demo`) and ``replay`` (a CSV or
JSONL export played back with its timing shifted to now, :mod:`ambassade.listening.replay`).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.utils.translation import gettext_lazy as _

from ambassade.connectors import registry
from ambassade.connectors.base import Capability, Connector
from ambassade.workspaces.connector_messages import connector_label

__all__ = ["LOCAL_KINDS", "connector_class", "kind_choices", "kind_label"]

LOCAL_KINDS: dict[str, str] = {
    "demo": "ambassade.listening.demo:DemoConnector",
    "replay": "ambassade.listening.replay:ReplayConnector",
}
LOCAL_LABELS: dict[str, Any] = {"demo": _("Demo stream"), "replay": _("Replay of a file")}


def connector_class(kind: str) -> type[Connector]:
    if kind in LOCAL_KINDS:
        module_name, _sep, attr = LOCAL_KINDS[kind].partition(":")
        cls: type[Connector] = getattr(importlib.import_module(module_name), attr)
        return cls
    return registry.get(kind)


def kind_label(kind: str) -> str:
    if kind in LOCAL_LABELS:
        return str(LOCAL_LABELS[kind])
    try:
        return connector_label(kind, registry.get(kind).label)
    except registry.UnknownConnector:
        return kind


def kind_choices() -> list[tuple[str, str]]:
    """Kinds a person can add from the sources page: polling connectors that listen."""
    choices = []
    for kind, cls in sorted(registry.available().items()):
        if Capability.LISTEN in cls.capabilities and cls.delivery == "poll":
            choices.append((kind, connector_label(kind, cls.label)))
    choices.append(("demo", str(LOCAL_LABELS["demo"])))
    return choices
