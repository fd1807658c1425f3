"""Consent per purpose (e-mailing, contests, events), and the double opt-in for e-mailing.

Consent rows are an append-only log (:class:`~ambassade.community.models.Consent`): each gift or
withdrawal is a new row with its date, source and proof, and a member's consent for a purpose is
the latest of them. E-mailing is given only through the double opt-in: the team asks
(:func:`request_optin`), the person receives a link at the address and confirms on a public page
(:func:`confirm`); the proof records when, from which address and browser, through which request.
The link's secret is stored only as its SHA-256; it works for :data:`VALID_FOR`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from ambassade.community.models import Consent, Member
from ambassade.workspaces import services as workspace_services

__all__ = [
    "VALID_FOR",
    "ConsentError",
    "Status",
    "confirm",
    "consent_for_token",
    "has_consent",
    "record",
    "request_optin",
    "statuses",
]

VALID_FOR = dt.timedelta(days=7)
_SALT = "ambassade.community.optin"
LANGUAGES = ("fr", "en")


class ConsentError(Exception):
    """The consent cannot be recorded; ``str(error)`` is a sentence for the person."""


@dataclass
class Status:
    """A member's consent for one purpose: the latest decision, and a request waiting for them."""

    purpose: str
    label: Any
    current: Consent | None
    pending: Consent | None

    @property
    def granted(self) -> bool:
        return self.current is not None and self.current.state == Consent.State.GRANTED


def statuses(member: Member, now: dt.datetime | None = None) -> list[Status]:
    now = now or timezone.now()
    rows = list(member.consents.order_by("-recorded_at", "-id"))
    found = []
    for purpose, label in Consent.Purpose.choices:
        mine = [row for row in rows if row.purpose == purpose]
        current = next((row for row in mine if row.state != Consent.State.PENDING), None)
        pending = next(
            (
                row
                for row in mine
                if row.state == Consent.State.PENDING
                and row.token_hash
                and row.expires_at is not None
                and row.expires_at > now
                and (current is None or row.recorded_at >= current.recorded_at)
            ),
            None,
        )
        found.append(Status(purpose, label, current, pending))
    return found


