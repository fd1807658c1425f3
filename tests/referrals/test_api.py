"""The signed API the brand's site calls: signature, replay window, idempotency, clear JSON errors,
rate limit, and never a server error."""

from __future__ import annotations

import itertools
import json
import random
import re
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from ambassade.community.models import Activity, Identity
from ambassade.referrals import api, services
from ambassade.referrals.models import HookEvent, Programme, Referral, Reward

DOCS = Path(__file__).resolve().parents[2] / "docs" / "community.md"


def signup(**fields: Any) -> dict[str, Any]:
    return {
        "event_id": "evt-1",
        "type": "signup",
        "code": "",
        "email": "Lea@Example.org",
        "name": "Léa",
        "ip": "203.0.113.9",
        **fields,
    }


def test_it_records_a_signup_with_its_reward_and_timelines(setup: Any, post: Any) -> None:
    response = post(signup(code=setup.code.code.lower()))  # typed in lower case: the same code
    assert response.status_code == 200, response.content
    answer = response.json()
    referral = Referral.objects.get()
    assert answer == {
        "ok": True,
        "event_id": "evt-1",
        "type": "signup",
        "duplicate": False,
        "referral": {"id": referral.pk, "status": "signed_up", "review": "clear", "flags": []},
    }
    assert referral.email == "lea@example.org" and len(referral.ip_hash) == 64
    # The referred person is a member now, with their e-mail account.
    referred = Identity.objects.get(network="email", handle="lea@example.org")
    assert referral.referred == referred and referral.referrer == setup.code.identity
    reward = Reward.objects.get()
    assert (reward.kind, reward.points, reward.label, reward.status) == (
        "signup",
        10,
        "A free coffee",
        "pending",
    )
    kinds = {(a.identity_id, a.kind) for a in Activity.objects.filter(source__startswith="ref")}
    assert kinds == {(setup.code.identity_id, "referral"), (referred.pk, "referred")}


def test_the_same_event_twice_records_once_and_answers_the_same(setup: Any, post: Any) -> None:
    event = signup(code=setup.code.code)
    first = post(event)
    again = post(event)
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1 and Reward.objects.count() == 1
    # The same id with another body is refused, naming the reason.
    other = post(signup(code=setup.code.code, email="other@example.org"))
    assert other.status_code == 409 and other.json()["error"]["code"] == "event_id_reused"
    # Another event for the same person on the same code is that referral again.
    same_person = post(signup(code=setup.code.code, event_id="evt-2"))
    assert same_person.json()["duplicate"] is True
    assert same_person.json()["referral"]["id"] == first.json()["referral"]["id"]
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"secret": "rsk_wrong"}, "bad_signature"),
        ({"offset": -301}, "stale"),
        ({"offset": 400}, "stale"),
        ({"timestamp": 10**15}, "stale"),
        ({"headers": {"X-Ambassade-Timestamp": "soon"}}, "stale"),
        ({"headers": {"X-Ambassade-Signature": ""}}, "missing_signature"),
    ],
)
def test_it_refuses_unsigned_or_stale_calls(
    setup: Any, post: Any, change: dict[str, Any], code: str
) -> None:
    if "offset" in change:
        change = {"timestamp": int(time.time()) + change.pop("offset")}
    response = post(signup(code=setup.code.code), **change)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not Referral.objects.exists() and not HookEvent.objects.exists()


