"""Every environment setting, declared once with its default and help text.

docs/configuration.md documents each of them (tests/config/test_settings.py fails when one is missing).
Values are read through small typed helpers that raise :class:`ConfigError` naming the variable, so a bad
value stops the start with a message a person can act on.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import stat
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["SETTINGS", "ConfigError", "Setting", "env_bool", "env_int", "env_list", "env_str"]


class ConfigError(Exception):
    """A setting has a value the product cannot start with."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: dict[str, Setting] = {}


def _declare(name: str, default: str, help: str) -> str:
    SETTINGS[name] = Setting(name, default, help)
    return name


def _raw(name: str) -> str | None:
    """The value of NAME, or of the file named by NAME_FILE (for secrets mounted as files)."""
    if name not in SETTINGS:
        raise KeyError(f"{name} is not declared in ambassade.config.env")
    value = os.environ.get(name)
    file_name = os.environ.get(name + "_FILE")
    if value is None and file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(name + "_FILE", f"cannot read {file_name}: {exc.strerror}") from exc
    return value


def is_set(name: str) -> bool:
    """Whether NAME (or NAME_FILE) is given a value, rather than left to its default."""
    return bool(_raw(name))


def env_str(name: str) -> str:
    value = _raw(name)
    return SETTINGS[name].default if value is None or value == "" else value.strip()


def env_bool(name: str) -> bool:
    value = env_str(name).lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(name, f"expected true or false, got {value!r}")


def env_int(name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    value = env_str(name)
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(name, f"must be at most {maximum}, got {number}")
    return number


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env_str(name).split(",") if item.strip()]


def env_url(name: str, schemes: set[str]) -> str:
    value = env_str(name)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        expected = ", ".join(sorted(schemes))
        raise ConfigError(name, f"expected a URL starting with one of {expected}, got {value!r}")
    return value


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of IP networks (``10.0.0.0/8``) or addresses (``10.0.0.5``)."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                name, f"expected IP addresses or networks such as 10.0.0.0/8, got {item!r}"
            ) from None
    return networks


def env_timezone(name: str) -> str:
    value = env_str(name)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            name, f"unknown time zone {value!r} (use a name like Europe/Paris)"
        ) from None
    return value


def env_choice(name: str, choices: set[str]) -> str:
    value = env_str(name)
    if value not in choices:
        raise ConfigError(name, f"expected one of {', '.join(sorted(choices))}, got {value!r}")
    return value


def data_dir() -> Path:
    """The data directory, private: it holds the database, the uploads, the mail files and the
    keys. The process's umask becomes 0o077 so that everything it creates there (SQLite's files,
    uploads, mails) is 0600 in 0700 folders, and what an earlier version left readable by others
    is made private (:func:`make_private`)."""
    path = Path(env_str(DATA_DIR)).expanduser().resolve()
    os.umask(0o077)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(DATA_DIR, f"cannot create {path}: {exc.strerror}") from exc
    if not os.access(path, os.W_OK):
        raise ConfigError(DATA_DIR, f"{path} is not writable")
    make_private(path)
    return path


#: What the product keeps in the data directory, made private at start. Only these: the directory may
#: be one a person shares with other files (their home), which are none of the product's business.
PRIVATE_FILES = ("ambassade.sqlite3", "tasks.sqlite3", "secret_key", "demo-password")
PRIVATE_FOLDERS = ("imports", "mail", "media")


def make_private(path: Path) -> None:
    """Remove the group's and others' access to the data directory and to what the product keeps
    in it (a no-op once done: only what still has such bits is changed). ``static/`` is left alone:
    it holds only the product's public assets, which a front web server may serve."""
    names = [str(path)]
    for entry in os.scandir(path):
        if entry.name.startswith(PRIVATE_FILES) and entry.is_file(follow_symlinks=False):
            names.append(entry.path)
    for folder in PRIVATE_FOLDERS:
        for root, _folders, files in os.walk(path / folder):
            names.extend([root, *(os.path.join(root, name) for name in files)])
    for name in names:
        try:
            mode = os.lstat(name).st_mode
            if stat.S_ISLNK(mode) or not stat.S_IMODE(mode) & 0o077:
                continue
            os.chmod(name, stat.S_IMODE(mode) & 0o700)
        except OSError:
            continue


def secret_key(directory: Path) -> str:
    """The configured key, else one generated on first run and kept in DATA_DIR/secret_key (mode 0600)."""
    value = env_str(SECRET_KEY)
    if value:
        if len(value) < 32:
            raise ConfigError(SECRET_KEY, "must be at least 32 characters long")
        return value
    key_file = directory / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text(encoding="ascii").strip()


