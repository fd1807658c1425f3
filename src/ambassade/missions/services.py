"""Every write of the missions app (docs/community.md, "Ambassador missions").

- :func:`save_mission`, :func:`delete_mission` — a person's edits, audited.
- :func:`match_new` — the workspace's mentions stored since the last run, read in batches: each
  message by a member a mission is for, that completes it (``ambassade.engine.missions``), completes
  it once for that member, with the message as evidence. Each batch is one transaction that also
  moves the workspace's :class:`~ambassade.missions.models.Cursor`: a killed worker loses one batch
  at most and the next run goes on from there; running it twice completes nothing twice.
- :func:`mark_done`, :func:`undo` — an editor's hand: done with a note, or not done after all.
- :func:`on_ingest` — listening's routing receiver: queues :func:`match_new` for the workspace when it
  has missions open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from ambassade.community import activities
from ambassade.community.models import Appearance, Identity, Member
from ambassade.community.segments import SegmentError, segment_members
from ambassade.engine.missions import Mission as Target
from ambassade.engine.missions import MissionMatcher, Post, links_in, normalise_url
from ambassade.listening.models import Mention
from ambassade.missions.models import Assignee, Completion, Cursor, Mission
from ambassade.products.models import ProductMention
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace

__all__ = [
    "ACTIVITY_SOURCE",
    "BATCH",
    "MissionError",
    "assigned",
    "assigned_members",
    "complete",
    "delete_mission",
    "mark_done",
    "match_new",
    "notify_completed",
    "on_ingest",
    "resolve_target",
    "save_mission",
    "scan",
    "scannable",
    "undo",
    "workspaces_to_match",
]

log = logging.getLogger(__name__)

#: Mentions read per transaction by :func:`match_new`.
BATCH = 500
#: A run whose heartbeat is older than this belongs to a stopped worker: another takes it up.
STALE_AFTER = timedelta(minutes=2)
ACTIVITY_SOURCE = "missions.completion"
MAX_CHOSEN = 500


class MissionError(Exception):
    def __init__(self, field: str, message: StoredMessage) -> None:
        super().__init__(message.text or message.code)
        self.field, self.message = field, message


# --- missions -------------------------------------------------------------------------------------


def resolve_target(workspace: Workspace | int, url: str) -> tuple[str, str]:
    """``(id on the network, network)`` of the post at ``url`` when the workspace published it or
    heard it, else ``("", "")``: a reply or a quote names the post by its id, not its address."""
    from ambassade.publishing.models import Variant

    url = url.strip()
    if not url:
        return ("", "")
    candidates = {url, url.rstrip("/")}
    variant = (
        Variant.objects.filter(workspace=workspace, remote_url__in=candidates)
        .exclude(remote_id="")
        .select_related("connection")
        .first()
    )
    if variant is not None:
        return (variant.remote_id[:255], variant.connection.network)
    mention = Mention.objects.filter(workspace=workspace, url__in=candidates).first()
    if mention is not None:
        return (mention.external_id, mention.network)
    return ("", "")


def _check(mission: Mission, chosen: Sequence[int]) -> None:
    if mission.ends_at <= mission.starts_at:
        raise MissionError("ends_at", coded("mission.ends_before_start"))
    kind = mission.kind
    if kind in {Mission.Kind.SHARE, Mission.Kind.ANSWER} and not normalise_url(mission.target_url):
        raise MissionError("target_url", coded("mission.needs_url"))
    if kind == Mission.Kind.REVIEW and mission.product_id is None:
        raise MissionError("product", coded("mission.needs_product"))
    if kind == Mission.Kind.HASHTAG:
        tag = mission.hashtag.strip().lstrip("#")
        if not tag or not all(c.isalnum() or c == "_" for c in tag):
            raise MissionError("hashtag", coded("mission.bad_hashtag"))
    if mission.audience == Mission.Audience.SEGMENT and mission.segment_id is None:
        raise MissionError("segment", coded("mission.needs_segment"))
    if mission.audience == Mission.Audience.CHOSEN and not chosen:
        raise MissionError("chosen", coded("mission.needs_members"))
    if len(chosen) > MAX_CHOSEN:
        raise MissionError("chosen", coded("mission.too_many_members", limit=MAX_CHOSEN))


#: What a mission's matching depends on: a change of one of them scans the stored mentions again.
_SCANNED_BY = (
    "kind",
    "target_url",
    "target_external_id",
    "product_id",
    "hashtag",
    "starts_at",
    "ends_at",
    "audience",
    "segment_id",
)


_SCAN_FIELDS = (
    "scan_version",
    "scan_until_id",
    "scan_last_id",
    "scanned",
    "scan_total",
    "scan_heartbeat_at",
    "scan_done_at",
)
_EDITED = [
    field.name
    for field in Mission._meta.concrete_fields
    if not field.primary_key and field.name not in {*_SCAN_FIELDS, "workspace", "created_at"}
]


def _matching(mission: Mission) -> tuple[Any, ...]:
    return tuple(getattr(mission, name) for name in _SCANNED_BY)


def save_mission(
    workspace: Workspace,
    actor: Any,
    mission: Mission | None = None,
    *,
    chosen: Iterable[int] | None = None,
    **fields: Any,
) -> Mission:
    """Make or change a mission; ``chosen`` are the member ids it is for (audience "chosen"),
    members of other workspaces left out (None: keep those it has). When the mission is new, or
    what it matches or whom it is for changed, a scan of the mentions stored before starts once
    the transaction commits. Raises :class:`MissionError` naming the field."""
    creating = mission is None
    mission = mission or Mission(workspace=workspace, created_by=actor if creating else None)
    before = None if creating else _matching(Mission.objects.get(pk=mission.pk))
    chosen_before = (
        set() if creating else set(_assignee_members(mission).values_list("pk", flat=True))
    )
    for name, value in fields.items():
        setattr(mission, name, value)
    mission.hashtag = mission.hashtag.strip().lstrip("#")
    if mission.kind not in {Mission.Kind.SHARE, Mission.Kind.ANSWER}:
        mission.target_url = ""
    if mission.kind != Mission.Kind.REVIEW:
        mission.product = None
    if mission.kind != Mission.Kind.HASHTAG:
        mission.hashtag = ""
    if mission.audience != Mission.Audience.SEGMENT:
        mission.segment = None
    if mission.audience != Mission.Audience.CHOSEN:
        members: list[int] = []
    elif chosen is None:
        members = sorted(chosen_before)
    else:
        members = list(
            Member.objects.filter(workspace=workspace, pk__in=list(chosen)).values_list(
                "pk", flat=True
            )
        )
    _check(mission, members)
    mission.target_external_id, mission.target_network = resolve_target(
        workspace, mission.target_url
    )
    mission.updated_at = timezone.now()
    rescan = creating or before != _matching(mission) or bool(set(members) - chosen_before)
    with transaction.atomic():
        if rescan:
            mission.scan_version += 1
            mission.scan_until_id = None
            mission.scan_last_id = 0
            mission.scanned = mission.scan_total = 0
            mission.scan_heartbeat_at = mission.scan_done_at = None
        if rescan or creating:
            mission.save()
        else:  # a scan running now keeps its progress
            mission.save(update_fields=_EDITED)
            mission.refresh_from_db(fields=_SCAN_FIELDS)
        _assign(mission, members)
        if creating:
            Cursor.objects.get_or_create(
                workspace=workspace,
                defaults={"last_mention_id": _latest_mention_id(workspace)},
            )
        workspace_services.record_audit(
            workspace,
            actor,
            "missions.mission.created" if creating else "missions.mission.updated",
            mission,
        )
    if rescan:
        transaction.on_commit(lambda: _enqueue_scan(mission.pk))
    return mission


def _assign(mission: Mission, members: Sequence[int]) -> None:
    """The chosen members are asked through their most followed account; a member asked already
    (through any account: two members merged) keeps the accounts they were asked through."""
    Assignee.objects.filter(mission=mission).exclude(identity__member_id__in=members).delete()
    have = set(
        Assignee.objects.filter(mission=mission).values_list("identity__member_id", flat=True)
    )
    accounts: dict[int, int] = {}
    for pk, member_id in (
        Identity.objects.filter(member_id__in=[m for m in members if m not in have])
        .order_by("max_followers", "-id")
        .values_list("pk", "member_id")
    ):
        accounts[member_id] = pk  # the last one kept: the most followed, then the oldest
    Assignee.objects.bulk_create(
        [
            Assignee(workspace_id=mission.workspace_id, mission=mission, identity_id=pk)
            for pk in accounts.values()
        ],
        ignore_conflicts=True,
    )


def _enqueue_scan(mission_id: int) -> None:
    from ambassade.missions import tasks

    tasks.scan_mission(mission_id)


def _latest_mention_id(workspace: Workspace | int) -> int:
    """Where a workspace's first mission starts reading: the mentions stored from now on."""
    return int(Mention.objects.filter(workspace=workspace).aggregate(m=Max("id"))["m"] or 0)


