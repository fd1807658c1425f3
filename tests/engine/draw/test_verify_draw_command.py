"""`ambassade verify-draw`: exit 0 or 1 with one sentence in the reader's language, no Django."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ambassade.__main__ import main
from ambassade.cli import verify_draw
from ambassade.engine.draw import Draw
from ambassade.engine.messages import Message

SEED = bytes(range(32))


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "draw.json"
    path.write_text(Draw.make(SEED, ["e1", "e2", "e3"], 1, 1).to_json(), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")


def test_it_verifies_a_published_draw(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify-draw", str(published)]) == 0
    assert capsys.readouterr().out == (
        "The draw is verified: the seed matches its commitment, the entry list its hash, and the "
        "results are the ones they give (winners: 1, reserves: 1, entries: 3).\n"
    )


def test_it_answers_in_the_readers_language(
    published: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert main(["verify-draw", str(published)]) == 0
    assert capsys.readouterr().out.startswith("Le tirage est vérifié : la graine correspond")
    monkeypatch.setenv("LANG", "C")
    assert main(["verify-draw", "--lang", "fr", str(published)]) == 0
    assert capsys.readouterr().out.startswith("Le tirage est vérifié")


def test_it_fails_with_the_reason_when_a_winner_was_changed(
    published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(published.read_text(encoding="utf-8"))
    loser = next(e for e in data["entries"] if e not in data["results"])
    data["results"][0] = loser
    published.write_text(json.dumps(data), encoding="utf-8")
    assert main(["verify-draw", str(published)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("The draw does not check out: result 1 should be")
    assert main(["verify-draw", "--lang", "fr", str(published)]) == 1
    assert "Le tirage ne tient pas : le résultat 1 devrait être" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "Cannot read"),
        (b"{not json", "is not JSON"),
        (b"[]", "A draw file is a JSON object."),
        (b'{"format": "ambassade-draw/9"}', "Unknown draw format; this command reads"),
    ],
)
def test_it_fails_clearly_on_a_file_that_is_not_a_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, expected: str
) -> None:
    path = tmp_path / "draw.json"
    if content is not None:
        path.write_bytes(content)
    assert main(["verify-draw", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and expected in captured.err
    assert "Traceback" not in captured.err


def test_every_code_it_can_say_is_worded_in_french() -> None:
    french = verify_draw.translator("fr")
    for code, text in verify_draw.WORDINGS.items():
        assert french(text) != text, code
    # A code without a wording falls back to the English text.
    assert verify_draw.wording(Message("draw.other", "plain English"), "fr") == "plain English"


def test_it_runs_without_django(published: Path) -> None:
    code = (
        "import sys; from ambassade.__main__ import main\n"
        f"status = main(['verify-draw', {str(published)!r}])\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout


def test_its_help_reads_in_the_readers_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    with pytest.raises(SystemExit) as done:
        main(["verify-draw", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "Vérifie le tirage publié d’un jeu concours" in out
    assert "langue de la réponse" in out