_default_data = os.path.join(
    os.environ.get("XDG_DATA_HOME") or os.path.join("~", ".local", "share"), "ambassade"
)

DATA_DIR = _declare(
    "AMBASSADE_DATA_DIR",
    _default_data,
    "Directory for the SQLite database, the task queue, the generated secret key, uploaded media and "
    "outgoing mail when no SMTP server is set. Created on first run; kept private (0700, the "
    "product's files 0600; static/ excepted), earlier files included.",
)
DATABASE_URL = _declare(
    "DATABASE_URL",
    "",
    "Database to use, e.g. postgres://user:password@host:5432/ambassade. Empty: SQLite (WAL) in "
    "AMBASSADE_DATA_DIR/ambassade.sqlite3.",
)
REDIS_URL = _declare(
    "REDIS_URL",
    "",
    "Redis server for the task queue (redis://host:6379/0). Empty: the queue lives in SQLite in "
    "AMBASSADE_DATA_DIR/tasks.sqlite3 and the worker runs inside `ambassade serve`.",
)
SECRET_KEY = _declare(
    "AMBASSADE_SECRET_KEY",
    "",
    "Django secret key (at least 32 characters). Empty: a key is generated on first run and kept in "
    "AMBASSADE_DATA_DIR/secret_key with mode 0600. Also readable from a file named by "
    "AMBASSADE_SECRET_KEY_FILE.",
)
VAULT_KEY = _declare(
    "AMBASSADE_VAULT_KEY",
    "",
    "Fernet key (32 url-safe base64 bytes) that encrypts platform tokens at rest. Several keys "
    "separated by commas rotate: the first encrypts, all decrypt. Empty: derived from the secret key.",
)
DEBUG = _declare(
    "AMBASSADE_DEBUG", "false", "Django debug mode. Never in production: it shows stack traces."
)
ALLOWED_HOSTS = _declare(
    "AMBASSADE_ALLOWED_HOSTS",
    "127.0.0.1,localhost",
    "Comma-separated host names the server answers to.",
)
CSRF_TRUSTED_ORIGINS = _declare(
    "AMBASSADE_CSRF_TRUSTED_ORIGINS",
    "",
    "Comma-separated origins (https://social.example.com) trusted for forms posted through a proxy.",
)
BASE_URL = _declare(
    "AMBASSADE_BASE_URL",
    "http://127.0.0.1:8000",
    "Public address of the server, used in links sent by e-mail (invitations, password resets).",
)
TRUSTED_PROXIES = _declare(
    "AMBASSADE_TRUSTED_PROXIES",
    "",
    "Comma-separated addresses or networks of the reverse proxies in front of Ambassade "
    "(127.0.0.1, 10.0.0.0/8). A request from one of them is taken to come from the address its "
    "X-Forwarded-For header names (read right to left, skipping trusted proxies) and its "
    "X-Forwarded-Proto scheme. Empty: those headers are ignored.",
)
ALLOWED_PRIVATE_HOSTS = _declare(
    "AMBASSADE_ALLOWED_PRIVATE_HOSTS",
    "",
    "Comma-separated host names and IP addresses or networks on a private network that sources, "
    "accounts and webhooks may reach (an intranet RSS feed, a Mastodon on the LAN): "
    "intranet.example.lan, 10.1.2.0/24. Empty: only public addresses are reached.",
)
SECURE_COOKIES = _declare(
    "AMBASSADE_SECURE_COOKIES",
    "false",
    "Send session and CSRF cookies over HTTPS only. Turn on behind TLS.",
)
HSTS_SECONDS = _declare(
    "AMBASSADE_HSTS_SECONDS",
    "0",
    "Strict-Transport-Security max-age in seconds, sent on HTTPS responses: browsers then refuse "
    "plain HTTP to this host for that long. 0: not sent. Set it (31536000 for a year) only once "
    "every visitor reaches Ambassade over HTTPS.",
)
TIME_ZONE = _declare(
    "AMBASSADE_TIME_ZONE",
    "Europe/Paris",
    "Default time zone for new workspaces and people (IANA name). Times are stored in UTC.",
)
LANGUAGE = _declare(
    "AMBASSADE_LANGUAGE",
    "fr",
    "Interface language when the browser asks for none we have: fr or en.",
)
EMAIL_HOST = _declare(
    "AMBASSADE_EMAIL_HOST",
    "",
    "SMTP server for outgoing mail. Empty: mails are written as files to AMBASSADE_DATA_DIR/mail.",
)
EMAIL_PORT = _declare("AMBASSADE_EMAIL_PORT", "25", "SMTP port.")
EMAIL_USER = _declare("AMBASSADE_EMAIL_USER", "", "SMTP user name, if the server needs one.")
EMAIL_PASSWORD = _declare(
    "AMBASSADE_EMAIL_PASSWORD",
    "",
    "SMTP password. Also readable from a file named by AMBASSADE_EMAIL_PASSWORD_FILE.",
)
EMAIL_SECURITY = _declare(
    "AMBASSADE_EMAIL_SECURITY",
    "none",
    "SMTP transport security: none, starttls or tls.",
)
EMAIL_FROM = _declare(
    "AMBASSADE_EMAIL_FROM",
    "Ambassade <ambassade@localhost>",
    "Sender address of the mails Ambassade sends.",
)
WORKERS = _declare(
    "AMBASSADE_WORKERS",
    "2",
    "Number of task worker threads in `ambassade serve`, `ambassade demo` and `ambassade worker`.",
)
LOG_LEVEL = _declare(
    "AMBASSADE_LOG_LEVEL",
    "INFO",
    "Log level: DEBUG, INFO, WARNING or ERROR. Tokens and passwords are never logged.",
)
TEXT_MODEL = _declare(
    "AMBASSADE_TEXT_MODEL",
    "",
    "Folder of a local ONNX transformer sentiment model (model.onnx, tokenizer.json, config.json) "
    "for the optional accurate backend (pip install 'ambassade[accurate]'). Empty: the built-in "
    "fast models.",
)
TEXT_LANGUAGES = _declare(
    "AMBASSADE_TEXT_LANGUAGES",
    "",
    "Comma-separated ISO 639-1 codes that language identification chooses among (fr,en). Empty: "
    "fr, en, de, es, it, pt, nl and ar. Read by the text engine itself.",
)
TEXT_PREFERRED = _declare(
    "AMBASSADE_TEXT_PREFERRED",
    "",
    "Comma-separated ISO 639-1 codes of the users' languages: language identification leans toward "
    "them on short or ambiguous messages (the others' likelihood halved). Empty: fr,en; none: no "
    "lean. Read by the text engine itself.",
)


