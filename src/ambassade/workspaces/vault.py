"""The credentials vault: platform tokens encrypted at rest with Fernet.

Keys come from ``settings.VAULT_KEYS`` (``AMBASSADE_VAULT_KEY``, comma-separated, or derived from the
secret key): the first key encrypts, every key decrypts, so a key is rotated by putting the new one first
and re-encrypting with :func:`rotate`.

Decrypted data is wrapped in :class:`Secret`, whose ``repr`` and ``str`` hide the content, so a secret
that reaches a log line, a template or a debug page shows as ``<secret>``. Call :meth:`Secret.reveal`
only at the point where the token is sent to the network.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

__all__ = ["Secret", "VaultError", "decrypt", "encrypt", "rotate"]


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
