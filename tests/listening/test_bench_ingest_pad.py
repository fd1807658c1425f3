"""`ambassade bench ingest` grows a workspace by copying its mentions in SQL: every NOT NULL column."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.benchmarks.ingest import _pad
from ambassade.listening import services
from ambassade.listening.models import Mention
from tests.listening.conftest import item

pytestmark = pytest.mark.django_db


def test_the_workspace_grows_by_copies_of_its_mentions(personas: Any, source: Any) -> None:
    services.ingest(source, [item("1", "hello"), item("2", "bonjour")])
    assert _pad(personas.workspace_a.pk, 5) == 5
    copies = Mention.objects.filter(external_id__contains="-copy")
    assert copies.count() == 3
    assert {m.author_external_id for m in copies} <= {
        m.author_external_id for m in Mention.objects.exclude(external_id__contains="-copy")
    }