def test_a_new_secret_replaces_the_old_one_which_is_kept_encrypted(setup: Any, post: Any) -> None:
    programme = Programme.objects.get()
    assert setup.secret.encode() not in bytes(programme.secret_ciphertext)
    from ambassade.workspaces import vault

    assert (Programme, "secret_ciphertext") in vault.ciphertext_fields()
    old = setup.secret
    new = services.make_secret(programme, None)
    assert new != old
    assert post(signup(code=setup.code.code), secret=old).status_code == 401
    assert post(signup(code=setup.code.code), secret=new).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"\xff\xfe", "body"),
        (b"[1, 2]", "body"),
        (b"[" * 5000 + b"]" * 5000, "body"),
        (json.dumps(signup(event_id="")).encode(), "event_id"),
        (json.dumps(signup(event_id="x" * 201)).encode(), "event_id"),
        (json.dumps(signup(type="refund")).encode(), "type"),
        (json.dumps(signup(code=12)).encode(), "code"),
        (json.dumps(signup(email="nobody")).encode(), "email"),
        (json.dumps(signup(email=["a@b.c"])).encode(), "email"),
        (json.dumps(signup(ip="300.1.1.1")).encode(), "ip"),
        (json.dumps(signup(at="2026-12-07T10:00:00")).encode(), "at"),
        (json.dumps(signup(at="2999-01-01T00:00:00Z")).encode(), "at"),
        (json.dumps(signup(at="2026-13-45T10:00:00Z")).encode(), "at"),
        (json.dumps(signup(type="conversion", value=-1)).encode(), "value"),
        (b'{"event_id": "e", "type": "conversion", "email": "a@b.fr", "value": NaN}', "value"),
        (json.dumps(signup(type="conversion", value=True)).encode(), "value"),
        (json.dumps(signup(name="x\x00y")).encode(), "name"),
    ],
)
def test_it_names_what_is_malformed(setup: Any, post: Any, body: bytes, field: str) -> None:
    if b'"code": ""' in body:
        body = body.replace(b'"code": ""', f'"code": "{setup.code.code}"'.encode())
    response = post(body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "malformed" and error["field"] == field and error["message"]
    assert not Referral.objects.exists()


def test_a_signup_needs_a_code_and_a_person(setup: Any, post: Any) -> None:
    no_code = post(signup(), headers={"Accept-Language": "en"})
    assert no_code.json()["error"] == {
        "code": "malformed",
        "field": "code",
        "message": "A sign-up needs its code.",
    }
    nobody = post(signup(code=setup.code.code, email=None))
    assert nobody.json()["error"]["field"] == "email"


def test_it_answers_in_the_callers_language(setup: Any, post: Any) -> None:
    response = post(signup(), headers={"Accept-Language": "fr"})
    assert response.json()["error"]["message"] == "Une inscription a besoin de son code."


def test_unknown_and_deactivated_codes_are_refused_and_may_be_sent_again(
    setup: Any, post: Any
) -> None:
    response = post(signup(code="ZZZZ-ZZZZ"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_code"
    assert response.json()["error"]["field"] == "code"
    services.deactivate_code(setup.code, None)
    assert post(signup(code=setup.code.code)).json()["error"]["code"] == "inactive_code"
    # Nothing was kept: the same event id works once the code is right.
    setup.code.active = True
    setup.code.save()
    assert post(signup(code=setup.code.code)).status_code == 200


def test_a_closed_programme_an_unknown_address_and_a_get(
    setup: Any, post: Any, client: Any
) -> None:
    Programme.objects.update(enabled=False)
    response = post(signup(code=setup.code.code))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "programme_closed"
    for hook_id in (uuid.uuid4(), "not-a-uuid"):
        answer = client.post(f"/hooks/referrals/{hook_id}/", b"{}", content_type="text/plain")
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "unknown_endpoint"
    got = client.get(setup.url)
    assert got.status_code == 405 and got.json()["error"]["code"] == "method"


def test_it_limits_the_calls_of_one_address(
    setup: Any, post: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "CALLS_PER_MINUTE", 2)
    assert post(b"x").status_code == 400
    assert post(b"x").status_code == 400
    limited = post(signup(code=setup.code.code))
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert limited.json()["error"]["code"] == "rate_limited"
    # Another address is not limited by the first one's calls.
    assert post(signup(code=setup.code.code), address="198.51.100.8").status_code == 200


def test_the_rate_limit_rows_of_past_minutes_are_purged(setup: Any, post: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ambassade.referrals import tasks
    from ambassade.referrals.models import HookThrottle

    post(b"x")
    post(b"x", address="198.51.100.8")
    assert HookThrottle.objects.count() == 2
    assert tasks.purge_throttles.call_local() == 0  # this minute's rows stay
    HookThrottle.objects.filter(pk=HookThrottle.objects.order_by("id")[0].pk).update(
        window_start=timezone.now() - timedelta(minutes=1, seconds=1)
    )
    assert tasks.purge_throttles.call_local() == 1
    assert HookThrottle.objects.count() == 1


def test_it_refuses_a_large_body(setup: Any, post: Any) -> None:
    response = post(signup(code=setup.code.code, name="x" * 20_000))
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_conversions_find_the_referral_once(setup: Any, post: Any) -> None:
    post(signup(code=setup.code.code, customer="u-42"))
    converted = post(
        {"event_id": "evt-c1", "type": "conversion", "customer": "u-42", "value": 24.9}
    )
    assert converted.status_code == 200, converted.content
    assert converted.json()["referral"]["status"] == "converted"
    referral = Referral.objects.get()
    assert str(referral.value) == "24.90" and referral.converted_at
    assert set(Reward.objects.values_list("kind", "points")) == {("signup", 10), ("conversion", 50)}
    assert Activity.objects.filter(kind="referral_converted").count() == 1
    again = post({"event_id": "evt-c2", "type": "conversion", "email": "lea@example.org"})
    assert again.json()["duplicate"] is True and Reward.objects.count() == 2
    unknown = post({"event_id": "evt-c3", "type": "conversion", "email": "x@example.org"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_referral"
    # With its code, a conversion of someone never reported records the sign-up too.
    both = post(
        {"event_id": "evt-c4", "type": "conversion", "code": setup.code.code, "email": "x@ex.org"}
    )
    assert both.status_code == 200 and both.json()["referral"]["status"] == "converted"
    assert Referral.objects.count() == 2


def test_no_input_makes_a_server_error(setup: Any, post: Any) -> None:
    """A sample of odd bodies, signed right: every answer is JSON with ok false or true."""
    rng = random.Random(14)
    values: list[Any] = [None, True, 0, -1, 1e308, "", "x" * 300, [], {}, "é\u202e", "2026-01-01"]
    keys = ["event_id", "type", "code", "email", "name", "customer", "ip", "at", "value"]
    for index in range(40):
        body = {key: rng.choice(values) for key in rng.sample(keys, rng.randint(0, len(keys)))}
        if rng.random() < 0.5:
            body["event_id"] = f"fuzz-{index}"
            body["type"] = rng.choice(["signup", "conversion"])
        response = post(body)
        assert response.status_code in {200, 400, 409, 413, 422}, (body, response.content)
        assert response.json()["ok"] is (response.status_code == 200)


def _documented_example() -> str:
    text = DOCS.read_text()
    match = re.search(r"<!-- referral-api-example -->\n```sh\n(.*?)```", text, re.S)
    assert match, "docs/community.md has lost its curl + openssl example"
    return match.group(1)


def test_the_documented_curl_and_openssl_example_is_accepted(setup: Any, client: Any) -> None:
    """Run the shell example of docs/community.md with this programme's secret, address and
    code, ``curl`` replaced by a function that prints its arguments; then send exactly those."""
    script = _documented_example()
    script = (
        script.replace("rsk_your_secret", setup.secret)
        .replace("https://ambassade.example.org/hooks/referrals/YOUR-ADDRESS/", setup.url)
        .replace("K7QM-3XPA", setup.code.code)
    )
    shown = subprocess.run(
        ["bash", "-c", 'curl() { printf "%s\\n" "$@"; }\n' + script],
        capture_output=True,
        text=True,
        check=True,
        timeout=20,
    ).stdout.splitlines()
    headers = {
        name.strip(): value.strip()
        for flag, line in itertools.pairwise(shown)
        if flag == "-H"
        for name, value in [line.split(":", 1)]
    }
    body = shown[shown.index("--data-raw") + 1].encode()
    stamp = headers["X-Ambassade-Timestamp"]
    # The shell's signature is the one the server computes.
    assert headers["X-Ambassade-Signature"] == api.signature(setup.secret, stamp, body)
    response = client.post(
        setup.url,
        body,
        content_type="application/json",
        HTTP_X_AMBASSADE_TIMESTAMP=stamp,
        HTTP_X_AMBASSADE_SIGNATURE=headers["X-Ambassade-Signature"],
    )
    assert response.status_code == 200, response.content
    assert Referral.objects.get().code == setup.code
