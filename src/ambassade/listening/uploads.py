"""Files kept for a source: the upload of a file import, the copy of a replayed export.

Each is stored under ``AMBASSADE_DATA_DIR/imports/`` and named by its source's id, mode 0600 in a
0700 folder. The path is computed from the id whenever it is needed and never stored, shown or read
from a setting: a person who can edit a source cannot make the server read any other file. A
source's file is deleted with the source (see :mod:`ambassade.listening.signals`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

__all__ = ["copy_from", "delete", "exists", "folder", "open_upload", "path_for", "save", "size"]


def folder() -> Path:
    """``DATA_DIR/imports``, created private (0700) when missing."""
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def path_for(source_id: int) -> Path:
    return folder() / f"source-{int(source_id)}.upload"


def save(source_id: int, chunks: bytes | Iterable[bytes]) -> int:
    """Write the source's file from ``chunks`` (streamed: any size, constant memory), replacing
    any previous one atomically; returns its size in bytes."""
    target = path_for(source_id)
    temporary = target.with_suffix(".partial")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    size = 0
    with os.fdopen(os.open(temporary, flags, 0o600), "wb") as handle:
        for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
            handle.write(chunk)
            size += len(chunk)
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)
    return size


def copy_from(source_id: int, path: Path) -> int:
    """Copy a file an operator named on the command line into the source's own file."""
    with path.open("rb") as handle:
        return save(source_id, iter(lambda: handle.read(1 << 20), b""))


def open_upload(source_id: int) -> BinaryIO:
    """The source's file for reading; ``OSError`` when it is gone."""
    return path_for(source_id).open("rb")


def exists(source_id: int) -> bool:
    return path_for(source_id).is_file()


def size(source_id: int) -> int:
    try:
        return path_for(source_id).stat().st_size
    except OSError:
        return 0


def delete(source_id: int) -> None:
    for path in (path_for(source_id), path_for(source_id).with_suffix(".partial")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
