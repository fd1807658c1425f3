"""The programme's settings, its API secret, and members' codes and links.

- :func:`programme_of` — the workspace's programme, made (closed) on first use.
- :func:`save_programme` — settings from the form, audited.
- :func:`make_secret` — a new signing secret for the API (the old one stops working at once),
  encrypted with the vault and returned once for the page to show.
- :func:`give_code` / :func:`deactivate_code` — a member's code (one active code per member).
- :func:`click` — the short-link resolver: ``/l/<code>`` counts the click and leads to the
  landing page with the code in its query string.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ambassade.community.models import Identity, Member
from ambassade.referrals.models import Programme, ReferralCode
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces import vault
from ambassade.workspaces.models import Workspace

__all__ = [
    "ALPHABET",
    "CodeError",
    "click",
    "code_of",
    "deactivate_code",
    "give_code",
    "landing_link",
    "make_secret",
    "normalise_code",
    "programme_of",
    "referral_url",
    "save_programme",
]

#: Letters and digits a person reads without confusion (no 0/O, 1/I/L): 32 symbols, 8 drawn.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: Settings the programme form writes.
SETTINGS = (
    "enabled",
    "landing_url",
    "parameter",
    "signup_points",
    "conversion_points",
    "signup_label",
    "conversion_label",
    "cap",
    "ip_limit",
    "burst_limit",
)


class CodeError(Exception):
    """A code cannot be given (the member has no account to hold it)."""


def programme_of(workspace: Workspace) -> Programme:
    programme = Programme.objects.filter(workspace=workspace).first()
    if programme is not None:
        return programme
    try:
        with transaction.atomic():
            return Programme.objects.create(workspace=workspace)
    except IntegrityError:  # made meanwhile by another request
        return Programme.objects.get(workspace=workspace)


def save_programme(programme: Programme, actor: Any, **values: Any) -> Programme:
    changed = {name: values[name] for name in SETTINGS if name in values}
    for name, value in changed.items():
        setattr(programme, name, value)
    programme.updated_at = timezone.now()
    programme.save(update_fields=[*changed, "updated_at"])
    workspace_services.record_audit(
        programme.workspace,
        actor,
        "referrals.programme.updated",
        None,
        details={"enabled": programme.enabled},
    )
    return programme


def make_secret(programme: Programme, actor: Any) -> str:
    """A new signing secret (the previous one is refused from now on). Returned once: only its
    ciphertext is kept."""
    secret = "rsk_" + secrets.token_urlsafe(32)
    programme.secret_ciphertext = vault.encrypt({"secret": secret})
    programme.secret_made_at = timezone.now()
    programme.save(update_fields=["secret_ciphertext", "secret_made_at"])
    workspace_services.record_audit(
        programme.workspace, actor, "referrals.secret.made", None, details={}
    )
    return secret


def normalise_code(text: str) -> str:
    """A code as typed (``k7qm 3xpa``, ``K7QM-3XPA``, ``k7qm3xpa``) in its one written form;
    '' when it cannot be one."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != 8 or any(ch not in ALPHABET for ch in raw):
        return ""
    return f"{raw[:4]}-{raw[4:]}"


def _draw() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _holder(member: Member) -> Identity:
    """The identity that holds the member's code: their most followed account, so the code
    follows it through merges and separations."""
    identity = member.identities.order_by("-max_followers", "id").first()
    if identity is None:
        raise CodeError("the member has no account")
    return identity


def code_of(member: Member) -> ReferralCode | None:
    """The member's active code, if any."""
    return (
        ReferralCode.objects.filter(identity__member=member, active=True)
        .order_by("-created_at", "-id")
        .first()
    )


def give_code(member: Member, actor: Any) -> ReferralCode:
    """The member's active code, drawn now if they have none (audited)."""
    found = code_of(member)
    if found is not None:
        return found
    identity = _holder(member)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                code = ReferralCode.objects.create(
                    workspace_id=member.workspace_id, identity=identity, code=_draw()
                )
        except IntegrityError:  # pragma: no cover - one chance in 10^12 per code
            continue
        workspace_services.record_audit(
            member.workspace, actor, "referrals.code.given", member, object_repr=f"#{member.pk}"
        )
        return code
    raise RuntimeError("no free referral code")  # pragma: no cover


def deactivate_code(code: ReferralCode, actor: Any) -> None:
    """The code stops counting new sign-ups (its link still leads to the landing page)."""
    ReferralCode.objects.filter(pk=code.pk).update(active=False)
    member = code.identity.member
    workspace_services.record_audit(
        member.workspace, actor, "referrals.code.deactivated", member, object_repr=f"#{member.pk}"
    )


def referral_url(code: ReferralCode | str) -> str:
    """The member's link: the product's short link, which counts the click."""
    return f"{django_settings.BASE_URL}/l/{code}"


def landing_link(programme: Programme, code: str) -> str:
    """The landing page with ``parameter=code`` added to its query string (others kept)."""
    parts = urlsplit(programme.landing_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(k, v) for k, v in query if k != programme.parameter]
    if code:
        query.append((programme.parameter, code))
    return urlunsplit(parts._replace(query=urlencode(query)))


def click(code: str, params: Mapping[str, Any]) -> str | None:
    """``/l/<code>`` for a referral code: one more click on the code, then the landing page with
    the code (an inactive code's link still leads to the page, without the code). None for
    another code, or when the programme is closed or has no landing page."""
    del params
    written = normalise_code(code)
    if not written:
        return None
    found = ReferralCode.objects.filter(code=written).values("id", "active", "workspace_id").first()
    if found is None:
        return None
    programme = Programme.objects.filter(workspace_id=found["workspace_id"]).first()
    if programme is None or not programme.enabled or not programme.landing_url:
        return None
    if not found["active"]:
        return landing_link(programme, "")
    ReferralCode.objects.filter(pk=found["id"]).update(clicks=F("clicks") + 1)
    return landing_link(programme, written)
