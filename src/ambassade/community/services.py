"""Every write of the community app.

- :func:`record_authors` — the listening routing receiver: the authors of a batch of new mentions
  become identities and members, in bulk (a handful of queries per batch, whatever its size).
- :func:`rebuild_members` — the same over a workspace's stored mentions (``ambassade rebuild_members``).
- :func:`merge_members`, :func:`split_identity`, :func:`set_staff` — a person's edits, audited
  (tags, notes, custom fields: :mod:`ambassade.community.crm`).

Counts are read back from :class:`~ambassade.community.models.Appearance` rows (one per mention,
unique), never incremented: recording the same mentions twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from ambassade.community import activities, rescoring
from ambassade.community.activities import SOURCE_MENTION, seen_range, weight_of
from ambassade.community.models import Appearance, Identity, Member, normalise_handle, safe_url
from ambassade.listening.acting import acting_network, feed_source_ids
from ambassade.listening.models import Mention
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Workspace

__all__ = [
    "ActionError",
    "RecordResult",
    "merge_members",
    "rebuild_members",
    "record_authors",
    "recount_identities",
    "set_staff",
    "split_identity",
]

log = logging.getLogger(__name__)

#: Mentions read per batch by :func:`rebuild_members`; also the lookup chunk of :func:`record_authors`.
BATCH = 1000


class ActionError(Exception):
    """The action cannot be done; ``str(error)`` is a translated sentence for the person."""


@dataclass
class RecordResult:
    mentions: int = 0
    identities_created: int = 0
    members_created: int = 0


# --- from mentions --------------------------------------------------------------------------------

Key = tuple[str, str]  # (network, normalised handle)

# Prepared once and run for every row: cheaper than bulk_create() for thousands of small rows.
_APPEARANCE_SQL = (
    "INSERT INTO community_appearance (workspace_id, identity_id, mention_id, created_at) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT (mention_id) DO NOTHING"
)
# The mention on its author's timeline (docs/community.md, "Timeline").
_ACTIVITY_SQL = (
    "INSERT INTO community_activity (workspace_id, identity_id, kind, occurred_at, source, "
    "source_id, weight, mention_id) VALUES (%s, %s, 'mention', %s, %s, %s, %s, %s) "
    "ON CONFLICT (workspace_id, source, source_id) DO NOTHING"
)


def _key(mention: Any, feeds: frozenset[int]) -> Key | None:
    """(network, handle) of the mention's author. A feed's item is on network ``rss`` whatever its
    link (:func:`~ambassade.listening.acting.acting_network`): its author handle is the feed
    author's name, not a handle on X or YouTube."""
    handle = normalise_handle(mention.author_handle)
    network = acting_network(mention, feeds)
    if not handle or not network:
        return None
    return (network[:40], handle)


def record_authors(workspace: Workspace, mentions: Sequence[Mention]) -> RecordResult:
    """Make the authors of ``mentions`` (stored mentions of ``workspace``) identities and members.

    Mentions without an author handle are skipped. Idempotent; a concurrent call that created the
    same identity first makes this one start again (then it finds the identity)."""
    mentions = [m for m in mentions if m.pk is not None and m.workspace_id == workspace.pk]
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _record(workspace, mentions)
        except IntegrityError:
            if attempt:
                raise
            log.info("community: an identity was created concurrently; recording again")
    raise AssertionError("unreachable")  # pragma: no cover


