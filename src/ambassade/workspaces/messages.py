"""Messages for people, in the reader's language (docs/architecture.md, "Messages for people").

What the engine, the connectors and the apps tell a person carries a code and parameters where it
is made (:class:`ambassade.engine.messages.Message`, ``ConnectorError``, ``QuerySyntaxError``) and is
worded here, when it is shown, in the language active then. Each app words its codes in its own
``messages.py`` (found on first use) by registering them::

    register("source.no_connector", _("No connector reads sources of this kind."))
    register("alert.digest", ngettext_lazy("Digest: %(count)s alert", "Digest: %(count)s alerts", "count"))

Wordings use ``%(name)s`` placeholders named as the parameters. A message is stored as it was made,
not as a sentence: :class:`MessageField` keeps its code, parameters and English text (JSON in a text
column) and gives back a :class:`StoredMessage`, which words itself when it is turned into text
(``{{ notification.title }}`` in a template, ``str()`` in Python). Text stored before codes existed,
and text a person typed, stays as it is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ambassade.engine.messages import Message, check_code

__all__ = [
    "CATALOGUE",
    "MessageField",
    "StoredMessage",
    "catalogue",
    "coded",
    "register",
    "register_all",
    "register_upgrade",
    "words",
    "words_in",
]

log = logging.getLogger(__name__)

#: code → wording (a lazy translation, ``gettext_lazy`` or ``ngettext_lazy`` with a named number).
CATALOGUE: dict[str, str | Promise] = {}
#: code → how to read the parameters an older version stored (see :func:`register_upgrade`).
UPGRADES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
_discovered = False


def register(code: str, wording: str | Promise) -> str:
    """Word ``code``; returns the code. A code is worded once."""
    check_code(code)
    if code in CATALOGUE and CATALOGUE[code] is not wording:
        raise ValueError(f"the message code {code!r} is already worded")
    CATALOGUE[code] = wording
    return code


def register_all(wordings: Mapping[str, str | Promise]) -> None:
    for code, wording in wordings.items():
        register(code, wording)


def register_upgrade(code: str, upgrade: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Read the stored parameters of ``code`` through ``upgrade`` before wording them: when an app
    changes what it stores for a code, what an older version stored still reads right, without
    rewriting the rows."""
    check_code(code)
    UPGRADES[code] = upgrade


def catalogue() -> dict[str, str | Promise]:
    """Every worded code, each installed app's ``messages`` module loaded first."""
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        # The connectors' codes belong to no app; the foundation words them for every app.
        import ambassade.workspaces.connector_messages
        import ambassade.workspaces.networks  # noqa: F401

        autodiscover_modules("messages")
        _discovered = bool(apps.ready)
    return CATALOGUE


class StoredMessage:
    """A message as stored: ``code`` and ``params`` to word in the reader's language, ``text`` for
    a message without a code (stored before codes existed, or typed by a person) and for logs.

    Parameters are text or numbers, dates and times (written as the reader's locale writes them,
    times in the active time zone), messages themselves (worded in the same language), or lists of
    messages (joined by semicolons). ``str()`` words it in the active language; an empty message is false.
    """

    __slots__ = ("code", "params", "text")

    def __init__(self, code: str = "", params: Mapping[str, Any] | None = None, text: str = ""):
        self.code = check_code(code)
        self.params = {name: _stored_param(name, value) for name, value in (params or {}).items()}
        self.text = str(text)

    @classmethod
    def of(cls, value: Any) -> StoredMessage:
        """``value`` as a stored message: a message or anything carrying ``code``, ``params`` and
        ``message`` (an engine or connector error), a stored form (:meth:`to_db`), or text."""
        if value is None:
            return cls()
        if isinstance(value, StoredMessage):
            return value
        if isinstance(value, Message):
            return cls(value.code, value.params, value.text)
        if isinstance(value, Promise):  # worded already, by someone who had no code for it
            return cls(text=str(value))
        if isinstance(value, str):
            return cls.from_db(value)
        if isinstance(value, dict) and isinstance(value.get("code"), str):  # ``to_json()``
            return cls(value["code"], value.get("params") or {}, value.get("text") or "")
        code = getattr(value, "code", None)
        if isinstance(code, str):
            text = getattr(value, "message", None)
            return cls(code, getattr(value, "params", None) or {}, str(text or value))
        return cls(text=str(value))

    @classmethod
    def from_db(cls, value: str | None) -> StoredMessage:
        if not value:
            return cls()
        if value.startswith('{"code":'):
            try:
                data = json.loads(value)
                return cls(data["code"], data.get("params") or {}, data.get("text") or "")
            except (ValueError, KeyError, TypeError):
                pass
        return cls(text=value)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": {name: _param_json(value) for name, value in self.params.items()},
            "text": self.text,
        }

    def to_db(self) -> str:
        if not self.code:
            return self.text
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def words(self) -> str:
        """The message in the active language (its text when its code has no wording)."""
        if not self.code:
            return self.text
        wording = catalogue().get(self.code)
        if wording is None:
            log.warning("message code %r has no wording", self.code)
            return self.text or self.code
        try:
            params = self.params
            upgrade = UPGRADES.get(self.code)
            if upgrade is not None:
                params = upgrade(dict(params))
            return str(wording % {name: _worded(value) for name, value in params.items()})
        except (KeyError, TypeError, ValueError):
            log.warning("message %r does not fit its wording", self.code, exc_info=True)
            return self.text or self.code

    def __str__(self) -> str:
        return self.words()

    def __bool__(self) -> bool:
        return bool(self.code or self.text)

    # Compared with text, or searched with ``in``, a message is its English text (what the logs
    # show), never a translation: ``alert.title == "… mentioned the brand"``.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredMessage):
            return self.to_db() == other.to_db()
        if isinstance(other, str):
            return other in (self.text, self.to_db())
        return NotImplemented

    def __contains__(self, text: str) -> bool:
        return text in self.text

    def __hash__(self) -> int:
        return hash(self.to_db())

    def __repr__(self) -> str:
        return f"StoredMessage({self.code!r}, {self.params!r}, text={self.text!r})"


