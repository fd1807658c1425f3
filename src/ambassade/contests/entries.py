"""The entries of a contest: the rules a message must meet (:class:`Rules`), their collection from
the stored mentions (:func:`collect`, in batches, each in one transaction that also stores how far
it went: a killed worker loses at most one batch, and the next run, any worker, goes on from there),
and an entry typed in the public form (:func:`enter_by_form`)."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ambassade.community import activities
from ambassade.community.models import Appearance, Identity, Member, normalise_handle
from ambassade.contests.models import Collection, Contest, Entry, EntryThrottle
from ambassade.contests.services import ContestError, excluded_members, new_code
from ambassade.engine.query import Document, Matcher
from ambassade.listening.models import Mention
from ambassade.workspaces import formthrottle
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Connection

__all__ = [
    "BATCH",
    "ENTRIES_PER_HOUR",
    "STALE_AFTER",
    "Rules",
    "collect",
    "enter_by_form",
    "exclusion",
    "mentioned_accounts",
    "normalise_email",
    "purge_throttles",
    "throttled",
]

log = logging.getLogger(__name__)

#: Mentions read per transaction by :func:`collect`.
BATCH = 500
#: A collection whose heartbeat is older than this belongs to a stopped worker: another takes it.
STALE_AFTER = timedelta(minutes=2)


# --- the rules a message must meet ------------------------------------------------------------------

# @handle, or @user@instance (Mastodon): the whole of it is one account.
_MENTION = re.compile(r"(?<![\w@/])@([\w][\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?)", re.UNICODE)


def _account(handle: str) -> str:
    """The account part of a handle, as mentions write it (``@ana@piaille.fr`` → ``ana``)."""
    return normalise_handle(handle).split("@", 1)[0].rstrip(".")


def mentioned_accounts(text: str) -> set[str]:
    return {_account(found) for found in _MENTION.findall(text or "")}


@dataclass
class Rules:
    """A contest's entry rules, compiled once for a collection."""

    contest: Contest
    matcher: Matcher | None
    brand_accounts: set[tuple[str, str]]

    @classmethod
    def of(cls, contest: Contest) -> Rules:
        tag = contest.hashtag.strip().lstrip("#")
        # The hashtag is matched as the listening query `#tag` is: case and accents aside.
        matcher = Matcher({"tag": "#" + tag}) if tag else None
        brand = {
            (network, _account(name))
            for network, name in Connection.objects.filter(
                workspace_id=contest.workspace_id
            ).values_list("network", "account_name")
        }
        return cls(contest, matcher, brand)

    def qualifies(self, mention: Mention) -> bool:
        """Whether the message meets every entry rule of the contest (exclusions aside)."""
        contest = self.contest
        if not contest.starts_at <= mention.created_at < contest.closes_at:
            return False
        if mention.deleted_at is not None or not mention.author_handle:
            return False
        if contest.post_external_id:
            if contest.post_network and mention.network != contest.post_network:
                return False
            if contest.post_external_id not in (
                mention.parent_external_id,
                mention.thread_external_id,
            ):
                return False
        if self.matcher is not None and not self.matcher.match(Document(text=mention.text)):
            return False
        if contest.friend_mention:
            author = _account(mention.author_handle)
            brand = {account for network, account in self.brand_accounts}
            if not mentioned_accounts(mention.text) - brand - {author}:
                return False
        return True

    def is_brand(self, network: str, handle: str) -> bool:
        return (network, _account(handle)) in self.brand_accounts


# --- collecting from the listening stream ---------------------------------------------------------


def _claim(contest_id: int, now: datetime) -> bool:
    free = Q(running=False) | Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True)
    return bool(
        Collection.objects.filter(free, contest_id=contest_id).update(
            running=True, heartbeat_at=now
        )
    )