def delete_mission(mission: Mission, actor: Any) -> None:
    with transaction.atomic():
        workspace_services.record_audit(
            mission.workspace, actor, "missions.mission.deleted", mission
        )
        from ambassade.community.models import Activity

        Activity.objects.filter(
            workspace_id=mission.workspace_id,
            source=ACTIVITY_SOURCE,
            source_id__in=list(mission.completions.values_list("pk", flat=True)),
        ).delete()
        mission.delete()


# --- who a mission is for -------------------------------------------------------------------------


def assigned_members(mission: Mission) -> QuerySet[Member]:
    """The members the mission is for, now (staff of the brand never)."""
    members = Member.objects.filter(workspace_id=mission.workspace_id, staff=False)
    if mission.audience == Mission.Audience.AMBASSADORS:
        return members.filter(ambassador=True)
    if mission.audience == Mission.Audience.SEGMENT:
        if mission.segment is None:
            return members.none()
        try:
            return segment_members(mission.segment).filter(staff=False)
        except SegmentError:
            return members.none()
    return _assignee_members(mission).filter(staff=False)


def _assignee_members(mission: Mission) -> QuerySet[Member]:
    return Member.objects.filter(
        pk__in=Assignee.objects.filter(mission=mission).values_list(
            "identity__member_id", flat=True
        )
    )


