"""File sources no longer hold a path: their upload is the file stored for their id.

An upload kept by an earlier version (``DATA_DIR/imports/<uuid>.<ext>``, named in ``config["path"]``)
is renamed to its source's own file; a path anywhere else (one a person typed) is dropped and never
read. A replay's export is copied again by ``ambassade demo --replay FILE``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    Source = apps.get_model("listening", "Source")
    folder = (Path(settings.DATA_DIR) / "imports").resolve()
    for source in Source.objects.filter(kind__in=["file", "replay"]).order_by("id"):
        config = dict(source.config or {})
        old = config.pop("path", None)
        if source.kind == "file" and old:
            path = Path(str(old))
            if path.parent.resolve() == folder and path.is_file() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    os.chmod(path, 0o600)
                    path.rename(folder / f"source-{source.id}.upload")
        source.config = config
        source.save(update_fields=["config"])


class Migration(migrations.Migration):
    dependencies = [("listening", "0003_feedback_labels")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
