"""A person's mentions for the community's RGPD export and erasure (docs/community.md, "RGPD").

Erasure anonymises rather than deletes: the mention keeps its date, network, sentiment, queries and
counts (the brand's statistics stay true), and loses its text, its author and every copy of its
words (earlier revisions, the full-text index, trending terms, the feedback kept for retraining).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F

from ambassade.listening import rollup, search
from ambassade.listening.models import Feedback, Mention, MentionRevision, TermRollup, TermSpelling
from ambassade.listening.pipeline import _terms
from ambassade.workspaces.models import Workspace

__all__ = ["erase_mentions", "export_mentions"]


def export_mentions(workspace: Workspace, mention_ids: list[int]) -> list[dict[str, Any]]:
    rows = Mention.objects.filter(workspace=workspace, id__in=mention_ids).order_by("created_at")
    revisions: dict[int, list[dict[str, Any]]] = {}
    for revision in MentionRevision.objects.filter(mention_id__in=mention_ids):
        revisions.setdefault(revision.mention_id, []).append(
            {
                "text": revision.text,
                "written_at": revision.written_at.isoformat(),
                "replaced_at": revision.replaced_at.isoformat(),
            }
        )
    return [
        {
            "id": m.pk,
            "network": m.network,
            "external_id": m.external_id,
            "url": m.url,
            "text": m.text,
            "author": {
                "handle": m.author_handle,
                "name": m.author_name,
                "url": m.author_url,
                "followers": m.author_followers,
            },
            "language": m.lang,
            "sentiment": m.sentiment,
            "created_at": m.created_at.isoformat(),
            "edited_at": m.edited_at.isoformat() if m.edited_at else None,
            "deleted_at": m.deleted_at.isoformat() if m.deleted_at else None,
            "earlier_texts": revisions.get(m.pk, []),
        }
        for m in rows
    ]


def erase_mentions(workspace: Workspace, mention_ids: list[int]) -> int:
    """Anonymise the mentions (ids of ``workspace``). Returns how many."""
    mentions = list(
        Mention.objects.filter(workspace=workspace, id__in=mention_ids).only(
            "id", "text", "keywords", "created_at", "is_duplicate", "spam"
        )
    )
    if not mentions:
        return 0
    zone = ZoneInfo(workspace.time_zone)
    terms: Counter[tuple[date, str]] = Counter()
    spellings: Counter[tuple[date, str, str]] = Counter()
    for mention in mentions:  # what the ingest counted in trending terms, taken back
        if mention.is_duplicate or mention.spam >= 0.5:
            continue
        day = mention.created_at.astimezone(zone).date()
        for term, spelling in _terms(mention.text, mention.keywords):
            terms[(day, term)] += 1
            if spelling != term:
                spellings[(day, term, spelling)] += 1
    ids = [mention.pk for mention in mentions]
    with transaction.atomic():
        for (day, term), count in terms.items():
            TermRollup.objects.filter(workspace=workspace, day=day, term=term).update(
                count=F("count") - count
            )
        for (day, term, spelling), count in spellings.items():
            TermSpelling.objects.filter(
                workspace=workspace, day=day, term=term, spelling=spelling
            ).update(count=F("count") - count)
        TermRollup.objects.filter(workspace=workspace, count__lte=0).delete()
        TermSpelling.objects.filter(workspace=workspace, count__lte=0).delete()
        MentionRevision.objects.filter(mention_id__in=ids).delete()
        Feedback.objects.filter(mention_id__in=ids).update(text="")
        # The author goes from the rollup's authors (listening.rollup); the counts stay.
        with rollup.changing(workspace.pk, ids):
            for mention in mentions:
                Mention.objects.filter(pk=mention.pk).update(
                    text="",
                    html="",
                    url="",
                    external_id=f"erased-{mention.pk}",
                    author_handle="",
                    author_name="",
                    author_url="",
                    author_external_id="",
                    keywords=[],
                    fingerprint=0,
                )
        search.reindex(ids)
    return len(ids)