def assigned(mission: Mission, member_ids: Iterable[int]) -> set[int]:
    """Which of ``member_ids`` the mission is for."""
    ids = list(set(member_ids))
    if not ids:
        return set()
    return set(assigned_members(mission).filter(pk__in=ids).values_list("pk", flat=True))


def done_by(mission_ids: Iterable[int], member_ids: Iterable[int]) -> set[tuple[int, int]]:
    """``(mission, member)`` pairs already completed (by any of the member's identities)."""
    return set(
        Completion.objects.filter(
            mission_id__in=list(mission_ids), identity__member_id__in=list(member_ids)
        ).values_list("mission_id", "identity__member_id")
    )


# --- completing -----------------------------------------------------------------------------------


def complete(
    mission: Mission,
    identity: Identity,
    *,
    at: datetime,
    evidence: str,
    detail: str = "",
    mention: Mention | None = None,
    note: str = "",
    marked_by: Any = None,
) -> Completion | None:
    """The identity's member did the mission: one completion (None when the member had done it
    already), and a ``mission`` activity on their timeline."""
    if Completion.objects.filter(mission=mission, identity__member_id=identity.member_id).exists():
        return None
    completion = Completion(
        workspace_id=mission.workspace_id,
        mission=mission,
        identity=identity,
        mention=mention,
        evidence=evidence[:40],
        detail=detail[:500],
        note=note[:2000],
        marked_by=marked_by if getattr(marked_by, "is_authenticated", False) else None,
        points=mission.points,
        completed_at=at,
    )
    try:
        with transaction.atomic():
            completion.save()
    except IntegrityError:
        return None
    activities.record(identity, "mission", at, ACTIVITY_SOURCE, completion.pk)
    return completion


def mark_done(mission: Mission, member: Member, actor: Any, note: str = "") -> Completion:
    """Someone of the team says the member did it (seen elsewhere, done offline…)."""
    if member.workspace_id != mission.workspace_id:
        raise MissionError("member", coded("mission.unknown_member"))
    if member.staff:
        raise MissionError("member", coded("mission.staff"))
    identity = member.identities.order_by("-max_followers", "id").first()
    if identity is None:
        raise MissionError("member", coded("mission.no_account"))
    with transaction.atomic():
        completion = complete(
            mission,
            identity,
            at=timezone.now(),
            evidence="mission.manual",
            note=note.strip(),
            marked_by=actor,
        )
        if completion is None:
            raise MissionError("member", coded("mission.already_done"))
        workspace_services.record_audit(
            mission.workspace,
            actor,
            "missions.completion.marked",
            mission,
            details={"member": member.pk},
        )
    return completion


