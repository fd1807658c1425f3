"""Imports never stuck: a killed worker's import resumes or fails with a retry (issue 10, item 4);
a file's values out of range refuse it whole, naming line and field (item 3)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ambassade.listening import imports, pipeline, tasks, uploads
from ambassade.listening.models import Mention, Source

MAPPING = {"id": "id", "text": "text", "created_at": "at", "author_followers": "followers"}


def _jsonl(count: int, **last: Any) -> bytes:
    rows = [
        {"id": str(n), "text": f"lumiere message {n}", "at": "2026-11-01T10:00:00Z", "followers": 5}
        for n in range(count)
    ]
    if last:
        rows.append({"id": "last", "text": "lumiere", "at": "2026-11-01T10:00:00Z", **last})
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _start(personas: Any, data: bytes) -> Source:
    return imports.start_file_import(
        personas.workspace_a,
        personas.bob,
        name="Export",
        data=data,
        file_format="jsonl",
        mapping=MAPPING,
    )


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except clause sees it."""


def test_it_resumes_an_import_whose_worker_was_killed(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _start(personas, _jsonl(10))
    ingest = pipeline.ingest
    calls = []

    def dying(target: Any, items: Any, **options: Any) -> Any:
        calls.append(len(items))
        if len(calls) == 3:
            raise Killed
        return ingest(target, items, **options)

    monkeypatch.setattr(pipeline, "ingest", dying)
    with pytest.raises(Killed):
        imports.run_file_import(source.id, batch=3)
    source.refresh_from_db()
    assert source.import_progress == {"state": "running", "done": 6, "total": 10, "percent": 60}
    monkeypatch.setattr(pipeline, "ingest", ingest)

    # While its heartbeat is fresh, nobody takes it over.
    assert imports.recover_imports() == []
    assert imports.run_file_import(source.id) is None
    # Once it is stale, the minute's recovery runs it again: it resumes after the 6 done.
    later = timezone.now() + imports.STALE_AFTER + timedelta(seconds=1)
    resumed: list[Any] = []
    monkeypatch.setattr(
        tasks,
        "import_file",
        lambda source_id: resumed.append(imports.run_file_import(source_id, batch=3, now=later)),
    )
    assert imports.recover_imports(now=later) == [source.id]
    assert resumed[0] is not None and resumed[0].received == 4
    source.refresh_from_db()
    assert source.import_progress == {"state": "done", "done": 10, "total": 10, "percent": 100}
    assert Mention.objects.filter(source=source).count() == 10
    assert not uploads.exists(source.id)  # imported: the copy is deleted


def test_it_fails_an_import_that_keeps_dying_and_offers_a_retry(
    personas: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _start(personas, _jsonl(4))
    queued: list[int] = []
    monkeypatch.setattr(tasks, "import_file", queued.append)
    cursor = {**source.cursor, "state": "running", "attempts": imports.MAX_ATTEMPTS}
    Source.objects.filter(id=source.id).update(cursor=cursor)
    later = timezone.now() + imports.STALE_AFTER + timedelta(seconds=1)
    assert imports.recover_imports(now=later) == []
    source.refresh_from_db()
    assert source.import_progress is not None and source.import_progress["state"] == "failed"
    assert "stopped 3 times" in source.last_error.text
    client.force_login(personas.bob)
    slug = personas.workspace_a.slug
    page = client.get(reverse("listening:sources", args=[slug])).content.decode()
    assert reverse("listening:source_retry", args=[slug, source.id]) in page
    response = client.post(reverse("listening:source_retry", args=[slug, source.id]))
    assert response.status_code == 302 and queued == [source.id]
    imports.run_file_import(source.id)
    source.refresh_from_db()
    assert source.import_progress is not None and source.import_progress["state"] == "done"
    assert Mention.objects.filter(source=source).count() == 4


def test_two_workers_never_both_run_an_import(personas: Any) -> None:
    source = _start(personas, _jsonl(2))
    claimed = imports._claim(source.id, timezone.now())
    assert claimed is not None
    assert imports._claim(source.id, timezone.now()) is None  # fresh heartbeat: it is taken
    later = timezone.now() + imports.STALE_AFTER + timedelta(seconds=1)
    taken_over = imports._claim(source.id, later)
    assert taken_over is not None
    # The first worker's next heartbeat finds its claim gone, and it stops.
    assert not imports._beat(claimed[0], claimed[1], "running", 1, 2)


@pytest.mark.parametrize(
    ("last", "field"),
    [
        ({"followers": 10**20}, "followers"),
        ({"followers": -1}, "followers"),
        ({"at": "9999-12-31T23:59:59"}, "at"),
        ({"at": 1e300}, "at"),
    ],
)
def test_it_refuses_a_file_with_a_value_out_of_range_naming_line_and_field(
    personas: Any, last: dict[str, Any], field: str
) -> None:
    """2,500 good rows then author_followers 10**20 committed 2,000 rows and failed with an
    OverflowError: the whole file is now refused at parse time, naming the line and column."""
    source = _start(personas, _jsonl(2500, **{"followers": 1, **last}))
    imports.run_file_import(source.id)
    source.refresh_from_db()
    assert source.import_progress is not None and source.import_progress["state"] == "failed"
    assert f"line 2501, column '{field}'" in source.last_error.text
    assert not Mention.objects.exists()


def test_it_names_the_line_of_deeply_nested_json(personas: Any) -> None:
    data = _jsonl(2) + b'{"id": "x", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    source = _start(personas, data)
    imports.run_file_import(source.id)
    source.refresh_from_db()
    assert source.import_progress is not None and source.import_progress["state"] == "failed"
    assert "line 3" in source.last_error.text and "nested" in source.last_error.text


def test_a_refused_file_reads_in_the_language_of_whoever_opens_the_sources_page(
    personas: Any, client: Any
) -> None:
    # Import errors reached French pages in English (issue 10, item 14).
    source = _start(personas, _jsonl(3, followers=-1))
    with translation.override("en"):
        imports.run_file_import(source.id)
    client.force_login(personas.alice)
    url = reverse("listening:sources", args=[personas.workspace_a.slug])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        "Rien n’a été importé, 1 problème dans le fichier : ligne 4, colonne ‘followers’ : ne peut "
        "pas être négatif."
    ) in french
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "Nothing was imported, 1 problem in the file: line 4, column ‘followers’: cannot be "
        "negative."
    ) in english
