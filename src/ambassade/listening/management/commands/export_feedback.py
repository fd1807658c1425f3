"""`ambassade export_feedback --workspace SLUG [-o FILE]`: the workspace's corrections of the text
analysis (sentiment, offensive, hateful, spam) as the JSONL that `ambassade train-text --extra` reads."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Write a workspace's corrections of the text analysis as JSONL for "
        "`ambassade train-text --extra`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument(
            "-o", "--output", type=Path, help="file to write (default: standard output)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.listening.feedback import training_lines
        from ambassade.workspaces.models import Workspace

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace has the slug {options['workspace']!r}.")
        lines = list(training_lines(workspace))
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write("".join(lines), ending="")
        else:
            folder = output.parent if str(output.parent) else Path(".")
            if not folder.is_dir():
                raise CommandError(f"No such folder: {folder}.")
            # A temporary file renamed at the end: an existing file is never half-overwritten.
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".feedback-", suffix=".jsonl")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.writelines(lines)
                os.replace(temporary, output)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        print(f"{len(lines)} corrections written", file=sys.stderr)
