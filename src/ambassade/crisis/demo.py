"""The demo workspace's alerting: its rules, an e-mail channel, a playbook worth reading, and an alert
history produced for real.

:func:`ensure_demo_alerts` creates the rules through :mod:`ambassade.crisis.services`, then, the first
time only, replays the backfilled mentions through the same evaluation the product runs: the
per-mention rules (:func:`services.evaluate_mentions`) on each five-minute slice of mentions as if it
had just been ingested, and the hourly feed of the spike detectors (:func:`services.feed_series`, what
the ``crisis.feed_series`` task runs at minute 2) for each backfilled hour. The alerts are whatever
the rules find in the demo stream's incident; none is written by hand. Running it again creates
nothing: rules are looked up by kind and query, and the replay is skipped once the detectors have
been fed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.crisis import services, signals_feed
from ambassade.crisis.models import (
    Alert,
    AlertRule,
    Channel,
    EscalationContact,
    HoldingStatement,
    PlaybookTemplate,
    Section,
    SeriesState,
    Severity,
)

__all__ = ["ensure_demo_alerts"]

#: The listening query the incident matches (see ``listening.demo.QUERIES``).
INCIDENT_QUERY = "Double paiement / Double charge"
#: Influencer rule threshold: the demo stream's influencers have 41,000 to 230,000 followers.
MIN_FOLLOWERS = 50_000
#: The span replayed through the rules. Before it, the detectors are warmed up on
#: ``services.BACKFILL`` of history, as a new series is before its first live hour: the demo stream
#: needs ``HISTORY_DAYS`` of backfill for them to start from real counts rather than silence.
REPLAY = timedelta(days=2)
HISTORY_DAYS = (services.BACKFILL + REPLAY).days
SLICE = timedelta(minutes=5)
HOUR = timedelta(hours=1)


def _rule_specs(brand_query_ids: list[int], incident_query_id: int | None) -> list[dict[str, Any]]:
    """The demo's rules. The volume, negativity and influencer rules watch the brand's queries, not
    the competitors' mentions the demo also listens to; spike rules rate each alert themselves."""
    specs: list[dict[str, Any]] = [
        {
            "kind": AlertRule.Kind.VOLUME_SPIKE,
            "name": _("Unusual volume of mentions of the brand"),
            "cooldown_minutes": 180,
            "sensitivity": 5,
            "query_ids": brand_query_ids,
        },
        {
            "kind": AlertRule.Kind.NEGATIVITY_SPIKE,
            "name": _("Surge of negative mentions of the brand"),
            "cooldown_minutes": 180,
            "sensitivity": 5,
            "query_ids": brand_query_ids,
        },
        {
            "kind": AlertRule.Kind.INFLUENCER,
            "name": _("Influential author (more than 50,000 followers)"),
            "severity": Severity.MEDIUM,
            "cooldown_minutes": 24 * 60,
            "min_followers": MIN_FOLLOWERS,
            "query_ids": brand_query_ids,
        },
    ]
    if incident_query_id is not None:
        specs.append(
            {
                "kind": AlertRule.Kind.QUERY_MATCH,
                "name": _("Mentions of double charges"),
                "severity": Severity.HIGH,
                "cooldown_minutes": 6 * 60,
                "query_ids": [incident_query_id],
            }
        )
    return specs


def _incident_query_id(workspace: Any) -> int | None:
    for query_id, name in signals_feed.query_choices(workspace):
        if name == INCIDENT_QUERY:
            return int(query_id)
    return None


def _channel(workspace: Any, owner: Any) -> Channel:
    channel = Channel.objects.filter(
        workspace=workspace, kind=Channel.Kind.EMAIL, recipients=owner.email
    ).first()
    if channel is None:
        channel = services.save_channel(
            Channel(
                workspace=workspace,
                name=_("E-mail to %(name)s") % {"name": owner.get_full_name() or owner.email},
                kind=Channel.Kind.EMAIL,
                recipients=owner.email,
            ),
            owner,
        )
    return channel


def _rules(workspace: Any, owner: Any, channel: Channel, out: TextIO) -> list[AlertRule]:
    rules = []
    specs = _rule_specs(signals_feed.brand_query_ids(workspace), _incident_query_id(workspace))
    for spec in specs:
        # One rule of each kind: a rule kept from an earlier demo (or edited since) is left alone.
        rule = AlertRule.objects.filter(workspace=workspace, kind=spec["kind"]).first()
        if rule is None:
            rule = services.save_rule(AlertRule(workspace=workspace, **spec), owner, [channel])
            out.write(f"Created the alert rule {rule.name}\n")
        rules.append(rule)
    return rules


