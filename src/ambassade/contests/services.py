"""Every write of the contests app (docs/contests.md, "Contests in Ambassade").

- :func:`create_contest`, :func:`update_contest` — a person's edits, audited. Making a contest
  draws its secret seed (encrypted with the vault's keys) and fixes its commitment.
- :func:`collect` — the periodic collection of entries from the stored mentions, in batches, each
  in one transaction that also stores how far it went: a killed worker loses at most one batch,
  and the next run (any worker) goes on from there.
- :func:`enter_by_form` — an entry typed in the public form.
- :func:`freeze` — after the close: a last collection, one entry per person (merged identities
  count once), the exclusions checked again, and the list's hash fixed.
- :func:`draw` — the winners from the seed and the frozen list (``ambassade.engine.draw``); the
  seed is published with them.
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ambassade.community import activities
from ambassade.community.models import Appearance, Identity, Member, normalise_handle
from ambassade.contests.models import Collection, Contest, Entry, Exclusion
from ambassade.engine.draw import Draw, commitment, entries_sha256, new_seed
from ambassade.engine.query import Document, Matcher
from ambassade.listening.models import Mention
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces import vault
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection, Workspace

__all__ = [
    "BATCH",
    "STALE_AFTER",
    "ContestError",
    "collect",
    "create_contest",
    "draw",
    "enter_by_form",
    "freeze",
    "published",
    "update_contest",
]

log = logging.getLogger(__name__)

#: Mentions read per transaction by :func:`collect`.
BATCH = 500
#: A collection whose heartbeat is older than this belongs to a stopped worker: another takes it.
STALE_AFTER = timedelta(minutes=2)
#: Letters of entry codes: no 0/O, 1/I/L, so that a code read aloud or copied by hand survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

#: Why an entry does not count (worded in contests/messages.py as ``contest.excluded.<reason>``).
REASONS = ("staff", "brand_account", "new_account", "spam", "excluded_member", "duplicate")

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


def _seed_of(contest: Contest) -> bytes:
    return bytes.fromhex(vault.decrypt(bytes(contest.seed_ciphertext)).reveal()["seed"])


def create_contest(
    workspace: Workspace, actor: Any, *, now: datetime | None = None, **fields: Any
) -> Contest:
    """Make a contest; its seed is drawn now and only its commitment is ever shown before the draw
    (``now``: when it was made, for the demo)."""
    _check(fields)
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
        workspace_services.record_audit(
            workspace,
            actor,
            "contests.contest.created",
            contest,
            details={"commitment": contest.commitment},
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
    draw."""
    phase = contest.phase()
    if phase == Contest.Phase.DRAWN:
        raise ContestError(coded("contest.already_drawn"))
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
    if not changed:
        return []
    for name in changed:
        setattr(contest, name, fields[name])
    contest.updated_at = timezone.now()
    with transaction.atomic():
        contest.save(update_fields=[*changed, "updated_at"])
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


def _new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = f"{code[:4]}-{code[4:]}"
        if code not in taken:
            taken.add(code)
            return code


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
            code=_new_code(taken),
            via=Entry.Via.MESSAGE,
            identity=identity,
            mention=mention,
            network=mention.network,
            handle=identity.handle,
            lang=(mention.lang or "")[:8],
            entered_at=mention.created_at,
        )
        entry.excluded = _exclusion(contest, rules, entry, identity.member, mention, left_out)
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


def _exclusion(
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
            code=_new_code(taken),
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
        _recheck(contest)
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
            details={"entries": len(codes), "entries_sha256": contest.entries_sha256},
        )
    return contest


def _recheck(contest: Contest) -> None:
    """Check every entry again at the close: members merged, marked staff or left out since."""
    rules = Rules.of(contest)
    left_out = excluded_members(contest)
    entries = list(
        Entry.objects.filter(contest=contest)
        .select_related("identity__member", "mention")
        .order_by("entered_at", "id")
    )
    seen_members: dict[int, int] = {}
    changed: list[Entry] = []
    for entry in entries:
        if entry.excluded and entry.excluded != "duplicate":
            continue
        reason = _exclusion(contest, rules, entry, entry.member, entry.mention, left_out)
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
            seed = _seed_of(locked)
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
        contest=contest.name,
        committed_at=contest.created_at.isoformat(timespec="seconds"),
        closed_at=contest.closes_at.isoformat(timespec="seconds"),
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
