"""The API the brand's site calls when a referred person signs up or converts
(``POST /hooks/referrals/<hook id>/``, docs/community.md).

A call is checked in this order, and the first failure answers (JSON, never a traceback):

1. the address exists (404 ``unknown_endpoint``); fewer than :data:`CALLS_PER_MINUTE` calls from
   the caller's address to it this minute (429 ``rate_limited``, with ``Retry-After``);
2. ``X-Ambassade-Timestamp`` (Unix seconds) within :data:`TOLERANCE` of the server's clock
   (401 ``stale``) and ``X-Ambassade-Signature: sha256=<hex>``, the HMAC-SHA256 of
   ``timestamp + "." + body`` with the programme's secret (401 ``bad_signature``);
3. the programme is open (403 ``programme_closed``);
4. the body is a JSON object whose fields are right (400 ``malformed``, naming the field);
5. its ``event_id`` was not used before with another body (409 ``event_id_reused``); the same
   event again gets the answer it got the first time and records nothing
   (``Idempotent-Replayed: true``);
6. the code or the referral exists (422 ``unknown_code``, ``inactive_code``,
   ``unknown_referral``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ambassade.referrals import recording
from ambassade.referrals.models import HookEvent, HookThrottle, Programme

__all__ = [
    "CALLS_PER_MINUTE",
    "MAX_BODY",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE",
    "Answer",
    "error_answer",
    "purge_throttles",
    "receive",
    "signature",
]

SIGNATURE_HEADER = "X-Ambassade-Signature"
TIMESTAMP_HEADER = "X-Ambassade-Timestamp"
#: How far the caller's clock may be from ours, either way (Stripe's and Slack's five minutes).
TOLERANCE = 300
#: Calls one address may make to one programme in a minute.
CALLS_PER_MINUTE = 600
#: The largest body read (an event is a few hundred bytes).
MAX_BODY = 16 * 1024
MAX_EVENT_ID = 200

ERRORS: dict[str, Any] = {
    "unknown_endpoint": _("No referral programme has this address."),
    "rate_limited": _("Too many calls from this address: wait a minute."),
    "too_large": _("The body is larger than 16 KB."),
    "missing_signature": _(
        "Sign the call: the X-Ambassade-Timestamp and X-Ambassade-Signature headers are needed."
    ),
    "stale": _(
        "The X-Ambassade-Timestamp is more than five minutes away from the server's clock "
        "(or not a number of seconds): sign the call again when you send it."
    ),
    "bad_signature": _("The signature does not match the body with the programme's secret."),
    "programme_closed": _("The referral programme is closed."),
    "malformed": _("The body is not an event this API understands."),
    "event_id_reused": _("This event_id was already used for another event."),
    "unknown_code": _("No referral code is written like this."),
    "inactive_code": _("This referral code was deactivated."),
    "unknown_referral": _("No referral of this person is known: send their code with it."),
    "method": _("Send events with POST."),
}

FIELD_ERRORS: dict[str, Any] = {
    "body": _("The body must be a JSON object."),
    "event_id": _("event_id must be a text of 1 to 200 characters."),
    "type": _("type must be “signup” or “conversion”."),
    "code": _("code must be a text."),
    "email": _("email must be an e-mail address."),
    "name": _("name must be a text of at most 200 characters."),
    "customer": _("customer must be a text or a number of at most 200 characters."),
    "ip": _("ip must be an IPv4 or IPv6 address."),
    "at": _("at must be an ISO 8601 date and time with its offset, not in the future."),
    "value": _("value must be a number from 0 to 9,999,999,999."),
    "person": _("A sign-up needs the person's email or customer id."),
    "signup_code": _("A sign-up needs its code."),
}


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>`` of ``f"{timestamp}."`` followed by the body: what the caller sends."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def error_answer(status: int, code: str, field_name: str = "", **headers: str) -> Answer:
    message = FIELD_ERRORS.get(field_name, ERRORS[code]) if code == "malformed" else ERRORS[code]
    error: dict[str, Any] = {"code": code, "message": str(message)}
    if field_name:
        error["field"] = "email" if field_name == "person" else field_name
        if field_name == "signup_code":
            error["field"] = "code"
    return Answer(status, {"ok": False, "error": error}, dict(headers))


class _Malformed(Exception):
    def __init__(self, field_name: str) -> None:
        super().__init__(field_name)
        self.field = field_name


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Malformed(name)
    text = str(value).strip()
    if len(text) > limit or "\x00" in text:
        raise _Malformed(name)
    return text


@dataclass
class _Event:
    event_id: str
    kind: str
    code: str
    email: str
    name: str
    customer: str
    address: str
    at: dt.datetime
    value: Decimal | None


def _parse(body: bytes, now: dt.datetime) -> _Event:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _Malformed("body") from None
    if not isinstance(data, dict):
        raise _Malformed("body")
    event_id = data.get("event_id")
    if not isinstance(event_id, str) or not 0 < len(event_id.strip()) <= MAX_EVENT_ID:
        raise _Malformed("event_id")
    kind = data.get("type")
    if kind not in ("signup", "conversion"):
        raise _Malformed("type")
    code = data.get("code", "")
    if code is None:
        code = ""
    if not isinstance(code, str) or len(code) > 40:
        raise _Malformed("code")
    email = _text(data, "email", 254).casefold()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _Malformed("email") from None
    name = _text(data, "name", 200)
    customer = _text(data, "customer", 200)
    address = _text(data, "ip", 64)
    if address:
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            raise _Malformed("ip") from None
    at = now
    if data.get("at") is not None:
        raw = data["at"]
        try:
            parsed = parse_datetime(raw) if isinstance(raw, str) else None
        except ValueError:
            parsed = None
        if (
            parsed is None
            or parsed.tzinfo is None
            or parsed > now + dt.timedelta(seconds=TOLERANCE)
        ):
            raise _Malformed("at")
        at = min(parsed, now)
    value = None
    if data.get("value") is not None:
        raw = data["value"]
        if (
            isinstance(raw, bool)
            or not isinstance(raw, (int, float))
            or not math.isfinite(raw)
            or not 0 <= raw < 10_000_000_000
        ):
            raise _Malformed("value")
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    if kind == "signup":
        if not code.strip():
            raise _Malformed("signup_code")
        if not email and not customer:
            raise _Malformed("person")
    return _Event(event_id.strip(), kind, code, email, name, customer, address, at, value)


def _throttled(programme: Programme, address: str, now: dt.datetime) -> bool:
    """Count one call; True past :data:`CALLS_PER_MINUTE` this minute (one row per address)."""
    key = hashlib.sha256(f"referrals|{programme.pk}|{address}".encode()).hexdigest()
    with transaction.atomic():
        row, created = HookThrottle.objects.get_or_create(
            key=key, defaults={"window_start": now, "count": 1}
        )
        if created:
            return False
        if row.window_start <= now - dt.timedelta(minutes=1):
            HookThrottle.objects.filter(pk=row.pk).update(window_start=now, count=1)
            return False
        HookThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)
        return row.count + 1 > CALLS_PER_MINUTE


def purge_throttles(now: dt.datetime | None = None) -> int:
    """Remove the rate-limit rows whose minute has passed (``referrals.purge_throttles``): an
    address that called once is not kept for ever, even hashed."""
    now = now or timezone.now()
    deleted, _rows = HookThrottle.objects.filter(
        window_start__lte=now - dt.timedelta(minutes=1)
    ).delete()
    return int(deleted)


def _verify(programme: Programme, headers: Mapping[str, str], body: bytes, now: dt.datetime) -> str:
    """'' when the call is signed right, else the error's code."""
    stamp, signed = headers.get(TIMESTAMP_HEADER, ""), headers.get(SIGNATURE_HEADER, "")
    if not stamp or not signed:
        return "missing_signature"
    stamp = stamp.strip()
    if not stamp.isdigit() or len(stamp) > 12 or abs(int(stamp) - now.timestamp()) > TOLERANCE:
        return "stale"
    secret = programme.secret()
    if not secret or not hmac.compare_digest(
        signature(secret, stamp, body).encode(), signed.strip().lower().encode()
    ):
        return "bad_signature"
    return ""


