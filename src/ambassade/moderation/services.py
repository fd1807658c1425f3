"""What moderation does: compile a workspace's rules, read each new mention with them, queue what
needs a person, record every decision, and schedule the actions on the networks.

Every decision is explained in plain words (which rule, which score, which words) by coded
messages (``moderation/messages.py``), so the queue and the log read in the reader's language.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from ambassade.connectors.base import ModerationAction
from ambassade.connectors.moderators import MODERATORS, UnknownModerator, get_moderator
from ambassade.engine.moderation import (
    ActionKind,
    ConditionKind,
    InvalidRule,
    RuleMatch,
    RuleSet,
    compile_rules,
)
from ambassade.listening.acting import acting_network, feed_source_ids
from ambassade.listening.models import Feedback, Mention
from ambassade.moderation import acts, audit, people
from ambassade.moderation.history import items_for
from ambassade.moderation.models import (
    Charter,
    CharterVersion,
    Decision,
    NetworkAction,
    Review,
    Rule,
)
from ambassade.moderation.specs import rule_spec
from ambassade.publishing.models import Status
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection, Workspace
from ambassade.workspaces.services import record_audit

log = logging.getLogger(__name__)

#: Rule actions carried out on the network, and the connector's action for each.
ON_NETWORK = {
    ActionKind.HIDE: ModerationAction.HIDE,
    ActionKind.DELETE: ModerationAction.DELETE,
    ActionKind.MUTE: ModerationAction.MUTE,
    ActionKind.BAN: ModerationAction.BAN,
}
#: What undoes what, where the network allows it.
UNDO = {
    ModerationAction.HIDE: ModerationAction.UNHIDE,
    ModerationAction.HOLD: ModerationAction.APPROVE,
    ModerationAction.MUTE: ModerationAction.UNMUTE,
    ModerationAction.BAN: ModerationAction.UNBAN,
}
ACCOUNT_ACTIONS = frozenset(
    {ModerationAction.MUTE, ModerationAction.UNMUTE, ModerationAction.BAN, ModerationAction.UNBAN}
)


# --- rules ----------------------------------------------------------------------------------------


def check_rule(rule: Rule) -> None:
    """Raise ``InvalidRule`` when the rule cannot be compiled (the form shows why)."""
    spec = rule_spec(rule)
    spec["id"] = spec["id"] if rule.id else "new"
    spec["mode"] = "on"
    compile_rules([spec])


_CACHE: dict[int, tuple[tuple[Any, ...], RuleSet, dict[str, Rule]]] = {}


def compiled(workspace: Workspace) -> tuple[RuleSet, dict[str, Rule]]:
    """The workspace's rules, compiled once per change (the cache key is their count and latest
    change)."""
    rules = Rule.objects.filter(workspace=workspace)
    found = rules.aggregate(at=Max("updated_at"), pos=Max("position"), ids=Sum("id"), n=Count("id"))
    stamp = (found["at"], found["pos"], found["ids"], found["n"])
    cached = _CACHE.get(workspace.id)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    listed = list(rules.order_by("position", "id"))
    specs = []
    for rule in listed:
        try:
            check_rule(rule)
        except InvalidRule:
            log.warning(
                "moderation rule %s of workspace %s is invalid: left out", rule.id, workspace.id
            )
            continue
        specs.append(rule_spec(rule))
    ruleset = compile_rules(specs)
    by_id = {str(rule.id): rule for rule in listed}
    _CACHE[workspace.id] = (stamp, ruleset, by_id)
    return ruleset, by_id


def move_rule(rule: Rule, step: int) -> None:
    """Move a rule up (-1) or down (+1) in the priority order."""
    with transaction.atomic():
        rules = list(Rule.objects.select_for_update().filter(workspace_id=rule.workspace_id))
        rules.sort(key=lambda r: (r.position, r.id))
        index = next(i for i, r in enumerate(rules) if r.id == rule.id)
        other = index + step
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
        now = timezone.now()
        for position, each in enumerate(rules):
            Rule.objects.filter(id=each.id).update(position=position, updated_at=now)


def next_position(workspace: Workspace) -> int:
    last = Rule.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


# --- explaining ----------------------------------------------------------------------------------


def explanation(match: RuleMatch, rule: Rule | None) -> dict[str, Any]:
    """Why a rule matched, in coded messages, with the spans of the watched words found."""
    reasons: list[dict[str, Any]] = []
    spans: list[list[int]] = []
    for reason in match.reasons:
        if reason.kind is ConditionKind.WORDS:
            reasons.append(coded("moderation.why_words", words=", ".join(reason.words)).to_json())
            spans.extend([start, end] for start, end in reason.spans)
        elif reason.kind is ConditionKind.SCORE:
            reasons.append(
                coded(
                    "moderation.why_score",
                    score=coded(f"moderation.score_{reason.detail}"),
                    value=round(float(reason.value or 0), 2),
                    threshold=rule.threshold if rule else 0,
                ).to_json()
            )
        elif reason.kind is ConditionKind.LINKS:
            reasons.append(coded("moderation.why_link", domain=reason.detail).to_json())
        elif reason.kind is ConditionKind.NETWORK:
            reasons.append(coded("moderation.why_network", network=reason.detail).to_json())
        elif reason.kind is ConditionKind.AUTHOR_DENIED:
            reasons.append(coded("moderation.why_denied", author=reason.detail).to_json())
        elif reason.kind is ConditionKind.AUTHOR_ALLOWED:
            reasons.append(coded("moderation.why_allowed", author=reason.detail).to_json())
        elif reason.kind is ConditionKind.QUERY:
            reasons.append(coded("moderation.why_query").to_json())
        elif reason.kind is ConditionKind.LANGUAGE:
            reasons.append(coded("moderation.why_language", language=reason.detail).to_json())
        elif reason.kind is ConditionKind.CAPS:
            share = round(100 * float(reason.value or 0))
            reasons.append(coded("moderation.why_caps", share=share).to_json())
        elif reason.kind is ConditionKind.MENTIONS:
            reasons.append(coded("moderation.why_mentions", count=int(reason.value or 0)).to_json())
        elif reason.kind is ConditionKind.FIRST_MESSAGE:
            reasons.append(coded("moderation.why_first").to_json())
        elif reason.kind is ConditionKind.STRIKES:
            reasons.append(coded("moderation.why_strikes", count=int(reason.value or 0)).to_json())
        elif reason.kind is ConditionKind.RAID:
            reasons.append(
                coded(
                    "moderation.why_raid",
                    count=int(reason.value or 0),
                    minutes=rule.raid_minutes if rule else 0,
                ).to_json()
            )
        else:
            reasons.append(coded("moderation.why_other", condition=str(reason.kind)).to_json())
    return {
        "rule": rule.name if rule else match.rule,
        "article": rule.article if rule else None,
        "reasons": reasons,
        "spans": sorted(spans),
    }


def reasons_of(explained: Any) -> list[StoredMessage]:
    if not isinstance(explained, dict):
        return []
    return [StoredMessage.of(r) for r in explained.get("reasons") or []]


# --- reading new mentions -------------------------------------------------------------------------


def moderate_mentions(workspace: Workspace, mentions: Sequence[Mention]) -> int:
    """The routing receiver: read new mentions with the workspace's rules. Returns how many a rule
    matched. Rules in log mode are recorded ("would have") and do nothing else."""
    if not Rule.objects.filter(workspace=workspace).exclude(mode=Rule.Mode.OFF).exists():
        return 0
    ruleset, rules = compiled(workspace)
    if not len(ruleset):
        return 0
    matched = 0
    public = [m for m in mentions if m.kind != "message"]  # private ones are the inbox's
    feeds = feed_source_ids(workspace)
    for mention, item in zip(public, items_for(workspace, public, ruleset), strict=True):
        outcome = ruleset.evaluate(item)
        if not outcome.matches:
            continue
        matched += 1
        with transaction.atomic():
            apply_outcome(workspace, mention, outcome.matches, rules, feed_sources=feeds)
    return matched


def apply_outcome(
    workspace: Workspace,
    mention: Mention,
    matches: Iterable[RuleMatch],
    rules: dict[str, Rule],
    *,
    feed_sources: Collection[int] | None = None,
) -> None:
    for match in matches:
        rule = rules.get(match.rule)
        explained = explanation(match, rule)
        kinds = [str(action.kind) for action in match.actions]
        decisions = {
            kind: Decision.objects.create(
                workspace=workspace,
                mention=mention,
                rule_name=explained["rule"],
                action=kind,
                log_only=match.log_only,
                explanation=explained,
                text=mention.text,
                author_handle=mention.author_handle,
                network=mention.network,
            )
            for kind in kinds
        }
        if match.log_only or kinds == ["allow"]:
            continue
        review, _fresh = Review.objects.get_or_create(
            workspace=workspace,
            mention=mention,
            defaults={
                "rule": rule,
                "rule_name": explained["rule"],
                "explanation": explained,
                "planned": kinds,
                "text": mention.text,
            },
        )
        values = {
            str(reason.kind): float(reason.value or 0)
            for reason in match.reasons
            if reason.value is not None
        }
        notes: list[dict[str, Any]] = []
        for action in match.actions:
            network_action = ON_NETWORK.get(action.kind)
            if network_action is None:
                why = acts.carry_out(
                    workspace, mention, review, rule, str(action.kind), dict(action.params), values
                )
                if why is not None:
                    notes.append(why.to_json())
                continue
            minutes = int(action.params.get("minutes", 0) or 0)
            scheduled, why = schedule(
                workspace,
                mention,
                network_action,
                decision=decisions[str(action.kind)],
                minutes=minutes,
                reason=rule.name if rule else "",
                feed_sources=feed_sources,
            )
            if scheduled is None and why is not None:
                notes.append(why.to_json())
            if scheduled is not None:
                people.record_strike(
                    workspace,
                    mention,
                    people.STRIKE_KINDS[str(action.kind)],
                    rule_name=explained["rule"],
                    article=rule.article if rule else None,
                    minutes=minutes,
                )
        if notes:
            current = review.explanation if isinstance(review.explanation, dict) else explained
            merged = {**current, "notes": [*(current.get("notes") or []), *notes]}
            Review.objects.filter(id=review.id).update(explanation=merged)
            review.explanation = merged


# --- actions on the network ----------------------------------------------------------------------


def connection_for(workspace: Workspace, network: str) -> Connection | None:
    """The workspace's account that moderates on ``network``, if any."""
    if network not in MODERATORS:
        return None
    return (
        Connection.objects.filter(workspace=workspace, network=network)
        .exclude(status=Connection.Status.NEEDS_RECONNECTION)
        .order_by("id")
        .first()
    )