def _stored_param(name: str, value: Any) -> Any:
    if isinstance(value, date):  # a datetime too
        return value
    if isinstance(value, dict) and set(value) == {"datetime"}:
        return datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(value["date"])
    if isinstance(value, bool):
        raise TypeError(f"message parameter {name!r} must be text or a number, not {value!r}")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return value[:500]
    if isinstance(value, Promise):
        raise TypeError(
            f"message parameter {name!r} is a translation: pass its code (a message) instead"
        )
    if isinstance(value, dict) and "code" in value:
        return StoredMessage(value["code"], value.get("params"), value.get("text", ""))
    if isinstance(value, list | tuple):
        return [StoredMessage.of(_dict_message(item)) for item in value]
    return StoredMessage.of(value)


def _dict_message(item: Any) -> Any:
    if isinstance(item, dict) and "code" in item:
        return StoredMessage(item["code"], item.get("params"), item.get("text", ""))
    return item


def _param_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, StoredMessage):
        return value.to_json()
    if isinstance(value, list):
        return [item.to_json() for item in value]
    return value


class _Grouped(int):
    """A whole number that writes itself with the reader's grouping ("12 000") and is still a
    number, so a wording made with ``ngettext_lazy`` chooses its plural form by it (gettext's
    plural rules refuse text)."""

    def __str__(self) -> str:
        return formats.number_format(int(self), use_l10n=True, force_grouping=True)

    __repr__ = int.__repr__


def _worded(value: Any) -> str | int | float:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, StoredMessage):
        return value.words()
    if isinstance(value, list):
        return "; ".join(item.words() for item in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) and abs(value) < 10_000:
        return value  # a year, a column, a count: grouped digits only from five
    if isinstance(value, int):
        return _Grouped(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def coded(code: str, **params: Any) -> StoredMessage:
    """A message of the catalogue with its parameters, its English text kept for logs."""
    message = StoredMessage(code, params)
    with translation.override("en"):
        message.text = message.words()
    return message


def words(value: Any) -> str:
    """Any message (stored, engine, connector error, text) in the active language."""
    return StoredMessage.of(value).words()


def words_in(language: str, value: Any) -> str:
    with translation.override(language):
        return words(value)


class _MessageAttribute(DeferredAttribute):
    """Whatever is assigned (text, a message, an error) reads back as a :class:`StoredMessage`."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = StoredMessage.of(value)


class MessageField(models.TextField):  # type: ignore[type-arg]
    """A message stored with its code and parameters (JSON in a text column), or as text when it
    has no code. Reads back as a :class:`StoredMessage`, worded in the reader's language."""

    descriptor_class = _MessageAttribute

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> StoredMessage:
        return StoredMessage.from_db(value)

    def to_python(self, value: Any) -> StoredMessage:
        return StoredMessage.of(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return StoredMessage.of(value).to_db()

    def value_to_string(self, obj: models.Model) -> str:
        return StoredMessage.of(self.value_from_object(obj)).to_db()


def stored_codes(values: Iterable[StoredMessage]) -> set[str]:
    """Every code in ``values`` and their parameters (tests check each is worded)."""
    codes: set[str] = set()
    for value in values:
        if value.code:
            codes.add(value.code)
        for param in value.params.values():
            nested = param if isinstance(param, list) else [param]
            codes |= stored_codes(p for p in nested if isinstance(p, StoredMessage))
    return codes


# The foundation's own messages: the state of a connection to a network account.
register_all(
    {
        "connection.revoked": _(
            "%(network)s no longer accepts this connection's authorisation (it was revoked, or "
            "expired). Reconnect the account to keep publishing."
        ),
        "connection.expired": _("The %(network)s token has expired. Reconnect the account."),
        "connection.expiring": _(
            "The %(network)s token expires on %(date)s and %(network)s does not let Ambassade "
            "renew it: reconnect the account before then."
        ),
    }
)

# Why an e-mail of the claim-send-mark queue was not sent (workspaces/mailqueue.reason).
register_all(
    {
        "mail.server_unreachable": _("The mail server could not be reached (%(detail)s)."),
        "mail.login_refused": _(
            "The mail server refused the login (%(detail)s): check the account's settings."
        ),
        "mail.sender_refused": _("The mail server refused the sender's address (%(detail)s)."),
        "mail.recipients_refused": _("The mail server refused the recipients (%(detail)s)."),
        "mail.server_refused": _("The mail server refused the e-mail (%(detail)s)."),
        "mail.no_recipient": _("There is nobody to send it to."),
        "mail.not_sent": _("The e-mail could not be sent (%(kind)s: %(detail)s)."),
    }
)
