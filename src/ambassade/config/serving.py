"""Run the web server and, in the same process, the task consumer.

Huey's consumer installs signal handlers, which Python allows only in the main thread: so the consumer runs
in the main thread and the WSGI server (waitress, a production server) in a daemon thread. Without a worker,
waitress runs in the main thread.
"""

from __future__ import annotations

import socket
import threading
from typing import TextIO
from urllib.parse import urlsplit

from django.conf import settings

from ambassade.config import env


def listening_url(host: str, port: int) -> str:
    """The address a browser on this machine, or another one for a wildcard host, reaches the server at."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104  (naming the wildcard, not binding to it)
        host = socket.gethostname()
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def use_listening_address(host: str, port: int) -> str:
    """Without AMBASSADE_BASE_URL, the links Ambassade sends (e-mails, OAuth callbacks, short links)
    point at the address it listens on, not at the default port; without AMBASSADE_ALLOWED_HOSTS, the
    server also answers to that address's host name. Returns the base URL in use."""
    if not env.is_set(env.BASE_URL):
        settings.BASE_URL = listening_url(host, port)
    if not env.is_set(env.ALLOWED_HOSTS):
        name = urlsplit(str(settings.BASE_URL)).hostname
        if name and name not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, name]
    return str(settings.BASE_URL)


def serve(host: str, port: int, *, worker: bool, threads: int, out: TextIO) -> None:
    from waitress.server import create_server

    from ambassade.config.wsgi import application

    use_listening_address(host, port)
    server = create_server(application, host=host, port=port, threads=threads, ident="ambassade")
    out.write(f"Ambassade is serving on http://{host}:{port}/ (Ctrl+C to stop)\n")
    out.flush()
    if not worker:
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        return
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        run_consumer(out)
    finally:
        server.close()


def run_consumer(out: TextIO) -> None:
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    # Tasks register when their module is imported: import every app's tasks.py, as djhuey's own
    # run_huey command does, or the consumer would refuse them (and run no periodic task).
    autodiscover_modules("tasks")
    options = dict(settings.HUEY.get("consumer", {}))
    consumer = HUEY.create_consumer(**options)
    periodic = sum(
        1 for task in HUEY._registry._registry.values() if hasattr(task, "validate_datetime")
    )
    out.write(
        f"Task worker running ({options.get('workers', 1)} threads, queue {HUEY.name}, "
        f"{periodic} periodic tasks).\n"
    )
    out.flush()
    consumer.run()
