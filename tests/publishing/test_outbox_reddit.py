"""The outbox driving the real Reddit publisher against a local server: the composer's checks take
the first line as the title, the token renewed on the way is kept, and a submission whose answer
is lost is found in the account's posts instead of being sent twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassade.connectors.http import HttpClient
from ambassade.connectors.reddit.publish import RedditPublisher
from ambassade.publishing import approvals, authoring, metrics
from ambassade.publishing.models import Status, Variant
from ambassade.publishing.outbox import posts as outbox
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Connection
from ambassade.workspaces.services import ServiceError
from tests.conftest import Personas
from tests.connectors.conftest import Recorded, ReplayServer, Reply
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "connectors" / "publishing" / "fixtures" / "reddit"
TEXT = "Nouvelle carte d'automne\n\nTout est fait maison, du pain au café."


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Reddit:
    """The token endpoint, /api/submit keeping what it is sent, and the user's submitted listing."""

    def __init__(self, server: ReplayServer) -> None:
        self.posts: list[dict[str, Any]] = []
        self.slow_answers = 0
        server.route("POST", "/api/v1/access_token", Reply(200, fixture("access_token.json")))
        server.route("POST", "/api/submit", self.submit)
        server.route("GET", "/user/cafe_lumiere/submitted", self.submitted)

    def submit(self, request: Recorded) -> Reply:
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        post_id = f"1p4k{len(self.posts):03d}"
        permalink = f"/r/{form['sr']}/comments/{post_id}/nouvelle_carte/"
        self.posts.append(
            {
                "kind": "t3",
                "data": {
                    "id": post_id,
                    "name": f"t3_{post_id}",
                    "subreddit": form["sr"],
                    "title": form["title"],
                    "selftext": form.get("text", ""),
                    "author": "cafe_lumiere",
                    "created_utc": (NOW + timedelta(seconds=2)).timestamp(),
                    "score": 1,
                    "num_comments": 0,
                    "upvote_ratio": 1.0,
                    "permalink": permalink,
                    "url": "https://www.reddit.com" + permalink,
                },
            }
        )
        answer = {
            "json": {
                "errors": [],
                "data": {
                    "url": "https://www.reddit.com" + permalink,
                    "drafts_count": 0,
                    "id": post_id,
                    "name": f"t3_{post_id}",
                },
            }
        }
        if self.slow_answers:  # Reddit takes the post, the answer comes too late
            self.slow_answers -= 1
            return Reply(200, answer, delay=0.8)
        return Reply(200, answer)

    def submitted(self, request: Recorded) -> Reply:
        children = list(reversed(self.posts))  # newest first
        return Reply(200, {"kind": "Listing", "data": {"after": None, "children": children}})


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


def factory(connection: Connection) -> RedditPublisher:
    return RedditPublisher(HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None))


def connect(personas: Personas, server: ReplayServer) -> Connection:
    return workspace_services.connect_account(
        personas.workspace_a,
        network="reddit",
        account_name="r/cafelumiere",
        secret={
            "client_id": "p-jcoLKBynTLew",
            "client_secret": "gko_LXELoV07ZBNUXrvWZfzE3aI",
            "refresh_token": "122606092-refresh-cafe-lumiere",
            "username": "cafe_lumiere",
            "subreddit": "cafelumiere",
            "oauth_url": server.base_url,
            "www_url": server.base_url,
        },
        actor=personas.alice,
    )


def schedule(personas: Personas, connection: Connection, text: str) -> Variant:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=text, connections=[connection], scheduled_at=NOW
    )
    approvals.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