def collect(
    contest_id: int,
    *,
    batch: int = BATCH,
    progress: Callable[[Collection], None] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> Collection | None:
    """Read the workspace's mentions stored since the last run and record the entries among them.
    Returns the collection as it ended, or None when another worker holds it (or the contest is
    frozen or gone)."""
    contest = Contest.objects.select_related("workspace").filter(pk=contest_id).first()
    if contest is None or contest.frozen_at is not None or not contest.social:
        return None
    Collection.objects.get_or_create(contest=contest, defaults={"workspace": contest.workspace})
    if not _claim(contest_id, now()):
        return None
    rules = Rules.of(contest)
    try:
        while True:
            with transaction.atomic():
                current, more = _collect_batch(contest, rules, batch, now())
            if progress is not None:
                progress(current)
            if not more:
                break
    except Exception as exc:
        log.exception("collection of contest %s failed", contest_id)
        Collection.objects.filter(contest_id=contest_id).update(
            running=False, error=str(exc)[:2000], finished_at=now()
        )
        return Collection.objects.filter(contest_id=contest_id).first()
    Collection.objects.filter(contest_id=contest_id).update(
        running=False, error="", finished_at=now()
    )
    return Collection.objects.filter(contest_id=contest_id).first()


_MENTION_FIELDS = (
    "id",
    "workspace_id",
    "network",
    "text",
    "lang",
    "author_handle",
    "parent_external_id",
    "thread_external_id",
    "created_at",
    "deleted_at",
    "spam",
    "marked_spam",
    "author_created_at",
)


def _collect_batch(
    contest: Contest, rules: Rules, batch: int, now: datetime
) -> tuple[Collection, bool]:
    state = Collection.objects.select_for_update().get(contest_id=contest.pk)
    mentions = list(
        Mention.objects.filter(workspace_id=contest.workspace_id, id__gt=state.last_mention_id)
        .order_by("id")
        .only(*_MENTION_FIELDS)[:batch]
    )
    if state.total == 0 or state.scanned == 0:
        state.total = (
            Mention.objects.filter(
                workspace_id=contest.workspace_id, id__gt=state.last_mention_id
            ).count()
            + state.scanned
        )
    found = [m for m in mentions if rules.qualifies(m)]
    if found:
        state.found += _record_entries(contest, rules, found)
    if mentions:
        state.last_mention_id = mentions[-1].pk
        state.scanned += len(mentions)
    state.total = max(state.total, state.scanned)
    state.heartbeat_at = now
    state.save()
    return state, len(mentions) == batch


def _members_of(contest: Contest, mentions: list[Mention]) -> dict[int, Identity]:
    """The identity (with its member) of each mention's author, recording authors not recorded yet
    (the community app records them after each ingest; a collection may run first)."""
    found = {
        a.mention_id: a.identity
        for a in Appearance.objects.filter(mention__in=mentions).select_related("identity__member")
    }
    missing = [m for m in mentions if m.pk not in found]
    if missing:
        from ambassade.community.services import record_authors

        full = list(Mention.objects.filter(pk__in=[m.pk for m in missing]))
        record_authors(contest.workspace, full)
        found.update(
            {
                a.mention_id: a.identity
                for a in Appearance.objects.filter(mention__in=missing).select_related(
                    "identity__member"
                )
            }
        )
    return found


def _record_entries(contest: Contest, rules: Rules, mentions: list[Mention]) -> int:
    identities = _members_of(contest, mentions)
    member_ids = {identity.member_id for identity in identities.values()}
    entered = set(
        Entry.objects.filter(contest=contest, identity__member_id__in=member_ids).values_list(
            "identity__member_id", flat=True
        )
    )
    taken = set(Entry.objects.filter(contest=contest).values_list("code", flat=True))
    left_out = excluded_members(contest)
    created = 0
    for mention in mentions:
        identity = identities.get(mention.pk)
        if identity is None or identity.member_id in entered:
            continue  # no author, or this person entered already (one entry each)
        entered.add(identity.member_id)
        entry = Entry(
            workspace_id=contest.workspace_id,
            contest=contest,
            code=new_code(taken),
            via=Entry.Via.MESSAGE,
            identity=identity,
            mention=mention,
            network=mention.network,
            handle=identity.handle,
            lang=(mention.lang or "")[:8],
            entered_at=mention.created_at,
        )
        entry.excluded = exclusion(contest, rules, entry, identity.member, mention, left_out)
        entry.save()
        created += 1
        if entry.excluded != "spam":
            # On the person's timeline, with the message they entered with.
            activities.record(
                identity,
                "contest_entry",
                mention.created_at,
                "contests.entry",
                entry.pk,
                mention=mention,
            )
    return created


def exclusion(
    contest: Contest,
    rules: Rules,
    entry: Entry,
    member: Member | None,
    mention: Mention | None,
    excluded_members: set[int],
) -> str:
    """Why ``entry`` does not count, or ""."""
    if contest.exclude_staff and entry.network and rules.is_brand(entry.network, entry.handle):
        return "brand_account"
    if contest.exclude_staff and member is not None and _is_staff(member):
        return "staff"
    if member is not None and member.pk in excluded_members:
        return "excluded_member"
    if contest.exclude_bots and mention is not None and mention.looks_spam:
        return "spam"
    if contest.exclude_new_accounts and mention is not None:
        made = mention.author_created_at
        if made is not None and made > contest.starts_at:
            return "new_account"
    return ""


def _is_staff(member: Member) -> bool:
    """A member marked as one of the brand's own people (``Member.staff``)."""
    return member.staff


# --- the public form ------------------------------------------------------------------------------

#: Entries one address may send to one contest's form in an hour (like an event's RSVPs).
ENTRIES_PER_HOUR = 10


def throttled(contest: Contest, address: str, *, now: datetime | None = None) -> bool:
    """Count one entry sent from ``address`` to ``contest``'s form; True when past
    :data:`ENTRIES_PER_HOUR` this hour (the form is refused)."""
    return formthrottle.hit(
        EntryThrottle, formthrottle.key(contest.pk, address), ENTRIES_PER_HOUR, now=now
    )


def purge_throttles(now: datetime | None = None) -> int:
    return formthrottle.purge(EntryThrottle, now)


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", (email or "").strip()).casefold()[:254]


def enter_by_form(
    contest: Contest, *, name: str, email: str, lang: str, now: datetime | None = None
) -> tuple[Entry, bool]:
    """Record an entry from the public form; ``(entry, created)``. One per e-mail address: the same
    address again gives back the first entry."""
    now = now or timezone.now()
    if not contest.form_entry:
        raise ContestError(coded("contest.no_form"))
    if contest.phase(now) != Contest.Phase.OPEN:
        raise ContestError(coded("contest.not_open"))
    address = normalise_email(email)
    for _attempt in range(3):
        existing = Entry.objects.filter(contest=contest, via=Entry.Via.FORM, email=address).first()
        if existing is not None:
            return existing, False
        taken = set(Entry.objects.filter(contest=contest).values_list("code", flat=True))
        entry = Entry(
            workspace_id=contest.workspace_id,
            contest=contest,
            code=new_code(taken),
            via=Entry.Via.FORM,
            name=name.strip()[:120],
            email=address,
            lang=lang[:8],
            entered_at=now,
        )
        try:
            with transaction.atomic():
                # The contest's row orders concurrent entries with the same address.
                Contest.objects.select_for_update().filter(pk=contest.pk).first()
                if Entry.objects.filter(
                    contest=contest, via=Entry.Via.FORM, email=address
                ).exists():
                    continue
                entry.save()
        except IntegrityError:
            continue  # the same code drawn by a concurrent entry: draw another
        return entry, True
    raise ContestError(coded("contest.busy"))
