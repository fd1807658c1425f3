"""`ambassade backfill --workspace SLUG [--query NAME …]`: apply listening queries to the mentions already
stored, in this process, with progress on stderr (the page's "Apply to stored mentions" does the same
in the task worker). Idempotent: running it again changes nothing."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Apply listening queries to the mentions already stored, with progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument(
            "--query",
            action="append",
            default=[],
            metavar="NAME",
            help="a query's name or id (repeat it; default: every enabled query)",
        )
        parser.add_argument("--batch", type=int, default=1000, help="mentions per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.listening import backfill
        from ambassade.listening.models import ListeningQuery, QueryBackfill
        from ambassade.workspaces.models import Workspace
        from ambassade.workspaces.progress import ProgressLine

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace has the slug {options['workspace']!r}.")
        queries = ListeningQuery.objects.filter(workspace=workspace)
        chosen: list[ListeningQuery] = []
        for name in options["query"]:
            found = queries.filter(name=name).first()
            if found is None and name.isdecimal() and name.isascii():
                found = queries.filter(pk=int(name)).first()
            if found is None:
                raise CommandError(f"No query named {name!r} in {workspace.name}.")
            chosen.append(found)
        if not options["query"]:
            chosen = list(queries.filter(enabled=True))
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")

        for query in chosen:
            print(f"{query.name}:", file=sys.stderr)
            started = backfill.start_backfill(query, None, enqueue=False)
            with ProgressLine() as line:
                result = backfill.run_backfill(
                    started.pk,
                    batch=options["batch"],
                    progress=lambda current: line(current.done, current.total),
                )
            if result is None or result.state != QueryBackfill.State.DONE:
                error = result.error if result is not None else "taken by another worker"
                raise CommandError(f"{query.name}: stopped ({error}).")
            self.stdout.write(
                f"{query.name}: {result.added} matches added, {result.removed} removed, "
                f"{result.done} mentions read."
            )
