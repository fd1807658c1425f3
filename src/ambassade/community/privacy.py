"""A member's personal data across every app: the RGPD export (JSON) and the erasure.

:func:`person_of` gathers what identifies the member: their accounts ``(network, handle)``, their
mentions, their conversations, their e-mail addresses and names. Each app exports and erases its
own part through its ``privacy`` module (``listening``, ``inbox``, ``replies``, ``moderation``,
``satisfaction``, ``bugreports``, ``crisis``, ``contests``, ``events``, ``mailing``,
``missions``, ``referrals``); this module
calls them in one transaction, then
deletes the member (identities, timeline, appearances, consents) and scrubs the audit log, which
keeps only one line saying that an erasure happened.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from ambassade.bugreports import privacy as bugreports_privacy
from ambassade.community.models import Activity, Appearance, Consent, Member
from ambassade.contests import privacy as contests_privacy
from ambassade.crisis import privacy as crisis_privacy
from ambassade.events import privacy as events_privacy
from ambassade.inbox import privacy as inbox_privacy
from ambassade.listening import privacy as listening_privacy
from ambassade.mailing import privacy as mailing_privacy
from ambassade.missions import privacy as missions_privacy
from ambassade.moderation import privacy as moderation_privacy
from ambassade.referrals import privacy as referrals_privacy
from ambassade.replies import privacy as replies_privacy
from ambassade.satisfaction import privacy as satisfaction_privacy
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import AuditEntry

__all__ = ["FORMAT", "Person", "erase_member", "export_member", "person_of"]

FORMAT = "ambassade.member-export"
ERASED = "—"


@dataclass
class Person:
    member: Member
    accounts: list[tuple[str, str]]
    mention_ids: list[int]
    conversation_ids: list[int]
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    @property
    def handles(self) -> set[str]:
        return {handle for _network, handle in self.accounts}

    @property
    def strings(self) -> set[str]:
        """What names them, for scrubbing free text (names of fewer than 4 characters left out:
        they would match other words)."""
        return {
            value.casefold()
            for value in (*self.handles, *self.emails, *self.names)
            if len(value) >= 4 or value in self.handles
        }


def person_of(member: Member) -> Person:
    identities = list(member.identities.all())
    accounts = [(identity.network, identity.handle) for identity in identities]
    mention_ids = list(
        Appearance.objects.filter(identity__member=member).values_list("mention_id", flat=True)
    )
    conversations = inbox_privacy.conversations_of(member.workspace, accounts, mention_ids)
    emails = {member.email.casefold()} if member.email else set()
    emails |= {
        e.casefold() for e in member.consents.exclude(email="").values_list("email", flat=True)
    }
    emails |= {handle for network, handle in accounts if network == "email"}
    names = {identity.name for identity in identities if identity.name.strip()}
    if member.display_name and not member.display_name.startswith("@"):
        names.add(member.display_name)
    return Person(member, accounts, mention_ids, conversations, emails, names)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _field_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def export_member(member: Member, actor: Any) -> dict[str, Any]:
    """Everything Ambassade holds about ``member``, app by app (audited, without their name)."""
    person = person_of(member)
    workspace = member.workspace
    data = {
        "format": FORMAT,
        "version": 1,
        "exported_at": timezone.now().isoformat(),
        "workspace": workspace.name,
        "community": {
            "member": {
                "id": member.pk,
                "name": member.display_name,
                "email": member.email,
                "tags": sorted(member.tag_set.values_list("name", flat=True)),
                "language": member.language,
                "staff": member.staff,
                "first_seen_at": _iso(member.first_seen_at),
                "last_seen_at": _iso(member.last_seen_at),
                "reach": member.reach,
            },
            "notes": [
                {
                    "at": note.created_at.isoformat(),
                    "author": note.author.get_full_name() or note.author.email
                    if note.author
                    else "",
                    "text": note.text,
                }
                for note in member.note_set.select_related("author").order_by("created_at", "id")
            ],
            "fields": {
                value.field.key: _field_value(value.value)
                for value in member.field_values.select_related("field").order_by("field__position")
            },
            "scores": {
                "engagement": member.love,
                "level": member.level,
                "sentiment": member.sentiment,
                "influence": member.influence,
                "scored_at": _iso(member.scored_at),
            },
            "accounts": [
                {
                    "network": identity.network,
                    "handle": identity.handle,
                    "name": identity.name,
                    "profile_url": identity.profile_url,
                    "followers": identity.followers,
                }
                for identity in member.identities.all()
            ],
            "timeline": [
                {
                    "kind": activity.kind,
                    "at": activity.occurred_at.isoformat(),
                    "source": activity.source,
                    "source_id": activity.source_id,
                }
                for activity in Activity.objects.filter(identity__member=member).order_by(
                    "occurred_at", "id"
                )
            ],
            "consents": [
                {
                    "purpose": consent.purpose,
                    "state": consent.state,
                    "source": consent.source,
                    "proof": consent.proof,
                    "email": consent.email,
                    "at": consent.recorded_at.isoformat(),
                }
                for consent in member.consents.order_by("recorded_at", "id")
            ],
        },
        "listening": {"mentions": listening_privacy.export_mentions(workspace, person.mention_ids)},
        "inbox": {
            "conversations": inbox_privacy.export_conversations(workspace, person.conversation_ids)
        },
        "replies": replies_privacy.export_replies(workspace, person.conversation_ids),
        "moderation": moderation_privacy.export_person(
            workspace, person.accounts, person.mention_ids
        ),
        "satisfaction": satisfaction_privacy.export_surveys(workspace, person.conversation_ids),
        "bugreports": bugreports_privacy.export_reports(workspace, person.conversation_ids),
        "crisis": {
            "alerts": crisis_privacy.export_person(workspace, person.handles, person.mention_ids)
        },
        "contests": contests_privacy.export_person(workspace, person.accounts, person.emails),
        "events": {
            "rsvps": events_privacy.export_person(workspace, person.accounts, person.emails),
            "invitations": events_privacy.export_invitations(
                workspace, person.accounts, person.emails
            ),
        },
        "mailing": mailing_privacy.export_person(workspace, person.emails, [member.pk]),
        "missions": missions_privacy.export_member(member.pk),
        "referrals": referrals_privacy.export_person(
            workspace, list(member.identities.values_list("id", flat=True)), person.emails
        ),
    }
    workspace_services.record_audit(
        workspace, actor, "community.member.exported", member, object_repr=f"#{member.pk}"
    )
    return data


def _scrub(value: Any, strings: set[str]) -> Any:
    if isinstance(value, str):
        folded = value.casefold()
        return ERASED if any(s in folded for s in strings) else value
    if isinstance(value, list):
        return [_scrub(item, strings) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, strings) for key, item in value.items()}
    return value


def _scrub_audit(person: Person) -> int:
    """Entries about the member lose what named them; so do others that quote them (a merge
    listing their accounts)."""
    strings = person.strings
    member = person.member
    changed = 0
    entries = AuditEntry.objects.filter(workspace_id=member.workspace_id)
    for entry in entries.only("id", "object_type", "object_id", "object_repr", "details").iterator(
        chunk_size=1000
    ):
        about = entry.object_type == "community.member" and entry.object_id == str(member.pk)
        text = (entry.object_repr + json.dumps(entry.details, ensure_ascii=False)).casefold()
        if not about and not any(s in text for s in strings):
            continue
        AuditEntry.objects.filter(pk=entry.pk).update(
            object_repr="" if about else _scrub(entry.object_repr, strings),
            details={} if about else _scrub(entry.details, strings),
        )
        changed += 1
    return changed


def erase_member(member: Member, actor: Any) -> dict[str, int]:
    """Anonymise ``member`` across every app and delete them, in one transaction. Returns how many
    rows each app changed (the audit line's only details)."""
    workspace = member.workspace
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        person = person_of(member)
        counts = {
            # Moderation first: it finds its rows through the mentions' authors.
            "moderation": moderation_privacy.erase_person(
                workspace, person.accounts, person.mention_ids
            ),
            "listening": listening_privacy.erase_mentions(workspace, person.mention_ids),
            "inbox": inbox_privacy.erase_conversations(workspace, person.conversation_ids),
            "replies": replies_privacy.erase_replies(workspace, person.conversation_ids),
            "satisfaction": satisfaction_privacy.erase_surveys(workspace, person.conversation_ids),
            "bugreports": bugreports_privacy.erase_reports(workspace, person.conversation_ids),
            "crisis": crisis_privacy.erase_person(workspace, person.handles, person.mention_ids),
            "contests": contests_privacy.erase_person(workspace, person.accounts, person.emails),
            "events": events_privacy.erase_person(workspace, person.accounts, person.emails),
            "mailing": mailing_privacy.erase_person(workspace, person.emails, [member.pk]),
            "referrals": referrals_privacy.erase_person(
                workspace, list(member.identities.values_list("id", flat=True)), person.emails
            ),
        }
        counts["community"] = Consent.objects.filter(member=member).count() + 1
        # Identities, appearances, timeline, consents, dismissed pairs, notes, tags, field values.
        member.delete()
        counts["audit"] = _scrub_audit(person)
        workspace_services.record_audit(
            workspace, actor, "community.member.erased", None, details={"rows": counts}
        )
    # The reply suggestions' in-process index holds the brand's past answers: built again.
    from ambassade.suggestions import services as suggestion_services

    suggestion_services.forget(workspace.pk)
    return counts
