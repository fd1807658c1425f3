"""Whatever shape a network's payload takes, a parser raises ConnectorError, never AttributeError."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from ambassade.connectors.base import ConnectorError

__all__ = ["parser"]

P = ParamSpec("P")
R = TypeVar("R")


def parser(network: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a payload parser: a payload of an unexpected shape becomes a temporary
    :class:`ConnectorError` naming the network (a broken answer is usually the network's passing
    fault; if it lasts, the message says what to report)."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except ConnectorError:
                raise
            except (
                AttributeError,
                TypeError,
                KeyError,
                IndexError,
                ValueError,
                OverflowError,
            ) as exc:
                raise ConnectorError(
                    f"{network} returned a payload of an unexpected shape "
                    f"({type(exc).__name__}: {str(exc)[:200]}).",
                    code="connector.bad_answer",
                    params={"network": network},
                ) from None

        return wrapper

    return decorate