def test_it_publishes_once_on_reddit_despite_a_lost_answer(
    personas: Personas, server: ReplayServer
) -> None:
    reddit = Reddit(server)
    reddit.slow_answers = 1
    connection = connect(personas, server)
    variant = schedule(personas, connection, TEXT)
    assert variant.status == Status.SCHEDULED  # the first line passed the title check
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory) == "unknown"
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=factory) == (
        "published"
    )
    variant.refresh_from_db()
    assert len(reddit.posts) == 1 and len(server.calls("/api/submit")) == 1
    assert variant.remote_id == "t3_1p4k000"
    assert variant.remote_url.endswith("/r/cafelumiere/comments/1p4k000/nouvelle_carte/")
    assert reddit.posts[0]["data"]["title"] == "Nouvelle carte d'automne"
    assert reddit.posts[0]["data"]["selftext"] == "Tout est fait maison, du pain au café."
    # The token renewed before the first call went back to the vault, without the account fields.
    connection.refresh_from_db()
    stored = connection.secret().reveal()
    assert stored["access_token"] == fixture("access_token.json")["access_token"]
    assert stored["access_token_expires_at"] and "account_name" not in stored
    assert len(server.calls("/api/v1/access_token")) == 1  # the stored token served the check
    # …with its expiry, so that the refresh task does not renew it again at once.
    assert connection.expires_at == datetime.fromisoformat(stored["access_token_expires_at"])
    assert connection.expires_at > timezone.now() + timedelta(minutes=30)


def test_it_publishes_again_when_the_lost_post_is_not_there(
    personas: Personas, server: ReplayServer
) -> None:
    reddit = Reddit(server)
    server.route(
        "POST", "/api/submit", Reply(503, "<html>upstream</html>", {"Content-Type": "text/html"})
    )
    connection = connect(personas, server)
    variant = schedule(personas, connection, TEXT)
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=factory) == "unknown"
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=factory) == (
        "scheduled"
    )
    server.route("POST", "/api/submit", reddit.submit)
    assert outbox.publish_variant(variant.id, now=later, publisher_factory=factory) == ("published")
    assert len(reddit.posts) == 1 and len(server.calls("/api/submit")) == 2


def test_it_keeps_the_metrics_reddit_gives_a_day_later(
    personas: Personas, server: ReplayServer, client: Any
) -> None:
    Reddit(server)
    server.route("GET", "/api/info", Reply(200, fixture("info.json")))
    connection = connect(personas, server)
    variant = schedule(personas, connection, TEXT)
    Variant.objects.filter(id=variant.id).update(
        status=Status.PUBLISHED, published_at=NOW, remote_id="t3_1p4kq7x"
    )
    later = NOW + timedelta(hours=25)
    assert metrics.variants_for_metrics(later) == [variant.id]
    assert metrics.read_back_metrics(variant.id, now=later, publisher_factory=factory)
    variant.refresh_from_db()
    assert variant.metrics == {"score": 57, "replies": 12, "upvote_percent": 94}
    assert server.calls("/api/info")[0].param("id") == "t3_1p4kq7x"
    # The token renewed to read the metrics is kept too, with its expiry.
    connection.refresh_from_db()
    stored = connection.secret().reveal()
    assert stored["access_token"] == fixture("access_token.json")["access_token"]
    assert connection.expires_at == datetime.fromisoformat(stored["access_token_expires_at"])
    client.force_login(personas.bob)
    page = client.get(
        reverse(
            "publishing:post",
            kwargs={"workspace_slug": personas.workspace_a.slug, "post_id": variant.post_id},
        )
    ).content.decode()
    assert "12 replies" in page


class RedditWithImages(Reddit):
    """Also Reddit's media-asset lease, its storage (on the same server) answering 201 in XML,
    and image posts that Reddit answers without an id and lists only after ``hidden_reads``."""

    def __init__(self, server: ReplayServer) -> None:
        super().__init__(server)
        self.server = server
        self.hidden_reads = 0
        server.route("POST", "/api/media/asset.json", self.lease)
        xml = (FIXTURES / "s3_created.xml").read_bytes()
        server.route("POST", "/s3", Reply(201, xml, {"Content-Type": "application/xml"}))

    def lease(self, request: Recorded) -> Reply:
        body = fixture("media_asset.json")
        body["args"]["action"] = self.server.url("/s3")
        return Reply(200, body)

    def submit(self, request: Recorded) -> Reply:
        answer = super().submit(request)
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if form["kind"] != "image":
            return answer
        post = self.posts[-1]["data"]
        post |= {"is_self": False, "url": "https://i.redd.it/q7x2k9m4hs8f1.jpeg"}
        return Reply(200, fixture("submit_image.json"))

    def submitted(self, request: Recorded) -> Reply:
        if self.hidden_reads:
            self.hidden_reads -= 1
            return Reply(200, {"kind": "Listing", "data": {"after": None, "children": []}})
        return super().submitted(request)


