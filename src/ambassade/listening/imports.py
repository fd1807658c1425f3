"""Importing an uploaded export (CSV or JSONL) in the background: all or nothing, in constant
memory, and never lost to a dead worker.

- :func:`start_file_import` creates the ``file`` source and keeps the upload as the source's own file
  (:mod:`ambassade.listening.uploads`), streamed to disk.
- :func:`run_file_import` (the ``listening.import_file`` task) claims the import, reads the whole file
  once to check every line (nothing is kept in memory: a problem anywhere imports nothing, and the
  error names every line and column), then reads it again and ingests it in batches.
- The progress lives in the source's ``cursor``: ``state`` (``queued``, ``checking``, ``running``,
  ``done``, ``failed``), ``done``, ``total``, and the claim: ``claim`` (a token), ``heartbeat`` (ISO
  time, refreshed after every batch) and ``attempts``. Every write of a running import is conditional
  on its claim, so two workers never both run it.
- :func:`recover_imports` (every minute) finds an import whose heartbeat stopped for
  :data:`STALE_AFTER` (its worker was killed, or the queue lost its task) and runs it again: it resumes
  after the items already ingested (ingesting is idempotent, so a batch ingested just before the
  kill is skipped, not doubled). After :data:`MAX_ATTEMPTS` it is marked failed, and the sources page
  offers to retry it (:func:`retry_file_import`).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.connectors.base import ConnectorError
from ambassade.listening import uploads
from ambassade.listening.models import Source
from ambassade.listening.pipeline import IngestResult
from ambassade.listening.services import (
    ActionError,
    _check_source,
    import_items,
    skipped_message,
)
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace

__all__ = [
    "MAX_ATTEMPTS",
    "STALE_AFTER",
    "recover_imports",
    "retry_file_import",
    "run_file_import",
    "start_file_import",
]

log = logging.getLogger(__name__)

#: An import whose heartbeat is older than this belongs to a dead worker (a batch takes seconds).
STALE_AFTER = timedelta(minutes=5)
#: Runs of one import before it is marked failed (a person can still retry it).
MAX_ATTEMPTS = 3
#: Items ingested per batch (one transaction, one heartbeat).
BATCH = 1000
ACTIVE = ("queued", "checking", "running")


def _cursor(state: str, done: int = 0, total: int = 0, **claim: Any) -> dict[str, Any]:
    return {"state": state, "done": done, "total": total, **claim}


def start_file_import(
    workspace: Workspace,
    actor: Any,
    *,
    name: str,
    data: bytes | Iterable[bytes],
    file_format: str,
    mapping: dict[str, str],
    network: str = "",
    timezone_name: str = "UTC",
) -> Source:
    """Create the import source and keep the uploaded export (``data``: the bytes, or chunks of
    them, written as they come) as its own file; the import runs in the background."""
    config = {"format": file_format, "mapping": mapping, "network": network}
    config["timezone"] = timezone_name
    _check_source("file", config)
    source = Source.objects.create(
        workspace=workspace,
        name=name,
        kind="file",
        config=config,
        enabled=False,
        interval=0,
        cursor=_cursor("queued", heartbeat=timezone.now().isoformat(), attempts=0, claim=""),
    )
    try:
        uploads.save(source.id, data)
    except OSError:
        log.exception("keeping the upload of source %s failed", source.id)
        source.delete()
        raise ActionError(_("The file could not be stored on the server.")) from None
    workspace_services.record_audit(workspace, actor, "listening.source.created", source)
    return source


def _stale(cursor: dict[str, Any], now: datetime) -> bool:
    try:
        beat = datetime.fromisoformat(str(cursor.get("heartbeat")))
    except ValueError:
        return True
    return beat < now - STALE_AFTER


def _claim(source_id: int, now: datetime) -> tuple[Source, str] | None:
    """Take the import: a queued one, or one whose worker stopped beating. One UPDATE, conditional
    on the claim read, so that of two workers only one wins."""
    source = Source.objects.select_related("workspace").filter(id=source_id, kind="file").first()
    if source is None:
        return None
    cursor = dict(source.cursor or {})
    state = cursor.get("state")
    if state not in ACTIVE or (state != "queued" and not _stale(cursor, now)):
        return None
    token = uuid.uuid4().hex
    attempts = int(cursor.get("attempts", 0)) + 1
    claimed = {**cursor, "state": "checking", "claim": token, "heartbeat": now.isoformat()}
    claimed["attempts"] = attempts
    rows = Source.objects.filter(id=source_id)
    rows = (
        rows.filter(cursor__claim=cursor["claim"])
        if "claim" in cursor
        else rows.filter(~Q(cursor__has_key="claim"))
    )
    if rows.update(cursor=claimed) != 1:
        return None
    source.cursor = claimed
    return source, token


def _beat(source: Source, token: str, state: str, done: int, total: int) -> bool:
    """Record the progress and the heartbeat, if the claim is still ours (False: another worker
    took the import over; stop)."""
    cursor = {
        **source.cursor,
        **_cursor(state, done, total),
        "claim": token,
        "heartbeat": timezone.now().isoformat(),
    }
    won = Source.objects.filter(id=source.id, cursor__claim=token).update(cursor=cursor) == 1
    if won:
        source.cursor = cursor
    return won


def _fail(source: Source, token: str | None, message: Any) -> None:
    """``message``: the error or a coded message, stored as such (worded when shown)."""
    rows = Source.objects.filter(id=source.id)
    if token is not None:
        rows = rows.filter(cursor__claim=token)
    cursor = dict(source.cursor or {})
    rows.update(
        last_run_at=timezone.now(),
        last_status=Source.Status.ERROR,
        last_error=StoredMessage.of(message),
        cursor={**cursor, **_cursor("failed", 0, int(cursor.get("total", 0))), "claim": ""},
    )


def run_file_import(
    source_id: int, batch: int = BATCH, now: datetime | None = None
) -> IngestResult | None:
    """Claim the import, check the whole upload, then ingest it in batches with a heartbeat after
    each; resumes after what an interrupted run ingested. The file read is always the one stored for
    this source's id, whatever its settings say. None when there was nothing to do (or it failed)."""
    from ambassade.connectors.fileimport import FileImportConnector, FileImportError

    claimed = _claim(source_id, now or timezone.now())
    if claimed is None:
        return None
    source, token = claimed
    config = dict(source.config)
    connector = FileImportConnector()
    resume = int(source.cursor.get("done", 0))
    try:
        with uploads.open_upload(source.id) as handle:
            total = connector.check(
                handle, config, progress=lambda _line: _beat(source, token, "checking", 0, 0)
            )
        if not _beat(source, token, "running", min(resume, total), total):
            return None
        network = str(config.get("network") or "")
        with uploads.open_upload(source.id) as handle:
            items: Iterable[Any] = connector.items(handle, config, skip=resume)
            if network:
                items = (dataclasses.replace(item, source=network) for item in items)
            lost = False

            def progress(done: int, count: int) -> None:
                nonlocal lost
                if not _beat(source, token, "running", done, count):
                    lost = True
                    raise _ClaimLost

            try:
                result = import_items(
                    source, items, batch=batch, progress=progress, total_count=total, done=resume
                )
            except _ClaimLost:
                return None
    except OSError:
        _fail(source, token, coded("import.upload_gone"))
        return None
    except FileImportError as exc:
        _fail(source, token, failure_message(exc))
        uploads.delete(source.id)  # the file itself is wrong: import a corrected one
        return None
    except ConnectorError as exc:
        _fail(source, token, exc)
        return None
    except Exception as exc:
        log.exception("importing source %s failed", source.id)
        _fail(source, token, coded("source.unexpected", detail=str(exc)))
        return None
    finished = timezone.now()
    skipped = skipped_message(result)
    Source.objects.filter(id=source.id, cursor__claim=token).update(
        last_run_at=finished,
        last_success_at=finished,
        last_status=Source.Status.OK,
        last_error=skipped,
        cursor={**source.cursor, **_cursor("done", total, total), "claim": ""},
    )
    uploads.delete(source.id)  # imported: the copy of the export is no longer needed
    return result


