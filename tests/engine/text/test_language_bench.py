"""`ambassade bench language` on tiny data sets: what it reads, and a table per safeguard."""

from __future__ import annotations

import json
from pathlib import Path

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import language as bench


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_it_measures_each_set_before_and_after_each_safeguard(tmp_path: Path) -> None:
    umsab = [
        {"text": "Merci pour la livraison, tout est parfait", "lang": "fr", "label": "positive"},
        {"text": "Thanks for the quick delivery, all good", "lang": "en", "label": "positive"},
        {"text": "Danke für die schnelle Lieferung, alles gut", "lang": "de", "label": "positive"},
        {"text": "yaar kya baat hai", "lang": "hi", "label": "positive"},
    ]
    _write(tmp_path / "umsab-sentiment" / "train.jsonl", umsab[:2])
    _write(tmp_path / "umsab-sentiment" / "dev.jsonl", umsab[2:])
    sets = dict(bench.load_sets(tmp_path, quick=True))
    umsab_rows = sets["UMSAB train + dev, 7 languages (no Hindi)"]
    assert [lang for _, lang in umsab_rows] == ["fr", "en", "de"]  # Hindi left out
    assert not any("FTR" in name for name in sets)  # absent sets are skipped
    assert len(sets["Demo stream templates × brand names (synthetic)"]) == 200

    result = bench.run(BenchOptions(data_dir=tmp_path, quick=True))
    assert "| UMSAB train + dev, 7 languages (no Hindi) | 3 |" in result.markdown
    assert "+ names left out" in result.markdown and "(shipped)" in result.markdown
    assert "UMSAB per language, before → shipped: de " in result.markdown