def _record(workspace: Workspace, mentions: Sequence[Mention]) -> RecordResult:
    result = RecordResult(mentions=len(mentions))
    by_key: dict[Key, list[Mention]] = {}
    feeds = feed_source_ids(workspace)
    for mention in mentions:
        key = _key(mention, feeds)
        if key is not None:
            by_key.setdefault(key, []).append(mention)
    if not by_key:
        return result

    # 1. The identities already known (one query per BATCH handles).
    handles = sorted({handle for _network, handle in by_key})
    known: dict[Key, Identity] = {}
    for start in range(0, len(handles), BATCH):
        for identity in Identity.objects.filter(
            workspace=workspace, handle__in=handles[start : start + BATCH]
        ):
            known[(identity.network, identity.handle)] = identity

    # 2. New authors: a member each, then their identity.
    now = timezone.now()
    missing = [key for key in by_key if key not in known]
    if missing:
        members = [Member(workspace=workspace, created_at=now, updated_at=now) for _ in missing]
        Member.objects.bulk_create(members)
        fresh = []
        for key, member in zip(missing, members, strict=True):
            identity = Identity(
                workspace=workspace, member=member, network=key[0], handle=key[1], created_at=now
            )
            known[key] = identity
            fresh.append(identity)
        Identity.objects.bulk_create(fresh)
        result.identities_created = result.members_created = len(missing)

    # 3. Who wrote what; a mention already recorded keeps its row.
    adapt_time = connection.ops.adapt_datetimefield_value
    rows = [
        (workspace.pk, known[key].pk, mention.pk, adapt_time(mention.created_at))
        for key, group in by_key.items()
        for mention in group
    ]
    weight = weight_of("mention")
    with connection.cursor() as cursor:
        cursor.executemany(_APPEARANCE_SQL, rows)
        cursor.executemany(
            _ACTIVITY_SQL,
            [
                (ws, who, at, SOURCE_MENTION, mention, weight, mention)
                for ws, who, mention, at in rows
            ],
        )

    # 4. The identities' latest name, profile and followers; their counts from the rows.
    identities = [known[key] for key in by_key]
    for key, group in by_key.items():
        _take_latest(known[key], group)
    _count(identities)
    _update(
        identities,
        [
            "name",
            "profile_url",
            "followers",
            "max_followers",
            "mention_count",
            "first_seen_at",
            "last_seen_at",
        ],
    )

    # 5. Their members' figures, from their identities; their scores due, stored after the commit
    # by one task for a burst of batches (community/rescoring.py).
    refresh_members({identity.member_id for identity in identities}, due=now)
    workspace_id = workspace.pk
    transaction.on_commit(lambda: rescoring.schedule(workspace_id), robust=True)
    return result


def _update(objects: Sequence[models.Model], fields: list[str]) -> None:
    """Save ``fields`` of ``objects`` (one model) with one prepared UPDATE run for every row.

    Not ``bulk_update()``: its ``CASE WHEN`` per row cost seconds of SQL compilation per thousand rows,
    more than the rest of the ingest of those mentions."""
    if not objects:
        return
    meta = type(objects[0])._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 (table and column names from the model)
        + ", ".join(f"{quote(field.column)} = %s" for field in columns)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _take_latest(identity: Identity, mentions: list[Mention]) -> None:
    """Take name, profile URL and followers from the newest of ``mentions`` unless the identity has
    seen newer (a backfill of older mentions does not roll them back)."""
    newest = max(mentions, key=lambda m: (m.created_at, m.pk))
    seen = [m.author_followers for m in mentions if m.author_followers is not None]
    if seen:
        identity.max_followers = max(identity.max_followers, *seen)
    if identity.last_seen_at is None or newest.created_at >= identity.last_seen_at:
        identity.name = (newest.author_name or identity.name)[:200]
        identity.profile_url = safe_url(newest.author_url) or identity.profile_url
        if newest.author_followers is not None:
            identity.followers = newest.author_followers


