"""The agency part of `ambassade bench analytics`: an agency of client workspaces beside the busy
one, so that the agency view (``/analytics/agency/``) is measured with every workspace of a person
side by side.

Each client workspace gets 90 days of listening (``MENTIONS_A_DAY`` brand and competitor mentions a
day, matched and counted in the rollups of distinct mentions), ``CONVERSATIONS`` conversations (four in five
answered, one in ten still waiting), ``POSTS`` published posts and one failed, two open alerts and
three running KPIs (mention volume, net sentiment, first-response time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

__all__ = ["CLIENTS", "describe", "fill_agency"]

#: Client workspaces of the agency; with the busy workspace, the person is in CLIENTS + 1.
CLIENTS = 19
DAYS = 90
MENTIONS_A_DAY = 30
CONVERSATIONS = 600
POSTS = 90


def describe() -> str:
    return (
        f"The agency view with {CLIENTS + 1} workspaces: the busy one above and {CLIENTS} clients "
        f"of an agency, each with {DAYS} days of listening ({MENTIONS_A_DAY} mentions a day, "
        f"with rollups), {CONVERSATIONS} conversations, {POSTS} published posts, open alerts and "
        "three running KPIs; the busy workspace measures every KPI of the catalogue."
    )


def fill_agency(owner: Any, now: datetime) -> int:
    """The agency's client workspaces, all owned by ``owner``; returns how many."""
    from zoneinfo import ZoneInfo

    from ambassade.analytics import services as analytics_services
    from ambassade.crisis.models import Alert
    from ambassade.inbox.models import Conversation
    from ambassade.listening import rollup
    from ambassade.listening.models import (
        Competitor,
        ListeningQuery,
        Mention,
        MentionMatch,
        Source,
    )
    from ambassade.publishing.models import Post, Variant
    from ambassade.workspaces import services as workspace_services

    organisation, first_workspace = workspace_services.create_organisation(
        name="Bench agency", kind="agency", owner=owner, workspace_name="Client 00"
    )
    sentiments = ("positive", "neutral", "neutral", "negative")
    for number in range(CLIENTS):
        workspace = first_workspace if number == 0 else workspace_services.create_workspace(
            organisation=organisation, name=f"Client {number:02d}", owner=owner
        )  # fmt: skip
        workspace.time_zone = "Europe/Paris"
        workspace.save(update_fields=["time_zone"])
        zone = ZoneInfo(workspace.time_zone)
        connection_ = workspace_services.connect_account(
            workspace,
            network="mastodon",
            account_name=f"@client{number}@mastodon.example",
            secret={"access_token": "x"},
            actor=owner,
        )
        source = Source.objects.create(workspace=workspace, name="Feed", kind="mastodon")
        brand = ListeningQuery.objects.create(workspace=workspace, name="Brand", text="brand")
        rival = ListeningQuery.objects.create(
            workspace=workspace,
            name="Rival",
            text="rival",
            kind=ListeningQuery.Kind.COMPETITOR,
            competitor=Competitor.objects.create(workspace=workspace, name="Rival"),
        )
        total = DAYS * MENTIONS_A_DAY
        step = timedelta(days=DAYS) / total
        mentions = Mention.objects.bulk_create(
            [
                Mention(
                    workspace=workspace,
                    source=source,
                    network="mastodon",
                    external_id=f"c{number}m{i}",
                    text="Un avis",
                    author_handle=f"person{i % 500}",
                    author_followers=(i * 97) % 5_000,
                    sentiment=sentiments[(i * 7 + number) % 4],
                    created_at=now - step * i,
                )
                for i in range(total)
            ],
            batch_size=2_000,
        )
        matches = []
        for i, mention in enumerate(mentions):
            query = brand if i % 3 else rival
            matches.append(
                MentionMatch(
                    workspace=workspace,
                    mention=mention,
                    query=query,
                    created_at=mention.created_at,
                )
            )
        MentionMatch.objects.bulk_create(matches, batch_size=2_000)
        rollup.rebuild(workspace)
        conversation_step = timedelta(days=DAYS) / CONVERSATIONS
        Conversation.objects.bulk_create(
            [
                Conversation(
                    workspace=workspace,
                    network="mastodon",
                    channel="message",
                    thread_key=f"c{number}t{i}",
                    status="resolved" if i % 10 else "open",
                    first_inbound_at=now - conversation_step * i,
                    first_response_at=(
                        now - conversation_step * i + timedelta(minutes=5 + (i * number) % 300)
                    )
                    if i % 5
                    else None,
                    waiting_since=None if i % 10 else now - conversation_step * i,
                    due_at=None if i % 10 else now - timedelta(minutes=i % 90 - 45),
                )
                for i in range(CONVERSATIONS)
            ],
            batch_size=2_000,
        )
        posts = Post.objects.bulk_create(
            [Post(workspace=workspace, text=f"Post {n}") for n in range(POSTS + 1)]
        )
        Variant.objects.bulk_create(
            [
                Variant(
                    workspace=workspace,
                    post=post,
                    connection=connection_,
                    status="published" if n else "failed",
                    published_at=now - timedelta(hours=n * 24) if n else None,
                )
                for n, post in enumerate(posts)
            ]
        )
        for n in range(2):
            Alert.objects.create(
                workspace=workspace, title=f"Spike {n}", severity="high", dedup_key=f"spike{n}"
            )
        today = now.astimezone(zone).date()
        objective = analytics_services.create_objective(
            workspace, owner, name="Visibility", type="visibility"
        )
        for metric in ("mention_volume", "net_sentiment", "first_response_time"):
            analytics_services.add_kpi(
                objective,
                owner,
                metric=metric,
                target={"first_response_time": 60, "net_sentiment": 20}.get(metric, 500),
                period_start=today.replace(day=1),
                period_end=today.replace(day=1) + timedelta(days=30),
            )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return CLIENTS
