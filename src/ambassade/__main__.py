"""The `ambassade` command.

Two kinds of sub-commands share it:
- the machine-readable engine commands (`analyze`, `match`, `spikes`, `bench`, ...), one module each in
  :mod:`ambassade.cli`, which run without loading Django;
- every Django management command, the product's own included (`demo`, `serve`, `worker`,
  `createadmin`, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from ambassade import cli
    from ambassade.config.env import ConfigError

    try:
        if args and args[0] in cli.commands():
            return cli.run(args[0], args[1:])
        if not args or args in (["-h"], ["--help"]):
            print(cli.overview(), end="")
            return 0
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambassade.config.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ambassade", *args])
    except ConfigError as exc:
        print(f"ambassade: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