def network_allows(network: str, action: ModerationAction) -> bool:
    try:
        cls = get_moderator(network)
    except UnknownModerator:
        return False
    return action in getattr(cls, "moderates", frozenset())


def schedule(
    workspace: Workspace,
    mention: Mention,
    action: ModerationAction,
    *,
    decision: Decision | None = None,
    actor: Any = None,
    minutes: int = 0,
    reason: str = "",
    undoes: NetworkAction | None = None,
    feed_sources: Collection[int] | None = None,
) -> tuple[NetworkAction | None, StoredMessage | None]:
    """Schedule one action on the network, or say in plain words why it cannot be.

    The network is the one the mention can be acted on (:func:`acting_network`): a feed's item is
    ``rss`` whatever its link, so nothing is hidden or banned with the feed's id or author name.
    ``feed_sources`` are the workspace's feed source ids, when the caller loaded them."""
    network = undoes.network if undoes is not None else acting_network(mention, feed_sources)
    if not network_allows(network, action):
        return None, coded(
            "moderation.network_cannot", network=network, action=coded(f"moderation.act_{action}")
        )
    connection = connection_for(workspace, network)
    if connection is None:
        return None, coded("moderation.no_connection", network=network)
    account = action in ACCOUNT_ACTIONS
    target = mention.author_handle if account else mention.external_id
    if not target:
        return None, coded("moderation.no_author")
    until = timezone.now() + timedelta(minutes=minutes) if minutes else None
    if undoes is not None:
        until = None
    created = NetworkAction.objects.create(
        workspace=workspace,
        mention=mention,
        decision=decision,
        connection=connection,
        network=network,
        action=str(action),
        target=target[:300],
        item_id=mention.external_id[:300] if account else "",
        until=until,
        reason=reason,
        undoes=undoes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=Status.SCHEDULED,
        due_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(created.id))
    return created, None


