"""The network a mention can be acted on: answered, moderated, tied to a person.

Since a feed item linking to a known network is stored as a mention of that network (docs/connectors.md,
"RSS / Atom"), ``Mention.network`` says where the post lives, which is right for the charts, filters,
counts and missions. It is not where Ambassade can act on it: such a mention keeps the feed's id as
``external_id`` and the feed author's *name* as ``author_handle``, which the network's API does not
know. :func:`acting_network` gives ``rss`` for every mention read from a feed, as before that change,
so the inbox, moderation and community treat it as a feed item.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ambassade.listening.models import Mention
    from ambassade.workspaces.models import Workspace

__all__ = ["FEED_KINDS", "acting_network", "feed_source_ids"]

#: The source kinds whose mentions are read from a feed, not from the network's own API.
FEED_KINDS = frozenset({"rss"})
#: The network a feed's mentions are acted on as.
FEED_NETWORK = "rss"


def feed_source_ids(workspace: Workspace | int) -> frozenset[int]:
    """The ids of the workspace's feed sources (one query): pass them to :func:`acting_network` in a
    loop over many mentions."""
    from ambassade.listening.models import Source

    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return frozenset(
        Source.objects.filter(workspace_id=workspace_id, kind__in=FEED_KINDS).values_list(
            "id", flat=True
        )
    )


def acting_network(mention: Mention, feed_sources: Collection[int] | None = None) -> str:
    """The network ``mention`` can be answered, moderated or tied to a person on: its own network,
    unless it was read from a feed (its source's kind is ``rss``), then ``rss``.

    ``feed_sources`` are the workspace's feed source ids (:func:`feed_source_ids`); without them the
    mention's source is read (a query, unless it was loaded with ``select_related("source")``)."""
    if feed_sources is None:
        is_feed = mention.source.kind in FEED_KINDS
    else:
        is_feed = mention.source_id in feed_sources
    return FEED_NETWORK if is_feed else mention.network
