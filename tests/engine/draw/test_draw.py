"""The verifiable draw: test vectors, the reference implementation of docs/contests.md, rejection
sampling, tampering of every kind detected, and properties."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.draw import (
    Draw,
    DrawError,
    canonical_entries,
    commitment,
    draw_winners,
    entries_sha256,
    new_seed,
    verify,
)

HERE = Path(__file__).parent
DOCS = HERE.parents[2] / "docs" / "contests.md"
VECTORS = json.loads((HERE / "vectors.json").read_text(encoding="utf-8"))


def reference() -> dict[str, Any]:
    """The Python block of docs/contests.md's "Reference implementation", run as written."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Reference implementation", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # noqa: S102
    return namespace


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_it_reproduces_the_test_vectors(vector: dict[str, Any]) -> None:
    seed = bytes.fromhex(vector["seed"])
    assert commitment(seed) == vector["commitment"]
    assert entries_sha256(vector["entries"]) == vector["entries_sha256"]
    count = vector["winners"] + vector["reserves"]
    assert draw_winners(seed, vector["entries"], count) == vector["results"]
    # And so does the reference implementation printed in docs/contests.md.
    ref = reference()
    assert ref["draw"](vector["seed"], vector["entries"], count) == vector["results"]
    ref["check"](vector)
    # The vectors are printed in the docs too.
    assert f"results {', '.join(f'`{r}`' for r in vector['results'])}" in DOCS.read_text(
        encoding="utf-8"
    )


def test_the_canonical_list_is_nfc_utf8_sorted_by_bytes() -> None:
    assert canonical_entries(["é", "Z", "a", "e\u0301x"]) == "Z\na\né\néx\n".encode()
    assert entries_sha256([]) == hashlib.sha256(b"").hexdigest()
    with pytest.raises(DrawError) as caught:
        canonical_entries(["é", "e\u0301"])
    assert (caught.value.code, caught.value.params) == ("draw.repeated_entry", {"position": 2})
    for bad in ("", "a\nb", "a\rb", "x" * 201):
        with pytest.raises(DrawError) as caught:
            canonical_entries(["ok", bad])
        assert caught.value.code == "draw.bad_entry"


def test_it_rejects_numbers_that_would_bias_the_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2**64 mod 3 == 1: among three entries the largest number, 2**64 - 1, must be rejected;
    # "mod 3" would otherwise give index 0 one extra chance in 2**64.
    from ambassade.engine.draw import _draw

    blocks = iter([(2**64 - 1).to_bytes(8, "big"), (5).to_bytes(8, "big"), (0).to_bytes(8, "big")])
    counters = []

    class FakeMac:
        def __init__(self, key: bytes, message: bytes, digestmod: object) -> None:
            counters.append(int.from_bytes(message[-8:], "big"))

        def digest(self) -> bytes:
            return next(blocks) + bytes(24)

    monkeypatch.setattr(_draw.hmac, "new", FakeMac)
    assert draw_winners(bytes(32), ["a", "b", "c"], 2) == ["c", "a"]
    assert counters == [0, 1, 2]  # the rejected number used up counter 0


def test_each_entry_is_drawn_about_as_often() -> None:
    wins = Counter(
        draw_winners(hashlib.sha256(str(n).encode()).digest(), ["a", "b", "c", "d"], 1)[0]
        for n in range(2000)
    )
    assert set(wins) == {"a", "b", "c", "d"}
    assert all(400 < count < 600 for count in wins.values()), wins


def test_a_published_draw_verifies_and_every_tampering_is_caught() -> None:
    seed = bytes(range(32))
    made = Draw.make(seed, ["e3", "e1", "e2", "e4"], winners=1, reserves=1, contest="Noël")
    data = json.loads(made.to_json())
    assert data["entries"] == ["e1", "e2", "e3", "e4"]
    ok = verify(Draw.from_json(data))
    assert ok.ok and ok.message.code == "draw.verified"
    assert ok.message.params == {"winners": 1, "reserves": 1, "entries": 4}

    def outcome(**changes: Any) -> str:
        return verify(Draw.from_json({**data, **changes})).message.code

    assert outcome(seed=bytes(31).hex() + "01") == "draw.commitment_mismatch"
    assert outcome(entries=["e1", "e2", "e3", "e5"]) == "draw.entries_mismatch"
    assert outcome(entries=["e1", "e2", "e3", "e3"]) == "draw.repeated_entry"
    other = next(e for e in data["entries"] if e not in data["results"])
    result = verify(Draw.from_json({**data, "results": [other, data["results"][1]]}))
    assert not result.ok and result.message.code == "draw.result_mismatch"
    assert result.message.params == {
        "position": 1,
        "expected": data["results"][0],
        "published": other,
    }
    assert outcome(results=data["results"][:1]) == "draw.result_count"
    assert outcome(reserves=2) == "draw.result_count"
    # Entries in another order are the same list.
    assert outcome(entries=list(reversed(data["entries"]))) == "draw.verified"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ([], "draw.not_an_object"),
        ({"format": "other/1"}, "draw.unknown_format"),
        ({"format": "ambassade-draw/1", "seed": "AB"}, "draw.bad_hex"),
    ],
)
def test_it_names_what_is_wrong_in_a_draw_file(data: object, code: str) -> None:
    with pytest.raises(DrawError) as caught:
        Draw.from_json(data)
    assert caught.value.code == code


def test_it_refuses_a_bad_field_and_a_bad_seed_or_count() -> None:
    good = json.loads(Draw.make(bytes(32), ["a"], 1).to_json())
    for field, value, code in [
        ("winners", -1, "draw.bad_number"),
        ("reserves", True, "draw.bad_number"),
        ("results", "a", "draw.bad_list"),
        ("entries", [1], "draw.bad_list"),
    ]:
        with pytest.raises(DrawError) as caught:
            Draw.from_json({**good, field: value})
        assert (caught.value.code, caught.value.params) == (code, {"field": field})
    with pytest.raises(DrawError) as caught:
        commitment(b"short")
    assert caught.value.code == "draw.bad_seed"
    with pytest.raises(DrawError):
        Draw.make(bytes(32), ["a"], 0)
    with pytest.raises(DrawError):
        draw_winners(bytes(32), ["a"], -1)
    assert len(new_seed()) == 32 and new_seed() != new_seed()


entry_lists = st.lists(
    st.text(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"),
        min_size=1,
        max_size=8,
    ),
    max_size=30,
    unique_by=lambda e: unicodedata.normalize("NFC", e),
)


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=32, max_size=32), entry_lists, st.integers(0, 40))
def test_draws_are_deterministic_distinct_and_independent_of_order(
    seed: bytes, entries: list[str], count: int
) -> None:
    drawn = draw_winners(seed, entries, count)
    assert drawn == draw_winners(seed, list(reversed(entries)), count)
    assert len(drawn) == min(count, len(entries)) and len(set(drawn)) == len(drawn)
    assert set(drawn) <= {unicodedata.normalize("NFC", e) for e in entries}
    # More results extend the fewer: the reserves come after the winners.
    assert draw_winners(seed, entries, count + 2)[: len(drawn)] == drawn
    if entries:
        made = Draw.make(seed, entries, winners=1, reserves=count)
        assert verify(Draw.from_json(json.loads(made.to_json()))).ok
