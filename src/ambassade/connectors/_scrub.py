"""Hide a secret that travels in a URL's path (a Telegram bot token, a Discord webhook token).

The HTTP seam redacts secrets it is given as parameters, headers or bodies; a token that is part of
the path reaches its messages (timeouts, connection failures). Publishers call the network inside
``scrubbed(secret)``, which re-raises any :class:`ConnectorError` with the secret replaced."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ambassade.connectors.base import ConnectorError

__all__ = ["scrubbed"]


@contextmanager
def scrubbed(*secrets: str) -> Iterator[None]:
    try:
        yield
    except ConnectorError as error:
        hidden = [secret for secret in secrets if secret and len(secret) >= 4]
        message = _hide(error.message, hidden)
        params = {k: _hide(v, hidden) if isinstance(v, str) else v for k, v in error.params.items()}
        if message == error.message and params == dict(error.params):
            raise
        raise error.with_message(message, params) from None


def _hide(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text
