"""Customer files: a CSV of customers imported into the community, all or nothing.

- :func:`start` keeps the upload under ``DATA_DIR/customer-files/`` named by the import's id (a
  path is never something a person sets), reads its header (UTF-8 with or without BOM, else
  Windows-1252; comma, semicolon or tab) and guesses a mapping (:func:`guess_mapping`).
- :func:`preview` reads the first lines as the mapping would, with each cell's problem.
- :func:`queue` saves the mapping and queues ``community.import_customers``.
- :func:`run` (the task) claims the import, **checks every line** (progress saved every
  :data:`PROGRESS_EVERY` lines; a problem anywhere imports nothing, and up to
  :data:`KEPT_PROBLEMS` problems are kept, each naming its line and column), then **writes** every
  member in one transaction: matched by e-mail address (the member's, or their ``email``
  account), else by handle on the file's network; created when unknown.
- :func:`recover` (every minute) runs again an import whose worker stopped (no heartbeat for
  :data:`STALE_AFTER`); after :data:`MAX_ATTEMPTS` runs it is marked failed. As writing is one
  transaction, a killed worker has written nothing.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassade.community import crm
from ambassade.community.models import (
    CustomerImport,
    CustomField,
    Identity,
    Member,
    MemberTag,
    normalise_handle,
)
from ambassade.community.services import ActionError
from ambassade.engine.segments import SegmentError, parse_field_value
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Workspace

__all__ = [
    "MAX_BYTES",
    "Problem",
    "guess_mapping",
    "path_for",
    "preview",
    "queue",
    "recover",
    "run",
    "start",
    "targets",
]

MAX_BYTES = 20 * 1024 * 1024
PROGRESS_EVERY = 500
KEPT_PROBLEMS = 100
STALE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
#: Networks a file's handles may be on (the connectors' kinds and the usual others).
NETWORKS = (
    "mastodon",
    "bluesky",
    "x",
    "instagram",
    "facebook",
    "linkedin",
    "tiktok",
    "youtube",
    "reddit",
    "threads",
)
BASE_TARGETS = ("email", "handle", "name", "language", "tags", "note")
_GUESSES = {
    "email": {"email", "e-mail", "mail", "courriel", "adresse e-mail", "adresse email", "e_mail"},
    "handle": {"handle", "pseudo", "username", "user", "compte", "account", "identifiant"},
    "name": {"name", "nom", "full name", "nom complet", "display name"},
    "language": {"language", "langue", "lang", "locale"},
    "tags": {"tags", "étiquettes", "etiquettes", "labels"},
    "note": {"note", "notes", "comment", "commentaire"},
}
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


@dataclass
class Problem:
    """What is wrong in a cell (``line`` of the file, 1 being the header; ``column`` its name)."""

    line: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "code": self.code, "params": self.params}

    def words(self) -> str:
        """The problem in the reader's language, naming its line and column."""
        from ambassade.workspaces.messages import words

        problem = words({"code": self.code, "params": self.params, "text": self.code})
        if self.code.startswith("field.") or not self.column:  # the column is in its words
            return _("Line %(line)s: %(problem)s") % {"line": self.line, "problem": problem}
        return _("Line %(line)s, column “%(column)s”: %(problem)s") % {
            "line": self.line,
            "column": self.column,
            "problem": problem,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        return cls(data["line"], data.get("column", ""), data["code"], data.get("params") or {})


# --- the file -----------------------------------------------------------------------------------


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "customer-files"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def path_for(import_id: int) -> Path:
    return folder() / f"import-{int(import_id)}.csv"


def delete_file(import_id: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        path_for(import_id).unlink()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _text(import_id: int) -> str:
    return _decode(path_for(import_id).read_bytes())


def _rows(import_id: int, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every data line (the header is line 1; blank lines skipped)."""
    reader = csv.reader(io.StringIO(_text(import_id), newline=""), delimiter=delimiter)
    next(reader, None)
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield reader.line_num, cells


def start(workspace: Workspace, actor: Any, upload: Any) -> CustomerImport:
    """Keep an uploaded CSV (``upload``: Django's UploadedFile) and read its header."""
    if upload.size > MAX_BYTES:
        raise ActionError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    raw = b"".join(upload.chunks())
    if b"\x00" in raw[:4096]:
        raise ActionError(_("This is not a CSV file (text with one customer a line)."))
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    header = [cell.strip()[:100] for cell in header]
    if not any(header):
        raise ActionError(_("The file is empty: its first line must name the columns."))
    if len(header) > 100:
        raise ActionError(_("The file has more than 100 columns."))
    with transaction.atomic():
        imported = CustomerImport.objects.create(
            workspace=workspace,
            created_by=actor if getattr(actor, "pk", None) else None,
            filename=os.path.basename(str(upload.name or ""))[:200],
            delimiter=delimiter,
            header=header,
        )
        target = path_for(imported.pk)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(target, flags, 0o600), "wb") as handle:
            handle.write(raw)
        imported.mapping = guess_mapping(
            header, list(CustomField.objects.filter(workspace=workspace))
        )
        imported.total = sum(1 for _ in _rows(imported.pk, delimiter))
        imported.save(update_fields=["mapping", "total"])
    return imported


def targets(fields: Iterable[CustomField]) -> list[tuple[str, str]]:
    """What a column may fill, with its label in the reader's language."""
    labels = {
        "email": _("E-mail address"),
        "handle": _("Handle on the network"),
        "name": _("Name"),
        "language": _("Language (fr, en…)"),
        "tags": _("Tags (separated by commas or semicolons)"),
        "note": _("Note"),
    }
    found = [(key, str(labels[key])) for key in BASE_TARGETS]
    found += [(f"field:{f.key}", _("Field: %(label)s") % {"label": f.label}) for f in fields]
    return found


def guess_mapping(header: list[str], fields: list[CustomField]) -> dict[str, str]:
    """Columns named like a target (``E-mail``, ``Nom``, a field's key or label) map to it."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    by_name = {f.key.casefold(): f"field:{f.key}" for f in fields}
    by_name |= {f.label.casefold(): f"field:{f.key}" for f in fields}
    for index, name in enumerate(header):
        key = name.strip().casefold()
        target = next((t for t, names in _GUESSES.items() if key in names), None) or by_name.get(
            key
        )
        if target and target not in used:
            mapping[str(index)] = target
            used.add(target)
    return mapping


# --- checking -----------------------------------------------------------------------------------


@dataclass
class Record:
    line: int
    email: str = ""
    handle: str = ""
    name: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)
    note: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def check_mapping(
    mapping: dict[str, str], header: list[str], network: str, fields: dict[str, CustomField]
) -> None:
    """ActionError when the mapping cannot import anything sensible."""
    chosen = [t for t in mapping.values() if t]
    valid = set(BASE_TARGETS) | {f"field:{key}" for key in fields}
    for index, target in mapping.items():
        if not index.isdigit() or int(index) >= len(header) or target not in valid:
            raise ActionError(_("The mapping names a column or a target that does not exist."))
    for target in set(chosen):
        if chosen.count(target) > 1:
            raise ActionError(_("Two columns fill the same thing: map each at most once."))
    if "email" not in chosen and "handle" not in chosen:
        raise ActionError(
            _("Map a column to the e-mail address or to the handle: members are matched by them.")
        )
    if "handle" in chosen and network not in NETWORKS:
        raise ActionError(_("Choose the network of the handles."))


def check_row(
    line: int,
    cells: list[str],
    mapping: dict[str, str],
    header: list[str],
    fields: dict[str, CustomField],
) -> tuple[Record, list[Problem]]:
    record, problems = Record(line), []
    for index, target in mapping.items():
        position = int(index)
        column = header[position] or f"#{position + 1}"
        value = cells[position].strip() if position < len(cells) else ""
        if target == "email":
            if value:
                try:
                    validate_email(value)
                except ValidationError:
                    problems.append(
                        Problem(line, column, "import.bad_email", {"value": value[:80]})
                    )
                record.email = value.casefold()
        elif target == "handle":
            record.handle = normalise_handle(value)
        elif target == "name":
            if len(value) > 200:
                problems.append(Problem(line, column, "import.too_long", {"limit": 200}))
            record.name = value[:200]
        elif target == "language":
            language = value.casefold().replace("_", "-")
            if language and not _LANGUAGE.fullmatch(language):
                problems.append(Problem(line, column, "import.bad_language", {"value": value[:40]}))
            record.language = language[:12]
        elif target == "tags":
            record.tags = crm.clean_tags(re.split(r"[,;]", value))
            if len(record.tags) > crm.MAX_TAGS:
                problems.append(
                    Problem(line, column, "import.too_many_tags", {"limit": crm.MAX_TAGS})
                )
        elif target == "note":
            if len(value) > crm.MAX_NOTE:
                problems.append(Problem(line, column, "import.too_long", {"limit": crm.MAX_NOTE}))
            record.note = value
        elif target.startswith("field:"):
            custom = fields[target[6:]]
            if value:
                try:
                    record.values[custom.key] = parse_field_value(
                        custom.type, value, custom.choices, column
                    )
                except SegmentError as error:
                    problems.append(Problem(line, column, error.code, dict(error.params)))
    if not record.email and not record.handle:
        problems.append(Problem(line, "", "import.no_key", {}))
    return record, problems


def preview(
    imported: CustomerImport, mapping: dict[str, str], limit: int = 10
) -> list[dict[str, Any]]:
    """The first ``limit`` lines as the mapping reads them: each cell's value and problem."""
    fields = {f.key: f for f in CustomField.objects.filter(workspace_id=imported.workspace_id)}
    rows = []
    for line, cells in _rows(imported.pk, imported.delimiter):
        kept = {
            i: t
            for i, t in mapping.items()
            if t and (t[6:] in fields or not t.startswith("field:"))
        }
        _record, problems = check_row(line, cells, kept, imported.header, fields)
        rows.append({"line": line, "cells": cells[: len(imported.header)], "problems": problems})
        if len(rows) >= limit:
            break
    return rows


# --- running ------------------------------------------------------------------------------------


def queue(imported: CustomerImport, actor: Any, mapping: dict[str, str], network: str) -> None:
    from ambassade.community import tasks

    mapping = {index: target for index, target in mapping.items() if target}
    fields = {f.key: f for f in CustomField.objects.filter(workspace_id=imported.workspace_id)}
    check_mapping(mapping, imported.header, network, fields)
    if imported.state not in (CustomerImport.State.MAPPING, CustomerImport.State.FAILED):
        raise ActionError(_("This file is already being imported."))
    imported.mapping, imported.network = mapping, network
    imported.state, imported.done, imported.attempts = CustomerImport.State.QUEUED, 0, 0
    imported.problems, imported.problem_count, imported.error = [], 0, ""
    imported.heartbeat = timezone.now()
    imported.save()
    workspace_services.record_audit(
        imported.workspace,
        actor,
        "community.import.started",
        None,
        details={"file": imported.filename, "lines": imported.total},
    )
    transaction.on_commit(lambda: tasks.import_customers(imported.pk))


def _claim(import_id: int) -> tuple[CustomerImport, str] | None:
    token = uuid.uuid4().hex
    now = timezone.now()
    claimable = Q(state=CustomerImport.State.QUEUED) | Q(
        state__in=[CustomerImport.State.CHECKING, CustomerImport.State.WRITING],
        heartbeat__lt=now - STALE_AFTER,
    )
    with transaction.atomic():
        found = CustomerImport.objects.select_for_update().filter(claimable, pk=import_id).first()
        if found is None:
            return None
        if found.attempts >= MAX_ATTEMPTS:
            found.state, found.error = CustomerImport.State.FAILED, "stopped"
            found.save(update_fields=["state", "error"])
            return None
        found.claim, found.heartbeat, found.attempts = token, now, found.attempts + 1
        found.state = CustomerImport.State.CHECKING
        found.save(update_fields=["claim", "heartbeat", "attempts", "state"])
    return found, token


def _beat(imported: CustomerImport, token: str, **values: Any) -> None:
    CustomerImport.objects.filter(pk=imported.pk, claim=token).update(
        heartbeat=timezone.now(), **values
    )


def run(import_id: int) -> CustomerImport | None:
    """Check then write the import (the ``community.import_customers`` task)."""
    claimed = _claim(import_id)
    if claimed is None:
        return None
    imported, token = claimed
    fields = {f.key: f for f in CustomField.objects.filter(workspace_id=imported.workspace_id)}
    try:
        records, problems, count = [], [], 0
        for line, cells in _rows(imported.pk, imported.delimiter):
            record, found = check_row(line, cells, imported.mapping, imported.header, fields)
            problems.extend(found)
            records.append(record)
            count += 1
            if count % PROGRESS_EVERY == 0:
                _beat(imported, token, done=count)
        if not problems:
            _beat(imported, token, done=count, state=CustomerImport.State.WRITING)
            problems, created, updated = _write(imported, records, fields)
        if problems:
            CustomerImport.objects.filter(pk=imported.pk, claim=token).update(
                state=CustomerImport.State.FAILED,
                done=count,
                total=count,
                problems=[p.to_json() for p in problems[:KEPT_PROBLEMS]],
                problem_count=len(problems),
            )
        else:
            CustomerImport.objects.filter(pk=imported.pk, claim=token).update(
                state=CustomerImport.State.DONE,
                done=count,
                total=count,
                created_count=created,
                updated_count=updated,
            )
            workspace_services.record_audit(
                imported.workspace,
                imported.created_by,
                "community.import.done",
                None,
                details={"file": imported.filename, "created": created, "updated": updated},
            )
    except OSError:
        CustomerImport.objects.filter(pk=imported.pk, claim=token).update(
            state=CustomerImport.State.FAILED, error="file"
        )
    imported.refresh_from_db()
    return imported


class _Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(len(problems))
        self.problems = problems


def _write(
    imported: CustomerImport, records: list[Record], fields: dict[str, CustomField]
) -> tuple[list[Problem], int, int]:
    """Every record in one transaction; problems found while matching undo everything."""
    workspace = imported.workspace
    created = updated = 0
    try:
        with transaction.atomic():
            seen: dict[tuple[str, str], int] = {}
            touched: set[int] = set()
            problems: list[Problem] = []
            for start in range(0, len(records), PROGRESS_EVERY):
                chunk = records[start : start + PROGRESS_EVERY]
                by_email, by_handle = _lookup(workspace, imported.network, chunk)
                for record in chunk:
                    email_member = seen.get(("email", record.email)) or by_email.get(record.email)
                    handle_member = seen.get(("handle", record.handle)) or by_handle.get(
                        record.handle
                    )
                    if (
                        record.email
                        and record.handle
                        and email_member
                        and handle_member
                        and email_member != handle_member
                    ):
                        problems.append(
                            Problem(record.line, "", "import.two_members", {"email": record.email})
                        )
                        continue
                    member_id = email_member or handle_member
                    if member_id is None:
                        member_id = _create(workspace, imported.network, record)
                        created += 1
                    elif member_id not in touched:
                        updated += 1
                    touched.add(member_id)
                    _apply(workspace, imported, member_id, record, fields)
                    if record.email:
                        seen[("email", record.email)] = member_id
                    if record.handle:
                        seen[("handle", record.handle)] = member_id
            if problems:
                raise _Refused(problems)
            Member.objects.filter(pk__in=touched).update(updated_at=timezone.now())
    except _Refused as refused:
        return refused.problems, 0, 0
    return [], created, updated


def _lookup(
    workspace: Workspace, network: str, chunk: list[Record]
) -> tuple[dict[str, int], dict[str, int]]:
    emails = {r.email for r in chunk if r.email}
    handles = {r.handle for r in chunk if r.handle}
    by_email: dict[str, int] = {}
    if emails:
        for member_id, email in Member.objects.filter(
            workspace=workspace, email__in=list(emails)
        ).values_list("id", "email"):
            by_email.setdefault(email.casefold(), member_id)
        for member_id, handle in Identity.objects.filter(
            workspace=workspace, network="email", handle__in=list(emails)
        ).values_list("member_id", "handle"):
            by_email.setdefault(handle, member_id)
    by_handle: dict[str, int] = {}
    if handles:
        by_handle = dict(
            Identity.objects.filter(
                workspace=workspace, network=network, handle__in=list(handles)
            ).values_list("handle", "member_id")
        )
    return by_email, by_handle


def _create(workspace: Workspace, network: str, record: Record) -> int:
    name = record.name or record.email or f"@{record.handle}"
    member = Member.objects.create(
        workspace=workspace, display_name=name[:200], email=record.email, language=record.language
    )
    if record.email:
        Identity.objects.create(
            workspace=workspace,
            member=member,
            network="email",
            handle=record.email,
            name=record.name,
        )
    if record.handle:
        Identity.objects.create(
            workspace=workspace,
            member=member,
            network=network,
            handle=record.handle,
            name=record.name,
        )
    return member.pk


def _apply(
    workspace: Workspace,
    imported: CustomerImport,
    member_id: int,
    record: Record,
    fields: dict[str, CustomField],
) -> None:
    member = Member.objects.get(pk=member_id)
    changed = []
    if record.email and not member.email:
        member.email = record.email
        changed.append("email")
        if not Identity.objects.filter(
            workspace=workspace, network="email", handle=record.email
        ).exists():
            Identity.objects.create(
                workspace=workspace,
                member=member,
                network="email",
                handle=record.email,
                name=record.name,
            )
    if (
        record.handle
        and not Identity.objects.filter(
            workspace=workspace, network=imported.network, handle=record.handle
        ).exists()
    ):
        Identity.objects.create(
            workspace=workspace,
            member=member,
            network=imported.network,
            handle=record.handle,
            name=record.name,
        )
    if record.name and member.display_name in (
        "",
        member.email,
        *(f"@{h}" for h in [record.handle]),
    ):
        member.display_name = record.name
        changed.append("display_name")
    if record.language:
        member.language = record.language
        changed.append("language")
    if changed:
        member.save(update_fields=changed)
    if record.tags:
        MemberTag.objects.bulk_create(
            [MemberTag(workspace=workspace, member=member, name=name) for name in record.tags],
            ignore_conflicts=True,
        )
    for key, value in record.values.items():
        crm.store_value(member_id, workspace.pk, fields[key], value)
    if record.note:
        crm.write_note(member, imported.created_by, record.note)


def recover(now: Any = None) -> list[int]:
    """Imports whose worker stopped (or whose task was lost): run again, or failed at last."""
    now = now or timezone.now()
    stale = CustomerImport.objects.filter(
        state__in=[
            CustomerImport.State.QUEUED,
            CustomerImport.State.CHECKING,
            CustomerImport.State.WRITING,
        ],
        heartbeat__lt=now - STALE_AFTER,
    )
    found = []
    for imported in stale:
        if imported.attempts >= MAX_ATTEMPTS:
            CustomerImport.objects.filter(pk=imported.pk, state=imported.state).update(
                state=CustomerImport.State.FAILED, error="stopped"
            )
            continue
        if imported.state == CustomerImport.State.QUEUED:  # its task was lost: claimable as is
            CustomerImport.objects.filter(pk=imported.pk).update(heartbeat=now)
        found.append(imported.pk)
    return found