def _enqueue(action_id: int) -> None:
    from ambassade.moderation import tasks

    try:
        tasks.carry_out(action_id)
    except Exception:  # the periodic run picks it up
        log.exception("could not enqueue moderation action %s", action_id)


def undo(
    network_action: NetworkAction, actor: Any
) -> tuple[NetworkAction | None, StoredMessage | None]:
    """Reverse a done action where the network allows it (an unhide for a hide…)."""
    reverse = UNDO.get(ModerationAction(network_action.action))
    if reverse is None or network_action.status != Status.PUBLISHED:
        return None, coded("moderation.cannot_undo")
    if network_action.undone_by.exists():  # type: ignore[attr-defined]
        return None, coded("moderation.already_undone")
    mention = network_action.mention
    if mention is None:
        return None, coded("moderation.cannot_undo")
    with transaction.atomic():
        created, why = schedule(
            network_action.workspace, mention, reverse, actor=actor, undoes=network_action
        )
        if created is not None:
            record_audit(
                network_action.workspace,
                actor,
                audit.UNDONE,
                None,
                object_repr=f"{network_action.action} {network_action.target}",
                details={"network": network_action.network, "action": str(reverse)},
            )
    return created, why


def lift_expired(now: Any = None) -> int:
    """Temporary mutes and bans that the network does not end by itself are lifted at their end."""
    now = now or timezone.now()
    due = NetworkAction.objects.filter(
        action__in=[str(ModerationAction.MUTE), str(ModerationAction.BAN)],
        status=Status.PUBLISHED,
        lifts_itself=False,
        until__isnull=False,
        until__lte=now,
        undone_by__isnull=True,
        mention__isnull=False,
    ).select_related("workspace", "mention")
    lifted = 0
    for action in due:
        with transaction.atomic():
            created, _why = schedule(
                action.workspace,
                action.mention,  # type: ignore[arg-type]
                UNDO[ModerationAction(action.action)],
                undoes=action,
            )
        lifted += created is not None
    return lifted


