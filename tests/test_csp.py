"""Every page is served with a Content-Security-Policy it keeps: no inline script or style element
without the request's nonce, no inline event handler, no image from another server (a mention's
tracking pixel), and HSTS on HTTPS when the setting asks for it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import ambassade
from ambassade.config.middleware import POLICY
from ambassade.listening import services as listening_services
from ambassade.listening.models import Mention
from tests.conftest import Personas
from tests.listening.samples import samples as listening_samples
from tests.test_access import ROUTES, SAMPLES

pytestmark = pytest.mark.django_db
TEMPLATES_ROOT = Path(ambassade.__file__).parent


class Offences(HTMLParser):
    """What the policy would block, or what should not be on a page at all."""

    def __init__(self, nonce: str, inline_styles: bool) -> None:
        super().__init__()
        self.nonce = nonce
        self.inline_styles = inline_styles  # a standalone document's own policy allows them
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        inline = (tag == "script" and not values.get("src")) or (
            tag == "style" and not self.inline_styles
        )
        if inline and values.get("nonce") != self.nonce:
            self.found.append(f"inline <{tag}> without the nonce")
        self.found.extend(f"<{tag} {name}>" for name, _ in attrs if name.startswith("on"))
        if "style" in values and not self.inline_styles:
            self.found.append(f"<{tag} style={values['style']}>")
        for name in ("src", "srcset", "poster", "background"):
            value = (values.get(name) or "").strip().lower()
            if value.startswith(("http:", "https:", "//")):
                self.found.append(f"<{tag} {name}={value[:60]}>")


def _offences(response: Any) -> list[str]:
    policy = response.get("Content-Security-Policy", "")
    parser = Offences(response.wsgi_request.csp_nonce, "'unsafe-inline'" in policy)
    parser.feed(response.content.decode())
    return parser.found


def test_every_page_sends_the_policy_and_keeps_it(personas: Personas, client: Any) -> None:
    listening_samples(personas)
    client.force_login(personas.alice)
    checked, problems = 0, []
    for route in ROUTES:
        if route.name in ("logout", "set_language") or any(
            a not in SAMPLES for a in route.arguments
        ):
            continue
        url = reverse(route.name, kwargs={a: SAMPLES[a](personas) for a in route.arguments})
        response = client.get(url)
        policy = response.get("Content-Security-Policy", "")
        if not policy:
            problems.append(f"{url}: no Content-Security-Policy")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        assert "script-src 'self' 'nonce-" in policy or "default-src 'none'" in policy, url
        problems.extend(f"{url}: {offence}" for offence in _offences(response))
    assert checked > 40
    assert not problems, "\n".join(problems)


def test_the_policy_refuses_remote_images_and_framing(client: Any) -> None:
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    # A fresh nonce each time.
    assert policy != client.get(reverse("login"))["Content-Security-Policy"]


def test_the_policy_allows_no_inline_style_attribute() -> None:
    # Charts draw with SVG geometry, not style attributes: an injected style attribute is inert.
    assert "unsafe-inline" not in POLICY and "style-src-attr" not in POLICY


def test_no_template_writes_a_style_attribute() -> None:
    found = [
        f"{path.relative_to(TEMPLATES_ROOT)}:{number}"
        for path in sorted(TEMPLATES_ROOT.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\sstyle\s*=", line)
    ]
    assert not found, found


def test_a_mention_shows_no_remote_image(personas: Personas, client: Any) -> None:
    from tests.listening.conftest import item

    source = listening_samples(personas).source
    pixel = '<p>Super <img src="https://tracker.example/p.gif?u=42" width="1" height="1"></p>'
    listening_services.ingest(source, [item("pixel-1", "Super", html=pixel)])
    mention = Mention.objects.get(external_id="pixel-1")
    assert "tracker.example" not in mention.html and "Super" in mention.html
    # A mention stored before the rule still has its pixel: the page drops it too.
    Mention.objects.filter(pk=mention.pk).update(html=pixel)
    client.force_login(personas.alice)
    response = client.get(
        reverse("listening:mention", args=[personas.workspace_a.slug, mention.pk])
    )
    assert response.status_code == 200
    assert "tracker.example" not in response.content.decode()
    assert not _offences(response)


def test_it_sends_hsts_over_https_when_asked(client: Any, settings: Any) -> None:
    assert "Strict-Transport-Security" not in client.get(reverse("login"), secure=True)
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()  # the middleware reads the setting when it is made
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get(reverse("login"))