def failure_message(error: Any) -> StoredMessage:
    """A refused file's problems, each with its line and column, as a message worded when shown
    (``error``: a ``FileImportError``)."""
    from ambassade.connectors.fileimport.parse import SHOWN

    problems = []
    for problem in error.problems[:SHOWN]:
        code = "import.at_line" if problem.line else "import.in_settings"
        if problem.line and problem.column:
            code = "import.at_line_column"
        problems.append(
            StoredMessage(
                code,
                {
                    "line": problem.line,
                    "column": problem.column,
                    "problem": StoredMessage(problem.code, problem.params, problem.message),
                },
            )
        )
    more = error.total - len(problems)
    return StoredMessage(
        "import.failed_more" if more > 0 else "import.failed",
        {"count": error.total, "more": more, "problems": problems},
        text=error.message,
    )


class _ClaimLost(Exception):
    """Another worker took this import over (this one was thought dead): stop quietly."""


def recover_imports(now: datetime | None = None) -> list[int]:
    """Imports whose worker stopped (no heartbeat for :data:`STALE_AFTER`): each is enqueued again,
    or marked failed after :data:`MAX_ATTEMPTS` runs. Returns the ids enqueued."""
    from ambassade.listening import tasks

    now = now or timezone.now()
    enqueued = []
    rows = Source.objects.filter(kind="file").filter(
        Q(cursor__state="queued") | Q(cursor__state="checking") | Q(cursor__state="running")
    )
    for source in rows.only("id", "cursor", "workspace_id"):
        cursor = dict(source.cursor or {})
        if not _stale(cursor, now):
            continue
        if int(cursor.get("attempts", 0)) >= MAX_ATTEMPTS:
            _fail(
                source,
                cursor.get("claim") if "claim" in cursor else None,
                coded("import.stopped", count=int(cursor.get("attempts", 0))),
            )
            continue
        tasks.import_file(source.id)
        enqueued.append(source.id)
    return enqueued


def retry_file_import(source: Source, actor: Any) -> None:
    """Queue a failed import again, from the start (what was ingested is skipped)."""
    cursor = dict(source.cursor or {})
    if source.kind != "file" or cursor.get("state") != "failed":
        raise ActionError(_("Only a failed import can be retried."))
    if not uploads.exists(source.id):
        raise ActionError(_("The uploaded file is gone: import it again."))
    fresh = _cursor("queued", heartbeat=timezone.now().isoformat(), attempts=0, claim="")
    Source.objects.filter(id=source.id, cursor__state="failed").update(
        cursor=fresh, last_error="", last_status=Source.Status.NEW
    )
    workspace_services.record_audit(source.workspace, actor, "listening.import.retried", source)
