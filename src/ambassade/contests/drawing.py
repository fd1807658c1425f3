"""The close and the draw of a contest: :func:`freeze` after the close (a last collection, one entry
per person — merged identities count once —, the exclusions checked again, the list's hash fixed),
:func:`draw` (the winners from the seed and the frozen list, ``ambassade.engine.draw``; the seed is
published with them), and telling the winners."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from ambassade.community.models import Identity, Member
from ambassade.community.segments import SegmentError, definition_of, members_matching
from ambassade.contests.entries import Rules, collect, exclusion
from ambassade.contests.models import Contest, Entry, SegmentRule
from ambassade.contests.services import ContestError, excluded_members, seed_of
from ambassade.engine.draw import Draw, Eligibility, commitment, entries_sha256
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces import vault
from ambassade.workspaces.messages import coded

__all__ = [
    "collectable",
    "draw",
    "fill",
    "freezable",
    "freeze",
    "notification",
    "notify_by_email",
    "public_url",
    "published",
    "segment_problem",
    "unknown_variables",
    "winners",
]

log = logging.getLogger(__name__)


# --- the close ------------------------------------------------------------------------------------


def collectable(now: datetime | None = None) -> list[int]:
    """Open contests whose entries come from the networks: collected every minute."""
    now = now or timezone.now()
    contests = Contest.objects.filter(frozen_at__isnull=True, starts_at__lte=now, closes_at__gt=now)
    social = Q(hashtag__gt="") | Q(post_external_id__gt="") | Q(friend_mention=True)
    return list(contests.filter(social).values_list("id", flat=True)[:100])


def freezable(now: datetime | None = None) -> list[int]:
    """Contests past their close whose entries are not frozen yet."""
    now = now or timezone.now()
    return list(
        Contest.objects.filter(frozen_at__isnull=True, closes_at__lte=now).values_list(
            "id", flat=True
        )[:100]
    )


def freeze(contest_id: int, *, now: datetime | None = None) -> Contest | None:
    """Freeze the entries of a closed contest: a last collection, the exclusions checked again, one
    entry per person (merged identities count once: the earliest entry stays), then the list's hash.
    Idempotent: a frozen contest is returned as it is. None while another worker collects."""
    now = now or timezone.now()
    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        return None
    if contest.frozen_at is not None:
        return contest
    if now < contest.closes_at:
        raise ContestError(coded("contest.not_closed"))
    if contest.social:
        state = collect(contest_id)
        if state is None:
            return None  # another worker is collecting; the next run freezes
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest_id)
        if contest.frozen_at is not None:
            return contest
        resolved = _resolve_segments(contest, now)
        _recheck(contest, resolved)
        for rule, _members in resolved:
            rule.save(update_fields=["name", "definition", "member_ids", "left_out", "resolved_at"])
        codes = list(
            Entry.objects.filter(contest=contest, excluded="").values_list("code", flat=True)
        )
        contest.entries_sha256 = entries_sha256(codes)
        contest.entry_count = len(codes)
        contest.frozen_at = now
        contest.save(update_fields=["entries_sha256", "entry_count", "frozen_at"])
        workspace_services.record_audit(
            contest.workspace,
            None,
            "contests.contest.frozen",
            contest,
            details={
                "entries": len(codes),
                "entries_sha256": contest.entries_sha256,
                "segments": [
                    [rule.rule, rule.name, len(rule.member_ids), len(rule.left_out)]
                    for rule, _members in resolved
                ],
            },
        )
    return contest


Resolved = list[tuple[SegmentRule, set[int]]]


def segment_problem(contest: Contest) -> Any:
    """Why the contest's segment rules cannot be resolved now (a coded message), or None: a
    segment deleted, or naming a custom field deleted since. The contest page says it while the
    contest waits to be frozen."""
    for rule in contest.segment_rules.select_related("segment"):
        try:
            _definition(rule)
        except ContestError as error:
            return error.message
    return None


def _definition(rule: SegmentRule) -> Any:
    if rule.segment is None:
        raise ContestError(coded("contest.segment_deleted", segment=rule.name))
    try:
        return definition_of(rule.segment)
    except SegmentError:
        raise ContestError(coded("contest.segment_broken", segment=rule.segment.name)) from None


def _resolve_segments(contest: Contest, now: datetime) -> Resolved:
    """Each segment rule with the members its segment holds now, copied onto the rule (name,
    definition, members) so that a later edit of the segment changes nothing. ContestError, and
    nothing frozen, when one cannot be resolved."""
    resolved: Resolved = []
    for rule in contest.segment_rules.select_related("segment").order_by("rule", "id"):
        definition = _definition(rule)
        assert rule.segment is not None
        members = set(
            members_matching(contest.workspace_id, definition, now).values_list("id", flat=True)
        )
        rule.name = rule.segment.name
        rule.definition = rule.segment.definition
        rule.member_ids = sorted(members)
        rule.left_out = []
        rule.resolved_at = now
        resolved.append((rule, members))
    return resolved


def _members_by_email(contest: Contest, entries: list[Entry]) -> dict[str, int]:
    """The member behind each form entry's address (their ``email`` account, else the address
    on their record): segments speak of members, a form entrant is matched by e-mail."""
    emails = {e.email for e in entries if e.identity_id is None and e.email}
    if not emails:
        return {}
    found = dict(
        Member.objects.filter(workspace_id=contest.workspace_id)
        .annotate(address=Lower("email"))
        .filter(address__in=emails)
        .order_by("-id")
        .values_list("address", "id")
    )
    found.update(
        Identity.objects.filter(
            workspace_id=contest.workspace_id, network="email", handle__in=emails
        ).values_list("handle", "member_id")
    )
    return found


def _segment_reason(person: int | None, resolved: Resolved) -> tuple[str, SegmentRule | None]:
    for rule, members in resolved:
        if rule.rule == SegmentRule.Rule.ONLY and person not in members:
            return "not_in_segment", rule
        if rule.rule == SegmentRule.Rule.EXCLUDE and person in members:
            return "in_segment", rule
    return "", None


def _recheck(contest: Contest, resolved: Resolved) -> None:
    """Check every entry again at the close: members merged, marked staff or left out since, and
    the segment rules (``resolved``: each rule's ``left_out`` gets the codes it kept out)."""
    rules = Rules.of(contest)
    left_out = excluded_members(contest)
    entries = list(
        Entry.objects.filter(contest=contest)
        .select_related("identity__member", "mention")
        .order_by("entered_at", "id")
    )
    by_email = _members_by_email(contest, entries) if resolved else {}
    seen_members: dict[int, int] = {}
    changed: list[Entry] = []
    for entry in entries:
        if entry.excluded and entry.excluded != "duplicate":
            continue
        reason = exclusion(contest, rules, entry, entry.member, entry.mention, left_out)
        if not reason and resolved:
            who = entry.member_id if entry.identity_id else by_email.get(entry.email)
            reason, by_rule = _segment_reason(who, resolved)
            if by_rule is not None:
                by_rule.left_out.append(entry.code)
        duplicate = None
        person = entry.member_id
        if not reason and person is not None:
            if person in seen_members:
                reason, duplicate = "duplicate", seen_members[person]
            else:
                seen_members[person] = entry.pk
        if reason != entry.excluded or duplicate != entry.duplicate_of_id:
            entry.excluded, entry.duplicate_of_id = reason, duplicate
            changed.append(entry)
    Entry.objects.bulk_update(changed, ["excluded", "duplicate_of"], batch_size=500)
    for rule, _members in resolved:
        rule.left_out = sorted(rule.left_out, key=lambda code: code.encode("utf-8"))


# --- the draw -------------------------------------------------------------------------------------


def draw(contest: Contest, actor: Any, *, now: datetime | None = None) -> Contest:
    """Draw the winners and reserves of a frozen contest, and publish its seed. Once only."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.drawn_at is not None:
            raise ContestError(coded("contest.already_drawn"))
        if locked.frozen_at is None:
            raise ContestError(coded("contest.not_frozen"))
        codes = list(
            Entry.objects.filter(contest=locked, excluded="").values_list("code", flat=True)
        )
        try:
            seed = seed_of(locked)
        except vault.VaultError:  # the key that encrypted it was removed from the settings
            raise ContestError(coded("contest.seed_unreadable")) from None
        if commitment(seed) != locked.commitment:  # the vault gave back another seed: refuse
            raise ContestError(coded("contest.seed_mismatch"))
        made = Draw.make(seed, codes, locked.winners, locked.reserves)
        if made.entries_sha256 != locked.entries_sha256:
            raise ContestError(coded("contest.entries_changed"))
        locked.seed_hex = made.seed
        locked.results = list(made.results)
        locked.drawn_at = now
        locked.save(update_fields=["seed_hex", "results", "drawn_at"])
        workspace_services.record_audit(
            locked.workspace,
            actor,
            "contests.contest.drawn",
            locked,
            details={"results": locked.results, "entries": len(codes)},
        )
    return locked


def published(contest: Contest) -> Draw | None:
    """The draw as published (the file ``ambassade verify-draw`` reads), once drawn."""
    if contest.drawn_at is None:
        return None
    codes = list(Entry.objects.filter(contest=contest, excluded="").values_list("code", flat=True))
    return Draw(
        commitment=contest.commitment,
        seed=contest.seed_hex,
        entries=tuple(sorted(codes, key=lambda code: code.encode("utf-8"))),
        entries_sha256=contest.entries_sha256,
        winners=contest.winners,
        reserves=contest.reserves,
        results=tuple(contest.results),
        eligibility=eligibility(contest),
        contest=contest.name,
        committed_at=contest.created_at.isoformat(timespec="seconds"),
        closed_at=contest.closes_at.isoformat(timespec="seconds"),
    )


def eligibility(contest: Contest) -> tuple[Eligibility, ...]:
    """The segment rules as they were fixed at the freeze, as the draw file publishes them: the
    segment's name and definition, how many members it held, the codes it left out (never who
    they are: the list is public)."""
    return tuple(
        Eligibility(
            rule=rule.rule,
            segment=rule.name,
            definition=dict(rule.definition),
            members=len(rule.member_ids),
            left_out=tuple(rule.left_out),
        )
        for rule in contest.segment_rules.filter(resolved_at__isnull=False).order_by("rule", "id")
    )


def winners(contest: Contest) -> list[tuple[int, Entry]]:
    """``(rank, entry)`` of each result, winners first (rank from 1)."""
    by_code = {
        e.code: e
        for e in Entry.objects.filter(contest=contest, code__in=contest.results).select_related(
            "identity__member", "mention"
        )
    }
    return [
        (rank, by_code[code]) for rank, code in enumerate(contest.results, 1) if code in by_code
    ]


# --- telling the winners --------------------------------------------------------------------------


def public_url(contest: Contest, name: str = "contests:public") -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.BASE_URL + reverse(name, kwargs={"contest_token": contest.token})


def notification(contest: Contest, entry: Entry) -> tuple[str, str]:
    """``(language, text)`` of the message telling ``entry`` it won, in the winner's language
    (French when their message or form was French, else English)."""
    from ambassade.contests.forms import DEFAULT_NOTIFY_EN, DEFAULT_NOTIFY_FR

    lang = "fr" if entry.lang.lower().startswith("fr") else "en"
    template = (
        (contest.notify_fr or DEFAULT_NOTIFY_FR)
        if lang == "fr"
        else (contest.notify_en or DEFAULT_NOTIFY_EN)
    )
    name = entry.name or (entry.member.display_name if entry.member else "") or entry.handle
    values = {
        "name": name,
        "prize": contest.prize,
        "contest": contest.name,
        "code": entry.code,
        "rules": public_url(contest, "contests:rules"),
    }
    return lang, fill(template, values)


_VARIABLE = re.compile(r"\{(\w*)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{variable}`` replaced (never ``str.format``: a template is typed by
    a person, and format would read attributes); an unknown one stays as written."""
    return _VARIABLE.sub(lambda found: values.get(found.group(1), found.group(0)), template)


def unknown_variables(template: str, known: Iterable[str]) -> list[str]:
    return sorted(set(_VARIABLE.findall(template)) - set(known))


def notify_by_email(contest: Contest, entry: Entry, actor: Any) -> bool:
    """E-mail the notification to a winner who entered by the form, once: True when sent now,
    False when it was sent already."""
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext

    if entry.contest_id != contest.pk or entry.code not in (contest.results or []):
        raise ContestError(coded("contest.not_a_winner"))
    if not entry.email:
        raise ContestError(coded("contest.no_email"))
    now = timezone.now()
    if not Entry.objects.filter(pk=entry.pk, notified_at__isnull=True).update(notified_at=now):
        return False
    lang, body = notification(contest, entry)
    with translation.override(lang):
        subject = gettext("You won: %(contest)s") % {"contest": contest.name}
    try:
        send_mail(subject, body, None, [entry.email])
    except Exception:
        Entry.objects.filter(pk=entry.pk).update(notified_at=None)
        raise
    workspace_services.record_audit(
        contest.workspace, actor, "contests.entry.notified", contest, details={"code": entry.code}
    )
    return True