# --- people's decisions ---------------------------------------------------------------------------

#: Decisions a person takes in the queue.
DECISIONS = (
    "approve",
    "not_spam",
    "not_offensive",
    "reject",
    "hide",
    "delete",
    "warn",
    "mute",
    "ban",
    "escalate",
)


def decide(review: Review, decision: str, actor: Any, note: str = "") -> list[StoredMessage]:
    """A person's decision on a queued message. Returns what could not be done, in plain words
    (the item then stays in the queue with the reason)."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    workspace, mention = review.workspace, review.mention
    problems: list[StoredMessage] = []
    now = timezone.now()
    with transaction.atomic():
        logged = Decision.objects.create(
            workspace=workspace,
            mention=mention,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            rule_name=review.rule_name,
            action=decision,
            explanation=review.explanation,
            text=review.text or mention.text,
            author_handle=mention.author_handle,
            network=mention.network,
            note=note,
        )
        if decision in ("approve", "not_spam", "not_offensive"):
            state = Review.State.APPROVED
            # What a rule scheduled and no worker has taken yet is not sent (a conditional
            # UPDATE: an action already claimed goes out, and is undone below once done).
            NetworkAction.objects.filter(
                mention=mention, status=Status.SCHEDULED, undoes__isnull=True
            ).update(status=Status.FAILED, due_at=None, error=coded("moderation.cancelled"))
            for done in NetworkAction.objects.filter(
                mention=mention, status=Status.PUBLISHED, undoes__isnull=True
            ).exclude(action__in=[str(ModerationAction.DELETE)]):
                if not done.undone_by.exists():  # type: ignore[attr-defined]
                    _created, why = undo(done, actor)
                    if why is not None:
                        problems.append(why)
            _feedback(workspace, mention, decision, actor, _scores_in(review))
            people.revoke_strikes(mention, now)
        elif decision == "escalate":
            state = Review.State.PENDING
            why = acts.escalate(workspace, review, review.rule_name)
            if why is not None:
                problems.append(why)
        elif decision == "warn":
            state = Review.State.REJECTED
            _strike, why = people.warn(
                workspace,
                mention,
                sender=actor,
                actor=actor,
                rule_name=review.rule_name,
                article=(review.explanation or {}).get("article")
                if isinstance(review.explanation, dict)
                else None,
            )
            if why is not None:
                problems.append(why)
            _confirm_scores(workspace, mention, review, actor)
        else:
            state = Review.State.REJECTED
            people.record_strike(
                workspace,
                mention,
                people.STRIKE_KINDS[decision],
                actor=actor,
                rule_name=review.rule_name,
                article=(review.explanation or {}).get("article")
                if isinstance(review.explanation, dict)
                else None,
            )
            action = {
                "reject": ModerationAction.HIDE,
                "hide": ModerationAction.HIDE,
                "delete": ModerationAction.DELETE,
                "mute": ModerationAction.MUTE,
                "ban": ModerationAction.BAN,
            }[decision]
            already = NetworkAction.objects.filter(
                mention=mention,
                action=str(action),
                status__in=[Status.SCHEDULED, Status.PUBLISHING, Status.PUBLISHED, Status.UNKNOWN],
                undone_by__isnull=True,
            ).exists()
            if not already:
                created, why = schedule(
                    workspace, mention, action, decision=logged, actor=actor, reason=note
                )
                if created is None and why is not None and decision != "reject":
                    problems.append(why)
            _confirm_scores(workspace, mention, review, actor)
        Review.objects.filter(id=review.id).update(
            state=Review.State.PENDING if problems else state,
            note=note,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
            decided_at=now,
        )
        record_audit(
            workspace,
            actor,
            audit.DECIDED,
            None,
            object_repr=f"{decision}: {mention.text[:80]}",
            details={"decision": decision, "mention": mention.id, "note": note[:500]},
        )
    return problems


def _scores_in(review: Review) -> set[str]:
    explained = review.explanation if isinstance(review.explanation, dict) else {}
    found = set()
    for reason in explained.get("reasons") or []:
        if isinstance(reason, dict) and reason.get("code") == "moderation.why_score":
            score = (reason.get("params") or {}).get("score")
            code = score.get("code", "") if isinstance(score, dict) else ""
            found.add(code.rsplit("_", 1)[-1])
    return found


def _feedback(
    workspace: Workspace, mention: Mention, decision: str, actor: Any, scores: set[str]
) -> None:
    """A person says the score was wrong: labelled feedback for ``train-text`` (listening's
    correction export, ``listening/feedback.py``)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if decision == "not_spam":
        Feedback.objects.create(
            workspace=workspace,
            mention=mention,
            kind=Feedback.Kind.NOT_SPAM,
            previous=str(mention.marked_spam),
            value="False",
            text=mention.text,
            lang=mention.lang,
            author=user,
        )
        Mention.objects.filter(id=mention.id).update(marked_spam=False)
    elif decision == "not_offensive":
        # The message was flagged as offensive, or as hateful (its score says so): each score
        # the person contradicts is a labelled example.
        for kind in [Feedback.Kind.OFFENSIVE] + (
            [Feedback.Kind.HATEFUL] if "hateful" in scores else []
        ):
            Feedback.objects.create(
                workspace=workspace,
                mention=mention,
                kind=kind,
                previous=str(kind),
                value=f"not_{kind}",
                text=mention.text,
                lang=mention.lang,
                author=user,
            )


