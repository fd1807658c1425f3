"""`ambassade createadmin`: create a person who owns a workspace, to start a fresh installation.

Interactive by default; for scripts give --email and --password (or the AMBASSADE_ADMIN_PASSWORD
environment variable, which keeps the password out of the process list) and --no-input.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from ambassade.workspaces import services
from ambassade.workspaces.models import Organisation

PASSWORD_ENV = "AMBASSADE_ADMIN_PASSWORD"  # noqa: S105  (a variable name)


class Command(BaseCommand):
    help = "Create a person who owns a workspace (and its organisation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="e-mail address to log in with")
        parser.add_argument("--name", default="", help="the person's name")
        parser.add_argument(
            "--password", help=f"password (prefer the {PASSWORD_ENV} environment variable)"
        )
        parser.add_argument("--organisation", default="", help="organisation name (My company)")
        parser.add_argument(
            "--kind", choices=[k.value for k in Organisation.Kind], default="company"
        )
        parser.add_argument("--workspace", default="", help="first workspace's name (My brand)")
        parser.add_argument(
            "--no-input", action="store_true", help="never prompt; fail on a missing value"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = not options["no_input"]
        email = options["email"] or (self._ask("E-mail address: ") if interactive else "")
        if not email:
            raise CommandError("--email is required with --no-input")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid e-mail address") from None
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise CommandError(f"an account with the address {email} already exists")
        name = options["name"] or (self._ask("Name (optional): ") if interactive else "")
        password = options["password"] or os.environ.get(PASSWORD_ENV, "")
        if not password:
            if not interactive:
                raise CommandError(f"give --password or set {PASSWORD_ENV} with --no-input")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("the two passwords are different")
        probe = get_user_model()(username=email, email=email, first_name=name)
        try:
            password_validation.validate_password(password, probe)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        organisation = options["organisation"] or (
            self._ask("Organisation [My company]: ") if interactive else ""
        )
        workspace_name = options["workspace"] or (
            self._ask("First workspace [My brand]: ") if interactive else ""
        )
        with transaction.atomic():
            user = services.create_user(email, password, name)
            _org, workspace = services.create_organisation(
                name=organisation or "My company",
                kind=options["kind"],
                owner=user,
                workspace_name=workspace_name or "My brand",
            )
        self.stdout.write(
            self.style.SUCCESS(f"Created {email}, owner of the workspace {workspace.name}.")
        )

    def _ask(self, prompt: str) -> str:
        return input(prompt).strip()
