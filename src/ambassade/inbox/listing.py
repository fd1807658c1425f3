"""The conversation list: views, filters, order and keyset pagination (reads only).

Every filter narrows the workspace's conversations on denormalised columns of the conversation
table, and the list is read newest first (or by priority) through the indexes declared on
:class:`~ambassade.inbox.models.Conversation`, one page at a time with a keyset cursor (the last
row's sort values): the cost of a page does not grow with the number of conversations or messages,
nor with how far the person has scrolled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ambassade.inbox.models import Conversation, Intent, Status
from ambassade.workspaces.params import parse_id, parse_int

__all__ = [
    "PAGE_SIZE",
    "VIEWS",
    "Listing",
    "list_conversations",
    "networks_of",
    "parse_filters",
]

PAGE_SIZE = 40
#: A due time no conversation reaches (in place of none, where the index must not be used).
_NEVER = datetime(9999, 1, 1, tzinfo=UTC)

#: Built-in views: key → (label, the filters they set).
VIEWS: dict[str, tuple[Any, dict[str, str]]] = {
    # A view is a list: its name is plural where the status's is not ("Ouvertes", "Résolues").
    "open": (pgettext_lazy("inbox view", "Open"), {}),
    "mine": (_("Mine"), {"assignee": "me"}),
    "unassigned": (_("Unassigned"), {"assignee": "none"}),
    "breaching": (_("Breaching their target"), {"breaching": "1"}),
    "snoozed": (_("Snoozed"), {"status": "snoozed"}),
    "resolved": (pgettext_lazy("inbox view", "Resolved"), {"status": "resolved"}),
    "all": (_("All"), {"status": "all"}),
}
SORTS = {"recent": _("Newest activity"), "priority": _("Priority"), "oldest": _("Oldest activity")}
FILTER_KEYS = (
    "status", "assignee", "team", "network", "label", "intent", "lang", "channel", "breaching",
    "q", "sort",
)  # fmt: skip
#: The statuses "open" means when no status is asked: what still needs someone.
OPEN = (Status.NEW, Status.OPEN, Status.WAITING)
#: The same condition written as the partial indexes' (``models.OPEN_CONDITION``), constants in the
#: SQL: SQLite uses a partial index only for a query whose WHERE repeats the index's condition
#: with the same constants, never with bound parameters (PostgreSQL's driver inlines them anyway).
#: Measured by ``ambassade bench inbox``: the view by priority read its 26,000 open conversations
#: and sorted them (1 s) instead of walking ``conv_open_priority``.
_OPEN_SQL = "{table}.{column} IN ({values})".format(
    table='"inbox_conversation"',
    column='"status"',
    values=", ".join(f"'{value}'" for value in OPEN),
)


@dataclass
class Filters:
    status: str = ""
    assignee: str = ""
    team: int | None = None
    network: str = ""
    label: int | None = None
    intent: str = ""
    lang: str = ""
    channel: str = ""
    breaching: bool = False
    q: str = ""
    sort: str = "recent"
    view: str = "open"

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (defaults left out)."""
        values = {
            "status": self.status,
            "assignee": self.assignee,
            "team": str(self.team or ""),
            "network": self.network,
            "label": str(self.label or ""),
            "intent": self.intent,
            "lang": self.lang,
            "channel": self.channel,
            "breaching": "1" if self.breaching else "",
            "q": self.q,
            "sort": "" if self.sort == "recent" else self.sort,
        }
        return {key: value for key, value in values.items() if value}


def _int(value: str | None) -> int | None:
    return parse_id(value)


def parse_filters(params: Mapping[str, str]) -> Filters:
    """Filters from a query string; unknown or malformed values are ignored (a shared link with an
    old value still opens the list)."""
    view = params.get("view", "")
    values = dict(VIEWS[view][1]) if view in VIEWS else {}
    values.update({key: params[key] for key in FILTER_KEYS if params.get(key)})
    status = values.get("status", "")
    if status not in (*Status.values, "all"):
        status = ""
    assignee = values.get("assignee", "")
    if assignee not in ("me", "none") and _int(assignee) is None:
        assignee = ""
    intent = values.get("intent", "")
    sort = values.get("sort", "recent")
    return Filters(
        status=status,
        assignee=assignee,
        team=_int(values.get("team")),
        network=values.get("network", "")[:40],
        label=_int(values.get("label")),
        intent=intent if intent in Intent.values else "",
        lang=values.get("lang", "")[:12],
        channel=values.get("channel", "")[:12],
        breaching=values.get("breaching") == "1",
        q=values.get("q", "").strip()[:200],
        sort=sort if sort in SORTS else "recent",
        view=view if view in VIEWS else ("" if any(values.values()) else "open"),
    )


def filtered(
    queryset: QuerySet[Conversation], filters: Filters, user: Any, *, counting: bool = False
) -> QuerySet[Conversation]:
    """The conversations ``filters`` select. ``counting``: for a count, not a page in order (the
    breaching condition then reads the due-time index; for a page, the order's index is walked and
    the due time checked on each row: on SQLite a range of due times then a sort of thousands of
    rows took 0.5 s with 100,000 conversations)."""
    qs = queryset
    if filters.status == "all":
        pass
    elif filters.status:
        qs = qs.filter(status=filters.status)
    else:
        qs = qs.extra(where=[_OPEN_SQL])  # noqa: S610  (constants of this module, no input)
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.network:
        qs = qs.filter(network=filters.network)
    if filters.label:
        # EXISTS rather than a join: the page walks the order's index and probes each row's
        # labels, where a join read every conversation with the label, then sorted them.
        labelled = Conversation.labels.through.objects.filter(
            conversation_id=OuterRef("pk"), label_id=filters.label
        )
        qs = qs.filter(Exists(labelled))
    if filters.intent:
        qs = qs.filter(intent=filters.intent)
    if filters.lang:
        qs = qs.filter(lang=filters.lang)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.breaching:
        if counting:
            qs = qs.filter(due_at__lt=timezone.now())
        else:
            qs = qs.alias(due=Coalesce("due_at", Value(_NEVER))).filter(due__lt=timezone.now())
        qs = qs.exclude(status=Status.RESOLVED)
    if filters.q:
        handle = filters.q.lstrip("@")
        qs = qs.filter(
            Q(contact_handle__iexact=handle)
            | Q(contact_name__icontains=filters.q)
            | Q(subject__icontains=filters.q)
        )
    return qs


