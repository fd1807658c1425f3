from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ambassade.config.serving import run_consumer


class Command(BaseCommand):
    help = "Run a task worker (consumer) on its own, e.g. beside `serve --no-worker` with Redis."

    def handle(self, *args: Any, **options: Any) -> None:
        run_consumer(self.stdout)
