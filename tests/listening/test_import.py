"""`ambassade import`: a CSV export with a column mapping, idempotent, all or nothing."""

from __future__ import annotations

import io
import json
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


def test_it_imports_an_upload_in_the_background_with_progress(
    personas: Any, client: Any, monkeypatch: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from ambassade.listening import tasks

    queued: list[int] = []
    task = tasks.import_file
    monkeypatch.setattr(tasks, "import_file", lambda source_id: queued.append(source_id))
    client.force_login(personas.bob)
    slug = personas.workspace_a.slug
    response = client.post(
        reverse("listening:source_import", args=[slug]),
        {
            "name": "Old tweets",
            "file": SimpleUploadedFile("export.csv", CSV.encode(), "text/csv"),
            "text_column": "text",
            "date_column": "tweet_created",
            "id_column": "tweet_id",
            "author_column": "name",
            "network": "x",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(name="Old tweets")
    assert queued == [source.id]
    assert source.import_progress == {"state": "queued", "done": 0, "total": 0, "percent": 0}
    page = client.get(reverse("listening:sources", args=[slug])).content.decode()
    assert "Waiting for the worker" in page and "every 2s" in page

    task.call_local(source.id)
    source.refresh_from_db()
    assert source.import_progress == {"state": "done", "done": 2, "total": 2, "percent": 100}
    assert Mention.objects.filter(source=source, network="x").count() == 2
    fragment = client.get(reverse("listening:source_progress", args=[slug, source.id]))
    assert "Imported" in fragment.content.decode()
    assert "every 2s" not in fragment.content.decode()


def test_it_shows_why_an_upload_failed(personas: Any) -> None:
    from ambassade.listening import imports as services

    source = services.start_file_import(
        personas.workspace_a,
        personas.alice,
        name="Broken",
        data=(CSV + "3,carl,fine,not a date\n").encode(),
        file_format="csv",
        mapping={"id": "tweet_id", "text": "text", "created_at": "tweet_created"},
    )
    services.run_file_import(source.id)
    source.refresh_from_db()
    assert source.last_status == Source.Status.ERROR
    assert "line 4" in str(source.last_error)
    assert source.import_progress is not None and source.import_progress["state"] == "failed"
    assert not Mention.objects.exists()


# --- the file a file source reads (issue 10, item 1) ----------------------------------------------

MAPPING = {"id": "tweet_id", "text": "text", "created_at": "tweet_created"}


def test_it_reads_only_the_upload_whatever_the_settings_say(
    personas: Any, client: Any, tmp_path: Path
) -> None:
    from django.urls import reverse

    from ambassade.listening import imports as services
    from ambassade.listening import uploads

    secret = tmp_path / "group"
    secret.write_text("tweet_id:text:tweet_created\nroot:x:2015-02-24\n", encoding="utf-8")
    source = services.start_file_import(
        personas.workspace_a,
        personas.bob,
        name="Old tweets",
        data=CSV.encode(),
        file_format="csv",
        mapping=MAPPING,
    )
    assert "path" not in source.config and str(tmp_path) not in str(source.config)
    client.force_login(personas.bob)  # an editor
    response = client.post(
        reverse("listening:source_edit", args=[personas.workspace_a.slug, source.pk]),
        {
            "name": "Old tweets",
            "settings_json": json.dumps(
                {"path": str(secret), "format": "csv", "delimiter": ":", "mapping": MAPPING}
            ),
            "settings-path": str(secret),
            "interval_minutes": "15",
        },
    )
    assert response.status_code == 302  # saved: its name; a file source has no settings to edit
    source.refresh_from_db()
    assert "path" not in source.config
    original = dict(source.config)
    # Even a row that holds a path (written before this version) is never read through it.
    Source.objects.filter(id=source.id).update(
        config={**source.config, "path": str(secret), "delimiter": ":"}
    )
    services.run_file_import(source.id)
    assert not Mention.objects.filter(text__contains="root").exists()
    source.refresh_from_db()
    assert str(secret) not in source.last_error.text
    Source.objects.filter(id=source.id).update(
        config=original, cursor={"state": "queued", "done": 0, "total": 0}
    )
    services.run_file_import(source.id)
    assert sorted(Mention.objects.values_list("external_id", flat=True)) == ["1", "2"]
    assert uploads.path_for(source.id).parent == Path(uploads.folder())


def test_it_deletes_the_upload_with_its_source(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from ambassade.listening import imports as services
    from ambassade.listening import services as listening_services
    from ambassade.listening import uploads

    source = services.start_file_import(
        personas.workspace_a,
        personas.bob,
        name="Old tweets",
        data=CSV.encode(),
        file_format="csv",
        mapping=MAPPING,
    )
    path = uploads.path_for(source.id)
    assert path.read_bytes() == CSV.encode()
    with django_capture_on_commit_callbacks(execute=True):
        listening_services.delete_source(source, personas.alice)
    assert not path.exists()
    other = services.start_file_import(
        personas.workspace_a,
        personas.bob,
        name="Other",
        data=CSV.encode(),
        file_format="csv",
        mapping=MAPPING,
    )
    with django_capture_on_commit_callbacks(execute=True):
        personas.workspace_a.delete()
    assert not uploads.path_for(other.id).exists()


def test_it_moves_an_earlier_upload_to_its_source_and_drops_other_paths(
    personas: Any, settings: Any, tmp_path: Path
) -> None:
    import importlib

    from django.apps import apps

    from ambassade.listening import uploads

    migration = importlib.import_module("ambassade.listening.migrations.0004_source_files_by_id")
    kept = uploads.folder() / "0123abcd.csv"
    kept.write_text(CSV, encoding="utf-8")
    outside = tmp_path / "group"
    outside.write_text("root:x:0:\n", encoding="utf-8")
    config = {"format": "csv", "mapping": MAPPING}
    earlier = Source.objects.create(
        workspace=personas.workspace_a, name="Earlier", kind="file",
        config={**config, "path": str(kept)},
    )  # fmt: skip
    typed = Source.objects.create(
        workspace=personas.workspace_a, name="Typed", kind="file",
        config={**config, "path": str(outside)},
    )  # fmt: skip
    migration.forwards(apps, None)
    earlier.refresh_from_db()
    typed.refresh_from_db()
    assert earlier.config == config and typed.config == config
    assert uploads.path_for(earlier.id).read_text(encoding="utf-8") == CSV
    assert not uploads.exists(typed.id) and outside.exists()


def test_the_command_names_the_line_of_deep_json_and_exits_2(personas: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    nested = '{"id": "2", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text('{"id": "1", "text": "ok", "d": "2025-01-01"}\n' + nested + "\n", "utf-8")
    with pytest.raises(CommandError, match="line 2: arrays and objects are nested") as caught:
        call_command(
            "import", str(path), "--workspace", personas.workspace_a.slug,
            "--map", "text=text", "--map", "created_at=d", stderr=io.StringIO(),
        )  # fmt: skip
    assert caught.value.returncode == 2
    assert not Mention.objects.exists()
