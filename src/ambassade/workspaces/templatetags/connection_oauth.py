"""Template helpers of "Connect with …": which networks this installation connects with OAuth, and
the address that starts (or restarts) a connection's flow."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ambassade.connectors.oauth import PROVIDERS
from ambassade.workspaces import tokens
from ambassade.workspaces.networks import network_label

register = template.Library()


@register.simple_tag
def oauth_provider_label(network: str) -> str:
    """The network whose sign-in connects ``network`` (Facebook for an Instagram account)."""
    key = tokens.provider_key(network)
    return PROVIDERS[key].label if key else ""


@register.simple_tag
def oauth_start_url(workspace: Any, network: str) -> str:
    """The start of ``network``'s OAuth flow for ``workspace``, or "" when the installation has no
    app for it (the pasted-token form is then the way)."""
    if not network or tokens.provider_key(network) is None:
        return ""
    return reverse(
        "publishing:oauth_start", kwargs={"workspace_slug": workspace.slug, "network": network}
    )


@register.simple_tag
def oauth_networks(workspace: Any) -> list[dict[str, str]]:
    """Every network connectable with OAuth here: code, label and start address."""
    return [
        {
            "code": network,
            "label": network_label(network),
            "url": oauth_start_url(workspace, network),
        }
        for network in tokens.oauth_networks()
    ]


@register.filter
def join_labels(choices: list[dict[str, str]]) -> str:
    """The labels of :func:`oauth_networks`' choices, one sentence's list ("LinkedIn, X")."""
    return ", ".join(choice["label"] for choice in choices)