def _declare_app(
    network: str, label: str, id_name: str, secret_name: str, where: str
) -> tuple[str, str]:
    return (
        _declare(
            f"AMBASSADE_{network}_{id_name}",
            "",
            f"{label} app's {id_name.lower().replace('_', ' ')} for “Connect with {label}” ({where}). "
            "Empty: accounts are connected by pasting a token.",
        ),
        _declare(
            f"AMBASSADE_{network}_{secret_name}",
            "",
            f"{label} app's {secret_name.lower().replace('_', ' ')}. Also readable from a file named "
            f"by AMBASSADE_{network}_{secret_name}_FILE.",
        ),
    )


#: The OAuth apps of the installation, by provider: (id setting, secret setting). The redirect URI
#: to register with each is AMBASSADE_BASE_URL + /oauth/<provider>/callback/ (docs/publishing.md).
OAUTH_APPS: dict[str, tuple[str, str]] = {
    "linkedin": _declare_app(
        "LINKEDIN", "LinkedIn", "CLIENT_ID", "CLIENT_SECRET", "LinkedIn Developer Portal → Auth"
    ),
    "x": _declare_app(
        "X",
        "X",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "X Developer Console → Keys and tokens → OAuth 2.0; leave the secret empty for a public client",
    ),
    "facebook": _declare_app(
        "FACEBOOK",
        "Facebook",
        "APP_ID",
        "APP_SECRET",
        "Meta for Developers → App settings → Basic; it connects Facebook pages and Instagram accounts",
    ),
    "threads": _declare_app(
        "THREADS", "Threads", "APP_ID", "APP_SECRET", "the Threads app ID of the Meta app"
    ),
    "reddit": _declare_app(
        "REDDIT", "Reddit", "CLIENT_ID", "CLIENT_SECRET", "reddit.com/prefs/apps, a web app"
    ),
    "tiktok": _declare_app(
        "TIKTOK",
        "TikTok",
        "CLIENT_KEY",
        "CLIENT_SECRET",
        "TikTok for Developers → Manage apps, with Login Kit and the Display API's scopes",
    ),
}