def _confirm_scores(workspace: Workspace, mention: Mention, review: Review, actor: Any) -> None:
    """A person confirms a score-based flag: stored as labelled feedback too."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    for score in _scores_in(review):
        if score == "spam":
            Feedback.objects.create(
                workspace=workspace,
                mention=mention,
                kind=Feedback.Kind.SPAM,
                previous=str(mention.marked_spam),
                value="True",
                text=mention.text,
                lang=mention.lang,
                author=user,
            )
            Mention.objects.filter(id=mention.id).update(marked_spam=True)
        elif score in ("offensive", "hateful"):
            Feedback.objects.create(
                workspace=workspace,
                mention=mention,
                kind=score,
                previous="",
                value=score,
                text=mention.text,
                lang=mention.lang,
                author=user,
            )


# --- charter ------------------------------------------------------------------------------------


def charter(workspace: Workspace) -> Charter:
    found, _created = Charter.objects.get_or_create(workspace=workspace)
    return found


def current_version(workspace: Workspace) -> CharterVersion | None:
    return CharterVersion.objects.filter(workspace=workspace).order_by("-number").first()


def save_charter(
    workspace: Workspace, text_en: str, text_fr: str, published: bool, actor: Any
) -> CharterVersion:
    with transaction.atomic():
        found = charter(workspace)
        Charter.objects.filter(id=found.id).update(published=published)
        latest = current_version(workspace)
        if latest is not None and latest.text_en == text_en and latest.text_fr == text_fr:
            return latest
        version = CharterVersion.objects.create(
            workspace=workspace,
            number=(latest.number + 1) if latest else 1,
            text_en=text_en,
            text_fr=text_fr,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_audit(workspace, actor, audit.CHARTER_SAVED, None, object_repr=f"v{version.number}")
    return version
