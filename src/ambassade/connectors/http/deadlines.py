"""An attempt's time bound: inside ``with deadline(seconds):`` every request's timeout is cut to the
time left, and no request starts once it has passed (:class:`DeadlinePassed`, raised before sending)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ambassade.connectors.base import ConnectorError

__all__ = ["Deadline", "DeadlinePassed", "current_deadline", "deadline"]


class DeadlinePassed(ConnectorError):
    """The attempt's deadline has passed (or its claim was lost): the request was **not** sent, so it
    is safe to try again later."""


class Deadline:
    """A point in time (monotonic clock) after which no request of an attempt may start, and by which
    every request of it has given up. :meth:`cancel` ends it at once (the claim was lost)."""

    #: A request is not started with less than this left: it could not get an answer anyway.
    MIN_LEFT = 0.2

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.at = clock() + seconds
        self.cancelled = False

    def left(self) -> float:
        return 0.0 if self.cancelled else max(0.0, self.at - self._clock())

    def passed(self) -> bool:
        """Whether the time is over (a cancelled deadline still lets an answer be read)."""
        return self._clock() >= self.at

    def cancel(self) -> None:
        self.cancelled = True


_DEADLINE: ContextVar[Deadline | None] = ContextVar("ambassade_http_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Bound every request made in this block (this thread) by ``seconds`` from now."""
    bound = Deadline(seconds)
    token = _DEADLINE.set(bound)
    try:
        yield bound
    finally:
        _DEADLINE.reset(token)


def current_deadline() -> Deadline | None:
    """The deadline of the block this thread runs in, or None."""
    return _DEADLINE.get()
