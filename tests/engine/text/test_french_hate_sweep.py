"""The French hate sweep's threshold rule (training/_french_hate.py): the best MLMA French F1 among the
settings that flag at most 1 % of ordinary French messages out of fold."""

from __future__ import annotations

from pathlib import Path

from ambassade.engine.text.training._french_hate import (
    MAX_FLAGGED,
    ORDINARY,
    Candidate,
    _rows,
    choose_shift,
    markdown,
)
from ambassade.engine.text.training._heads import HeadsConfig


def _row(candidate: Candidate, lexical: float, shift: float, f1: float, flagged: float) -> dict:
    return {
        "candidate": {},
        "name": candidate.name,
        "lexical_weight": lexical,
        "shift": shift,
        "f1": (f1, 1.0),
        "flagged": (flagged, 0.5),
    }


def test_the_threshold_is_the_best_f1_within_the_false_alarm_constraint() -> None:
    shipped, other = Candidate(), Candidate(english=1.0)
    rows = [
        _row(shipped, 0.3, 0.0, 57.7, 1.35),  # the best F1, but over the constraint
        _row(shipped, 0.3, -0.25, 54.2, 0.37),
        _row(shipped, 0.4, 0.25, 58.1, MAX_FLAGGED),  # at the constraint: admissible
        _row(other, 0.5, 0.25, 57.0, 0.4),
        _row(other, 0.5, 1.0, 40.0, 25.0),
    ]
    chosen = choose_shift(rows)
    assert chosen[(shipped.name, 0.3)]["shift"] == -0.25
    assert chosen[(shipped.name, 0.4)]["f1"][0] == 58.1
    assert chosen[(other.name, 0.5)]["shift"] == 0.25
    table = markdown(rows)
    assert table[2].startswith(f"| {shipped.name} | 0.4 | 0.25 | 58.1 ± 1.0 |")
    assert len(table) == 2 + 3


def test_the_ordinary_french_train_tweets_are_scored_and_ftr_joins_only_when_asked(
    tmp_path: Path,
) -> None:
    import json

    def write(name: str, split: str, rows: list[dict]) -> None:
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / f"{split}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
        )

    def row(text: str, label: str, lang: str, **extra: object) -> dict:
        return {"id": text, "text": text, "label": label, "lang": lang, **extra}

    for split in ("train", "dev"):
        write(
            "umsab-sentiment",
            split,
            [
                row(f"super journée {split}", "positive", "fr"),
                row(f"nul {split}", "negative", "fr"),
            ],
        )
        write("tweeteval-sentiment", split, [row(f"fine day {split}", "neutral", "en")])
        write("tweeteval-offensive", split, [row(f"idiot {split}", "offensive", "en")])
        write("tweeteval-hate", split, [row(f"go home {split}", "hateful", "en")])
        write("mlma-hate", split, [row(f"les x {split}", "offensive", "fr", hateful=True)])
        write(
            "ftr-racism-fr",
            split,
            [
                row(f"raciste {split}", "offensive", "fr", racist=True),
                row(f"le hitler du foot {split}", "not_offensive", "fr", racist=False),
            ],
        )
        for name in ("allocine-fr-sample", "xed-fr-sentiment", "youtube-spam", "sms-spam"):
            write(name, split, [])
    rows = _rows(tmp_path, HeadsConfig(), ftr=False)
    assert [r.text for r in rows if r.group == ORDINARY] == ["super journée train"]
    assert {r.text for r in rows if r.group == "MLMA French"} == {"les x train", "les x dev"}
    assert not any(r.text.startswith("raciste") for r in rows)
    with_ftr = _rows(tmp_path, HeadsConfig(), ftr=True)
    ftr = [r for r in with_ftr if r.text.startswith("raciste")]
    assert [(r.label, r.group, r.lang) for r in ftr] == [(True, "", "fr")] * 2
    assert sum(r.text.startswith("le hitler") and not r.label for r in with_ftr) == 2
    negatives = _rows(tmp_path, HeadsConfig(), ftr=True, racist=False)
    assert not any(r.text.startswith("raciste") for r in negatives)
    assert sum(r.text.startswith("le hitler") and not r.label for r in negatives) == 2
