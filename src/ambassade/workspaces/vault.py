"""The credentials vault: platform tokens encrypted at rest with Fernet.

Keys come from ``settings.VAULT_KEYS`` (``AMBASSADE_VAULT_KEY``, comma-separated, or derived from the
secret key): the first key encrypts, every key decrypts, so a key is rotated by putting the new one first
and re-encrypting every stored secret with :func:`rotate_all` (``ambassade rotate_vault``).
Every model field holding vault output is a ``BinaryField`` named ``*_ciphertext``: that name is how
the rotation finds them (a test keeps every other binary field on an explicit list).

Decrypted data is wrapped in :class:`Secret`, whose ``repr`` and ``str`` hide the content, so a secret
that reaches a log line, a template or a debug page shows as ``<secret>``. Call :meth:`Secret.reveal`
only at the point where the token is sent to the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

__all__ = [
    "Rotation",
    "Secret",
    "VaultError",
    "ciphertext_fields",
    "decrypt",
    "encrypt",
    "rotate",
    "rotate_all",
]


class VaultError(Exception):
    """The ciphertext cannot be read with any configured key (a key was removed or data damaged)."""


class Secret:
    """Decrypted credentials. Only :meth:`reveal` gives the content."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def reveal(self) -> dict[str, Any]:
        return dict(self._data)

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._data == self._data

    __hash__ = None  # type: ignore[assignment]


def _fernet() -> MultiFernet:
    # Built on each call (cheap) so that tests overriding VAULT_KEYS take effect.
    return MultiFernet([Fernet(key) for key in settings.VAULT_KEYS])


@sensitive_variables()
def encrypt(data: dict[str, Any]) -> bytes:
    return _fernet().encrypt(json.dumps(data, separators=(",", ":")).encode())


@sensitive_variables()
def decrypt(ciphertext: bytes) -> Secret:
    try:
        plain = _fernet().decrypt(ciphertext)
    except InvalidToken:
        raise VaultError("the credentials cannot be decrypted with the configured keys") from None
    return Secret(json.loads(plain))


def rotate(ciphertext: bytes) -> bytes:
    """Re-encrypt with the first (current) key."""
    try:
        return _fernet().rotate(ciphertext)
    except InvalidToken:
        raise VaultError("the credentials cannot be decrypted with the configured keys") from None


def ciphertext_fields() -> list[tuple[Any, str]]:
    """Every (model, field name) that holds vault output: binary fields named ``*_ciphertext``."""
    from django.apps import apps
    from django.db import models

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.BinaryField) and field.name.endswith("_ciphertext")
    ]


@dataclass
class Rotation:
    """What :func:`rotate_all` re-encrypted: rows per ``app_label.Model.field``."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def rotate_all(progress: Callable[[str, int], None] | None = None) -> Rotation:
    """Re-encrypt every stored secret with the first key, in one transaction: when one cannot be
    read with any key (:class:`VaultError` naming the model, field and row, never the content),
    nothing is changed. Run it after putting a new key first in ``AMBASSADE_VAULT_KEY``; the old
    key can then be removed."""
    from django.db import transaction

    counts: dict[str, int] = {}
    with transaction.atomic():
        for model, name in ciphertext_fields():
            label = f"{model._meta.label}.{name}"
            done = 0
            rows = model._base_manager.order_by("pk").values_list("pk", name)
            for pk, value in rows.iterator(chunk_size=500):
                if not value:
                    continue
                try:
                    fresh = rotate(bytes(value))
                except VaultError:
                    raise VaultError(
                        f"{label} of row {pk} cannot be decrypted with the configured keys; "
                        "nothing was re-encrypted"
                    ) from None
                model._base_manager.filter(pk=pk).update(**{name: fresh})
                done += 1
                if progress is not None and done % 100 == 0:
                    progress(label, done)
            counts[label] = done
            if progress is not None:
                progress(label, done)
    return Rotation(counts)