def _order(sort: str) -> tuple[str, ...]:
    if sort == "priority":
        return ("-priority", "-last_message_at", "-id")
    if sort == "oldest":
        return ("last_message_at", "id")
    return ("-last_message_at", "-id")


def cursor_of(conversation: Conversation, sort: str) -> str:
    stamp = conversation.last_message_at.isoformat()
    if sort == "priority":
        return f"{conversation.priority}_{stamp}_{conversation.pk}"
    return f"{stamp}_{conversation.pk}"


def _after(qs: QuerySet[Conversation], sort: str, cursor: str) -> QuerySet[Conversation]:
    parts = cursor.split("_")
    expected = 3 if sort == "priority" else 2
    if len(parts) != expected:
        return qs
    try:
        stamp = parse_datetime(parts[-2])
    except ValueError:
        return qs
    pk = parse_id(parts[-1])
    priority = parse_int(parts[0], maximum=100) if sort == "priority" else 0
    if stamp is None or pk is None or priority is None:
        return qs
    if sort == "oldest":
        return qs.filter(Q(last_message_at__gt=stamp) | Q(last_message_at=stamp, id__gt=pk))
    later = Q(last_message_at__lt=stamp) | Q(last_message_at=stamp, id__lt=pk)
    if sort == "priority":
        return qs.filter(Q(priority__lt=priority) | Q(priority=priority) & later)
    return qs.filter(later)


@dataclass
class Listing:
    filters: Filters
    conversations: list[Conversation]
    next_cursor: str = ""
    counts: dict[str, int] = field(default_factory=dict)


def list_conversations(
    base: QuerySet[Conversation],
    filters: Filters,
    user: Any,
    *,
    after: str = "",
    size: int = PAGE_SIZE,
) -> Listing:
    """One page of the list: ``base`` is the workspace's conversations."""
    qs = filtered(base, filters, user)
    if after:
        qs = _after(qs, filters.sort, after)
    rows = list(
        qs.order_by(*_order(filters.sort))
        .select_related("assignee", "team", "last_message__mention")
        .prefetch_related("labels")[: size + 1]
    )
    listing = Listing(filters, rows[:size])
    if len(rows) > size:
        listing.next_cursor = cursor_of(rows[size - 1], filters.sort)
    return listing


#: Counts shown beside the views stop here (a bounded count stays fast at any size).
COUNT_LIMIT = 999
#: The most networks a filter offers.
MAX_NETWORKS = 50


def networks_of(workspace_id: int) -> list[str]:
    """The networks of a workspace's conversations, in order. ``SELECT DISTINCT`` reads every
    conversation's index entry (95 ms with 100,000 of them on PostgreSQL, measured by
    ``ambassade bench inbox``); this hops from one network to the next through the index
    ``conv_contact`` (workspace, network, …), one look-up per network, in one statement that
    SQLite and PostgreSQL both run."""
    table = connection.ops.quote_name(Conversation._meta.db_table)
    sql = (
        "WITH RECURSIVE nets(network) AS ("  # noqa: S608  (names from the model, values bound)
        f" SELECT MIN(network) FROM {table} WHERE workspace_id = %s"
        " UNION ALL"
        f" SELECT (SELECT MIN(c.network) FROM {table} c WHERE c.workspace_id = %s"
        " AND c.network > nets.network) FROM nets WHERE nets.network IS NOT NULL"
        f") SELECT network FROM nets WHERE network IS NOT NULL LIMIT {MAX_NETWORKS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, workspace_id])
        return [row[0] for row in cursor.fetchall()]


#: The views whose counts the list shows beside their names.
COUNTED = ("open", "mine", "unassigned", "breaching")


#: The list's tables whose statistics SQLite's planner needs (:func:`refresh_statistics`).
_ANALYZED = ("inbox_conversation", "inbox_conversation_labels")


def refresh_statistics() -> bool:
    """SQLite: refresh the statistics of the list's tables (``ANALYZE``, sampling at most 1,000
    rows per index, so it takes milliseconds whatever the size). Without them SQLite's planner
    does not know that the open conversations are a minority and sorts them all instead of walking
    the partial indexes (1 s for the view by priority with 100,000 conversations, measured by
    ``ambassade bench inbox``); PostgreSQL's autovacuum keeps its own. Returns whether it ran."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 1000")
        for table in _ANALYZED:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return True


def view_counts(base: QuerySet[Conversation], user: Any) -> dict[str, int]:
    """How many conversations need someone in the main views ("999" means at least that): each
    count bounded, all of them in one statement (one round trip to the database instead of four:
    on a busy machine each costs a wait for a core, measured by ``ambassade bench inbox``)."""
    parts, params = [], []
    for number, key in enumerate(COUNTED):
        qs = filtered(base, parse_filters({"view": key}), user, counting=True)
        qs = qs.order_by().values("id")
        sql, found = qs[:COUNT_LIMIT].query.sql_with_params()
        # The ORM's own SQL with its parameters kept apart: nothing of the request is in the text.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted{number})")  # noqa: S608
        params.extend(found)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {key: int(value) for key, value in zip(COUNTED, row, strict=True)}
