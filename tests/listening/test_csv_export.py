"""The CSV export is safe to open in a spreadsheet: every text column is neutralised against
formulas (the source's name and the network included), numbers stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.urls import reverse

from ambassade.listening import services
from ambassade.listening.models import Mention
from ambassade.workspaces.csvexport import FORMULA_STARTS, neutralise
from tests.listening.conftest import item

ROOT = Path(__file__).resolve().parents[2]


def _export(client: Any, personas: Any, **params: str) -> list[dict[str, str]]:
    response = client.get(reverse("listening:export", args=[personas.workspace_a.slug]), params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_it_neutralises_formulas_in_every_text_column(
    personas: Any, client: Any, source: Any
) -> None:
    source.name = '=HYPERLINK("https://evil.example","Click")'
    source.save()
    services.ingest(
        source,
        [
            item(
                "1",
                "@SUM(1+1) terrible",
                handle="+33612345678",
                url="-2+3",
                source="=cmd|' /C calc'!A0",
            )
        ],
    )
    Mention.objects.update(author_name="\tTab", tags=["=tag"])
    client.force_login(personas.alice)
    (row,) = _export(client, personas)
    assert row["source"] == '\'=HYPERLINK("https://evil.example","Click")'
    assert row["network"] == "'=cmd|' /C calc'!A0"
    assert row["text"] == "'@SUM(1+1) terrible"
    assert row["author_handle"] == "'+33612345678"
    assert row["author_name"] == "'\tTab"
    assert row["tags"] == "'=tag"
    numbers = {"id", "author_followers", "sentiment_score", "spam", "offensive"}
    for name, value in row.items():
        assert name in numbers or not value.startswith(FORMULA_STARTS), (name, value)
    # Numbers stay numbers, negative ones included.
    assert row["sentiment_score"] == "-0.8"
    assert float(row["spam"]) >= 0


def test_neutralise_leaves_numbers_and_plain_text_alone() -> None:
    assert neutralise(-3) == -3 and neutralise(-0.5) == -0.5
    assert neutralise("plain") == "plain" and neutralise("") == ""
    for start in FORMULA_STARTS:
        assert neutralise(start + "x") == "'" + start + "x"
    assert neutralise("\rCR") == "'\rCR"


def test_every_csv_download_goes_through_the_one_writer() -> None:
    """A module that writes CSV for people to download uses ambassade.workspaces.csvexport. The
    others write CSV that is not a download, each for the reason given."""
    not_downloads = {
        "workspaces/csvexport.py": "the writer itself",
        "listening/replay.py": "re-encodes an uploaded file for the replay source, byte for byte",
        "cli/spikes.py": "the spikes command's output: timestamps and numbers it parsed",
        "benchmarks/spikes.py": "benchmark data written for the NAB scorer",
    }
    package = ROOT / "src" / "ambassade"
    writers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if any(
            marker in path.read_text(encoding="utf-8")
            for marker in ("csv.writer(", "csv.DictWriter(", "text/csv")
        )
    )
    assert writers == sorted(not_downloads), writers
