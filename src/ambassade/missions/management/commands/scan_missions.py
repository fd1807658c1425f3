"""`ambassade scan_missions --workspace SLUG [--mission ID …]`: complete missions from the mentions
stored before them, in this process, with progress on stderr (saving a mission starts the same
scan in the task worker). Idempotent: a member completes a mission once, however often it runs."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Complete missions from the mentions stored before them, with progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument(
            "--mission",
            action="append",
            type=int,
            default=[],
            metavar="ID",
            help="a mission's id (repeat it; default: every mission of the workspace)",
        )
        parser.add_argument("--batch", type=int, default=500, help="mentions per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db.models import F

        from ambassade.missions import services
        from ambassade.missions.models import Completion, Mission
        from ambassade.workspaces.models import Workspace
        from ambassade.workspaces.progress import ProgressLine

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace has the slug {options['workspace']!r}.")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        missions = Mission.objects.filter(workspace=workspace).order_by("id")
        if options["mission"]:
            missions = missions.filter(pk__in=options["mission"])
            unknown = set(options["mission"]) - set(missions.values_list("pk", flat=True))
            if unknown:
                raise CommandError(f"No mission {sorted(unknown)} in {workspace.name}.")

        for mission in missions:
            print(f"{mission.title}:", file=sys.stderr)
            before = Completion.objects.filter(mission=mission).count()
            # A new scan from the start (a scan in the worker stops: its version is older).
            Mission.objects.filter(pk=mission.pk).update(
                scan_version=F("scan_version") + 1,
                scan_until_id=None,
                scan_last_id=0,
                scanned=0,
                scan_total=0,
                scan_heartbeat_at=None,
                scan_done_at=None,
            )
            with ProgressLine() as line:
                result = services.scan(
                    mission.pk,
                    batch=options["batch"],
                    progress=lambda current: line(current.scanned, current.scan_total),
                )
            if result is None:
                raise CommandError(f"{mission.title}: taken by another worker.")
            made = Completion.objects.filter(mission=mission).count() - before
            self.stdout.write(
                f"{mission.title}: {made} completions added, {result.scanned} mentions read."
            )
