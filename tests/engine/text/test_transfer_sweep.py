"""More hate data (training/_transfer.py, MoreData.hatexplain): HateXplain's files are read with
their labels and placeholders as the other sets write them, join the task's rows only when a weight
is set, and the sweep's rule adopts a candidate only for a gain of one standard deviation that raises
no flag rate."""

from __future__ import annotations

from pathlib import Path

from ambassade.engine.text.training._heads import HeadsConfig, MoreData, binary_sets
from ambassade.engine.text.training._transfer import (
    ORDINARY_FR,
    TWEETS_NEGATIVE,
    TWEETS_ORDINARY,
    Candidate,
    decide,
    markdown,
)


def _hatexplain(folder: Path) -> None:
    (folder / "hatexplain").mkdir(parents=True)
    (folder / "hatexplain" / "train.csv").write_text(
        "label\ttext\n"
        "hatespeech\t<user> the x are vermin\n"
        "offensive\tyou are an idiot <number> times\n"
        "normal\t<user> i love the x community\n"
        "offensive\t<user> the x are vermin\n",  # a second label for the same text: ignored
        "utf-8",
    )


def test_hatexplain_is_read_with_its_labels_and_placeholders(tmp_path: Path) -> None:
    assert MoreData(tmp_path).hatexplain() == []
    _hatexplain(tmp_path)
    assert MoreData(tmp_path).hatexplain() == [
        ("@user the x are vermin", True, True),
        ("you are an idiot 0 times", True, False),
        ("@user i love the x community", False, False),
    ]


def test_hatexplain_joins_a_task_only_at_its_weight(tmp_path: Path) -> None:
    import json

    data = tmp_path / "data"
    for name in (
        "mlma-hate",
        "ftr-racism-fr",
        "tweeteval-offensive",
        "tweeteval-hate",
        "tweeteval-sentiment",
        "umsab-sentiment",
        "youtube-spam",
        "sms-spam",
        "allocine-fr-sample",
        "xed-fr-sentiment",
    ):
        (data / name).mkdir(parents=True)
        row = {"text": f"{name} text", "label": "neutral", "lang": "en"}
        (data / name / "train.jsonl").write_text(json.dumps(row) + "\n", "utf-8")
    _hatexplain(tmp_path / "more")
    more = MoreData(tmp_path / "more")
    plain = binary_sets(data, "train", HeadsConfig(ordinary_fr_weight=0), more)
    assert not any("vermin" in row[0] for rows in plain.values() for row in rows)
    cfg = HeadsConfig(ordinary_fr_weight=0, hatexplain={"hateful": 0.3})
    sets = binary_sets(data, "train", cfg, more)
    assert ("@user the x are vermin", True, 0.3, "en") in sets["hateful"]
    assert ("you are an idiot 0 times", False, 0.3, "en") in sets["hateful"]
    assert not any("vermin" in row[0] for row in sets["offensive"])


def _result(name: str, shift: float, shipped: bool, hate: float, fr: float, flags: float) -> dict:
    return {
        "task": "hateful",
        "candidate": {},
        "name": name,
        "shift_en": shift,
        "shipped_shift": shipped,
        "folds": {
            "TweetEval hate": [hate - 1, hate + 1],
            "MLMA French": [fr - 1, fr + 1],
            TWEETS_ORDINARY: [flags, flags],
            TWEETS_NEGATIVE: [flags, flags],
            ORDINARY_FR: [0.5, 0.5],
        },
    }


def test_a_candidate_is_adopted_only_for_a_gain_of_one_sd_without_more_flags() -> None:
    more = Candidate(hatexplain=1.0).name
    results = [
        _result("shipped", -0.75, True, 76.0, 57.0, 1.0),
        _result(more, -0.75, True, 80.0, 57.0, 5.0),  # better, but flags five times as many
        _result(more, -1.25, False, 78.0, 57.0, 1.0),  # the best that flags no more: +2
        _result(Candidate(french_in_en=0.3).name, -0.75, True, 76.5, 57.0, 1.0),
    ]
    verdict = {c["name"]: c for c in decide(results)["candidates"]}
    # sd of the shipped folds: 1.41
    assert verdict[more]["row"]["shift_en"] == -1.25
    assert verdict[more]["gain"]["TweetEval hate"][2] is True
    assert verdict[more]["gain"]["MLMA French"][2] is False
    assert verdict["French rows in the English head 0.3"]["gain"]["TweetEval hate"][2] is False
    table = markdown(results)
    assert len(table) == 2 + 4  # each candidate at its shipped shift, and the chosen other shift
    assert table[2].startswith("| shipped | -0.75 | 76.0 ± 1.4 | 57.0 ± 1.4 |")


def test_angry_tweets_join_a_head_only_at_their_weight(tmp_path: Path) -> None:
    import json

    from ambassade.engine.text.training._heads import ordinary_texts

    folder = tmp_path / "tweeteval-sentiment"
    folder.mkdir()
    rows = [("late again, thanks for nothing", "negative"), ("nice day", "positive")]
    folder.joinpath("train.jsonl").write_text(
        "".join(json.dumps({"text": t, "label": lab, "lang": "en"}) + "\n" for t, lab in rows),
        "utf-8",
    )
    cfg = HeadsConfig(ordinary={}, ordinary_tweets={}, negative_tweets={})
    assert ordinary_texts(tmp_path, "offensive", "en", cfg)[0] == []
    assert HeadsConfig().negative_tweets == {"offensive:en": 1.0}  # shipped, eighth session
    angry = HeadsConfig(ordinary={}, ordinary_tweets={}, negative_tweets={"offensive:en": 1.0})
    texts, weights = ordinary_texts(tmp_path, "offensive", "en", angry)
    assert texts == [("late again, thanks for nothing", "en")] and weights.tolist() == [1.0]
    assert ordinary_texts(tmp_path, "hateful", "en", angry)[0] == []
