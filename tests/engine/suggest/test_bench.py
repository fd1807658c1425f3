"""`ambassade bench replies` on a tiny sample in the twcs format: time order, scoring, report."""

from __future__ import annotations

import csv
from pathlib import Path

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import replies as bench

ROWS = [
    # tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id
    ("1", "10", "True", "Tue Oct 31 10:00:00 +0000 2017", "@Brand my order is late", "2", ""),
    (
        "2",
        "Brand",
        "False",
        "Tue Oct 31 10:05:00 +0000 2017",
        "@10 Please DM us your order number. ^Jo",
        "",
        "1",
    ),
    # Asked before answer 2 was sent: nothing is known yet, so it is not scored.
    ("3", "11", "True", "Tue Oct 31 10:01:00 +0000 2017", "@Brand order late again", "4", ""),
    (
        "4",
        "Brand",
        "False",
        "Tue Oct 31 10:06:00 +0000 2017",
        "@11 Please DM us your order number. -Kim",
        "",
        "3",
    ),
    ("5", "12", "True", "Tue Oct 31 11:00:00 +0000 2017", "@Brand where is my order", "6", ""),
    (
        "6",
        "Brand",
        "False",
        "Tue Oct 31 11:02:00 +0000 2017",
        "@12 Hi Ana, please DM us your order number! ^Al",
        "",
        "5",
    ),
    ("7", "13", "True", "Tue Oct 31 12:00:00 +0000 2017", "@Brand love you", "8", ""),
    (
        "8",
        "Brand",
        "False",
        "Tue Oct 31 12:01:00 +0000 2017",
        "@13 Thanks for the love! ^Jo",
        "",
        "7",
    ),
    # An answer to a message that is not in the sample is no pair.
    ("9", "Brand", "False", "Tue Oct 31 12:02:00 +0000 2017", "@14 Hello", "", "99"),
    ("20", "30", "True", "Tue Oct 31 10:00:00 +0000 2017", "@Other hi", "21", ""),
    (
        "21",
        "Other",
        "False",
        "Tue Oct 31 10:01:00 +0000 2017",
        "@30 Hello there &amp; welcome",
        "",
        "20",
    ),
]


def write_sample(root: Path) -> Path:
    folder = root / "twcs-sample"
    folder.mkdir(parents=True)
    with (folder / "twcs_sample.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "tweet_id",
                "author_id",
                "inbound",
                "created_at",
                "text",
                "response_tweet_id",
                "in_response_to_tweet_id",
            ]
        )
        writer.writerows(ROWS)
    return folder / "twcs_sample.csv"


def test_it_reads_the_pairs_and_decodes_html(tmp_path: Path) -> None:
    pairs = bench.load_pairs(write_sample(tmp_path))
    assert [pair.key for pair in pairs] == ["2", "4", "6", "8", "21"]
    assert pairs[-1].reply == "@30 Hello there & welcome"


def test_it_never_suggests_from_the_future(tmp_path: Path) -> None:
    brands = bench.by_brand(bench.load_pairs(write_sample(tmp_path)))
    cases = bench.evaluate(brands, bench.Settings())
    # Brand: messages 1 and 3 come before any answer; 5 knows answers 2 and 4; 7 knows 2, 4, 6.
    # Other: its only message comes before its only answer.
    assert [(case.brand, case.history) for case in cases] == [("Brand", 2), ("Brand", 3)]
    where, love = cases
    assert where.best["suggest"] >= 0.5  # "please DM us your order number"
    assert love.best["suggest"] < 0.5  # nobody was thanked before
    assert bench.share(cases, "suggest") == 50.0


def test_it_writes_the_measures_the_baseline_and_the_speed(tmp_path: Path) -> None:
    write_sample(tmp_path)
    result = bench.run(BenchOptions(data_dir=tmp_path, quick=True, extra={"scale": "300"}))
    assert "| all | 2 | **50.0 %** |" in result.markdown
    assert "300 past exchanges" in result.markdown.replace(",", "")
    assert "p95" in result.summary and "50.0 %" in result.summary
