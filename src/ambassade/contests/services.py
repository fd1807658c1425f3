"""The contests' writes (docs/contests.md, "Contests in Ambassade"), one module per concern:

- here, :func:`create_contest`, :func:`update_contest` — a person's edits, audited. Making a contest
  draws its secret seed (encrypted with the vault's keys) and fixes its commitment;
- :mod:`ambassade.contests.entries` — the entries: the rules a message must meet, the periodic
  collection from the stored mentions, and the public form;
- :mod:`ambassade.contests.drawing` — the close (freezing the list), the draw and telling the
  winners.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ambassade.community.models import Identity, Segment
from ambassade.contests.models import Collection, Contest, Exclusion, SegmentRule
from ambassade.engine.draw import commitment, new_seed
from ambassade.listening.models import Mention
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces import vault
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace

__all__ = [
    "ALWAYS_EDITABLE",
    "BEFORE_OPENING",
    "REASONS",
    "ContestError",
    "create_contest",
    "excluded_members",
    "new_code",
    "resolve_post",
    "seed_of",
    "segments_repairable",
    "set_exclusions",
    "set_segment_rules",
    "update_contest",
]

#: Letters of entry codes: no 0/O, 1/I/L, so that a code read aloud or copied by hand survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

#: Why an entry does not count (worded in contests/messages.py as ``contest.excluded.<reason>``).
REASONS = (
    "staff",
    "brand_account",
    "new_account",
    "spam",
    "excluded_member",
    "not_in_segment",
    "in_segment",
    "duplicate",
)

#: What a person may change once the contest is open: the entry rules and dates are then fixed.
ALWAYS_EDITABLE = (
    "name",
    "organiser",
    "prize",
    "description",
    "rules_text",
    "notify_en",
    "notify_fr",
)
BEFORE_OPENING = (
    "starts_at",
    "closes_at",
    "winners",
    "reserves",
    "post_external_id",
    "post_network",
    "hashtag",
    "friend_mention",
    "form_entry",
    "exclude_staff",
    "exclude_new_accounts",
    "exclude_bots",
)


class ContestError(Exception):
    """The action cannot be done now; ``message`` is a coded message for the person."""

    def __init__(self, message: StoredMessage) -> None:
        super().__init__(message.text or message.code)
        self.message = message


# --- making and editing ---------------------------------------------------------------------------


def _seal(seed: bytes) -> bytes:
    return vault.encrypt({"seed": seed.hex()})


def seed_of(contest: Contest) -> bytes:
    return bytes.fromhex(vault.decrypt(bytes(contest.seed_ciphertext)).reveal()["seed"])


def create_contest(
    workspace: Workspace, actor: Any, *, now: datetime | None = None, **fields: Any
) -> Contest:
    """Make a contest; its seed is drawn now and only its commitment is ever shown before the draw
    (``now``: when it was made, for the demo). ``only_segment`` and ``exclude_segments`` (saved
    segments of the workspace) say who may win (:func:`set_segment_rules`)."""
    only = fields.pop("only_segment", None)
    exclude = list(fields.pop("exclude_segments", None) or [])
    _check(fields)
    wanted = _wanted_rules(workspace.pk, only, exclude)
    seed = new_seed()
    contest = Contest(
        workspace=workspace,
        token=secrets.token_urlsafe(32),
        seed_ciphertext=_seal(seed),
        commitment=commitment(seed),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now or timezone.now(),
        **{
            name: value
            for name, value in fields.items()
            if name in ALWAYS_EDITABLE + BEFORE_OPENING
        },
    )
    with transaction.atomic():
        contest.save()
        Collection.objects.create(workspace=workspace, contest=contest)
        _save_rules(contest, wanted)
        workspace_services.record_audit(
            workspace,
            actor,
            "contests.contest.created",
            contest,
            details={"commitment": contest.commitment, "segments": _audit_rules(wanted)},
        )
    return contest


def _check(fields: dict[str, Any]) -> None:
    starts, closes = fields.get("starts_at"), fields.get("closes_at")
    if starts is not None and closes is not None and closes <= starts:
        raise ContestError(coded("contest.closes_before_opening"))
    social = fields.get("post_external_id") or fields.get("hashtag") or fields.get("friend_mention")
    if not social and not fields.get("form_entry"):
        raise ContestError(coded("contest.no_way_to_enter"))


def update_contest(contest: Contest, actor: Any, **fields: Any) -> list[str]:
    """Change what may still change; returns the names of the fields changed. The entry rules, the
    dates and the number of winners are fixed once the contest opens; nothing changes after the
    draw. ``only_segment`` / ``exclude_segments``, when given, are the segment rules (fixed once
    open, like the other rules)."""
    phase = contest.phase()
    if phase == Contest.Phase.DRAWN:
        raise ContestError(coded("contest.already_drawn"))
    wanted: set[tuple[str, int]] | None = None
    if "only_segment" in fields or "exclude_segments" in fields:
        only = fields.pop("only_segment", None)
        exclude = list(fields.pop("exclude_segments", None) or [])
        wanted = _wanted_rules(contest.workspace_id, only, exclude)
        if wanted == _current_rules(contest):
            wanted = None
        elif phase != Contest.Phase.UPCOMING and not segments_repairable(contest):
            raise ContestError(coded("contest.rules_fixed"))
    editable = ALWAYS_EDITABLE + (BEFORE_OPENING if phase == Contest.Phase.UPCOMING else ())
    changed = [
        name for name in editable if name in fields and getattr(contest, name) != fields[name]
    ]
    merged = {name: fields.get(name, getattr(contest, name)) for name in BEFORE_OPENING}
    _check(merged)
    refused = [
        name
        for name in BEFORE_OPENING
        if name in fields and name not in editable and getattr(contest, name) != fields[name]
    ]
    if refused:
        raise ContestError(coded("contest.rules_fixed"))
    if not changed and wanted is None:
        return []
    for name in changed:
        setattr(contest, name, fields[name])
    contest.updated_at = timezone.now()
    with transaction.atomic():
        contest.save(update_fields=[*changed, "updated_at"])
        if wanted is not None:
            set_segment_rules(contest, actor, wanted)
            changed.append("segments")
        workspace_services.record_audit(
            contest.workspace,
            actor,
            "contests.contest.updated",
            contest,
            details={"fields": changed},
        )
    return changed


def set_exclusions(contest: Contest, actor: Any, identity_ids: Iterable[int]) -> None:
    """Leave the people of these accounts (of the contest's workspace) out, and only them."""
    wanted = set(
        Identity.objects.filter(
            workspace_id=contest.workspace_id, id__in=list(identity_ids)
        ).values_list("id", flat=True)
    )
    with transaction.atomic():
        # The contest's row: a freeze running meanwhile sees the exclusions before or after.
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.frozen_at:
            raise ContestError(coded("contest.already_frozen"))
        current = set(contest.exclusions.values_list("identity_id", flat=True))
        contest.exclusions.filter(identity_id__in=current - wanted).delete()
        Exclusion.objects.bulk_create(
            [
                Exclusion(workspace_id=contest.workspace_id, contest=contest, identity_id=pk)
                for pk in sorted(wanted - current)
            ]
        )
        workspace_services.record_audit(
            contest.workspace,
            actor,
            "contests.contest.exclusions",
            contest,
            details={"identities": sorted(wanted)},
        )


# --- segments: who may win -----------------------------------------------------------------------


def _wanted_rules(
    workspace_id: int, only: Segment | None, exclude: Iterable[Segment]
) -> set[tuple[str, int]]:
    """``{(rule, segment id)}`` from the form's choices, checked: segments of this workspace, none
    both the only one and excluded."""
    wanted = {(SegmentRule.Rule.EXCLUDE.value, segment.pk) for segment in exclude}
    if only is not None:
        if (SegmentRule.Rule.EXCLUDE.value, only.pk) in wanted:
            raise ContestError(coded("contest.segment_both", segment=only.name))
        wanted.add((SegmentRule.Rule.ONLY.value, only.pk))
    chosen = {pk for _rule, pk in wanted}
    known = set(
        Segment.objects.filter(workspace_id=workspace_id, pk__in=chosen).values_list(
            "pk", flat=True
        )
    )
    if chosen - known:
        raise ContestError(coded("contest.segment_unknown"))
    return wanted


def _current_rules(contest: Contest) -> set[tuple[str, int]]:
    return {
        (rule, pk)
        for rule, pk in contest.segment_rules.values_list("rule", "segment_id")
        if pk is not None
    } | {
        (rule, -pk)  # a rule whose segment was deleted: never equal to a choice
        for rule, pk in contest.segment_rules.filter(segment__isnull=True).values_list("rule", "pk")
    }


def _save_rules(contest: Contest, wanted: set[tuple[str, int]]) -> None:
    contest.segment_rules.all().delete()
    names = dict(
        Segment.objects.filter(pk__in=[pk for _rule, pk in wanted]).values_list("pk", "name")
    )
    SegmentRule.objects.bulk_create(
        [
            SegmentRule(
                workspace_id=contest.workspace_id,
                contest=contest,
                segment_id=pk,
                rule=rule,
                name=names[pk],
            )
            for rule, pk in sorted(wanted)
        ]
    )


def segments_repairable(contest: Contest) -> bool:
    """Whether the segment rules may change although the contest is open: a segment it names was
    deleted, so it could never be frozen otherwise (until the freeze only)."""
    return contest.frozen_at is None and contest.segment_rules.filter(segment__isnull=True).exists()


def _audit_rules(wanted: set[tuple[str, int]]) -> list[list[Any]]:
    return [[rule, pk] for rule, pk in sorted(wanted)]


def set_segment_rules(contest: Contest, actor: Any, wanted: set[tuple[str, int]]) -> None:
    """Make ``wanted`` (``{(rule, segment id)}``, checked by :func:`_wanted_rules`) the contest's
    segment rules, before it opens."""
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.phase() != Contest.Phase.UPCOMING and not segments_repairable(locked):
            raise ContestError(coded("contest.rules_fixed"))
        _save_rules(locked, wanted)
        workspace_services.record_audit(
            contest.workspace,
            actor,
            "contests.contest.segments",
            contest,
            details={"segments": _audit_rules(wanted)},
        )


def excluded_members(contest: Contest) -> set[int]:
    """The members the organiser left out, as they are now (after merges)."""
    return set(contest.exclusions.values_list("identity__member_id", flat=True))


def resolve_post(workspace: Workspace, text: str) -> tuple[str, str] | None:
    """``(id on the network, network)`` of the post written as ``text``: the address of a post the
    workspace published or of a mention it heard; text that is not an address is taken as the id
    (any network). None for an address the workspace does not know."""
    from ambassade.publishing.models import Variant

    text = text.strip()[:500]
    if not text.lower().startswith(("http://", "https://")):
        return (text[:255], "")
    variant = (
        Variant.objects.filter(workspace=workspace, remote_url=text)
        .exclude(remote_id="")
        .select_related("connection")
        .first()
    )
    if variant is not None:
        return (variant.remote_id[:255], variant.connection.network)
    mention = Mention.objects.filter(workspace=workspace, url=text).first()
    if mention is not None:
        return (mention.external_id, mention.network)
    return None


def new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = f"{code[:4]}-{code[4:]}"
        if code not in taken:
            taken.add(code)
            return code