def _success(event: _Event, outcome: recording.Outcome) -> dict[str, Any]:
    referral = outcome.referral
    return {
        "ok": True,
        "event_id": event.event_id,
        "type": event.kind,
        "duplicate": outcome.duplicate,
        "referral": {
            "id": referral.pk,
            "status": referral.status,
            "review": referral.review,
            "flags": list(referral.flags),
        },
    }


def receive(
    hook: UUID | str,
    headers: Mapping[str, str],
    body: bytes,
    address: str,
    now: dt.datetime | None = None,
) -> Answer:
    """Check and record one call of the API; the answer to send back."""
    now = now or timezone.now()
    try:
        programme = Programme.objects.select_related("workspace").filter(hook_id=hook).first()
    except ValidationError:
        programme = None
    if programme is None:
        return error_answer(404, "unknown_endpoint")
    if _throttled(programme, address, now):
        return error_answer(429, "rate_limited", **{"Retry-After": "60"})
    if len(body) > MAX_BODY:
        return error_answer(413, "too_large")
    failure = _verify(programme, headers, body, now)
    if failure:
        return error_answer(401, failure)
    if not programme.enabled:
        return error_answer(403, "programme_closed")
    try:
        event = _parse(body, now)
    except _Malformed as error:
        return error_answer(400, "malformed", error.field)
    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            stored = HookEvent.objects.create(
                workspace_id=programme.workspace_id, event_id=event.event_id, body_hash=digest
            )
            try:
                with transaction.atomic():
                    outcome = _record(programme, event)
            except recording.RecordError as error:
                # Nothing of the event is kept: the same id may be sent again once fixed.
                raise _Refused(error_answer(422, error.code, error.field)) from error
            answer = _success(event, outcome)
            HookEvent.objects.filter(pk=stored.pk).update(answer=answer, referral=outcome.referral)
    except _Refused as refused:
        return refused.answer
    except IntegrityError:
        return _replay(programme, event.event_id, digest)
    return Answer(200, answer)


class _Refused(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.body["error"]["code"])
        self.answer = answer


def _record(programme: Programme, event: _Event) -> recording.Outcome:
    fields = {
        "code": event.code,
        "email": event.email,
        "name": event.name,
        "customer": event.customer,
        "address": event.address,
        "at": event.at,
    }
    if event.kind == "signup":
        return recording.record_signup(programme, **fields)
    return recording.record_conversion(programme, value=event.value, **fields)


def _replay(programme: Programme, event_id: str, digest: str) -> Answer:
    stored = HookEvent.objects.filter(
        workspace_id=programme.workspace_id, event_id=event_id
    ).first()
    if stored is None:  # pragma: no cover - the row that conflicted was there a moment ago
        return error_answer(409, "event_id_reused")
    if stored.body_hash != digest:
        return error_answer(409, "event_id_reused")
    return Answer(stored.status, dict(stored.answer), {"Idempotent-Replayed": "true"})
