"""`ambassade bench text`'s options and its memory of rows it did not measure in a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import text as bench


def test_tasks_and_parts_default_to_all_and_refuse_unknown_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    options = BenchOptions(Path("."), extra={})
    assert bench._choice(options, "tasks", bench.TASKS) == bench.TASKS
    options = BenchOptions(Path("."), extra={"tasks": "spam, hateful,spam", "parts": "cv"})
    assert bench._choice(options, "tasks", bench.TASKS) == ("spam", "hateful")
    assert bench._choice(options, "parts", bench.PARTS) == ("cv",)
    with pytest.raises(SystemExit) as exit_info:
        bench._choice(BenchOptions(Path("."), extra={"tasks": "hate"}), "tasks", bench.TASKS)
    assert exit_info.value.code == 2
    assert "unknown task 'hate' in --tasks" in capsys.readouterr().err


def test_a_row_not_measured_in_a_run_keeps_its_value_and_says_when(tmp_path: Path) -> None:
    first = bench.Results(tmp_path, heads="aaaa")
    first.put("ours:TweetEval hate", 69.7)
    assert first.note("ours:TweetEval hate") == ""  # measured in this run: no note

    later = bench.Results(tmp_path, heads="aaaa")
    later.today = "2099-01-01"
    assert later.get("ours:TweetEval hate") == 69.7
    assert later.note("ours:TweetEval hate") == f" (measured {first.today})"
    assert later.get("ours:missing") is None
    same_day = bench.Results(tmp_path, heads="aaaa")  # another run of the same day and heads
    assert same_day.get("ours:TweetEval hate") == 69.7
    assert same_day.note("ours:TweetEval hate") == ""

    changed = bench.Results(tmp_path, heads="bbbb")
    assert changed.get("ours:TweetEval hate") == 69.7
    assert (
        changed.note("ours:TweetEval hate") == f" (measured {first.today}, heads.npz changed since)"
    )
    changed.put("ours:TweetEval hate", 70.1)  # measured again: the note goes
    assert changed.note("ours:TweetEval hate") == ""
    assert bench.Results(tmp_path, heads="bbbb").get("ours:TweetEval hate") == 70.1


def test_a_damaged_results_file_is_a_fresh_start(tmp_path: Path) -> None:
    (tmp_path / "bench-text.json").write_text("{not json", encoding="utf-8")
    assert bench.Results(tmp_path, heads="x").get("speed") is None


def test_the_cv_table_shows_every_task_measured_or_not(tmp_path: Path) -> None:
    store = bench.Results(tmp_path, heads="x")
    row = {
        "group": "YouTube",
        "metric": "F1 of spam",
        "approach": "stacked",
        "mean": 96.2,
        "sd": 1.2,
    }
    store.put("cv:spam", {"folds": 5, "repeats": 1, "rows": [row]})
    again = bench.Results(tmp_path, heads="x")
    again.today = "2099-01-01"
    options = BenchOptions(tmp_path, extra={"cv_repeats": "0"})
    lines = bench._cross_validation(options, (), again)
    table = "\n".join(lines)
    assert "not run this time (`--cv_repeats 0`)" in table
    assert "| spam (measured " in table and "| 5 × 1 |" in table and "**96.2 ± 1.2**" in table
    assert "| sentiment | not measured yet |" in table


def test_two_runs_at_once_keep_each_other_s_rows(tmp_path: Path) -> None:
    long_run = bench.Results(tmp_path, heads="x")  # e.g. the sentiment cross-validation
    short_run = bench.Results(tmp_path, heads="x")
    short_run.put("speed", ["fast"])
    long_run.put("cv:sentiment", {"rows": []})
    both = bench.Results(tmp_path, heads="x")
    assert both.get("speed") == ["fast"] and both.get("cv:sentiment") == {"rows": []}


def test_a_fit_started_from_another_fold_s_reaches_the_same_optimum() -> None:
    import numpy as np

    from ambassade.engine.text.training._heads import HeadsConfig, _fit

    rng = np.random.default_rng(5)
    x = rng.standard_normal((400, 30))
    labels = np.array(["negative", "neutral", "positive"])[
        np.digitize(x[:, 0] + 0.5 * rng.standard_normal(400), [-0.5, 0.5])
    ]
    weights = np.ones(400)
    cfg = HeadsConfig()
    other_fold = _fit(x[100:], labels[100:], weights[100:], 3.0, cfg)
    cold = _fit(x[:300], labels[:300], weights[:300], 3.0, cfg)
    warm = _fit(x[:300], labels[:300], weights[:300], 3.0, cfg, start=other_fold)
    # The same optimum within the solver's tolerance: far closer to the cold fit than where it
    # started, and the same decisions on rows neither saw.
    moved = np.abs(other_fold[0] - cold[0]).max()
    assert moved > 0.1
    assert np.abs(warm[0] - cold[0]).max() < 0.05 * moved
    held = x[300:]
    assert np.array_equal(
        (held @ warm[0].T + warm[1]).argmax(axis=1), (held @ cold[0].T + cold[1]).argmax(axis=1)
    )
    binary = labels == "positive"
    start = _fit(x[100:], binary[100:], weights[100:], 1.0, cfg)
    assert start[0].shape == (1, 30)
    warm_binary = _fit(x[:300], binary[:300], weights[:300], 1.0, cfg, start=start)
    cold_binary = _fit(x[:300], binary[:300], weights[:300], 1.0, cfg)
    assert (
        np.abs(warm_binary[0] - cold_binary[0]).max()
        < 0.05 * np.abs(start[0] - cold_binary[0]).max()
    )


def test_a_peer_s_figure_does_not_age_with_the_heads(tmp_path: Path) -> None:
    bench.Results(tmp_path, heads="old").put("VADER:TweetEval sentiment", 59.8)
    later = bench.Results(tmp_path, heads="new")
    assert later.get("VADER:TweetEval sentiment") == 59.8
    assert later.note("VADER:TweetEval sentiment", heads=False) == ""
    assert "heads.npz changed since" in later.note("VADER:TweetEval sentiment")


def test_speed_encodes_every_text_it_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """e5-small's memory of recent texts, filled by the dev rows and the warm-up that read the same
    texts, must not serve the timed passes (it made French read 579 msg/s instead of ~84)."""
    import threading
    from types import SimpleNamespace

    import numpy as np

    from ambassade.engine.text import _e5

    encoded: list[str] = []

    def count(texts: list[str]) -> np.ndarray:
        encoded.extend(texts)
        return np.zeros((len(texts), _e5.DIMENSION), dtype=np.float32)

    # The real memory (E5Encoder.encode) over a stand-in for the ONNX forward pass.
    encoder = _e5.E5Encoder.__new__(_e5.E5Encoder)
    encoder._memory = {}
    encoder._memory_lock = threading.Lock()
    encoder.tokenizer = SimpleNamespace(_cache={"seen": [0, 1]})  # type: ignore[assignment]
    encoder._encode = count  # type: ignore[method-assign]
    monkeypatch.setattr(_e5, "_default", encoder)
    monkeypatch.setattr(bench, "_analyze", lambda texts, tier: _e5.default_e5().encode(texts))

    texts = [f"message numéro {i}" for i in range(30)]
    bench._analyze(texts, "accurate")  # the dev rows, measured first, read the same texts
    encoded.clear()
    bench._speed(texts, 2, "accurate")
    assert encoded[-60:] == texts + texts  # both timed passes computed every text
    assert encoder.tokenizer._cache == {}


def test_the_report_gives_each_task_cv_then_dev_then_peers_then_its_suites(
    tmp_path: Path,
) -> None:
    from ambassade.benchmarks._text_summary import summary

    store = bench.Results(tmp_path, heads="x")
    cv_row = {"group": "TweetEval hate", "metric": "macro-F1", "mean": 76.3, "sd": 1.0}
    store.put(
        "cv:hateful",
        {
            "folds": 5,
            "repeats": 2,
            "rows": [
                {**cv_row, "approach": "stacked"},
                {**cv_row, "approach": "TF-IDF", "mean": 1},
            ],
        },
    )
    store.put("ours:TweetEval hate", 72.8)
    store.put("fast tier:TweetEval hate", 73.0)
    store.put("better-profanity:TweetEval hate", 53.8)
    store.put("ours:UMSAB sentiment, German", 70.4)
    store.put("ours:UMSAB sentiment, Arabic", 61.9)
    suites = [
        {
            "task": "hate",
            "lang": "fr",
            "category": "slur",
            "passed": 12,
            "total": 24,
            "failure": "",
        },
        {
            "task": "hate",
            "lang": "en",
            "category": "slur",
            "passed": 0,
            "total": 24,
            "failure": "x",
        },
        {"task": "spam", "lang": "fr", "category": "scam", "passed": 1, "total": 2, "failure": ""},
    ]
    text = "\n".join(summary(store, suites))
    hate = text[text.index("#### hateful") : text.index("#### spam")]
    row = next(line for line in hate.splitlines() if line.startswith("| TweetEval hate"))
    assert row == (
        "| TweetEval hate (macro-F1) | ≥ 55 | **76.3 ± 1.0** | 72.8 | 73.0 | better-profanity 53.8 |"
    )
    assert "(5 × 2 folds)" in hate and "| MLMA French | — | not measured yet |" in hate
    assert "French **50.0 %** of 24, English **0.0 %** of 24" in hate
    assert "| fr | slur | 12/24 (50 %) |" in hate and "scam" not in hate
    sentiment = text[: text.index("#### offensive")]
    assert "German 70.4; Spanish not measured yet" in sentiment and "Arabic 61.9" in sentiment
    assert "Behaviour suites, sentiment: not measured yet." in sentiment


def test_a_binary_suite_says_how_much_it_caught_and_how_many_false_alarms() -> None:
    from ambassade.benchmarks._text_summary import suite_lines, suite_rows
    from ambassade.engine.text.suites import CategoryResult, run_suites

    class Scored:
        def __init__(self, text: str) -> None:
            self.lang, self.sentiment, self.offensive, self.spam = "fr", "neutral", 0.0, 0.0
            # Flags every hate statement and the counter-speech quoting one, nothing else.
            self.hateful = 0.9 if "déteste les" in text or "Je déteste" in text else 0.1

    results = run_suites(lambda texts: [Scored(t) for t in texts], ("hate",), ("fr",))
    assert {r.expected for r in results} >= {("hateful",), ("not_hateful",)}
    rows = suite_rows(results)
    flagged = [r for r in rows if r["expected"] == ["hateful"]]
    harmless = [r for r in rows if r["expected"] == ["not_hateful"]]
    caught = sum(r["passed"] for r in flagged)
    alarms = sum(r["total"] - r["passed"] for r in harmless)
    assert 0 < caught < sum(r["total"] for r in flagged) and alarms > 0
    line = next(x for x in suite_lines("hate", rows) if x.startswith("Flagged as hateful"))
    n, m = sum(r["total"] for r in flagged), sum(r["total"] for r in harmless)
    assert f"French: **{100 * caught / n:.1f} %** of {n} caught" in line
    assert f"**{100 * alarms / m:.1f} %** of {m} false alarms" in line
    # Sentiment has no flag; rows kept from before the labels were recorded give no line.
    assert not [x for x in suite_lines("sentiment", rows) if x.startswith("Flagged")]
    old = [{k: v for k, v in r.items() if k != "expected"} for r in rows]
    assert not [x for x in suite_lines("hate", old) if x.startswith("Flagged")]
    assert CategoryResult("hate", "fr", "slur", 1, 2).expected == ()
