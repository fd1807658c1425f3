"""`ambassade rebuild_members --workspace SLUG`: make community members of the authors of the mentions
a workspace already holds (ingested before the community app existed), with progress on stderr.
Merges, notes and tags are kept; running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Make community members of the authors of a workspace's stored mentions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--batch", type=int, default=1000, help="mentions per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.community import services
        from ambassade.workspaces.models import Workspace
        from ambassade.workspaces.progress import ProgressLine

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace has the slug {options['workspace']!r}.")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")

        with ProgressLine("mentions") as line:
            result = services.rebuild_members(workspace, batch=options["batch"], progress=line)
        self.stdout.write(
            f"{result.mentions} mentions read; {result.members_created} new members, "
            f"{result.identities_created} new identities."
        )
