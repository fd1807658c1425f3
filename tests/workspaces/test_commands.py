from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from ambassade.config.demo import ensure_demo
from ambassade.workspaces.models import Membership, Role, Workspace


def test_it_creates_the_demo_once_and_keeps_its_password(
    db: Any, settings: Any, tmp_path: Path, fast_hasher: None
) -> None:
    settings.DATA_DIR = tmp_path
    first = ensure_demo(io.StringIO())
    second = ensure_demo(io.StringIO())
    assert first == second
    password_file = tmp_path / "demo-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert password_file.read_text() == first.password
    user = get_user_model().objects.get(email=first.email)
    assert user.check_password(first.password)
    membership = Membership.objects.get(user=user, workspace__slug="cafe-lumiere")
    assert membership.role == Role.OWNER
    assert Workspace.objects.count() == 2  # two brands, for the switcher
    assert Membership.objects.filter(role=Role.EDITOR).count() == 1


def test_it_creates_an_admin_from_options(
    db: Any, fast_hasher: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    monkeypatch.setenv("AMBASSADE_ADMIN_PASSWORD", "a long enough passphrase")
    call_command(
        "createadmin",
        "--email=Owner@Example.com",
        "--organisation=Acme",
        "--workspace=Acme Coffee",
        "--no-input",
        stdout=out,
    )
    user = get_user_model().objects.get(email="owner@example.com")
    assert user.check_password("a long enough passphrase")
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.workspace.name) == ("owner", "Acme Coffee")
    assert membership.workspace.organisation.name == "Acme"
    assert "owner of the workspace Acme Coffee" in out.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("createadmin", "--email=owner@example.com", "--no-input")


def test_it_refuses_a_weak_password_or_missing_values(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AMBASSADE_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="--email"):
        call_command("createadmin", "--no-input")
    with pytest.raises(CommandError, match="password"):
        call_command("createadmin", "--email=a@example.com", "--no-input")
    with translation.override("en"), pytest.raises(CommandError, match=r"too short"):
        call_command("createadmin", "--email=a@example.com", "--password=abc", "--no-input")
    assert not get_user_model().objects.exists()


def test_it_asks_interactively(db: Any, fast_hasher: None, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["me@example.com", "Me", "", ""])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: "interactive passphrase 1")
    call_command("createadmin", stdout=io.StringIO())
    membership = Membership.objects.get(user__email="me@example.com")
    assert membership.workspace.name == "My brand"
