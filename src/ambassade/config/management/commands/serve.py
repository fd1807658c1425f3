from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ambassade.config.serving import serve


class Command(BaseCommand):
    help = "Serve Ambassade with a production WSGI server and, unless --no-worker, the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
        parser.add_argument("--threads", type=int, default=8, help="web server threads (8)")
        parser.add_argument(
            "--no-worker", action="store_true", help="do not run the task worker in this process"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve(
            options["host"],
            options["port"],
            worker=not options["no_worker"],
            threads=options["threads"],
            out=self.stdout,
        )
