from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ambassade.config.serving import serve, use_listening_address


class Command(BaseCommand):
    help = (
        "Create the data directory, migrate, create a demo organisation, workspace and admin, then serve "
        "with the task worker in the same process. Running it again reuses what exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
        parser.add_argument(
            "--no-serve", action="store_true", help="set everything up, print the credentials, exit"
        )
        parser.add_argument(
            "--replay",
            type=Path,
            help="also play this CSV or JSONL export of posts, shifted to now",
        )
        parser.add_argument(
            "--speed", type=float, default=60.0, help="replay speed factor (60: an hour a minute)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.config.demo import build_demo

        # Before the demo is built: its alerts are e-mailed with links to the server.
        base_url = use_listening_address(options["host"], options["port"])
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        demo, workspace = build_demo(self.stdout)
        if options["replay"]:
            from ambassade.connectors.base import ConnectorError
            from ambassade.listening.replay import create_replay_source

            try:
                create_replay_source(
                    workspace, options["replay"], speed=options["speed"], out=self.stdout
                )
            except ConnectorError as exc:
                raise CommandError(exc.message) from None
        url = f"{base_url}/"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nAmbassade demo ready at {url}\n"
                f"  e-mail:   {demo.email}\n"
                f"  password: {demo.password}\n"
            )
        )
        if not options["no_serve"]:
            serve(options["host"], options["port"], worker=True, threads=8, out=self.stdout)
