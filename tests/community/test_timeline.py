"""Members' timelines: mentions, private messages, the brand's answers and moderation decisions land
on them as activities; scores read them; staff are marked and never classed."""

from __future__ import annotations

from typing import Any

from ambassade.community import services
from ambassade.community.models import Activity, Identity, Member
from ambassade.community.scores import member_scores
from ambassade.connectors.base import ItemKind
from ambassade.inbox.models import Conversation, Message
from ambassade.listening.models import Mention
from ambassade.moderation.models import Decision
from tests.listening.conftest import NOW, days_ago, item
from tests.workspaces.html import parse


def direct(external_id: str, text: str, **extra: Any) -> Any:
    return item(external_id, text, kind=ItemKind.MESSAGE, **extra)


def kinds(member: Member) -> list[str]:
    return list(
        Activity.objects.filter(identity__member=member)
        .order_by("occurred_at", "id")
        .values_list("kind", flat=True)
    )


def test_every_activity_lands_on_the_timeline(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "I love it", handle="ana", at=days_ago(5))])
    # Ana writes privately, then someone of the brand answers; a moderator hides her next post.
    ingest(source, [direct("dm-1", "A question", handle="ana", thread_id="t-1", at=days_ago(3))])
    conversation = Conversation.objects.get(thread_key="t-1")
    from ambassade.inbox import services as inbox_services

    inbox_services.add_message(
        conversation,
        Message(direction=Message.Direction.OUTBOUND, text="Our answer", created_at=days_ago(2)),
    )
    inbox_services.add_message(
        conversation,
        Message(direction=Message.Direction.NOTE, text="team note", created_at=days_ago(2)),
    )
    mention = Mention.objects.get(external_id="1")
    Decision.objects.create(
        workspace=personas.workspace_a,
        mention=mention,
        action="hide",
        author_handle="@Ana",
        network="mastodon",
        created_at=days_ago(1),
    )
    Decision.objects.create(  # a rule in "log only": it did nothing to her
        workspace=personas.workspace_a,
        mention=mention,
        action="delete",
        log_only=True,
        author_handle="ana",
        network="mastodon",
    )
    member = Identity.objects.get(network="mastodon", handle="ana").member
    assert kinds(member) == ["mention", "message", "answered", "moderation"]
    weights = dict(Activity.objects.values_list("kind", "weight"))
    assert weights == {"mention": 1.0, "message": 2.0, "answered": 0.0, "moderation": 0.0}
    # Recording the same again changes nothing.
    ingest(source, [item("1", "I love it", handle="ana", at=days_ago(5))])
    services.rebuild_members(personas.workspace_a)
    assert kinds(member) == ["mention", "message", "answered", "moderation"]
    # The private message counts as seen, and in the scores (2 for a message, 1 for a mention).
    member.refresh_from_db()
    assert member.last_seen_at == days_ago(3)
    scores = member_scores(member, NOW)
    assert (scores.love, scores.activities) == (3.0, 3)


def test_someone_known_only_from_private_messages_becomes_a_member(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [direct("dm-1", "Hello", handle="@Zoe", thread_id="t-9", at=days_ago(2))])
    identity = Identity.objects.get(handle="zoe")
    assert identity.member.workspace == personas.workspace_a
    assert identity.member.last_seen_at == days_ago(2)
    assert kinds(identity.member) == ["message"]


def test_the_timeline_follows_merges_and_is_rebuilt(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [item("1", "On Mastodon", handle="ana", at=days_ago(2))])
    ingest(
        source,
        [item("2", "On Bluesky", handle="ana", at=days_ago(1), source="bluesky")],
    )
    one, other = (
        Identity.objects.get(network="mastodon").member,
        Identity.objects.get(network="bluesky").member,
    )
    merged = services.merge_members(one, other, personas.alice)
    assert kinds(merged) == ["mention", "mention"]
    # Stored before timelines existed: the rebuild puts them back.
    Activity.objects.all().delete()
    services.rebuild_members(personas.workspace_a)
    assert kinds(merged) == ["mention", "mention"]


def test_staff_are_marked_audited_and_never_classed(
    personas: Any, source: Any, ingest: Any, client: Any
) -> None:
    ingest(
        source,
        [item(str(i), "I love it", handle="camille", at=days_ago(i + 1)) for i in range(35)],
    )
    member = Member.objects.get()
    assert "ambassador" in member_scores(member, NOW).classes
    client.force_login(personas.bob)
    url = f"/w/{personas.workspace_a.slug}/community/members/{member.pk}/staff/"
    assert client.post(url, {"staff": "1"}).status_code == 302
    member.refresh_from_db()
    assert member.staff
    assert member_scores(member, NOW).classes == frozenset()
    assert personas.workspace_a.audit_entries.filter(action="community.member.staff").exists()
    page = parse(
        client.get(f"/w/{personas.workspace_a.slug}/community/members/{member.pk}/").content
    )
    assert "Staff of the brand" in page.text
    assert client.post(url, {"staff": "maybe"}).status_code == 302
    member.refresh_from_db()
    assert member.staff  # unchanged by a value that says nothing


def test_the_page_shows_the_timeline_by_kind(
    personas: Any, source: Any, ingest: Any, client: Any, people: dict[str, Any]
) -> None:
    ingest(source, [item("1", "Public words", handle="ana", at=days_ago(3))])
    ingest(source, [direct("dm-1", "Private words", handle="ana", thread_id="t", at=days_ago(2))])
    Decision.objects.create(
        workspace=personas.workspace_a,
        mention=Mention.objects.get(external_id="1"),
        action="hide",
        rule_name="Insults",
        author_handle="ana",
        network="mastodon",
    )
    member = Identity.objects.get(handle="ana").member
    base = f"/w/{personas.workspace_a.slug}/community/members/{member.pk}/"
    log = f"/w/{personas.workspace_a.slug}/moderation/log/"
    client.force_login(personas.alice)
    page = parse(client.get(base).content)
    timeline = page.find("ol", class_="plain-list member-mention-list timeline")
    assert [li.attrs["class"] for li in timeline.find_all("li")] == [
        "timeline-moderation",
        "timeline-message",
        "timeline-mention",
    ]
    assert "Private words" in timeline.text and "hidden on the network" in timeline.text
    assert timeline.find("a", href=log) is not None
    page = parse(client.get(base, {"kind": "message"}).content)
    timeline = page.find("ol", class_="plain-list member-mention-list timeline")
    assert [li.attrs["class"] for li in timeline.find_all("li")] == ["timeline-message"]
    # Who may not read the moderation log gets no link to it.
    client.force_login(people["analyst"])
    page = parse(client.get(base).content)
    assert page.find("a", href=log) is None
    assert client.get(base, {"kind": "<script>"}).status_code == 200


def test_the_list_leaves_staff_out_unless_asked(
    personas: Any, source: Any, ingest: Any, client: Any
) -> None:
    ingest(source, [item("1", "Hi", handle="ana"), item("2", "Hello", handle="camille")])
    services.set_staff(Identity.objects.get(handle="camille").member, personas.alice, True)
    client.force_login(personas.alice)
    base = f"/w/{personas.workspace_a.slug}/community/"

    def names(**query: str) -> list[str]:
        page = parse(client.get(base, query).content)
        return sorted(a.text for a in page.find_all("a", class_="member-link"))

    assert names() == ["Ana"]
    assert names(people="staff") == ["Camille"]
    assert names(people="all") == ["Ana", "Camille"]
    assert names(people="nonsense") == ["Ana"]
