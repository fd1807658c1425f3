"""Small hand-made data of workspace A (time zone Europe/Paris) for the KPI tests, each number
chosen so that the expected values can be worked out on paper (see test_kpis.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ambassade.community.models import Identity, Member
from ambassade.inbox.models import Conversation
from ambassade.listening.models import (
    Competitor,
    ListeningQuery,
    Mention,
    MentionMatch,
    Source,
)
from ambassade.publishing.models import Post, ShortLink, Variant
from ambassade.satisfaction.models import Survey


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


class Data:
    def __init__(self, workspace: Any, connection: Any) -> None:
        self.workspace = workspace
        workspace.time_zone = "Europe/Paris"
        workspace.save(update_fields=["time_zone"])
        self.source = Source.objects.create(workspace=workspace, name="feed", kind="rss")
        self.brand = ListeningQuery.objects.create(workspace=workspace, name="brand", text="brand")
        self.brand2 = ListeningQuery.objects.create(
            workspace=workspace, name="brand, products", text="brand products"
        )
        rival = Competitor.objects.create(workspace=workspace, name="Rival")
        self.rival = ListeningQuery.objects.create(
            workspace=workspace,
            name="rival",
            text="rival",
            kind=ListeningQuery.Kind.COMPETITOR,
            competitor=rival,
        )
        self.connection = connection
        self._n = 0

    def mention(
        self,
        created_at: datetime,
        sentiment: str,
        queries: list[Any],
        *,
        followers: int | None = None,
        handle: str = "",
        network: str = "rss",
    ) -> Mention:
        self._n += 1
        mention = Mention.objects.create(
            workspace=self.workspace,
            source=self.source,
            network=network,
            external_id=f"m{self._n}",
            text="text",
            sentiment=sentiment,
            created_at=created_at,
            author_followers=followers,
            author_handle=handle,
        )
        for query in queries:
            MentionMatch.objects.create(
                workspace=self.workspace, mention=mention, query=query, created_at=created_at
            )
        return mention

    def rollup(self, query: Any, day: date, count: int, sentiment: str = "neutral") -> None:
        """``count`` mentions at noon of the local ``day``, each matched by ``query`` alone (what
        the trend, the networks and the share of voice count)."""
        noon = datetime.combine(day, time(12), ZoneInfo(self.workspace.time_zone))
        mentions = Mention.objects.bulk_create(
            Mention(
                workspace=self.workspace,
                source=self.source,
                network="rss",
                external_id=f"r{self._n}-{n}",
                text="text",
                sentiment=sentiment,
                lang="fr",
                created_at=noon,
            )
            for n in range(count)
        )
        self._n += 1
        MentionMatch.objects.bulk_create(
            MentionMatch(workspace=self.workspace, mention=mention, query=query, created_at=noon)
            for mention in mentions
        )

    def conversation(self, first_inbound: datetime, first_response: datetime | None) -> Any:
        self._n += 1
        return Conversation.objects.create(
            workspace=self.workspace,
            network="mastodon",
            channel="message",
            thread_key=f"t{self._n}",
            first_inbound_at=first_inbound,
            first_response_at=first_response,
        )

    def survey(self, score: int | None, answered_at: datetime | None) -> Any:
        conversation = self.conversation(at(2026, 11, 1), at(2026, 11, 1, 1))
        return Survey.objects.create(
            workspace=self.workspace,
            conversation=conversation,
            token_hash=f"{self._n:064d}",
            network="mastodon",
            status=Survey.Status.ANSWERED if score else Survey.Status.SENT,
            score=score,
            answered_at=answered_at,
        )

    def post(self, published_at: datetime | None, clicks: list[int]) -> Any:
        self._n += 1
        post = Post.objects.create(workspace=self.workspace, text=f"post {self._n}")
        Variant.objects.create(
            workspace=self.workspace,
            post=post,
            connection=self.connection,
            status="published" if published_at else "draft",
            published_at=published_at,
        )
        for index, count in enumerate(clicks):
            ShortLink.objects.create(
                workspace=self.workspace,
                post=post,
                network="mastodon",
                target=f"https://example.com/{self._n}/{index}",
                code=f"c{self._n}x{index}",
                clicks=count,
            )
        return post

    def member(self, *handles: str, network: str = "rss") -> Any:
        member = Member.objects.create(workspace=self.workspace, display_name=handles[0])
        for handle in handles:
            Identity.objects.create(
                workspace=self.workspace, member=member, network=network, handle=handle
            )
        return member
