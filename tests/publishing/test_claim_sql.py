"""The outbox's claims are conditional UPDATEs that keep every condition on the variant's own row.

Django turns an UPDATE whose filter joins another table into ``UPDATE … WHERE id IN (SELECT …)``.
Under PostgreSQL's READ COMMITTED, a second UPDATE running at the same time then re-checks only
``id IN (…)`` on the row the first one changed, not the status or attempt count inside the
subquery, so two workers could both claim a variant and publish it twice (found by
``ambassade bench outbox`` on PostgreSQL). These tests read the SQL the claims send.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambassade.publishing import authoring
from ambassade.publishing.models import Status, Variant
from ambassade.publishing.outbox import hold
from ambassade.publishing.outbox import posts as outbox
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _variant(personas: Personas, **fields: object) -> Variant:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Claimed once", connections=[personas.connection]
    )
    Variant.objects.filter(post=post).update(**fields)
    return post.variants.get()


def _claim_updates(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "publishing_variant"')
    ]


def _keeps_conditions_on_the_row(sql: str) -> bool:
    where = sql.split(" WHERE ", 1)[1]
    return not where.lstrip("(").startswith('"publishing_variant"."id" IN (SELECT') and (
        '"publishing_variant"."status" =' in where
    )


def test_the_publishing_claim_checks_the_status_on_the_row_itself(personas: Personas) -> None:
    now = timezone.now()
    variant = _variant(personas, status=Status.SCHEDULED, due_at=now - timedelta(seconds=1))
    with CaptureQueriesContext(connection) as queries:
        assert outbox.claim(variant.id, now) is not None
    claims = [sql for sql in _claim_updates(queries) if '"status" = ' in sql]
    assert claims, queries.captured_queries
    assert _keeps_conditions_on_the_row(claims[0]), claims[0]
    # And the claim still honours the crisis hold.
    other = _variant(personas, status=Status.SCHEDULED, due_at=now - timedelta(seconds=1))
    hold.pause_outbox(personas.workspace_a, "test")
    assert outbox.claim(other.id, now) is None


def test_the_reconciliation_claim_checks_the_row_itself(personas: Personas) -> None:
    now = timezone.now()
    variant = _variant(
        personas,
        status=Status.UNKNOWN,
        attempts=1,
        claimed_at=now - timedelta(minutes=2),
        reconcile_at=now - timedelta(minutes=1),
        deadline_at=now - timedelta(minutes=2),
    )
    with CaptureQueriesContext(connection) as queries:
        outbox.reconcile_variant(variant.id, now=now, publisher_factory=lambda c: None)
    claims = [sql for sql in _claim_updates(queries) if '"reconcile_at" = ' in sql]
    assert claims, queries.captured_queries
    assert _keeps_conditions_on_the_row(claims[0]), claims[0]