def _count(identities: list[Identity]) -> None:
    """Set mention_count, first and last seen of ``identities`` from their appearance rows."""
    ids = [identity.pk for identity in identities]
    figures: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        for row in (
            Appearance.objects.filter(identity_id__in=ids[start : start + BATCH])
            .values("identity_id")
            .annotate(count=Count("id"), first=Min("created_at"), last=Max("created_at"))
            .order_by()
        ):
            figures[row["identity_id"]] = row
    # Private messages make "seen" too (a person may only ever write to the brand privately).
    seen: dict[int, tuple[Any, Any]] = {}
    for start in range(0, len(ids), BATCH):
        seen.update(seen_range(ids[start : start + BATCH]))
    for identity in identities:
        row = figures.get(identity.pk)
        identity.mention_count = row["count"] if row else 0
        firsts = [
            x for x in (row["first"] if row else None, seen.get(identity.pk, (None,))[0]) if x
        ]
        lasts = [
            x for x in (row["last"] if row else None, seen.get(identity.pk, (None, None))[1]) if x
        ]
        identity.first_seen_at = min(firsts) if firsts else None
        identity.last_seen_at = max(lasts) if lasts else None


def recount_identities(identities: list[Identity]) -> None:
    """Recount ``identities`` (mentions, first and last seen) and their members' figures."""
    _count(identities)
    _update(identities, ["mention_count", "first_seen_at", "last_seen_at"])
    refresh_members({identity.member_id for identity in identities})


def refresh_members(member_ids: Iterable[int], due: dt.datetime | None = None) -> None:
    """Recompute the members' figures and display name from their identities (one read, one write);
    with ``due``, mark their scores due since then (``community/rescoring.py``) in the same write."""
    ids = sorted(member_ids)
    if not ids:
        return
    by_member: dict[int, list[Identity]] = {}
    for start in range(0, len(ids), BATCH):
        for identity in Identity.objects.filter(member_id__in=ids[start : start + BATCH]).only(
            "member_id",
            "handle",
            "name",
            "max_followers",
            "mention_count",
            "first_seen_at",
            "last_seen_at",
        ):
            by_member.setdefault(identity.member_id, []).append(identity)
    now = timezone.now()
    members = []
    for member_id, identities in by_member.items():
        lead = max(identities, key=lambda i: (i.max_followers, i.mention_count, -i.pk))
        firsts = [i.first_seen_at for i in identities if i.first_seen_at]
        lasts = [i.last_seen_at for i in identities if i.last_seen_at]
        members.append(
            Member(
                pk=member_id,
                display_name=(lead.name or "@" + lead.handle)[:200],
                mention_count=sum(i.mention_count for i in identities),
                reach=max(i.max_followers for i in identities),
                first_seen_at=min(firsts) if firsts else None,
                last_seen_at=max(lasts) if lasts else None,
                updated_at=now,
                score_due=due,
            )
        )
    _update(
        members,
        ["display_name", "mention_count", "reach", "first_seen_at", "last_seen_at", "updated_at"]
        + (["score_due"] if due is not None else []),
    )


