"""The demo workspace's posts: drafts, posts awaiting approval with the team's comments, and one sent
back with a reason, in French and English, over the next two weeks; and the brand's past posts as
they are once the outbox has published them (:func:`ensure_demo_published`).

The demo has no real network account, and no publisher that publishes nowhere, so nothing is
scheduled: a scheduled post would be tried by the outbox and fail. The two demo accounts (Mastodon
and Bluesky, on ``.example`` hosts) are stored through ``workspaces.services.connect_account`` with
a placeholder token, then marked as needing reconnection (``mark_needs_reconnection``), the state the
product gives an account whose token is refused: the periodic tasks never call its server, and a post
approved on it fails at once, without any network call, with "The account … must be reconnected"
and the reason given here. Running it again creates nothing: the accounts are looked up, and the
posts are only created when the workspace has none.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.publishing import approvals, authoring, links, scheduling
from ambassade.publishing.models import Post, PublishAttempt, ShortLink, Status, Variant
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Connection
from ambassade.workspaces.networks import network_name

__all__ = ["ensure_demo_posts", "ensure_demo_published"]

#: The UTM campaign of the past posts about the winter menu (the site's visits of the audience demo
#: carry the same campaign), so that the publishing area's campaign filter has one to show.
WINTER_CAMPAIGN = "carte-hiver"

#: The page of the brand's site a past post links to, by the start of its text (the audience demo's
#: texts): published with "Shorten the links and count their clicks", so each carries a short link.
PAGES = {
    "Nouvelle carte d'hiver": "https://cafe-lumiere.example/carte",
    "Le café du jour": "https://cafe-lumiere.example/boutique/ethiopie-yirgacheffe",
    "Atelier latte art": "https://cafe-lumiere.example/ateliers",
    "Ouverture le dimanche": "https://cafe-lumiere.example/horaires",
}

ACCOUNTS = (
    # network, account name, placeholder secret
    ("mastodon", "@cafelumiere@mastodon.example", {"instance": "https://mastodon.example"}),
    ("bluesky", "cafelumiere.bsky.example", {"identifier": "cafelumiere.bsky.example"}),
)


@dataclass(frozen=True)
class DemoPost:
    author: str  # "owner" or "teammate"
    text: str
    networks: tuple[str, ...]
    day: int | None = None  # days from today, in the workspace's zone; None: no time yet
    at: time = time(9, 30)
    utm_campaign: str = ""
    submit: bool = False
    comment: str = ""  # by the owner (a translatable sentence, see _comments)
    reject: str = ""  # the owner's reason (idem)


def _posts() -> list[DemoPost]:
    return [
        DemoPost(
            "teammate",
            "☕️ Nouveau chez Café Lumière : le cold brew à la fleur d'oranger arrive jeudi dans "
            "toutes nos boutiques. Vous le goûtez en premier ? #cafelumiere #coldbrew",
            ("mastodon", "bluesky"),
            day=2,
            at=time(9, 30),
            submit=True,
            comment="stock",
        ),
        DemoPost(
            "teammate",
            "Our baristas share their latte art secrets live this Saturday at 4 pm at Café Lumière "
            "Bastille. Free tasting for the first 30 guests! https://cafelumiere.example/events",
            ("mastodon", "bluesky"),
            day=5,
            at=time(18, 0),
            utm_campaign="latte-art-live",
            submit=True,
            comment="photo",
        ),
        DemoPost(
            "teammate",
            "Semaine du commerce équitable : -15 % sur nos cafés d'Éthiopie et du Pérou, en "
            "boutique et sur https://cafelumiere.example/boutique #commerceequitable",
            ("mastodon",),
            day=9,
            at=time(8, 15),
            utm_campaign="commerce-equitable",
            submit=True,
        ),
        DemoPost(
            "teammate",
            "Offre flash : 2 cafés achetés avec l'appli fidélité Café Lumière = le 3e offert ! "
            "Ce week-end seulement. #cafelumiere",
            ("mastodon", "bluesky"),
            day=3,
            at=time(12, 0),
            submit=True,
            reject="app",
        ),
        DemoPost(
            "owner",
            "Vous êtes plusieurs à avoir été débités deux fois via l'appli : nous en sommes "
            "désolés. Chaque double paiement sera remboursé sous 5 jours ; écrivez-nous en "
            "message privé si rien n'apparaît.",
            ("mastodon", "bluesky"),
        ),
        DemoPost(
            "teammate",
            "The winter menu is here: chestnut mocha, spiced chai and gingerbread latte. Which one "
            "are you trying first? 🎄 #cafelumiere",
            ("mastodon", "bluesky"),
            day=12,
            at=time(10, 0),
        ),
    ]


def _comments() -> dict[str, str]:
    return {
        "stock": _("Great! Let us wait for the shops to confirm their stock before approving."),
        "photo": _("Could we add a photo of the latte art? With its description, please."),
        "app": _(
            "No promotion of the loyalty app until the double charges are settled. Let us "
            "talk about it again next week."
        ),
    }


def _accounts(workspace: Any, owner: Any) -> dict[str, Connection]:
    found = {}
    # Coded, so that the connections page words it in each reader's language (publishing/messages.py).
    reason = coded("publishing.demo_account")
    for network, name, secret in ACCOUNTS:
        connection = Connection.objects.filter(
            workspace=workspace, network=network, account_name=name
        ).first()
        if connection is None:
            with transaction.atomic():
                connection = workspace_services.connect_account(
                    workspace,
                    network=network,
                    account_name=name,
                    secret={**secret, "demo": True},
                    actor=owner,
                )
                workspace_services.mark_needs_reconnection(connection.pk, reason)
            connection.refresh_from_db()
        found[network] = connection
    return found


def _when(workspace: Any, today: date, post: DemoPost) -> datetime | None:
    if post.day is None:
        return None
    return scheduling.local_to_utc(today + timedelta(days=post.day), post.at, workspace.time_zone)


def ensure_demo_posts(
    workspace: Any, owner: Any, teammate: Any, out: TextIO, *, now: datetime | None = None
) -> list[Post]:
    """Give the demo workspace its accounts, one approval step, and, when it has no post yet, its
    drafts and posts awaiting approval."""
    now = now or timezone.now()
    with translation.override(workspace.language):
        accounts = _accounts(workspace, owner)
        if Post.objects.filter(workspace=workspace).exists():
            return []
        approvals.set_approval_steps(workspace, 1, owner)
        comments = _comments()
        today = now.astimezone(ZoneInfo(workspace.time_zone)).date()
        people = {"owner": owner, "teammate": teammate}
        created = []
        for spec in _posts():
            author = people[spec.author]
            post = authoring.create_post(
                workspace,
                author,
                text=spec.text,
                connections=[accounts[network] for network in spec.networks],
                scheduled_at=_when(workspace, today, spec),
                utm_campaign=spec.utm_campaign,
            )
            if spec.submit:
                post = approvals.submit_post(post, author, now=now)
            if spec.comment:
                approvals.comment_post(post, owner, comments[spec.comment])
            if spec.reject:
                post = approvals.reject_post(post, owner, comments[spec.reject])
            created.append(post)
    out.write(f"Created {len(created)} demo posts (drafts and posts awaiting approval)\n")
    return created


def ensure_demo_published(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> int:
    """The brand's past posts as the outbox leaves them once published, for the results the audience
    demo stored for the brand's own accounts (``analytics/audience_demo.py``, run before): for each,
    a post whose version on that account is published, with the network's id and publication time
    the result carries and its numbers read back. Nothing is sent and no publisher runs: the
    demo's accounts have no real token. Each version's attempt says so ("Demo data: …") on the
    post's page. Returns how many versions it recorded; running it again records nothing."""
    from ambassade.analytics.audience_models import PostResult, TrackedAccount

    if Variant.objects.filter(workspace=workspace, status=Status.PUBLISHED).exists():
        return 0
    now = now or timezone.now()
    results = list(
        PostResult.objects.filter(
            workspace=workspace,
            account__role=TrackedAccount.Role.OWN,
            account__connection__isnull=False,
            published_at__lte=now,
        )
        .select_related("account__connection")
        .order_by("published_at", "id")
    )
    pages = [_page(result.text) for result in results]
    posts = Post.objects.bulk_create(
        Post(
            workspace=workspace,
            author=owner,
            text=f"{result.text}\n{page}" if page else result.text,
            shorten_links=bool(page),
            scheduled_at=result.published_at,
            utm_campaign=WINTER_CAMPAIGN if "hiver" in result.text else "",
            created_at=result.published_at - timedelta(days=2),
            updated_at=result.published_at,
        )
        for result, page in zip(results, pages, strict=True)
    )
    variants = Variant.objects.bulk_create(
        Variant(
            workspace=workspace,
            post=post,
            connection=result.account.connection,
            status=Status.PUBLISHED,
            scheduled_at=result.published_at,
            attempts=1,
            idempotency_key=f"demo-{post.pk}",
            remote_id=result.external_id,
            remote_url=result.url,
            published_at=result.published_at,
            metrics=result.metrics,
            metrics_read_at=result.read_at,
        )
        for post, result in zip(posts, results, strict=True)
    )
    PublishAttempt.objects.bulk_create(
        PublishAttempt(
            workspace=workspace,
            variant=variant,
            number=1,
            idempotency_key=variant.idempotency_key,
            started_at=variant.published_at,
            finished_at=variant.published_at,
            outcome=PublishAttempt.Outcome.PUBLISHED,
            message=coded(
                "outbox.demo_recorded",
                network=network_name(variant.connection.network),
            ),
        )
        for variant in variants
    )
    clicks = _record_clicks(workspace, variants, pages, results)
    out.write(
        f"Recorded {len(variants)} past demo posts as published, with their results "
        f"and {clicks} clicks on their short links\n"
    )
    return len(variants)


def _page(text: str) -> str:
    return next((page for start, page in PAGES.items() if text.startswith(start)), "")


def _record_clicks(workspace: Any, variants: list[Variant], pages: list[str], results: Any) -> int:
    """The short link each past post linking to a page got when published (as ``links.shape_text``
    makes it: the page with the post's UTM tags) and the clicks the redirect counted on it
    (``ShortLink.clicks``, as ``links.count_click`` adds them): a share of the post's engagements,
    drawn from a generator seeded with the workspace, so the same demo gets the same counts."""
    rng = random.Random(f"demo-clicks-{workspace.pk}")
    alphabet = string.ascii_letters + string.digits + "-_"
    made = []
    for variant, page, result in zip(variants, pages, results, strict=True):
        if not page:
            continue
        network = variant.connection.network
        made.append(
            ShortLink(
                workspace=workspace,
                post=variant.post,
                network=network,
                target=links.shape_text(page, network, campaign=variant.post.utm_campaign),
                code="".join(rng.choices(alphabet, k=links.SHORT_CODE_LENGTH)),
                clicks=round(result.engagements * rng.uniform(0.1, 0.45)),
                created_at=variant.published_at,
            )
        )
    ShortLink.objects.bulk_create(made)
    return sum(link.clicks for link in made)