def undo(completion: Completion, actor: Any) -> None:
    """Not done after all: the completion and its timeline entry go (the points with them)."""
    from ambassade.community.models import Activity

    with transaction.atomic():
        Activity.objects.filter(
            workspace_id=completion.workspace_id, source=ACTIVITY_SOURCE, source_id=completion.pk
        ).delete()
        workspace_services.record_audit(
            completion.mission.workspace,
            actor,
            "missions.completion.undone",
            completion.mission,
            details={"member": completion.identity.member_id},
        )
        completion.delete()


# --- matching the listening stream ----------------------------------------------------------------

_FIELDS = (
    "id",
    "workspace_id",
    "network",
    "kind",
    "url",
    "text",
    "html",
    "author_handle",
    "parent_external_id",
    "thread_external_id",
    "quoted_external_id",
    "created_at",
    "deleted_at",
)


def _claim(workspace_id: int, now: datetime) -> bool:
    free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER)
    return bool(Cursor.objects.filter(free, workspace_id=workspace_id).update(heartbeat_at=now))


def match_new(
    workspace_id: int,
    *,
    batch: int = BATCH,
    progress: Callable[[Cursor], None] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> int | None:
    """Complete the missions the workspace's mentions stored since the last run complete. Returns
    how many completions were made, or None when another worker holds the workspace's cursor."""
    if not Cursor.objects.filter(workspace_id=workspace_id).exists():
        return 0  # no mission was ever made here
    if not _claim(workspace_id, now()):
        return None
    made = 0
    try:
        while True:
            with transaction.atomic():
                cursor, found, more = _match_batch(workspace_id, batch)
                cursor.heartbeat_at = now()
                cursor.save(update_fields=["last_mention_id", "heartbeat_at"])
            made += found
            if progress is not None:
                progress(cursor)
            if not more:
                break
    finally:
        Cursor.objects.filter(workspace_id=workspace_id).update(heartbeat_at=None)
    return made


# --- a mission's scan of the mentions stored before ---------------------------------------------


def scannable(now: datetime | None = None) -> list[int]:
    """Missions whose scan is not over and not held by a live worker."""
    now = now or timezone.now()
    free = Q(scan_heartbeat_at__isnull=True) | Q(scan_heartbeat_at__lt=now - STALE_AFTER)
    return list(
        Mission.objects.filter(free, scan_version__gt=0, scan_done_at__isnull=True).values_list(
            "id", flat=True
        )[:100]
    )


def _scan_range(mission: Mission) -> QuerySet[Mention]:
    assert mission.scan_until_id is not None
    return Mention.objects.filter(
        workspace_id=mission.workspace_id,
        id__lte=mission.scan_until_id,
        created_at__gte=mission.starts_at,
        created_at__lt=mission.ends_at,
    )


def _claim_scan(mission_id: int, now: datetime) -> int | None:
    """Take the mission's scan (a conditional UPDATE: of two workers, one wins); its version. The
    first worker fixes where it ends: the newest mention now, so that the mentions the cursor
    read before the mission existed are the scan's (the task runs after the mission's commit)."""
    free = Q(scan_heartbeat_at__isnull=True) | Q(scan_heartbeat_at__lt=now - STALE_AFTER)
    if not Mission.objects.filter(
        free, pk=mission_id, scan_version__gt=0, scan_done_at__isnull=True
    ).update(scan_heartbeat_at=now):
        return None
    with transaction.atomic():
        mission = Mission.objects.select_for_update(of=("self",)).filter(pk=mission_id).first()
        if mission is None:
            return None
        if mission.scan_until_id is None:
            mission.scan_until_id = _latest_mention_id(mission.workspace_id)
            mission.scan_total = _scan_range(mission).count()
            mission.save(update_fields=["scan_until_id", "scan_total"])
        return mission.scan_version


def scan(
    mission_id: int,
    *,
    batch: int = BATCH,
    progress: Callable[[Mission], None] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> Mission | None:
    """Complete the mission from the mentions stored before it (from its start to the newest when
    the scan began), in batches through the same matching as the stream's, each batch in one
    transaction that moves the scan forward: a killed worker loses one batch at most, and
    :func:`scannable` finds the scan again. Returns the mission as it ended, or None when another
    worker holds the scan, it is over, or the mission changed meanwhile (the new scan takes over)."""
    version = _claim_scan(mission_id, now())
    if version is None:
        return None
    while True:
        with transaction.atomic():
            current = _scan_batch(mission_id, version, batch, now())
        if current is None:
            return None
        if progress is not None:
            progress(current)
        if current.scan_done_at is not None:
            return current


def _scan_batch(mission_id: int, version: int, batch: int, now: datetime) -> Mission | None:
    mission = (
        Mission.objects.select_for_update(of=("self",))
        .select_related("segment")
        .filter(pk=mission_id)
        .first()
    )
    if mission is None or mission.scan_version != version:
        return None
    mentions = list(
        _scan_range(mission)
        .filter(id__gt=mission.scan_last_id)
        .order_by("id")
        .only(*_FIELDS)[:batch]
    )
    if mentions:
        _complete_from([mission], mentions)
        mission.scan_last_id = mentions[-1].pk
        mission.scanned += len(mentions)
    if len(mentions) < batch:
        mission.scan_done_at = now
    mission.scan_heartbeat_at = now
    mission.scan_total = max(mission.scan_total, mission.scanned)
    mission.save(
        update_fields=[
            "scan_last_id",
            "scanned",
            "scan_total",
            "scan_heartbeat_at",
            "scan_done_at",
        ]
    )
    return mission


def _match_batch(workspace_id: int, batch: int) -> tuple[Cursor, int, bool]:
    cursor = Cursor.objects.select_for_update().get(workspace_id=workspace_id)
    mentions = list(
        Mention.objects.filter(workspace_id=workspace_id, id__gt=cursor.last_mention_id)
        .order_by("id")
        .only(*_FIELDS)[:batch]
    )
    if not mentions:
        return cursor, 0, False
    cursor.last_mention_id = mentions[-1].pk
    earliest = min(m.created_at for m in mentions)
    latest = max(m.created_at for m in mentions)
    missions = list(
        Mission.objects.filter(
            workspace_id=workspace_id, starts_at__lte=latest, ends_at__gt=earliest
        ).select_related("segment")
    )
    found = _complete_from(missions, mentions) if missions else 0
    return cursor, found, len(mentions) == batch


def _short_links(mentions: Sequence[Mention]) -> dict[str, str]:
    """The brand's own short links (``BASE_URL/l/<code>``) the messages carry, to their targets."""
    from ambassade.publishing.models import ShortLink

    base = normalise_url(settings.BASE_URL).rstrip("/") + "/l/"
    codes: dict[str, str] = {}
    for mention in mentions:
        for link in links_in(mention.text, mention.html):
            normal = normalise_url(link)
            if normal.startswith(base):
                codes[normal[len(base) :].split("/")[0]] = link
    if not codes:
        return {}
    return {
        codes[code]: target
        for code, target in ShortLink.objects.filter(code__in=list(codes)).values_list(
            "code", "target"
        )
    }


def _authors(workspace_id: int, mentions: Sequence[Mention]) -> dict[int, Identity]:
    """The identity (with its member) of each mention's author, recording authors the community
    has not recorded yet (it does after each ingest; this task may run first)."""
    rows = Appearance.objects.filter(mention__in=mentions).select_related("identity__member")
    found = {a.mention_id: a.identity for a in rows}
    missing = [m.pk for m in mentions if m.pk not in found and m.author_handle]
    if missing:
        from ambassade.community.services import record_authors

        workspace = Workspace.objects.get(pk=workspace_id)
        record_authors(workspace, list(Mention.objects.filter(pk__in=missing)))
        rows = Appearance.objects.filter(mention_id__in=missing).select_related("identity__member")
        found.update({a.mention_id: a.identity for a in rows})
    return found


def _complete_from(missions: list[Mission], mentions: list[Mention]) -> int:
    mentions = [m for m in mentions if m.deleted_at is None and m.author_handle]
    if not mentions:
        return 0
    by_key = {str(m.pk): m for m in missions}
    products: dict[int, tuple[str, ...]] = {}
    if any(m.kind == Mission.Kind.REVIEW for m in missions):
        for mention_id, product_id in ProductMention.objects.filter(
            mention__in=mentions
        ).values_list("mention_id", "product_id"):
            products[mention_id] = (*products.get(mention_id, ()), str(product_id))
    matcher = MissionMatcher(
        [
            Target(
                str(m.pk),
                m.kind,
                url=m.target_url,
                post_id=m.target_external_id,
                product=str(m.product_id or ""),
                hashtag=m.hashtag,
            )
            for m in missions
        ],
        short_links=_short_links(mentions),
    )
    candidates: list[tuple[Mission, Mention, str, str]] = []
    for mention in mentions:
        post = Post(
            mention.text,
            html=mention.html,
            url=mention.url,
            kind=mention.kind,
            parent_id=mention.parent_external_id,
            thread_id=mention.thread_external_id,
            quoted_id=mention.quoted_external_id,
            products=products.get(mention.pk, ()),
        )
        for match in matcher.match(post):
            mission = by_key[match.mission]
            if not mission.starts_at <= mention.created_at < mission.ends_at:
                continue
            if (
                match.evidence in {"mission.replied", "mission.quoted"}
                and mission.target_network
                and mention.network != mission.target_network
            ):
                continue  # an id of another network that happens to be the same
            candidates.append((mission, mention, match.evidence, match.detail))
    if not candidates:
        return 0
    authors = _authors(mentions[0].workspace_id, [c[1] for c in candidates])
    member_ids = {identity.member_id for identity in authors.values()}
    allowed = {mission.pk: assigned(mission, member_ids) for mission in {c[0] for c in candidates}}
    done = done_by(allowed, member_ids)
    made = 0
    by_mission: dict[Mission, list[Identity]] = {}
    for mission, mention, evidence, detail in candidates:
        identity = authors.get(mention.pk)
        if identity is None or identity.member_id not in allowed[mission.pk]:
            continue
        if (mission.pk, identity.member_id) in done:
            continue
        done.add((mission.pk, identity.member_id))
        if complete(
            mission,
            identity,
            at=mention.created_at,
            evidence=evidence,
            detail=detail,
            mention=mention,
        ):
            made += 1
            by_mission.setdefault(mission, []).append(identity)
    for mission, identities in by_mission.items():
        notify_completed(mission, identities)
    return made


def notify_completed(mission: Mission, identities: Sequence[Identity]) -> int:
    """Tell the mission's author (else the workspace's owners and managers) in their notification
    centre that members completed it from the stream: one line per mission and batch, a coded
    message worded in the reader's language. Returns how many people were told."""
    from django.apps import apps

    if not identities or not apps.is_installed("ambassade.crisis"):
        return 0
    from django.urls import reverse

    from ambassade.crisis import services as crisis
    from ambassade.workspaces.models import Membership

    workspace = mission.workspace
    people = [mission.created_by_id] if mission.created_by_id else []
    if not Membership.objects.filter(
        workspace=workspace, user_id__in=people, user__is_active=True
    ).exists():
        people = list(
            Membership.objects.filter(
                workspace=workspace, role__in=("owner", "manager")
            ).values_list("user_id", flat=True)
        )
    first = identities[0]
    name = first.member.display_name or f"@{first.handle}"
    if len(identities) == 1:
        title = coded("mission.completed", member=name, mission=mission.title)
    else:
        title = coded(
            "mission.completed_many",
            member=name,
            count=len(identities),
            mission=mission.title,
        )
    return crisis.notify_people(
        workspace,
        people,
        title,
        severity="low",
        link=reverse("missions:mission", args=[workspace.slug, mission.pk]),
    )


def on_ingest(workspace: Workspace, mentions: Sequence[Mention]) -> None:
    """Listening's routing receiver: queue the matching when the workspace has missions open."""
    dated = [m.created_at for m in mentions if m.created_at is not None]
    if (
        not dated
        or not Mission.objects.filter(
            workspace=workspace, starts_at__lte=max(dated), ends_at__gt=min(dated)
        ).exists()
    ):
        return
    from ambassade.missions import tasks

    tasks.match_workspace(workspace.pk)


def workspaces_to_match() -> list[int]:
    """Workspaces whose cursor is behind their newest mention and not held by a live worker."""
    now = timezone.now()
    free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER)
    found = []
    for workspace_id, last in Cursor.objects.filter(free).values_list(
        "workspace_id", "last_mention_id"
    ):
        if Mention.objects.filter(workspace_id=workspace_id, id__gt=last).exists():
            found.append(workspace_id)
    return found
