"""`ambassade import`: a CSV export with a column mapping, idempotent, all or nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ambassade.listening.models import Mention, Source

CSV = """tweet_id,name,text,tweet_created
1,ana,"I love lumiere, great",2015-02-24 11:35:52 -0800
2,bob,Lumiere was terrible,2015-02-24 11:15:59 -0800
"""


def _run(path: Path, workspace: Any, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "import",
        str(path),
        "--workspace",
        workspace.slug,
        "--map",
        "id=tweet_id",
        "--map",
        "text=text",
        "--map",
        "created_at=tweet_created",
        "--map",
        "author_handle=name",
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_it_imports_a_csv_once(personas: Any, tmp_path: Path, brand_query: Any) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    assert "2 new mentions" in _run(path, personas.workspace_a, "--network", "x")
    assert "0 new mentions, 2 already imported" in _run(
        path, personas.workspace_a, "--network", "x"
    )
    mention = Mention.objects.get(external_id="2")
    assert (mention.author_handle, mention.network, mention.sentiment) == ("bob", "x", "negative")
    assert mention.matches.count() == 1
    assert Source.objects.get().kind == "file"


def test_it_imports_nothing_from_a_broken_file(personas: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV + "3,carl,fine,not a date\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 4"):
        _run(path, personas.workspace_a)
    assert not Mention.objects.exists()


def test_it_names_an_unknown_workspace(personas: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("import", str(path), "--workspace", "nope", "--map", "text=text")
