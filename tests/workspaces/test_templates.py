"""House rules of the templates and pages: a comment listing the variables first, no inline script,
every form control labelled, one h1 per page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import ambassade
from ambassade.workspaces import services
from tests.conftest import Personas
from tests.workspaces.html import Element, parse

PACKAGE = Path(ambassade.__file__).parent
TEMPLATES = sorted(
    [*(PACKAGE / "templates").rglob("*"), *(PACKAGE / "workspaces" / "templates").rglob("*")]
)


@pytest.mark.parametrize(
    "path", [p for p in TEMPLATES if p.is_file()], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_it_opens_each_template_with_a_comment(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("{% extends")]
    assert re.match(r"(\{% load [^%]+%\})?\{% comment %\}", lines[0]), (
        f"{path.name} should open with a comment listing the variables it accepts"
    )


def _pages(personas: Personas) -> list[str]:
    base = f"/w/{personas.workspace_a.slug}"
    return [
        "/",
        "/organisations/new/",
        "/workspaces/new/",
        f"{base}/",
        f"{base}/members/",
        f"{base}/connections/",
        f"{base}/connections/new/",
        f"{base}/audit/",
        f"{base}/settings/",
        "/password-change/",
    ]


def _check(page: Element, url: str) -> None:
    for script in page.find_all("script"):
        assert script.attrs.get("src"), f"inline script on {url}"
    for element in page.iter():
        handlers = [name for name in element.attrs if name.startswith("on")]
        assert not handlers, f"{element.tag} has {handlers} on {url}"
    labels = {label.attrs.get("for") for label in page.find_all("label")}
    wrapped = {
        id(control)
        for label in page.find_all("label")
        for control in label.find_all()
        if control.tag in {"input", "select", "textarea"}
    }
    for control in page.iter():
        if control.tag not in {"input", "select", "textarea"}:
            continue
        if control.attrs.get("type") in {"hidden", "submit"}:
            continue
        assert (
            control.attrs.get("id") in labels
            or "aria-label" in control.attrs
            or id(control) in wrapped
        ), f"unlabelled {control.tag} {control.attrs.get('name')} on {url}"
    assert len(page.find_all("h1")) == 1, f"{url} should have one h1"


def test_it_keeps_the_house_rules_on_every_page(personas: Personas, client: Any) -> None:
    services.create_workspace(
        organisation=personas.workspace_a.organisation, name="Brand A2", owner=personas.alice
    )
    client.force_login(personas.alice)
    for url in _pages(personas):
        response = client.get(url)
        assert response.status_code == 200, url
        _check(parse(response.content), url)
    client.post("/logout/")
    for url in ("/login/", "/password-reset/", f"/invitations/{personas.invitation_token}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _check(parse(response.content), url)