def rebuild_members(
    workspace: Workspace,
    *,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> RecordResult:
    """Record the authors of every stored mention of ``workspace`` (for mentions ingested before
    this app existed), oldest first, reporting (done, total) after each batch. Merges, notes and
    tags are kept: it only adds what is missing and recounts. Safe to run again."""
    mentions = Mention.objects.filter(workspace=workspace).exclude(author_handle="")
    total = mentions.count()
    fields = (
        "id",
        "workspace_id",
        "network",
        "author_handle",
        "author_name",
        "author_url",
        "author_followers",
        "created_at",
    )
    result = RecordResult()
    done, last_id = 0, 0
    while True:
        chunk = list(mentions.filter(id__gt=last_id).order_by("id").only(*fields)[:batch])
        if not chunk:
            break
        part = record_authors(workspace, chunk)
        result.mentions += part.mentions
        result.identities_created += part.identities_created
        result.members_created += part.members_created
        last_id = chunk[-1].pk
        done += len(chunk)
        if progress is not None:
            progress(min(done, total), total)
    # Private messages, answers and moderation decisions stored before timelines existed.
    activities.backfill(workspace)
    # Mentions deleted since (a source removed) no longer count.
    stale = list(Identity.objects.filter(workspace=workspace))
    _count(stale)
    _update(stale, ["mention_count", "first_seen_at", "last_seen_at"])
    refresh_members(Member.objects.filter(workspace=workspace).values_list("id", flat=True))
    return result


# --- a person's edits -----------------------------------------------------------------------------


def set_staff(member: Member, actor: Any, staff: bool) -> Member:
    """Mark ``member`` as one of the brand's own people (or not). Audited."""
    if member.staff == staff:
        return member
    member.staff, member.updated_at = staff, timezone.now()
    member.save(update_fields=["staff", "updated_at"])
    workspace_services.record_audit(
        member.workspace,
        actor,
        "community.member.staff" if staff else "community.member.not_staff",
        member,
    )
    return member


def merge_members(target: Member, others: Member | Sequence[Member], actor: Any) -> Member:
    """Join ``others`` (one member or several) into ``target``, in one transaction: their identities
    (and so their mentions) move, their notes and tags are added to the target's, and they are
    deleted. One audit line for the whole merge, naming every member merged."""
    from django.utils.translation import gettext as _

    others = [others] if isinstance(others, Member) else list(others)
    if any(other.pk == target.pk for other in others):
        raise ActionError(_("A member cannot be merged with itself."))
    if any(other.workspace_id != target.workspace_id for other in others):
        raise ActionError(_("These members belong to different workspaces."))
    if not others:
        return target
    with transaction.atomic():
        # Lock the rows where the database can (PostgreSQL), so two merges do not cross.
        wanted = [target.pk, *(other.pk for other in others)]
        locked = {
            m.pk: m for m in Member.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
        }
        if any(pk not in locked for pk in wanted):
            raise ActionError(_("This member no longer exists."))
        target = locked[target.pk]
        merged = []
        for other in (locked[other.pk] for other in others):
            moved = [str(identity) for identity in other.identities.all()]
            other.identities.update(member=target)
            other.consents.update(member=target)  # the consent log is the person's: it moves
            other.note_set.update(member=target)
            _move_tags_and_values(other, target)
            if not target.email and other.email:
                target.email = other.email
            if not target.language and other.language:
                target.language = other.language
            merged.append({"id": other.pk, "name": str(other), "identities": moved})
            other.delete()
        # One of the brand's people stays so whichever member said it.
        target.staff = target.staff or any(locked[other.pk].staff for other in others)
        target.scored_at = None  # scored again with the merged activities (community.score_members)
        target.save(update_fields=["staff", "email", "language", "scored_at"])
        refresh_members([target.pk])
        target.refresh_from_db()
        workspace_services.record_audit(
            target.workspace, actor, "community.member.merged", target, details={"merged": merged}
        )
    return target


def _move_tags_and_values(other: Member, target: Member) -> None:
    """``other``'s tags join the target's; its custom field values fill the target's blanks."""
    have = set(target.tag_set.values_list("name", flat=True))
    other.tag_set.exclude(name__in=have).update(member=target)
    filled = set(target.field_values.values_list("field_id", flat=True))
    other.field_values.exclude(field_id__in=filled).update(member=target)


def split_identity(identity: Identity, actor: Any) -> Member:
    """Undo a merge for one identity: it becomes a member of its own. Audited."""
    from django.utils.translation import gettext as _

    with transaction.atomic():
        previous = Member.objects.select_for_update().get(pk=identity.member_id)
        if previous.identities.count() < 2:
            raise ActionError(_("This is the member's only identity."))
        member = Member.objects.create(workspace=identity.workspace)
        Identity.objects.filter(pk=identity.pk).update(member=member)
        refresh_members([previous.pk, member.pk])
        Member.objects.filter(pk__in=[previous.pk, member.pk]).update(scored_at=None)
        workspace_services.record_audit(
            previous.workspace,
            actor,
            "community.member.split",
            previous,
            details={"identity": str(identity), "new_member": member.pk},
        )
        member.refresh_from_db()
    return member
