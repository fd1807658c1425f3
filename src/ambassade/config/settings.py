"""Django settings, read from the environment through :mod:`ambassade.config.env`."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from ambassade.config import env
from ambassade.connectors import http

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()

SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.env_bool(env.DEBUG)
ALLOWED_HOSTS = env.env_list(env.ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env.env_list(env.CSRF_TRUSTED_ORIGINS)
BASE_URL = env.env_url(env.BASE_URL, {"http", "https"}).rstrip("/")
TRUSTED_PROXIES = env.env_networks(env.TRUSTED_PROXIES)
# Private destinations an administrator allows the connectors' HTTP seam to reach (process-wide).
ALLOWED_PRIVATE_HOSTS = env.env_list(env.ALLOWED_PRIVATE_HOSTS)
try:
    http.allow_private_destinations(ALLOWED_PRIVATE_HOSTS)
except ValueError as exc:
    raise env.ConfigError(env.ALLOWED_PRIVATE_HOSTS, str(exc)) from None

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ambassade.config",
    "ambassade.workspaces",
    "ambassade.listening",
    "ambassade.publishing",
    "ambassade.crisis",
    "ambassade.community",
    "ambassade.inbox",
    "ambassade.replies",
    "ambassade.inbox.targets",
    "ambassade.moderation",
    "ambassade.suggestions",
    "ambassade.satisfaction",
    "ambassade.bugreports",
    "ambassade.contests",
    "ambassade.events",
    "ambassade.referrals",
    "ambassade.mailing",
    "ambassade.products",
    # After community and products: its routing receiver runs after theirs.
    "ambassade.missions",
    "ambassade.analytics",
]

MIDDLEWARE = [
    "ambassade.config.middleware.ProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ambassade.config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, plus American date formats for browsers asking for them (workspaces/locale.py).
    "ambassade.workspaces.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ambassade.config.middleware.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ambassade.config.urls"
WSGI_APPLICATION = "ambassade.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ambassade.workspaces.context_processors.shell",
                "ambassade.config.context_processors.csp_nonce",
            ],
        },
    }
]

# Database: SQLite (WAL) in the data directory unless DATABASE_URL says otherwise.
_database_url = env.env_url(env.DATABASE_URL, {"postgres", "postgresql", "sqlite"})
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except ValueError as exc:
        raise env.ConfigError(env.DATABASE_URL, str(exc)) from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "ambassade.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Task queue: Huey on SQLite beside the database, or on Redis when REDIS_URL is set.
_redis_url = env.env_url(env.REDIS_URL, {"redis", "rediss", "unix"})
_workers = env.env_int(env.WORKERS, minimum=1, maximum=64)
HUEY = {
    "name": "ambassade",
    "immediate": False,
    "utc": True,
    "consumer": {"workers": _workers, "worker_type": "thread", "periodic": True},
}
if _redis_url:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": _redis_url}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "tasks.sqlite3")}

AUTH_USER_MODEL = "auth.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.env_bool(env.SECURE_COOKIES)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent on HTTPS responses only (behind a proxy, AMBASSADE_TRUSTED_PROXIES tells which those are).
SECURE_HSTS_SECONDS = env.env_int(env.HSTS_SECONDS, minimum=0)
# Hide tokens and passwords from error reports even with DEBUG on.
DEFAULT_EXCEPTION_REPORTER_FILTER = "ambassade.workspaces.debug.AlwaysSafeExceptionReporterFilter"

LANGUAGE_CODE = env.env_choice(env.LANGUAGE, {"fr", "en"})
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates shown follow the locale (English: day before month); dates in forms are ISO in every one.
FORMAT_MODULE_PATH = ["ambassade.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.env_timezone(env.TIME_ZONE)

STATIC_URL = "/static/"
STATIC_ROOT = (
    DATA_DIR / "static"
)  # `collectstatic` target; files are served from the package otherwise
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Mail: SMTP when a host is set, else files in the data directory so nothing is lost.
_email_host = env.env_str(env.EMAIL_HOST)
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env.env_str(env.EMAIL_FROM)
if _email_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email_host
    EMAIL_PORT = env.env_int(env.EMAIL_PORT, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env.env_str(env.EMAIL_USER)
    EMAIL_HOST_PASSWORD = env.env_str(env.EMAIL_PASSWORD)
    _security = env.env_choice(env.EMAIL_SECURITY, {"none", "starttls", "tls"})
    EMAIL_USE_TLS = _security == "starttls"
    EMAIL_USE_SSL = _security == "tls"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"


def _vault_keys() -> list[bytes]:
    configured = env.env_list(env.VAULT_KEY)
    keys: list[bytes] = []
    for key in configured:
        try:
            if len(base64.urlsafe_b64decode(key.encode("ascii"))) != 32:
                raise ValueError
        except ValueError:
            raise env.ConfigError(
                env.VAULT_KEY, "each key must be 32 url-safe base64-encoded bytes (a Fernet key)"
            ) from None
        keys.append(key.encode("ascii"))
    if not keys:
        digest = hashlib.sha256(b"ambassade-vault:" + SECRET_KEY.encode()).digest()
        keys.append(base64.urlsafe_b64encode(digest))
    return keys


VAULT_KEYS = _vault_keys()


def _oauth_apps() -> dict[str, tuple[str, str]]:
    """The configured OAuth apps ("Connect with …"), by provider. An id without its secret stops
    the start (only X has public clients, which have no secret)."""
    apps: dict[str, tuple[str, str]] = {}
    for provider, (id_name, secret_name) in env.OAUTH_APPS.items():
        client_id, client_secret = env.env_str(id_name), env.env_str(secret_name)
        if client_secret and not client_id:
            raise env.ConfigError(id_name, f"is empty while {secret_name} is set")
        if client_id and not client_secret and provider != "x":
            raise env.ConfigError(secret_name, f"is needed with {id_name}")
        if client_id:
            apps[provider] = (client_id, client_secret)
    return apps


OAUTH_APPS = _oauth_apps()

# Read by ambassade.engine.text itself (it cannot import settings); checked here so a typo stops the start.
TEXT_MODEL = env.env_str(env.TEXT_MODEL)
if TEXT_MODEL and not (Path(TEXT_MODEL).expanduser() / "model.onnx").is_file():
    raise env.ConfigError(env.TEXT_MODEL, f"no model.onnx in {TEXT_MODEL}")
if env.env_str(env.TEXT_LANGUAGES):
    from ambassade.engine.text._language import configured_languages

    # The engine reads the environment only: a value given as AMBASSADE_TEXT_LANGUAGES_FILE reaches it so.
    os.environ[env.TEXT_LANGUAGES] = env.env_str(env.TEXT_LANGUAGES)
    try:
        configured_languages()
    except ValueError as exc:
        raise env.ConfigError(env.TEXT_LANGUAGES, str(exc)) from None
if env.env_str(env.TEXT_PREFERRED):
    from ambassade.engine.text._language import preferred_languages

    os.environ[env.TEXT_PREFERRED] = env.env_str(env.TEXT_PREFERRED)
    try:
        preferred_languages()
    except ValueError as exc:
        raise env.ConfigError(env.TEXT_PREFERRED, str(exc)) from None

LOG_LEVEL = env.env_choice(env.LOG_LEVEL, {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "WARNING" if LOG_LEVEL != "DEBUG" else "DEBUG"},
    },
}