def has_consent(member: Member, purpose: str) -> bool:
    latest = (
        member.consents.filter(purpose=purpose)
        .exclude(state=Consent.State.PENDING)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return latest is not None and latest.state == Consent.State.GRANTED


def record(
    member: Member,
    actor: Any,
    purpose: str,
    state: str,
    *,
    proof: str,
    source: str = Consent.Source.RECORDED,
    at: dt.datetime | None = None,
) -> Consent:
    """Record that ``member`` gave or withdrew consent for ``purpose``, with its proof. Consent to
    e-mailing is given only by the person themselves (:func:`request_optin`)."""
    if purpose not in Consent.Purpose.values:
        raise ConsentError(_("Choose what the consent is for."))
    if state not in (Consent.State.GRANTED, Consent.State.WITHDRAWN):
        raise ConsentError(_("Say whether the consent is given or withdrawn."))
    proof = proof.strip()[:2000]
    if not proof:
        raise ConsentError(_("Say what proves it (a signed form, a call, an e-mail…)."))
    if (
        purpose == Consent.Purpose.EMAILING
        and state == Consent.State.GRANTED
        and source != Consent.Source.DOUBLE_OPT_IN
    ):
        raise ConsentError(
            _(
                "Consent to e-mailing is given by the person: send them the confirmation "
                "e-mail (double opt-in)."
            )
        )
    with transaction.atomic():
        consent = Consent.objects.create(
            workspace_id=member.workspace_id,
            member=member,
            purpose=purpose,
            state=state,
            source=source,
            proof=proof,
            email=member.email if purpose == Consent.Purpose.EMAILING else "",
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            recorded_at=at or timezone.now(),
        )
        workspace_services.record_audit(
            member.workspace,
            actor,
            "community.consent.recorded",
            member,
            details={"purpose": purpose, "state": state},
        )
    return consent


# --- double opt-in -----------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def public_url(token: str, base: str | None = None) -> str:
    root = django_settings.BASE_URL if base is None else base
    return root.rstrip("/") + reverse("community:optin", kwargs={"consent_token": token})


@sensitive_variables("token", "raw")
def request_optin(
    member: Member,
    actor: Any,
    email: str,
    lang: str,
    *,
    base_url: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Consent, str]:
    """Ask ``member`` at ``email`` to confirm they want the brand's e-mails: a pending consent and
    an e-mail in ``lang`` (French or English) with the confirmation link. The address becomes the
    member's. Returns the request and its link's token (stored nowhere else than in the e-mail)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ConsentError(_("Enter a valid e-mail address.")) from None
    lang = lang if lang in LANGUAGES else "en"
    now = now or timezone.now()
    raw = secrets.token_urlsafe(24)
    token = signing.Signer(salt=_SALT, sep=".").sign(raw)
    with transaction.atomic():
        Member.objects.filter(pk=member.pk).update(email=email, updated_at=now)
        member.email = email
        consent = Consent.objects.create(
            workspace_id=member.workspace_id,
            member=member,
            purpose=Consent.Purpose.EMAILING,
            state=Consent.State.PENDING,
            source=Consent.Source.DOUBLE_OPT_IN,
            email=email,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            recorded_at=now,
            token_hash=_hash(raw),
            lang=lang,
            expires_at=now + VALID_FOR,
        )
        workspace_services.record_audit(
            member.workspace,
            actor,
            "community.consent.requested",
            member,
            details={"purpose": Consent.Purpose.EMAILING},
        )
    brand = member.workspace.name
    with translation.override(lang):
        subject = _("Please confirm that you want e-mails from %(brand)s") % {"brand": brand}
        body = render_to_string(
            "community/email/optin.txt",
            {"brand": brand, "url": public_url(token, base_url), "days": VALID_FOR.days},
        )
    send_mail(subject, body, None, [email])
    return consent, token


def consent_for_token(token: str) -> Consent | None:
    """The pending request of a public link, or None (altered, unknown, already used)."""
    try:
        raw = signing.Signer(salt=_SALT, sep=".").unsign(token)
    except signing.BadSignature:
        return None
    return (
        Consent.objects.select_related("workspace", "member")
        .filter(token_hash=_hash(raw), state=Consent.State.PENDING)
        .first()
    )


def confirm(
    request_row: Consent, *, address: str, agent: str, now: dt.datetime | None = None
) -> Consent:
    """The person confirmed on the public page: consent to e-mailing is given, with the proof."""
    now = now or timezone.now()
    if request_row.expires_at is None or request_row.expires_at <= now:
        raise ConsentError(_("This link has expired. Ask for a new one."))
    # Facts, in no language (the source says what happened, in the reader's language).
    proof = " · ".join(
        [
            f"confirmed {now.isoformat(timespec='seconds')}",
            f"link sent {request_row.recorded_at.isoformat(timespec='seconds')} "
            f"to {request_row.email} (request #{request_row.pk})",
            f"IP {address or '?'}",
            f"user agent {(agent or '?')[:300]}",
        ]
    )
    with transaction.atomic():
        used = Consent.objects.filter(pk=request_row.pk, token_hash=request_row.token_hash).update(
            token_hash=""
        )
        if not used:
            raise ConsentError(_("This link was already used."))
        consent = Consent.objects.create(
            workspace_id=request_row.workspace_id,
            member_id=request_row.member_id,
            purpose=Consent.Purpose.EMAILING,
            state=Consent.State.GRANTED,
            source=Consent.Source.DOUBLE_OPT_IN,
            proof=proof,
            email=request_row.email,
            recorded_at=now,
            lang=request_row.lang,
        )
        workspace_services.record_audit(
            request_row.workspace,
            None,
            "community.consent.confirmed",
            request_row.member,
            details={"purpose": Consent.Purpose.EMAILING},
        )
    return consent
