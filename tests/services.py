"""Real services the tests need (PostgreSQL, Redis, Chromium).

On a laptop a missing service skips its tests with the reason; with CI=true it fails them, so CI can never
go green without having run them.
"""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(service: str, available: bool, how: str) -> None:
    if available:
        return
    message = f"{service} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


def redis_url() -> str:
    url = os.environ.get("AMBASSADE_TEST_REDIS_URL", "")
    require("Redis", bool(url), "set AMBASSADE_TEST_REDIS_URL (see docs/development.md)")
    return url


def chromium_path() -> str:
    path = os.environ.get("AMBASSADE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    require("Chromium", os.path.exists(path), "apt-get install chromium, or set AMBASSADE_CHROMIUM")
    return path


def dovecot_path() -> str:
    """Debian's dovecot (package dovecot-imapd), which the e-mail tests start on loopback."""
    path = shutil.which("dovecot") or "/usr/sbin/dovecot"
    require(
        "Dovecot",
        os.path.exists(path) and os.path.exists("/usr/lib/dovecot/imap"),
        "apt-get install dovecot-imapd",
    )
    return path
