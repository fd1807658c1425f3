"""Hide a secret that travels in a URL's path (a Telegram bot token, a Discord webhook token).

The HTTP seam redacts secrets it is given as parameters, headers or bodies; a token that is part of
the path reaches its messages (timeouts, connection failures). Publishers call the network inside
``scrubbed(secret)``, which re-raises any :class:`ConnectorError` with the secret replaced."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import OutcomeUnknown

__all__ = ["scrubbed"]


@contextmanager
def scrubbed(*secrets: str) -> Iterator[None]:
    try:
        yield
    except ConnectorError as error:
        message = error.message
        for secret in secrets:
            if secret and len(secret) >= 4:
                message = message.replace(secret, "[redacted]")
        if message == error.message:
            raise
        if isinstance(error, AuthExpired):
            raise AuthExpired(message) from None
        if isinstance(error, OutcomeUnknown):
            raise OutcomeUnknown(message, permanent=error.permanent) from None
        raise ConnectorError(
            message, permanent=error.permanent, retry_after=error.retry_after
        ) from None
