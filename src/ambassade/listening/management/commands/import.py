"""`ambassade import FILE --workspace SLUG --map FIELD=COLUMN …`: backfill mentions from a CSV or JSONL
export, through the file-import connector (all or nothing: a problem names its line and column) and
the ingest pipeline, with progress on stderr. Importing the same file again adds nothing. Bad input
(a wrong line, an unknown workspace or column) exits with status 2 and a message naming it."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ambassade.connectors.base import ConnectorError, RawItem


class Command(BaseCommand):
    help = "Import mentions from a CSV or JSONL file into a workspace, with a column mapping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="which column fills a field: text and created_at are required; id, url, lang, "
            "author_handle, author_name, author_followers… are optional (repeat --map)",
        )
        parser.add_argument(
            "--format", choices=["csv", "jsonl"], help="default: from the extension"
        )
        parser.add_argument("--source", default="", help="name of the source to import into")
        parser.add_argument("--network", default="", help="the items' network (default: file)")
        parser.add_argument("--timezone", default="UTC", help="time zone of naive dates (UTC)")
        parser.add_argument("--date-format", default="", help="strptime format of the dates")
        parser.add_argument("--delimiter", default=",", help="CSV delimiter (,)")
        parser.add_argument("--batch", type=int, default=2000, help="items per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.connectors.fileimport import FileImportConnector
        from ambassade.listening import services
        from ambassade.listening.models import Source
        from ambassade.workspaces.models import Workspace

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace has the slug {options['workspace']!r}.", returncode=2)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}.", returncode=2)
        mapping = {}
        for pair in options["map"]:
            field, sep, column = pair.partition("=")
            if not sep or not field or not column:
                raise CommandError(f"--map expects FIELD=COLUMN, not {pair!r}.", returncode=2)
            mapping[field.strip()] = column.strip()
        file_format = options["format"] or (
            "jsonl" if path.suffix in {".jsonl", ".ndjson"} else "csv"
        )
        config = {
            "format": file_format,
            "mapping": mapping,
            "delimiter": options["delimiter"],
            "timezone": options["timezone"],
            "date_format": options["date_format"] or None,
        }
        connector = FileImportConnector()
        try:
            # Checked whole first (all or nothing), then read again as it is ingested: constant
            # memory whatever the file's size.
            with path.open("rb") as handle:
                total = connector.check(handle, config)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.", returncode=2) from None
        except ConnectorError as exc:
            raise CommandError(exc.message, returncode=2) from None
        source, _created = Source.objects.get_or_create(
            workspace=workspace,
            kind="file",
            name=options["source"] or f"Import: {path.name}",
            defaults={"enabled": False, "interval": 0, "config": config},
        )

        def progress(done: int, total: int) -> None:
            print(
                f"\rImported {done}/{total} ({100 * done // max(total, 1)}%)",
                end="",
                file=sys.stderr,
            )
            if done == total:
                print(file=sys.stderr)

        with path.open("rb") as handle:
            items: Iterable[RawItem] = connector.items(handle, config)
            if options["network"]:
                network = options["network"]
                items = (dataclasses.replace(item, source=network) for item in items)
            result = services.import_items(
                source, items, batch=options["batch"], progress=progress, total_count=total
            )
        self.stdout.write(
            f"{result.created} new mentions, {result.already_known} already imported, "
            f"{result.matches} query matches, into {workspace.name} / {source.name}."
        )
