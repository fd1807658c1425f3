"""Long documents cost about their length, not its square (issue #10: a message repeating two words
far apart held a worker for 45 s with 20,000 words under a NEAR query)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

from ambassade.engine.query import Document, Matcher, evaluate, parse, prepare


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupts the block after ``seconds`` of CPU time: a generous bound, a hundred times what the
    block needs, only there so that a quadratic regression fails instead of running for minutes."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    except TimeoutError:
        failed = True
    else:
        failed = False
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    if failed:
        pytest.fail(f"still running after {seconds} s of CPU time", pytrace=False)


def test_near_on_a_long_document_is_not_quadratic() -> None:
    words = 40_000  # the old pairwise loop needed about 1.6 billion comparisons (minutes)
    text = "x " * words + "a b c d e f g h " + "y " * words
    matcher = Matcher({"far": "x NEAR/3 y", "phrase": '"x x" NEAR/2 "y y"', "near": "x NEAR/9 y"})
    document = prepare(Document(text))
    with _deadline(10):
        assert matcher.match(document) == ["near"]
    # The reference semantics agree (checked on a short document: it is the pairwise loop).
    short = prepare(Document("x " * 50 + "a b c d e f g h " + "y " * 50))
    for query in ("x NEAR/3 y", "y NEAR/9 x", "x ONEAR/9 y", "y ONEAR/9 x"):
        assert (matcher.__class__({"q": query}).match(short) == ["q"]) == evaluate(
            parse(query), short
        )


def test_a_runaway_host_name_gives_no_site_keys() -> None:
    url = "https://" + "a." * 5_000 + "example.com/x"
    matcher = Matcher({"site": "site:example.com", "word": "brand"})
    document = prepare(Document(f"brand {url}"))
    site_keys = sum(len(key) for key in matcher.index(document) if key.startswith("site:"))
    assert site_keys == 0  # was 5,000 suffixes, 25 million characters
    assert matcher.match(document) == ["word"]
    assert not evaluate(parse("site:example.com"), document)
    real = prepare(Document("brand https://blog.example.com/x"))
    assert matcher.match(real) == ["site", "word"]
