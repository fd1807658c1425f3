"""`ambassade rotate_vault`: re-encrypt every stored secret (platform tokens, webhook secrets,
contest seeds…) with the first key of ``AMBASSADE_VAULT_KEY``, all or nothing, with progress on
stderr. Rotating a key: put the new key first (``new,old``), run this, then remove the old key."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the vault's first key (all or nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        from ambassade.workspaces import vault

        def progress(label: str, done: int) -> None:
            sys.stderr.write(f"\r  {label}: {done} re-encrypted")
            sys.stderr.flush()

        try:
            result = vault.rotate_all(progress)
        except vault.VaultError as error:
            sys.stderr.write("\n")
            raise CommandError(str(error)) from None
        sys.stderr.write("\n")
        self.stdout.write(
            f"{result.total} secrets re-encrypted with the first key, in "
            f"{sum(1 for n in result.counts.values() if n)} tables."
        )
