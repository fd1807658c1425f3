"""A person's moderation history for the community's RGPD export and erasure (docs/community.md,
"RGPD"). Erasure keeps each decision's action, rule and date (the moderation log stays a true
record of what was done) and removes the text, the author, the notes and what matched in it;
the person's handle leaves the rules' author lists too. Moderation's own
``people.erase_author`` does the decisions, the queue, strikes, warnings and appeals by handle;
this adds what it leaves (rows found through the person's mentions, actions' targets, rules)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from ambassade.moderation import people
from ambassade.moderation.models import Appeal, Decision, NetworkAction, Review, Rule, Strike
from ambassade.workspaces.models import Workspace

__all__ = ["erase_person", "export_person"]


def _decisions(
    workspace: Workspace, accounts: list[tuple[str, str]], mention_ids: list[int]
) -> Any:
    query = Q(mention_id__in=mention_ids)
    for network, handle in accounts:
        query |= Q(network=network, author_handle__iexact=handle)
        query |= Q(network=network, author_handle__iexact="@" + handle)
    return Decision.objects.filter(workspace=workspace).filter(query)


def export_person(
    workspace: Workspace, accounts: list[tuple[str, str]], mention_ids: list[int]
) -> dict[str, Any]:
    decisions = _decisions(workspace, accounts, mention_ids).order_by("created_at", "id")
    reviews = Review.objects.filter(workspace=workspace, mention_id__in=mention_ids)
    return {
        "decisions": [
            {
                "action": d.action,
                "rule": d.rule_name,
                "log_only": d.log_only,
                "text": d.text,
                "note": d.note,
                "created_at": d.created_at.isoformat(),
            }
            for d in decisions
        ],
        "reviews": [
            {
                "state": r.state,
                "rule": r.rule_name,
                "text": r.text,
                "note": r.note,
                "created_at": r.created_at.isoformat(),
            }
            for r in reviews.order_by("created_at", "id")
        ],
        "strikes": [
            {
                "kind": strike.kind,
                "rule": strike.rule_name,
                "text": strike.text,
                "message": strike.message,
                "created_at": strike.created_at.isoformat(),
                "appeal": {"text": appeal.text, "state": appeal.state, "answer": appeal.answer}
                if (appeal := Appeal.objects.filter(strike=strike).first()) is not None
                else None,
            }
            for strike in _strikes(workspace, accounts).order_by("created_at", "id")
        ],
    }


def _strikes(workspace: Workspace, accounts: list[tuple[str, str]]) -> Any:
    query = Q(pk__in=[])
    for network, handle in accounts:
        query |= Q(network=network, handle__iexact=handle)
    return Strike.objects.filter(workspace=workspace).filter(query)


def erase_person(
    workspace: Workspace, accounts: list[tuple[str, str]], mention_ids: list[int]
) -> int:
    handles = {handle for _network, handle in accounts}
    with transaction.atomic():
        decision_ids = list(
            _decisions(workspace, accounts, mention_ids).values_list("id", flat=True)
        )
        # Moderation's own erasure (decisions, the queue, strikes, warnings, appeals), then what
        # it leaves: decisions and reviews found by their mention, actions' targets, rules' lists.
        count = people.erase_author(workspace, accounts)
        count += Decision.objects.filter(id__in=decision_ids).update(
            text="", author_handle="", note="", explanation={}
        )
        count += Review.objects.filter(workspace=workspace, mention_id__in=mention_ids).update(
            text="", note="", explanation={}
        )
        count += (
            NetworkAction.objects.filter(workspace=workspace)
            .filter(Q(mention_id__in=mention_ids) | Q(decision_id__in=decision_ids))
            .update(target="", item_id="", reason="")
        )
        for rule in Rule.objects.filter(workspace=workspace):
            changed = False
            for field in ("authors_denied", "authors_allowed"):
                lines = getattr(rule, field).splitlines()
                kept = [
                    line
                    for line in lines
                    if line.strip().lstrip("@").split("@")[0].casefold() not in handles
                    and line.strip().lstrip("@").casefold() not in handles
                ]
                if kept != lines:
                    setattr(rule, field, "\n".join(kept))
                    changed = True
            if changed:
                rule.save(update_fields=["authors_denied", "authors_allowed"])
                count += 1
    return count
