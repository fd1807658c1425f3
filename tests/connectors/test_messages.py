"""Connector errors carry a code and parameters beside their English sentence, so the product words
them in the reader's language (docs/architecture.md, "Messages for people")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ambassade.connectors
from ambassade.connectors._scrub import scrubbed
from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig
from ambassade.connectors.http import HttpClient, OutcomeUnknown

ROOT = Path(ambassade.connectors.__file__).parent
ERRORS = {
    "ConnectorError",
    "AuthExpired",
    "InvalidConfig",
    "GraphNotFound",
    "OAuthError",
    "GrantRevoked",
    "OutcomeUnknown",
    "DeadlinePassed",
    "_NotFound",
}
# Not for a person: the webhook connector's refusals answer the machine that sent the delivery.
NOT_FOR_PEOPLE = {ROOT / "webhook" / "client.py"}


def test_every_error_a_connector_raises_carries_a_code() -> None:
    uncoded = []
    # The connectors, and the app's own (the demo stream, the replay of an export).
    apps = [ROOT.parent / "listening" / "replay.py", ROOT.parent / "listening" / "demo.py"]
    for path in [*ROOT.rglob("*.py"), *apps]:
        if path in NOT_FOR_PEOPLE:
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ERRORS and not any(k.arg == "code" for k in node.keywords):
                if path.name == "base.py" or (name == "_Transient"):
                    continue
                uncoded.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert not uncoded, f"give these a code and word it in connector_messages.py: {uncoded}"


def test_an_error_keeps_its_code_and_parameters_through_the_scrubber() -> None:
    secret = "bot123456:SECRET"
    with pytest.raises(AuthExpired) as caught, scrubbed(secret):
        raise AuthExpired(
            f"Telegram refused the bot: {secret} is wrong",
            code="telegram.bot_refused",
            params={"detail": f"{secret} is wrong"},
        )
    error = caught.value
    assert (error.code, dict(error.params)) == (
        "telegram.bot_refused",
        {"detail": "[redacted] is wrong"},
    )
    assert secret not in error.message and error.permanent


def test_the_http_seam_gives_each_failure_a_code() -> None:
    client = HttpClient(allow_private=False, resolver=lambda host, port: ["10.0.0.1"])
    with pytest.raises(ConnectorError) as caught:
        client.get("https://intranet.example/feed")
    assert caught.value.code == "http.private_address"
    assert dict(caught.value.params) == {"host": "intranet.example", "address": "10.0.0.1"}
    with pytest.raises(ConnectorError) as caught:
        client.get("ftp://example.com/feed")
    assert (caught.value.code, dict(caught.value.params)) == ("http.scheme", {"scheme": "ftp"})


def test_an_outcome_unknown_says_so_in_its_code() -> None:
    error = OutcomeUnknown("x", code="http.timeout_maybe_received", params={"url": "u"})
    assert error.code.endswith("_maybe_received") and not error.permanent


def test_a_code_is_a_dotted_name_and_parameters_are_plain_values() -> None:
    with pytest.raises(ValueError):
        InvalidConfig("x", code="Not a code")
    with pytest.raises(TypeError):
        ConnectorError("x", code="http.timeout", params={"url": object()})  # type: ignore[dict-item]
