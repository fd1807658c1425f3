"""`ambassade send_campaign --workspace SLUG CAMPAIGN_ID`: send a started campaign from this
process, its progress on stderr (``done/total``), until nothing is left; or, with ``--status``,
print where it stands. Another worker sending it meanwhile is left alone: the command then only
follows its progress. Stopping the command (Ctrl-C, a kill) loses nothing: the worker's pass of
every minute, or the command run again, goes on where it was, and never sends an e-mail twice."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Send a started e-mail campaign from this process, showing its progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("campaign", type=int, help="the campaign's id (in its page's address)")
        parser.add_argument(
            "--status", action="store_true", help="print the campaign's progress and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.mailing import sending
        from ambassade.mailing.models import Campaign

        campaign = Campaign.objects.filter(
            pk=options["campaign"], workspace__slug=options["workspace"]
        ).first()
        if campaign is None:
            raise CommandError(
                f"The workspace {options['workspace']!r} has no campaign {options['campaign']}."
            )

        def show(figures: sending.Progress) -> None:
            sys.stderr.write(
                f"\r  {figures.done}/{figures.total} done: {figures.sent} sent, "
                f"{figures.failed} failed, {figures.unknown} perhaps sent, "
                f"{figures.queued} waiting"
            )
            sys.stderr.flush()

        if options["status"] or campaign.state != Campaign.State.SENDING:
            figures = sending.progress(campaign)
            self.stdout.write(
                f"{campaign.name}: {campaign.get_state_display()}; {figures.done}/{figures.total} "
                f"done ({figures.sent} sent, {figures.failed} failed, {figures.unknown} perhaps "
                f"sent, {figures.skipped} not sent, {figures.bounced} bounced, "
                f"{figures.unsubscribed} unsubscribed)."
            )
            return
        while True:
            result = sending.run(campaign.pk, budget=3600.0, on_progress=show)
            campaign.refresh_from_db()
            if result.finished or campaign.state != Campaign.State.SENDING:
                break
            if result.stopped == "busy":
                show(sending.progress(campaign))  # another worker sends it: follow
            if result.stopped in ("busy", "server") or not result.sent:
                time.sleep(5)
        sys.stderr.write("\n")
        figures = sending.progress(campaign)
        self.stdout.write(
            f"{campaign.name}: {campaign.get_state_display()}; {figures.sent} sent, "
            f"{figures.failed} failed, {figures.unknown} perhaps sent, {figures.skipped} not sent."
        )