def _playbook(workspace: Any, owner: Any) -> None:
    """The defaults, plus what this brand learnt: a step for its payment provider, the people to
    call and a statement about the double charges. Only on the first run: a playbook edited since is
    left alone."""
    first = not PlaybookTemplate.objects.filter(workspace=workspace).exists()
    playbook = services.ensure_defaults(workspace)
    if first:
        items = [
            *playbook.items,
            {
                "section": Section.PREPARE,
                "text": _("Ask the payment provider for the list of affected transactions"),
            },
        ]
        services.save_playbook(workspace, items, owner)
    if not EscalationContact.objects.filter(workspace=workspace).exists():
        for name, role, email, phone in (
            (
                "Hélène Garnier",
                _("Head of communication"),
                "helene.garnier@demo.ambassade.test",
                "+33 1 84 88 00 01",
            ),
            (
                "Maître Paul Roux",
                _("Legal adviser"),
                "paul.roux@demo.ambassade.test",
                "+33 1 84 88 00 02",
            ),
            (
                "Sofia Haddad",
                _("Customer service lead"),
                "sofia.haddad@demo.ambassade.test",
                "+33 1 84 88 00 03",
            ),
        ):
            services.save_contact(
                EscalationContact(
                    workspace=workspace, name=name, role=role, email=email, phone=phone
                ),
                owner,
            )
    statements = (
        (
            "fr",
            "Doubles paiements dans l'appli",
            "Certains d'entre vous ont été débités deux fois via l'appli fidélité {brand}. Nous en "
            "sommes désolés : chaque double paiement sera remboursé automatiquement sous 5 jours. "
            "Écrivez-nous en message privé si vous ne voyez rien passer.",
        ),
        (
            "en",
            "Double charges in the app",
            "Some of you were charged twice through the {brand} loyalty app. We are sorry: every "
            "double charge will be refunded automatically within 5 days. Send us a direct message "
            "if you do not see it.",
        ),
    )
    for language, title, text in statements:
        if not HoldingStatement.objects.filter(workspace=workspace, title=title).exists():
            services.save_statement(
                HoldingStatement(
                    workspace=workspace,
                    language=language,
                    title=title,
                    text=text.format(brand=workspace.name),
                ),
                owner,
            )


def _replayed(workspace: Any) -> bool:
    return SeriesState.objects.filter(workspace=workspace).exists()


def _mentions_by_slice(workspace: Any, start: datetime, end: datetime) -> dict[datetime, list[Any]]:
    from ambassade.listening.models import Mention

    slices: dict[datetime, list[Any]] = defaultdict(list)
    rows = Mention.objects.filter(
        workspace=workspace, created_at__gte=start, created_at__lt=end
    ).order_by("created_at", "id")
    for mention in rows.iterator(chunk_size=2000):
        at = mention.created_at.astimezone(UTC)
        slices[at.replace(minute=at.minute - at.minute % 5, second=0, microsecond=0)].append(
            mention
        )
    return slices


def replay(workspace: Any, start: datetime, now: datetime, out: TextIO) -> int:
    """Evaluate the rules over ``[start, now)`` as the product would have live: each five-minute
    slice of mentions when ingested, each complete hour fed to the detectors two minutes after it
    ends. Returns the number of alerts raised."""
    raised = 0
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    slices = _mentions_by_slice(workspace, start, now) if signals_feed.listening_installed() else {}
    hour = start.replace(minute=0, second=0, microsecond=0)
    hours = int((end - hour) / HOUR)
    for done in range(hours):
        at = hour
        while at < hour + HOUR:
            mentions = slices.get(at)
            if mentions:
                facts = signals_feed.facts_for(mentions)
                raised += len(services.evaluate_mentions(workspace, facts, now=at + SLICE))
            at += SLICE
        hour += HOUR
        raised += len(services.feed_series(workspace, now=hour + timedelta(minutes=2)))
        if (done + 1) % 48 == 0 or done + 1 == hours:
            out.write(f"  {done + 1}/{hours} hours, {raised} alerts\n")
    # The hour under way: its mentions were ingested, its count is not complete yet.
    at = hour
    while at < now:
        mentions = slices.get(at)
        if mentions:
            facts = signals_feed.facts_for(mentions)
            raised += len(services.evaluate_mentions(workspace, facts, now=min(at + SLICE, now)))
        at += SLICE
    return raised


def ensure_demo_alerts(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> list[AlertRule]:
    """Give the demo workspace its alert rules, channel and playbook, and, on the first run, its
    alert history: the last ``REPLAY`` of mentions replayed through the rules."""
    now = now or timezone.now()
    with translation.override(workspace.language):
        channel = _channel(workspace, owner)
        rules = _rules(workspace, owner, channel, out)
        _playbook(workspace, owner)
    if _replayed(workspace):
        return rules
    start = (now - REPLAY).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    out.write(f"Evaluating the alert rules over the last {int((now - start) / HOUR)} hours…\n")
    with transaction.atomic():
        # Warm the detectors up on the history before the replay, as a new series is warmed up on
        # the history before its first live hour; what they find there is not alerted (too old).
        services.feed_series(workspace, now=start)
        raised = replay(workspace, start, now, out)
    out.write(f"  {Alert.objects.filter(workspace=workspace).count()} alerts ({raised} raised)\n")
    return rules
