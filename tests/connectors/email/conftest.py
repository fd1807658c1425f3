"""A real IMAP server (Debian's dovecot) and real SMTP servers (aiosmtpd) on loopback.

Dovecot runs from a configuration written into a temporary directory: its own base and state
directories, a passwd-file of users, Maildirs, a self-signed certificate for STARTTLS and implicit
TLS, and free ports; nothing of the machine's own configuration is read (``-c``). Started once per
test session, stopped at its end. Each test gets a new user, so mailboxes never mix. The SMTP
servers deliver what they accept into the recipient's dovecot mailbox (IMAP APPEND) and keep it.
Without dovecot the tests skip, and fail under CI=true (tests/services.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import imaplib
import ipaddress
import os
import pwd
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.services import dovecot_path

DOMAIN = "example.test"
#: Users made at start, each given to one test's mailbox.
USERS = 80


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    imaps_port: int
    cert: Path
    key: Path
    mail_uid: int
    mail_gid: int
    users: list[tuple[str, str]] = field(default_factory=list)

    def trusting(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate (and nothing else)."""
        context = ssl.create_default_context(cafile=str(self.cert))
        return context

    def take_user(self) -> tuple[str, str]:
        """A user no test had yet (dovecot reads its passwd-file once: the users are made at
        start)."""
        if not self.users:
            pytest.fail("the dovecot fixture ran out of users: raise USERS")
        return self.users.pop(0)

    def imap(self, user: str, password: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        conn.login(user, password)
        return conn


def _config(root: Path, imap: int, imaps: int, cert: Path, key: Path, users: dict[str, Any]) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {users["internal"]}
default_internal_group = {users["internal_group"]}
default_login_user = {users["login"]}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={users["uid"]} gid={users["gid"]} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_for(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary = dovecot_path()
    root = Path(tempfile.mkdtemp(prefix="ambassade-dovecot-"))
    root.chmod(0o755)  # dovecot's unprivileged processes reach their sockets through it
    if os.geteuid() == 0:
        internal = pwd.getpwnam("dovecot")
        users = {
            "internal": "dovecot",
            "internal_group": "dovecot",
            "login": "dovenull",
            "uid": internal.pw_uid,
            "gid": internal.pw_gid,
        }
    else:
        me = pwd.getpwuid(os.getuid())
        users = {
            "internal": me.pw_name,
            "internal_group": me.pw_name,
            "login": me.pw_name,
            "uid": os.getuid(),
            "gid": os.getgid(),
        }
    (root / "mail").mkdir()
    os.chown(root / "mail", users["uid"], users["gid"])
    pool = [(f"user{n:02d}@{DOMAIN}", "pw-" + secrets.token_hex(8)) for n in range(USERS)]
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in pool))
    (root / "passwd").chmod(0o644)
    cert, key = self_signed(root)
    imap, imaps = free_port(), free_port()
    (root / "dovecot.conf").write_text(_config(root, imap, imaps, cert, key, users))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=open(root / "stderr.log", "wb"),  # noqa: SIM115
    )
    try:
        if not _wait_for(imap, 15):
            log = ""
            for name in ("stderr.log", "dovecot.log"):
                with contextlib.suppress(OSError):
                    log += (root / name).read_text(errors="replace")[-2000:]
            pytest.fail(f"dovecot did not start on 127.0.0.1:{imap}:\n{log}")
        yield Dovecot(root, imap, imaps, cert, key, int(users["uid"]), int(users["gid"]), pool)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Mailbox:
    server: Dovecot
    user: str
    password: str
    credentials: dict[str, Any] = field(default_factory=dict)

    def imap(self) -> imaplib.IMAP4:
        return self.server.imap(self.user, self.password)

    def deliver(self, data: bytes, folder: str = "INBOX") -> None:
        conn = self.imap()
        try:
            typ, detail = conn.append(folder, None, None, data)
            assert typ == "OK", detail
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        conn = self.imap()
        try:
            conn.select(folder, readonly=True)
            _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            return [line for line in data if isinstance(line, bytes)]
        finally:
            conn.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        conn = self.imap()
        try:
            conn.select(folder, readonly=True)
            _typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[])")
            return [part[1] for part in data if isinstance(part, tuple)]
        finally:
            conn.logout()


@pytest.fixture
def mailbox_factory(dovecot: Dovecot) -> Callable[[str], Mailbox]:
    def make(name: str) -> Mailbox:
        user, password = dovecot.take_user()
        box = Mailbox(dovecot, user, password)
        box.credentials = {
            "address": user,
            "display_name": "Café Lumière",
            "username": user,
            "password": password,
            "imap_host": "127.0.0.1",
            "imap_port": dovecot.imap_port,
            "imap_security": "starttls",
            "smtp_host": "127.0.0.1",
            "smtp_port": 0,
            "smtp_security": "none",
            "folder": "INBOX",
            "sent_folder": "Sent",
        }
        # A first login makes the Maildir and the Sent folder.
        box.imap().logout()
        return box

    return make


@pytest.fixture
def mailbox(mailbox_factory: Callable[[str], Mailbox]) -> Mailbox:
    return mailbox_factory("brand")


class Delivering:
    """An aiosmtpd handler that keeps each message and APPENDs it to the recipient's mailbox
    when the recipient is a dovecot user it knows; ``refuse_rcpt``/``refuse_data`` make it answer
    with an error, ``stall`` makes it wait before answering DATA."""

    def __init__(self) -> None:
        self.received: list[tuple[Envelope, bytes]] = []
        self.boxes: dict[str, Mailbox] = {}
        self.refuse_rcpt = ""
        self.refuse_data = ""
        self.stall = 0.0

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.stall:
            await asyncio.sleep(self.stall)
        if self.refuse_data:
            return self.refuse_data
        data = envelope.original_content or b""
        self.received.append((envelope, data))
        for recipient in envelope.rcpt_tos:
            box = self.boxes.get(recipient.lower())
            if box is not None:
                await asyncio.get_running_loop().run_in_executor(None, box.deliver, data)
        return "250 Message accepted for delivery"


@dataclass
class Smtp:
    port: int
    handler: Delivering
    user: str
    password: str


def _authenticator(user: str, password: str) -> Callable[..., AuthResult]:
    def check(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextlib.contextmanager
def smtp_server(
    dovecot: Dovecot, *, security: str, user: str = "", password: str = ""
) -> Iterator[Smtp]:
    handler = Delivering()
    port = free_port()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(str(dovecot.cert), str(dovecot.key))
    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
    if user:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; over implicit TLS it is TLS all the same.
        kwargs |= {
            "authenticator": _authenticator(user, password),
            "auth_require_tls": security == "starttls",
        }
    if security == "starttls":
        kwargs |= {"tls_context": server_context, "require_starttls": True}
    elif security == "ssl":
        kwargs |= {"ssl_context": server_context}
    controller = Controller(handler, **kwargs)
    controller.start()
    try:
        yield Smtp(port, handler, user, password)
    finally:
        controller.stop()
