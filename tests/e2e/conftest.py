"""Browser tests: Playwright drives Debian's Chromium headless against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's async-safety guard must be
relaxed for the ORM calls these tests make to arrange data. Each module sets
`pytestmark = pytest.mark.e2e` so the PostgreSQL run of the suite can leave them out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests import services

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = services.chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A tab; the test fails if a page broke its Content-Security-Policy (Chromium reports each
    refused script, style or image on the console) or raised a script error."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    tab.on("pageerror", lambda error: refused.append(f"script error: {error}"))
    yield tab
    context.close()
    assert not refused, "\n".join(refused)
