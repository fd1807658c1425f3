"""Bad input gets a clear answer, never a server error.

The cases found by hand first (issue 10, item 7): a query with ``NEAR/`` and 5,000 digits, ids that
``str.isdigit()`` accepts but ``int()`` or the database refuses (``'²'``, ``'١'``, 10**30), and two
sign-ups racing for one invitation.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import threading
from typing import Any

import pytest
from django import forms as django_forms
from django.db import connection
from django.test import Client
from django.urls import get_resolver, reverse

from ambassade.community.models import Member
from ambassade.workspaces.models import Invitation, Membership
from tests.community.samples import samples as community_samples
from tests.conftest import PASSWORD, Personas
from tests.publishing import samples as publishing_samples

pytestmark = pytest.mark.django_db

#: Values that look like numbers to one parser and not to the next.
ODD_NUMBERS = ["²", "١٢", "1" * 30, "-1", "1e9", "0x10", " 7", "９"]


def _url(name: str, personas: Personas, **kwargs: Any) -> str:
    return reverse(name, kwargs={"workspace_slug": personas.workspace_a.slug, **kwargs})


@pytest.mark.parametrize("view", ["listening:query_preview", "listening:query_create"])
def test_it_refuses_a_near_distance_of_thousands_of_digits(
    view: str, personas: Personas, client: Any
) -> None:
    client.force_login(personas.alice)
    text = "a NEAR/" + "9" * 5000 + " b"
    response = client.post(
        _url(view, personas), {"name": "Huge", "text": text, "kind": "brand", "enabled": "on"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r"10\D{0,8}000", body)  # 10000, as the page's language writes it
    assert "9" * 20 + "…" in body  # the message quotes the start of the distance, not all of it


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_it_ignores_odd_ids_in_the_community_merge_form(
    value: str, personas: Personas, client: Any
) -> None:
    member = community_samples(personas).member
    client.force_login(personas.alice)
    response = client.post(
        reverse("community:member_merge", args=[personas.workspace_a.slug, member.pk]),
        {"other": [value]},
    )
    assert response.status_code == 302
    assert Member.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_it_ignores_odd_ids_in_the_composer_check(
    value: str, personas: Personas, client: Any
) -> None:
    client.force_login(personas.alice)
    response = client.post(
        _url("publishing:check", personas),
        {"text": "Bonjour", "accounts": [value, personas.connection.pk], "post": value},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_it_answers_odd_ids_in_the_outbox_queue_form(
    value: str, personas: Personas, client: Any
) -> None:
    client.force_login(personas.alice)
    response = client.post(_url("publishing:outbox_slots", personas), {"remove": value})
    assert response.status_code in (302, 404)


def test_it_serves_no_media_for_a_token_naming_an_odd_id(personas: Personas, client: Any) -> None:
    from django.core import signing

    from ambassade.publishing import public_media

    publishing_samples.media_of_a(personas)
    for value in ODD_NUMBERS:
        token = public_media._signer().sign(value)
        assert public_media.media_for(token) is None, value
    assert isinstance(public_media._signer(), signing.Signer)


# --- two sign-ups, one invitation --------------------------------------------------------------


def _sign_up(client: Any, token: str, name: str) -> Any:
    url = reverse("invitation_accept", args=[token])
    return client.post(url, {"name": name, "password1": PASSWORD, "password2": PASSWORD})


def test_it_sends_the_second_of_two_racing_sign_ups_to_the_used_invitation_page(
    personas: Personas, monkeypatch: Any
) -> None:
    """Mallory's request has validated its form when Dave's whole sign-up happens (run from inside
    Mallory's validation, so the interleaving is the same every time): hers finds the link used."""
    from ambassade.workspaces import forms

    original_clean = forms.SignupForm.clean
    first: list[Any] = []

    def clean(self: Any) -> Any:
        cleaned = original_clean(self)
        if not first:
            first.append(None)
            first[0] = _sign_up(Client(), personas.invitation_token, "Dave")
        return cleaned

    monkeypatch.setattr(forms.SignupForm, "clean", clean)
    second = _sign_up(Client(), personas.invitation_token, "Mallory")
    assert first[0].status_code == 302
    assert second.status_code == 410
    assert "already been used" in second.content.decode() or "déjà été utilisée" in (
        second.content.decode()
    )
    user = Membership.objects.get(workspace=personas.workspace_a, user__email="dave@example.com")
    assert user.user.first_name == "Dave"


def test_it_asks_to_log_in_when_the_account_was_made_meanwhile_by_another_invitation(
    personas: Personas, monkeypatch: Any
) -> None:
    """Two workspaces invited the same address; both links are used at the same moment. The second
    sign-up rolls back (its invitation stays usable) and the link now asks to log in."""
    from ambassade.workspaces import forms, services
    from ambassade.workspaces.models import Role

    other, other_token = services.invite_member(
        personas.workspace_b,
        email="dave@example.com",
        role=Role.EDITOR,
        invited_by=personas.charlie,
    )
    original_clean = forms.SignupForm.clean
    first: list[Any] = []

    def clean(self: Any) -> Any:
        cleaned = original_clean(self)
        if not first:
            first.append(None)
            first[0] = _sign_up(Client(), personas.invitation_token, "Dave")
        return cleaned

    monkeypatch.setattr(forms.SignupForm, "clean", clean)
    second = _sign_up(Client(), other_token, "Dave again")
    assert first[0].status_code == 302
    assert second.status_code == 302
    assert second["Location"] == reverse("invitation_accept", args=[other_token])
    other.refresh_from_db()
    assert other.accepted_at is None
    assert not Membership.objects.filter(workspace=personas.workspace_b, user__email=other.email)


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_concurrent_sign_ups_use_an_invitation(
    personas: Personas, monkeypatch: Any
) -> None:
    """The same race with real threads and connections. PostgreSQL only: the SQLite test database
    lives in memory with a shared cache, whose table locks fail at once instead of waiting as the
    product's file database does."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (runs on PostgreSQL)")
    from ambassade.workspaces import forms

    barrier = threading.Barrier(2, timeout=20)
    original_clean = forms.SignupForm.clean

    def clean(self: Any) -> Any:
        cleaned = original_clean(self)
        barrier.wait()
        return cleaned

    monkeypatch.setattr(forms.SignupForm, "clean", clean)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def sign_up(name: str) -> None:
        try:
            client = Client(raise_request_exception=True)
            statuses.append(_sign_up(client, personas.invitation_token, name).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in ("Dave", "Mallory")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(statuses) == [302, 410], statuses
    invitation = Invitation.objects.get(pk=personas.invitation.pk)
    assert invitation.accepted_at is not None
    assert Membership.objects.filter(workspace=personas.workspace_a, user__email=invitation.email)


# --- the general property: no parameter of any page answers a server error ----------------------
#
# Every URL of the product is visited as Alice (owner of workspace A, allowed everything) with odd
# values in every parameter its view reads: the names in its source (``request.POST.get("x")``), the
# fields of the forms it uses, and the fields of the forms its own page shows. GET and POST, each odd
# value in every parameter at once, and in each integer of the URL path. Nothing may answer 500.

# NUL is refused before any view by one middleware (tested below), so it is not sent here.
FUZZ_VALUES = ["²", "١٢", "9" * 30, "-1", "1e9", "9" * 5000, ""]

_PARAM = re.compile(r"""request\.(?:GET|POST)\.(?:get|getlist)\(\s*(?:f?["']([^"'{]+)["'])""")
_ITEM = re.compile(r"""request\.(?:GET|POST)\[\s*["']([^"']+)["']\s*\]""")
_NAME = re.compile(r"\b([A-Z]\w*Form)\b|\b(_\w+)\(")


def _view_of(route: Any) -> Any:
    match = get_resolver().resolve(_sample_path(route))
    view = match.func
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def _names_in(function: Any, seen: set[Any]) -> set[str]:
    """Parameter names read by ``function`` and by the module's helpers it calls (one level)."""
    if function in seen:
        return set()
    seen.add(function)
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return set()
    names = set(_PARAM.findall(source)) | set(_ITEM.findall(source))
    namespace = getattr(inspect.getmodule(function), "__dict__", {})
    for form_name, helper_name in _NAME.findall(source):
        found = namespace.get(form_name or helper_name)
        if form_name and isinstance(found, type) and issubclass(found, django_forms.BaseForm):
            names |= set(found.base_fields)
        elif helper_name and inspect.isfunction(found):
            names |= _names_in(found, seen)
    return names


def _sample_path(route: Any, samples: dict[str, Any] | None = None, **override: str) -> str:
    kwargs = {name: _PLACEHOLDER[name] for name in route.arguments} if samples is None else samples
    return reverse(route.name, kwargs={**kwargs, **override})


class _Placeholders(dict):  # type: ignore[type-arg]
    """URL arguments good enough to resolve a route to its view (no database needed)."""

    def __missing__(self, name: str) -> Any:
        return (
            "x" if name in ("workspace_slug", "invitation_token", "network", "media_token") else 1
        )


_PLACEHOLDER = _Placeholders(network="linkedin", hook="00000000-0000-4000-8000-000000000000")


def _form_fields(html: bytes) -> set[str]:
    from tests.workspaces.html import parse

    document = parse(html)
    return {
        str(element["name"])
        for element in document.find_all(["input", "select", "textarea", "button"])
        if element.get("name") and element["name"] != "csrfmiddlewaretoken"
    }


def _fuzz_routes() -> list[Any]:
    from tests.test_access import ROUTES

    return [route for route in ROUTES if route.name not in {"logout", "set_language"}]


@pytest.mark.parametrize("route", _fuzz_routes(), ids=[r.name for r in _fuzz_routes()])
def test_no_parameter_of_any_page_answers_a_server_error(
    route: Any, personas: Personas, client: Any, monkeypatch: Any
) -> None:
    from tests.test_access import SAMPLES

    # Public URLs whose arguments are tokens: an odd token (the view must answer 404, not 500).
    odd = {
        "uidb64": "²",
        "token": "a\x00b",
        "code": "²" * 3,
        "media_token": "1:²",
        "survey_token": "²." + "a" * 40,
        "hook": "00000000-0000-4000-8000-000000000000",  # a UUID no tracker has
        "hook_id": "²",  # no referral programme has it
    }
    client.raise_request_exception = False
    client.force_login(personas.alice)
    samples = {
        name: SAMPLES[name](personas) if name in SAMPLES else odd[name] for name in route.arguments
    }
    url = _sample_path(route, samples)
    names = _names_in(_view_of(route), set())
    page = client.get(url)
    if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
        names |= _form_fields(page.content)
    names |= {"page", "id", "next"}
    failures: list[str] = []

    def check(method: str, target: str, data: dict[str, Any]) -> None:
        client.force_login(personas.alice)
        response = getattr(client, method)(target, data)
        if response.status_code >= 500:
            shown = {k: (v[:12] + "…" if len(v) > 12 else v) for k, v in data.items()}
            failures.append(f"{method.upper()} {target[:120]} {shown} → {response.status_code}")

    for value in FUZZ_VALUES:
        data = {name: value for name in sorted(names)}
        check("get", url, data)
        check("post", url, data)
    # Integers of the path itself: past the database's range.
    for name in route.arguments:
        if name.endswith("_id"):
            target = _sample_path(route, samples, **{name: "9" * 30})
            check("get", target, {})
            check("post", target, {})
    assert not failures, "\n".join(failures)


def test_no_form_uses_djangos_model_multiple_choice_field() -> None:
    """Django's own overflows the database with an id of 30 digits; forms use
    :class:`ambassade.workspaces.formfields.ModelMultipleChoiceField` (ModelForms through
    ``Meta.field_classes``)."""
    import ambassade
    from ambassade.workspaces.formfields import ModelMultipleChoiceField

    for module in pkgutil.walk_packages(ambassade.__path__, "ambassade."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            importlib.import_module(module.name)
    offenders = []
    pending = list(django_forms.BaseForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if not form.__module__.startswith("ambassade."):
            continue
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, django_forms.ModelMultipleChoiceField) and not isinstance(
                field, ModelMultipleChoiceField
            ):
                offenders.append(f"{form.__module__}.{form.__qualname__}.{name}")
    assert not offenders, offenders


def test_it_refuses_a_nul_character_in_any_parameter_naming_the_field(
    personas: Personas, client: Any
) -> None:
    """PostgreSQL refuses NUL in text (a server error where a view reads a parameter itself);
    every request carrying one gets a 400 that names the field, before any view runs."""
    client.force_login(personas.alice)
    url = reverse("community:author", args=[personas.workspace_a.slug])
    response = client.get(url, {"network": "mastodon", "handle": "a\x00b"})
    assert response.status_code == 400
    assert "handle" in response.content.decode()
    response = client.post(
        reverse("crisis:crisis_statement", args=[personas.workspace_a.slug, 1, 1]),
        {"where\x00": "x"},
    )
    assert response.status_code == 400
