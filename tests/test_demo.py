"""`ambassade demo` as a new user runs it: a real server and task worker in one process, on the embedded
defaults (SQLite, SQLite queue), whose printed credentials log in.

In `make test`'s SQLite pass only (marker ``sqlite_pass``): the demo runs on a database and queue of its
own whatever the test run's settings, so the PostgreSQL pass would repeat it unchanged. Its data
directory starts with the test run's migrated database (the `migrated_database` fixture): the demo's
own `migrate` then finds nothing to do, and the test spends its time on what only it checks."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.product import copy_migrated_database, product_environment


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    return product_environment(data_dir)


class Demo:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ambassade", "demo", "--port", str(self.port)],
            env=_environment(data_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []

    # Building the demo (16 days of mentions, alerts, posts, an inbox) took 95 s before serving on
    # 2 CPU cores shared with a load of 17 (2026-12-07); with a whole last month of mentions and
    # inbox, 598 s at load 9-10 (`ambassade demo --no-serve`, 105 s of CPU): a waiting limit, not
    # a speed check.
    def read_until(self, marker: str, timeout: float = 900) -> str:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if marker in line:
                return "".join(self.output)
        raise AssertionError(f"{marker!r} never printed; output:\n{''.join(self.output)}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode


pytestmark = pytest.mark.sqlite_pass


@pytest.fixture
def demo(tmp_path: Path, migrated_database: Path) -> Iterator[Demo]:
    copy_migrated_database(migrated_database, tmp_path / "data")
    running = Demo(tmp_path / "data")
    yield running
    running.stop()


def _wait_for_http(url: str, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_it_serves_the_demo_and_its_credentials_log_in(demo: Demo) -> None:
    printed = demo.read_until("Task worker running")
    email = re.search(r"e-mail:\s+(\S+)", printed)
    password = re.search(r"password:\s+(\S+)", printed)
    assert email and password, printed
    assert f"http://127.0.0.1:{demo.port}/" in printed

    login = _wait_for_http(f"{demo.url}/login/")
    assert login.status_code == 200
    with httpx.Client(base_url=demo.url, timeout=10, follow_redirects=True) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text
        home = client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "email": email.group(1),
                "password": password.group(1),
            },
            headers={"Referer": f"{demo.url}/login/"},
        )
        assert home.status_code == 200
        assert "/login/" not in str(home.url)
        assert "Café Lumière" in home.text or "Caf&eacute; Lumi&egrave;re" in home.text

    # Links sent by e-mail point at the port the demo listens on (AMBASSADE_BASE_URL is unset).
    with httpx.Client(base_url=demo.url, timeout=10, follow_redirects=True) as anonymous:
        page = anonymous.get("/password-reset/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text
        sent = anonymous.post(
            "/password-reset/",
            data={"csrfmiddlewaretoken": token.group(1), "email": email.group(1)},
            headers={"Referer": f"{demo.url}/password-reset/"},
        )
        assert sent.status_code == 200
    mails = "".join(path.read_text("utf-8") for path in (demo.data_dir / "mail").iterdir())
    link = re.search(r"https?://[^/\s]+/password-reset/\S+", mails)
    assert link, mails
    assert link.group(0).startswith(f"http://127.0.0.1:{demo.port}/password-reset/"), link.group(0)

    # The worker inside the demo process runs what another process enqueues: an expired
    # invitation is purged by the task (periodic tasks keep no result, so watch its effect).
    script = (
        "import datetime as dt, time\n"
        "from django.utils import timezone\n"
        "from ambassade.workspaces.models import Invitation, Workspace\n"
        "from ambassade.workspaces.tasks import purge_expired_invitations\n"
        "old = timezone.now() - dt.timedelta(days=1)\n"
        "Invitation.objects.create(workspace=Workspace.objects.first(), email='x@example.com',\n"
        "    role='editor', token_hash='0' * 64, expires_at=old)\n"
        "purge_expired_invitations()\n"
        "for _ in range(300):\n"
        "    if not Invitation.objects.exists(): break\n"
        "    time.sleep(0.1)\n"
        "print('left', Invitation.objects.count())\n"
    )
    enqueue = subprocess.run(
        [sys.executable, "-m", "ambassade", "shell", "-c", script],
        env=_environment(demo.data_dir),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert enqueue.returncode == 0, enqueue.stderr
    assert "left 0" in enqueue.stdout

    assert demo.stop() == 0

    # A second run reuses everything and prints the same credentials.
    again = subprocess.run(
        [sys.executable, "-m", "ambassade", "demo", "--no-serve"],
        env=_environment(demo.data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert f"password: {password.group(1)}" in again.stdout
    assert "Created" not in again.stdout
