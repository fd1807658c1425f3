"""The README and the subsystem pages tell a new user the same thing about the demo (issue #10, item 24:
docs/listening.md said ten days and 2,300 mentions while the README said 16 days)."""

from __future__ import annotations

import re
from pathlib import Path

from ambassade.crisis.demo import HISTORY_DAYS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LISTENING = (ROOT / "docs" / "listening.md").read_text(encoding="utf-8")


def test_they_agree_on_how_much_the_demo_holds() -> None:
    for text in (README, LISTENING):
        assert f"{HISTORY_DAYS} days" in text
        sizes = {int(n.replace(",", "")) for n in re.findall(r"about ([\d,]+) mentions", text)}
        sizes |= {int(n.replace(",", "")) for n in re.findall(r"\(about ([\d,]+)\)", text)}
        assert sizes == {3700}, sizes


def test_the_readme_says_how_to_choose_the_port_and_the_data_directory() -> None:
    assert "ambassade demo --port" in README
    assert "AMBASSADE_DATA_DIR" in README
    assert "Thé Lumière" in README  # the second demo workspace is explained


def test_the_demo_holds_about_what_they_say() -> None:
    from datetime import UTC, datetime, timedelta

    from ambassade.listening.demo import generate

    for hour in (3, 15, 22):  # the count depends on the hour the demo is built
        now = datetime(2026, 12, 6, hour, tzinfo=UTC)
        incident = now - timedelta(hours=20)
        items = generate(now - timedelta(days=HISTORY_DAYS), now, seed=1, incident_at=incident)
        assert 3_500 <= len(items) <= 3_900, (hour, len(items))
