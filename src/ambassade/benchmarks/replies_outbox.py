"""`ambassade bench replies_outbox`: the inbox's replies go out exactly once while the network fails
and workers are killed. The machinery is `ambassade bench outbox`'s (fake networks on loopback, real
`ambassade worker` processes SIGKILLed and restarted), in its replies mode: see
:mod:`ambassade.benchmarks.outbox`."""

from __future__ import annotations

from ambassade.benchmarks import BenchOptions, BenchResult, outbox

__all__ = ["OPTIONS", "TITLE", "run"]

TITLE = "Replies outbox reliability (exactly once under faults and SIGKILL)"
BARE_SUMMARY = True
OPTIONS = {**outbox.OPTIONS, "posts": "number of replies (default 1000)"}


def run(options: BenchOptions) -> BenchResult:
    return outbox.run(options, kind="replies")