def quick_factory(connection: Connection) -> RedditPublisher:
    """The Reddit publisher without its real pauses between reads of the account's posts, on the
    tests' clock (the fake Reddit dates its posts from it)."""
    return RedditPublisher(
        HttpClient(allow_private=True, timeout=0.3, sleep=lambda s: None),
        sleep=lambda s: None,
        clock=NOW.timestamp,
    )


def schedule_with_image(personas: Personas, connection: Connection) -> Variant:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=TEXT, connections=[connection], scheduled_at=NOW
    )
    authoring.add_media(
        post,
        personas.bob,
        filename="tasse.jpg",
        content_type="image/jpeg",
        data=b"\xff\xd8\xff\xe0",
        alt_text="Une tasse fumante",
    )
    approvals.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


def test_it_publishes_an_image_post_found_in_the_account(
    personas: Personas, server: ReplayServer
) -> None:
    reddit = RedditWithImages(server)
    reddit.hidden_reads = 1  # Reddit is still processing the image at the first read
    connection = connect(personas, server)
    variant = schedule_with_image(personas, connection)
    assert variant.status == Status.SCHEDULED
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=quick_factory) == (
        "published"
    )
    variant.refresh_from_db()
    assert variant.remote_id == "t3_1p4k000"
    (submit,) = server.calls("/api/submit")
    sent = {key: values[0] for key, values in parse_qs(submit.body.decode()).items()}
    assert sent["kind"] == "image" and sent["url"].endswith("/rte_images/q7x2k9m4hs8f1")
    assert "authorization" not in server.calls("/s3")[0].headers


def test_it_reconciles_an_image_post_reddit_lists_late_to_exactly_one_post(
    personas: Personas, server: ReplayServer
) -> None:
    reddit = RedditWithImages(server)
    reddit.hidden_reads = 100  # not listed during the attempt
    connection = connect(personas, server)
    variant = schedule_with_image(personas, connection)
    assert outbox.publish_variant(variant.id, now=NOW, publisher_factory=quick_factory) == (
        "unknown"
    )
    variant.refresh_from_db()
    assert variant.status == Status.UNKNOWN and variant.remote_id in ("", None)
    reddit.hidden_reads = 0  # Reddit has processed it since
    later = NOW + timedelta(minutes=2)
    assert outbox.reconcile_variant(variant.id, now=later, publisher_factory=quick_factory) == (
        "published"
    )
    variant.refresh_from_db()
    assert variant.remote_id == "t3_1p4k000"
    assert len(reddit.posts) == 1 and len(server.calls("/api/submit")) == 1


def test_it_refuses_a_video_for_reddit_before_scheduling(
    personas: Personas, server: ReplayServer
) -> None:
    """Ambassade sends no Reddit video (it needs a poster image): the composer says so before the
    post is scheduled, rather than failing at its publication time."""
    reddit = RedditWithImages(server)
    connection = connect(personas, server)
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=TEXT, connections=[connection], scheduled_at=NOW
    )
    authoring.add_media(
        post,
        personas.bob,
        filename="demo.mp4",
        content_type="video/mp4",
        data=b"\x00\x00\x00\x18ftypmp42",
        alt_text="Une démonstration",
    )
    with pytest.raises(ServiceError, match="Ambassade cannot send a video to Reddit"):
        approvals.submit_post(post, personas.bob, now=NOW)
    assert post.variants.get().status == Status.DRAFT
    assert reddit.posts == []


def test_it_asks_for_the_scopes_the_reddit_publisher_uses() -> None:
    from ambassade.publishing.forms import ConnectAccountForm

    help_text = str(ConnectAccountForm(network="reddit").fields["refresh_token"].help_text)
    for scope in ("identity", "submit", "read", "history"):
        assert scope in help_text
