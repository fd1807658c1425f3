"""`ambassade rollups [--workspace SLUG …] [--restart]`: bring the rollups of distinct mentions up
to date (listening.rollup), in this process, with progress on stderr. A workspace whose rollup is
ready in its time zone is left as is; a rebuild under way (a worker stopped, this command killed)
continues from its position; ``--restart`` counts everything again. The worker does the same every
minute (``listening.keep_rollups``)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Rebuild the listening rollups of distinct mentions, with progress (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workspace",
            action="append",
            default=[],
            metavar="SLUG",
            help="a workspace's slug (repeat it; default: every workspace with mentions)",
        )
        parser.add_argument("--restart", action="store_true", help="count everything again")
        parser.add_argument("--batch", type=int, default=5000, help="mentions per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.listening import rollup
        from ambassade.listening.models import Mention, MentionRollupState
        from ambassade.workspaces.models import Workspace

        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        workspaces = []
        for slug in options["workspace"]:
            found = Workspace.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No workspace has the slug {slug!r}.")
            workspaces.append(found)
        if not options["workspace"]:
            workspaces = [
                workspace
                for workspace in Workspace.objects.order_by("pk")
                if Mention.objects.filter(workspace=workspace).exists()
            ]

        def progress(state: MentionRollupState) -> None:
            percent = 100 * state.done // state.total if state.total else 100
            print(f"\r  {state.done}/{state.total} ({percent}%)", end="", file=sys.stderr)

        failed = []
        for workspace in workspaces:
            print(f"{workspace.slug}:", file=sys.stderr)
            try:
                state = rollup.rebuild(
                    workspace, restart=options["restart"], batch=options["batch"], progress=progress
                )
            except Exception as exc:
                print(file=sys.stderr)
                failed.append(f"{workspace.slug}: {exc}")
                continue
            print(file=sys.stderr)
            self.stdout.write(
                f"{workspace.slug}: {state.get_state_display()}, {state.done} mentions counted "
                f"({state.zone})."
            )
        if failed:
            raise CommandError("Not rebuilt: " + "; ".join(failed))
