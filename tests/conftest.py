"""Shared fixtures. The personas: Alice owns workspace A, Bob is an editor of A, Charlie owns
workspace B and has no access to A. A holds a pending invitation, a connection and audit entries."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.product import product_environment

PASSWORD = "correct horse battery staple 42"
CONNECTION_TOKEN = "mastodon-token-of-A-4f1c9e"


@dataclass
class Personas:
    alice: Any
    bob: Any
    charlie: Any
    workspace_a: Any
    workspace_b: Any
    alice_membership: Any
    bob_membership: Any
    invitation: Any
    invitation_token: str
    connection: Any
    audit_entry: Any

    def client_for(self, client: Any, user: Any) -> Any:
        client.force_login(user)
        return client


# What a test asks for when it uses Django's test database or settings.
DJANGO_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "django_db_setup",
        "settings",
        "client",
        "admin_client",
        "admin_user",
        "live_server",
    }
)
ENGINE_TESTS = Path(__file__).parent / "engine"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The engine's tests are in `make test`'s SQLite pass only (marker ``sqlite_pass``): the engine is
    pure Python (tests/engine/test_purity.py), so the PostgreSQL pass would run them unchanged. One
    that asked for Django's database or settings would belong elsewhere: it is refused here."""
    for item in items:
        if ENGINE_TESTS not in item.path.parents:
            continue
        used = DJANGO_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if used or item.get_closest_marker("django_db"):
            raise pytest.UsageError(
                f"{item.nodeid} uses Django's database or settings ({', '.join(sorted(used))}): "
                "the engine's tests run without them, in the SQLite pass only (marker sqlite_pass)"
            )
        item.add_marker(pytest.mark.sqlite_pass)


#: The SQLite test database as migrated, copied to a file before any test ran (see django_db_setup).
_MIGRATED: dict[str, Path] = {}


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """pytest-django's, which migrates the test database. On SQLite that database, just migrated and
    before any test wrote to it, is also copied to a file for `migrated_database` (SQLite's backup)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if connection.vendor != "sqlite":
        return
    with django_db_blocker.unblock():
        # Only a test database pytest-django made and migrated (a run without any database test
        # makes none): `migrated_database` migrates a new one otherwise.
        executor = MigrationExecutor(connection)
        if not connection.is_in_memory_db() or executor.migration_plan(
            executor.loader.graph.leaf_nodes()
        ):
            return
        path = tmp_path_factory.mktemp("migrated") / "ambassade.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as target:
            connection.connection.backup(target)
    _MIGRATED["sqlite"] = path


@pytest.fixture(scope="session")
def migrated_database(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, for the tests that start the product in subprocesses (`ambassade
    demo`, the outbox smoke runs) to copy instead of each migrating again: migrating takes 45 s of CPU
    (2026-12-07), several minutes on loaded cores. On SQLite it is the test database as pytest-django
    migrated it (no second migration); on PostgreSQL, one `ambassade migrate` on a fresh directory."""
    if "sqlite" in _MIGRATED:
        return _MIGRATED["sqlite"]
    data = tmp_path_factory.mktemp("migrated")
    result = subprocess.run(
        [sys.executable, "-m", "ambassade", "migrate", "--verbosity", "0"],
        env=product_environment(data),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return data / "ambassade.sqlite3"


@pytest.fixture(autouse=True, scope="session")
def static_root() -> None:
    # WhiteNoise warns (an error under filterwarnings) when STATIC_ROOT does not exist yet.
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def fast_hasher(settings: Any) -> None:
    # Argon2 is the product's hasher (see test_auth); tests that hash many passwords use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db: Any, fast_hasher: None, mailoutbox: list[Any]) -> Personas:
    from ambassade.workspaces import services
    from ambassade.workspaces.models import Membership, Role

    alice = services.create_user("alice@example.com", PASSWORD, "Alice Martin")
    bob = services.create_user("bob@example.com", PASSWORD, "Bob Durand")
    charlie = services.create_user("charlie@example.com", PASSWORD, "Charlie Petit")
    _org_a, workspace_a = services.create_organisation(
        name="Agence A", kind="agency", owner=alice, workspace_name="Brand A"
    )
    _org_b, workspace_b = services.create_organisation(
        name="Company B", kind="company", owner=charlie, workspace_name="Brand B"
    )
    bob_membership = Membership.objects.create(workspace=workspace_a, user=bob, role=Role.EDITOR)
    invitation, token = services.invite_member(
        workspace_a, email="dave@example.com", role=Role.ANALYST, invited_by=alice
    )
    connection = services.connect_account(
        workspace_a,
        network="mastodon",
        account_name="@brand_a@mastodon.social",
        secret={"access_token": CONNECTION_TOKEN},
        actor=alice,
    )
    mailoutbox.clear()
    return Personas(
        alice=alice,
        bob=bob,
        charlie=charlie,
        workspace_a=workspace_a,
        workspace_b=workspace_b,
        alice_membership=Membership.objects.get(workspace=workspace_a, user=alice),
        bob_membership=bob_membership,
        invitation=invitation,
        invitation_token=token,
        connection=connection,
        audit_entry=workspace_a.audit_entries.first(),
    )
