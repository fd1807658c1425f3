"""Reading the public data sets (../shared/data): JSONL files with at least ``text``, ``label``, ``lang``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Example", "load", "load_file"]


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    lang: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def load(data_dir: Path, name: str, split: str) -> list[Example]:
    """One split (``train`` or ``dev``) of one data set folder."""
    return load_file(data_dir / name / f"{split}.jsonl")


def load_file(path: Path) -> list[Example]:
    """A JSONL file of objects with at least ``text``, ``label`` and ``lang``."""
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                examples.append(Example(row["text"], row["label"], row["lang"], row))
    return examples
