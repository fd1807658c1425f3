"""Telling people when a post is at risk or failed (issue #10, item 16).

- An account marked *needs reconnection* fails every post sent to it, without calling the network
  (``outbox.posts.PostKind.refusal``). The composer, the approval and the post page say so before
  such a post is scheduled (:func:`at_risk`, :func:`warning`), and its status shows it.
- A post that fails is put in the notification centre of its author and of the people who run the
  outbox, through the notifier the crisis app registers (``crisis.services.notify_people``, from
  ``crisis/apps.py``; nothing when the crisis app is not installed). Publishing sits below crisis
  (crisis holds posts during a crisis) and never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambassade.publishing.permissions import OUTBOX_MANAGE
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Connection, Membership
from ambassade.workspaces.permissions import ACTIONS

__all__ = ["at_risk", "needs_reconnection", "notify_failed", "register_notifier", "warning"]

#: Variants that have not left for the network yet: a disconnected account will fail them.
WAITING = ("draft", "pending_approval", "scheduled")


def needs_reconnection(connection: Connection) -> bool:
    return connection.status == Connection.Status.NEEDS_RECONNECTION


def at_risk(variants: Iterable[Any]) -> list[Connection]:
    """The accounts needing reconnection that the post's waiting variants go to."""
    found: dict[int, Connection] = {}
    for variant in variants:
        if variant.status in WAITING and needs_reconnection(variant.connection):
            found.setdefault(variant.connection_id, variant.connection)
    return list(found.values())


def warning(connections: list[Connection], *, this_post: bool = False) -> str:
    """The warning for a post going to accounts that need reconnection, in the active language."""
    names = ", ".join(c.account_name for c in connections)
    if this_post:
        text = ngettext(
            "%(accounts)s needs reconnection: this post will fail there unless someone "
            "reconnects it before its time.",
            "%(accounts)s need reconnection: this post will fail there unless someone "
            "reconnects them before its time.",
            len(connections),
        )
    else:
        text = ngettext(
            "%(accounts)s needs reconnection: the post will fail there unless someone "
            "reconnects it before its time.",
            "%(accounts)s need reconnection: the post will fail there unless someone "
            "reconnects them before its time.",
            len(connections),
        )
    return text % {"accounts": names}


def compose_warning(connection: Connection) -> str:
    """The composer's live warning for one selected account."""
    return _(
        "%(account)s needs reconnection: nothing can be sent to it until someone reconnects it "
        "on the Connections page."
    ) % {"account": connection.account_name}


#: What puts lines in people's notification centre: ``notify(workspace, user_ids, title, *, body,
#: severity, link) -> how many were notified`` (``crisis.services.notify_people``).
Notifier = Callable[..., int]
NOTIFIERS: list[Notifier] = []


def register_notifier(notifier: Notifier) -> None:
    if notifier not in NOTIFIERS:
        NOTIFIERS.append(notifier)


def notify_failed(variant: Any, message: Any) -> int:
    """Notify the post's author and the people who run the outbox that a variant failed;
    ``message`` (the variant's error, a coded message) is the notification's body."""
    if not NOTIFIERS:
        return 0
    workspace = variant.workspace
    managers = Membership.objects.filter(
        workspace=workspace, role__in=ACTIONS[OUTBOX_MANAGE].roles
    ).values_list("user_id", flat=True)
    people = {variant.post.author_id, *managers} - {None}
    connection = variant.connection
    title = coded(
        "publishing.failed", account=connection.account_name, network=connection.network_label
    )
    link = reverse(
        "publishing:post", kwargs={"workspace_slug": workspace.slug, "post_id": variant.post_id}
    )
    return sum(
        notify(workspace, people, title, body=message, severity="high", link=link)
        for notify in NOTIFIERS
    )
