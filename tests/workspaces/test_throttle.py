"""Login throttling holds under bursts: the attempt is counted before the password is checked, in
the same statement that checks the lock, so twenty wrong passwords sent at once get exactly
``MAX_FAILURES`` checks — in one process (the interleaving forced below) and across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from ambassade.workspaces import forms, throttle
from ambassade.workspaces.models import LoginThrottle
from tests.conftest import PASSWORD, Personas

ROOT = Path(__file__).resolve().parents[2]
BURST = 20


def test_a_burst_of_wrong_passwords_gets_only_the_allowed_checks(
    personas: Personas, monkeypatch: Any
) -> None:
    """Each attempt sends the next one while its own password is being checked (as twenty
    parallel requests interleave): all twenty are in flight before any check ends."""
    checks: list[int] = []
    sent: list[int] = []
    original = forms.authenticate
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.1")

    def authenticate(*args: Any, **kwargs: Any) -> Any:
        checks.append(1)
        if len(sent) < BURST:
            send()
        return original(*args, **kwargs)

    def send() -> None:
        sent.append(1)
        form = forms.LoginForm(request, data={"email": "alice@example.com", "password": "nope"})
        assert not form.is_valid()

    monkeypatch.setattr(forms, "authenticate", authenticate)
    while len(sent) < BURST:
        send()
    assert len(checks) == throttle.MAX_FAILURES
    row = LoginThrottle.objects.get()
    assert row.failures == throttle.MAX_FAILURES and row.locked_until is not None
    # Locked now, even with the right password.
    response = Client().post(
        "/login/",
        {"email": "alice@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Too many failed attempts" in response.content.decode()


def test_a_success_clears_the_count_and_a_wrong_password_keeps_it(personas: Personas) -> None:
    key = throttle.key_for("alice@example.com", None)
    assert throttle.attempt(key) is None
    assert LoginThrottle.objects.get(key=key).failures == 1
    throttle.record_success(key)
    assert not LoginThrottle.objects.filter(key=key).exists()
    for _ in range(throttle.MAX_FAILURES):
        assert throttle.attempt(key) is None
    until = throttle.attempt(key)
    assert until is not None and until == LoginThrottle.objects.get(key=key).locked_until


# --- several processes at once, on the product's own database kinds -------------------------------

CHILD = """
import os, sys, time
import django
django.setup()
from ambassade.workspaces import throttle
ready, go, key, count = sys.argv[1:5]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.001)
print(sum(throttle.attempt(key) is None for _ in range(int(count))))
"""


def _database_url(tmp_path: Path) -> str:
    """The database the child processes share: PostgreSQL's test database when the suite runs there,
    else a SQLite file made like the product's (WAL, immediate transactions, busy timeout)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or "5432"
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    from django.db.utils import ConnectionHandler

    path = tmp_path / "throttle.sqlite3"
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
            }
        }
    )
    with handler["default"].schema_editor() as editor:
        editor.create_model(LoginThrottle)
    handler["default"].close()
    return f"sqlite:///{path}"


@pytest.mark.django_db(transaction=True)
def test_processes_sharing_the_database_get_only_the_allowed_attempts(tmp_path: Path) -> None:
    processes, each = 4, BURST // 4
    environment = {**os.environ, "DATABASE_URL": _database_url(tmp_path)}
    environment.pop("REDIS_URL", None)
    environment["AMBASSADE_DATA_DIR"] = str(tmp_path / "data")
    environment["DJANGO_SETTINGS_MODULE"] = "ambassade.config.settings"
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                str(tmp_path / f"ready{n}"),
                str(go),
                "same-key",
                str(each),
            ],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    try:
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"ready{n}").exists() for n in range(processes)):
            assert all(child.poll() is None for child in children), [
                child.stderr.read() for child in children if child.stderr
            ]
            assert time.monotonic() < deadline, "the child processes did not start"
            time.sleep(0.05)
        go.touch()
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert all(child.returncode == 0 for child in children), [err for _out, err in outputs]
    allowed = sum(int(out.strip()) for out, _err in outputs)
    assert allowed == throttle.MAX_FAILURES
