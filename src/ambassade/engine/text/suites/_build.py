"""Build the behaviour suites' JSONL files from the templates below (CheckList style).

``python -m ambassade.engine.text.suites._build`` rewrites ``<task>.<lang>.jsonl`` beside this file;
the result is deterministic (tests/engine/text/test_suites.py checks the files match it). Each case is
a realistic message with the label a careful reader gives it. These suites are a TEST: never train or
tune on them (README.md).
"""

import json
from pathlib import Path

from ambassade.engine.text.suites._english import en_hate, en_offensive, en_sentiment, en_spam
from ambassade.engine.text.suites._french import fr_sentiment, fr_spam
from ambassade.engine.text.suites._french_toxicity import fr_hate, fr_offensive
from ambassade.engine.text.suites._informal import en_language, fr_language

HERE = Path(__file__).parent

BUILDERS = {
    ("sentiment", "fr"): fr_sentiment,
    ("offensive", "fr"): fr_offensive,
    ("hate", "fr"): fr_hate,
    ("spam", "fr"): fr_spam,
    ("sentiment", "en"): en_sentiment,
    ("offensive", "en"): en_offensive,
    ("hate", "en"): en_hate,
    ("spam", "en"): en_spam,
    ("language", "fr"): fr_language,
    ("language", "en"): en_language,
}


def render(task: str, lang: str) -> str:
    """The JSONL text of one suite."""
    lines = []
    for number, (text, expected, category) in enumerate(BUILDERS[task, lang](), 1):
        case = {
            "id": f"{task}-{lang}-{number:04d}",
            "text": text,
            "lang": lang,
            "task": task,
            "expected": expected,
            "category": category,
        }
        lines.append(json.dumps(case, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main() -> None:
    for task, lang in BUILDERS:
        path = HERE / f"{task}.{lang}.jsonl"
        path.write_text(render(task, lang), encoding="utf-8")
        print(path.name, render(task, lang).count("\n"))


if __name__ == "__main__":
    main()
