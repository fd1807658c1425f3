"""The community pages: the members list (search, sort, pages, queries), a member's page, notes,
merge and split, permissions of every role, and untrusted names and URLs rendered inert."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.community import crm
from ambassade.community.models import Identity, Member, MemberTag
from ambassade.listening.models import Mention
from tests.listening.conftest import days_ago, item
from tests.listening.test_views import scripts
from tests.workspaces.html import parse


def url(name: str, personas: Any, *args: Any) -> str:
    return reverse(f"community:{name}", args=[personas.workspace_a.slug, *args])


@pytest.fixture
def crowd(personas: Any, source: Any, ingest: Any) -> Any:
    ingest(
        source,
        [
            item("1", "I love it", handle="ana", followers=9000, at=days_ago(5)),
            item("2", "Terrible service", handle="ana", followers=9000, at=days_ago(4)),
            item("3", "Merci", handle="bruno", followers=20, at=days_ago(1)),
            item("4", "Hello", handle="bruno", followers=20, at=days_ago(2)),
            item("5", "Hi again", handle="bruno", followers=20, at=days_ago(3)),
            item("6", "Parfait", handle="chloe", followers=400, source="bluesky", at=days_ago(9)),
        ],
    )
    return source


def names(response: Any) -> list[str]:
    table = parse(response.content).find("table")
    return [] if table is None else [a.text for a in table.find_all("a", class_="member-link")]


def test_it_lists_members_by_reach_mentions_or_last_seen(
    personas: Any, client: Any, crowd: Any
) -> None:
    client.force_login(personas.alice)
    assert names(client.get(url("members", personas))) == ["Ana", "Chloe", "Bruno"]
    assert names(client.get(url("members", personas), {"sort": "mentions"})) == [
        "Bruno",
        "Ana",
        "Chloe",
    ]
    assert names(client.get(url("members", personas), {"sort": "last_seen"})) == [
        "Bruno",
        "Ana",
        "Chloe",
    ]


def test_it_finds_members_by_name_or_handle(personas: Any, client: Any, crowd: Any) -> None:
    client.force_login(personas.alice)
    assert names(client.get(url("members", personas), {"q": "CHLO"})) == ["Chloe"]
    assert names(client.get(url("members", personas), {"q": "@brun"})) == ["Bruno"]
    response = client.get(url("members", personas), {"q": "nobody"})
    assert "No member matches this search" in response.content.decode()


def test_it_pages_the_list_in_a_constant_number_of_queries(
    personas: Any, client: Any, source: Any, ingest: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(personas.alice)
    ingest(source, [item(str(i), f"text {i}", handle=f"u{i}", followers=i) for i in range(3)])
    client.get(url("members", personas))  # warm the session and caches
    # Session, membership, segments and tags for the filters, count, page, accounts, tags.
    with django_assert_num_queries(11) as few:
        client.get(url("members", personas), {"sort": "mentions"})
    ingest(source, [item(str(i), f"text {i}", handle=f"u{i}", followers=i) for i in range(60)])
    with django_assert_num_queries(len(few)):
        response = client.get(url("members", personas), {"sort": "mentions", "page": "2"})
    page = parse(response.content)
    assert len(page.find("table").find_all("a", class_="member-link")) == 25
    assert "Page 2 of 3" in page.text
    next_link = page.find("a", rel="next")
    assert next_link is not None and next_link.attrs["href"] == "?sort=mentions&page=3"


def test_it_shows_a_member_with_their_accounts_and_mentions(
    personas: Any, client: Any, crowd: Any
) -> None:
    member = Identity.objects.get(handle="ana").member
    Identity.objects.filter(handle="ana").update(profile_url="https://social.example/@ana")
    client.force_login(personas.alice)
    response = client.get(url("member", personas, member.pk))
    assert response.status_code == 200
    page = parse(response.content)
    assert page.find("h1").text == "Ana"
    assert "@ana" in page.find("ul", class_="plain-list identities").text
    mentions = page.find("ol", class_="plain-list member-mention-list timeline").find_all("li")
    assert [li.find("p", class_="mention-text").text for li in mentions] == [
        "Terrible service",
        "I love it",
    ]
    assert "Negative" in mentions[0].text and "Positive" in mentions[1].text
    profile = page.find("a", href="https://social.example/@ana")
    assert profile is not None and "noopener" in profile.attrs["rel"]
    mention = Mention.objects.get(external_id="2")
    assert page.find(
        "a", href=reverse("listening:mention", args=[personas.workspace_a.slug, mention.pk])
    )


def test_it_saves_notes_and_tags(personas: Any, client: Any, crowd: Any) -> None:
    member = Identity.objects.get(handle="ana").member
    client.force_login(personas.bob)
    response = client.post(url("note_add", personas, member.pk), {"text": "VIP, <b>call</b> back"})
    assert response.status_code == 302
    response = client.post(url("member_tags", personas, member.pk), {"tags": "vip, fan,"})
    assert response.status_code == 302
    note = member.note_set.get()
    assert (note.text, note.author) == ("VIP, <b>call</b> back", personas.bob)
    assert sorted(member.tag_set.values_list("name", flat=True)) == ["fan", "vip"]
    assert personas.workspace_a.audit_entries.filter(action="community.member.tagged").exists()
    assert personas.workspace_a.audit_entries.filter(action="community.note.added").exists()
    # The note is on the timeline with its author, escaped.
    page = client.get(url("member", personas, member.pk)).content.decode()
    assert "VIP, &lt;b&gt;call&lt;/b&gt; back" in page
    assert "<b>call</b>" not in page


def test_it_merges_and_separates_from_the_member_page(
    personas: Any, client: Any, crowd: Any, ingest: Any
) -> None:
    # Chloe on Bluesky is suggested for Chloe on Mastodon: the same handle on another network.
    ingest(crowd, [item("7", "yo", handle="chloe")])
    client.force_login(personas.bob)
    mastodon = Identity.objects.get(handle="chloe", network="mastodon").member
    bluesky = Identity.objects.get(handle="chloe", network="bluesky").member
    page = parse(client.get(url("member", personas, mastodon.pk)).content)
    suggestion = page.find("ul", class_="plain-list merge-list")
    assert suggestion is not None and "@chloe" in suggestion.text
    response = client.post(url("member_merge", personas, mastodon.pk), {"other": bluesky.pk})
    assert response.status_code == 302
    assert not Member.objects.filter(pk=bluesky.pk).exists()
    mastodon.refresh_from_db()
    assert mastodon.mention_count == 2
    # Separate the Bluesky account again.
    identity = Identity.objects.get(handle="chloe", network="bluesky")
    response = client.post(url("identity_split", personas, identity.pk))
    identity.refresh_from_db()
    assert identity.member_id != mastodon.pk
    assert response["Location"] == url("member", personas, identity.member_id)


def test_it_merges_all_the_suggestions_at_once(
    personas: Any, client: Any, crowd: Any, ingest: Any
) -> None:
    ingest(
        crowd,
        [
            item("7", "yo", handle="ana", source="x"),
            item("8", "yo", handle="ana", source="reddit"),
        ],
    )
    target = Identity.objects.get(handle="ana", network="mastodon").member
    client.force_login(personas.alice)
    page = parse(client.get(url("member", personas, target.pk)).content)
    form = page.find("form", class_="merge-all")
    others = [i.attrs["value"] for i in form.find_all("input", name="other")]
    assert len(others) == 2
    client.post(url("member_merge", personas, target.pk), {"other": others})
    target.refresh_from_db()
    assert target.identities.count() == 3 and target.mention_count == 4


def test_it_refuses_a_merge_with_a_member_of_another_workspace(
    personas: Any, client: Any, crowd: Any
) -> None:
    other = Member.objects.create(workspace=personas.workspace_b, display_name="B's")
    member = Identity.objects.get(handle="ana").member
    client.force_login(personas.alice)
    response = client.post(
        url("member_merge", personas, member.pk), {"other": other.pk}, follow=True
    )
    assert "Choose the member to merge into this one." in response.content.decode()
    assert Member.objects.filter(pk=other.pk).exists()


def test_it_leads_from_a_mention_author_to_their_member(
    personas: Any, client: Any, crowd: Any
) -> None:
    client.force_login(personas.alice)
    member = Identity.objects.get(handle="bruno").member
    mention = Mention.objects.get(external_id="3")
    page = parse(
        client.get(
            reverse("listening:mention", args=[personas.workspace_a.slug, mention.pk])
        ).content
    )
    link = page.find("a", href=url("author", personas) + "?network=mastodon&handle=bruno")
    assert link is not None and link.text == "Community profile"
    response = client.get(url("author", personas), {"network": "mastodon", "handle": "@Bruno"})
    assert response["Location"] == url("member", personas, member.pk)
    response = client.get(url("author", personas), {"network": "x", "handle": "bruno"})
    assert response["Location"] == url("members", personas) + "?q=bruno"


ROLES = ["owner", "manager", "editor", "moderator", "analyst", "approver"]
VIEWERS = {"owner", "manager", "editor", "moderator", "analyst"}
EDITORS = {"owner", "manager", "editor", "moderator"}


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_each_role_do_what_the_table_says(
    role: str, personas: Any, people: dict[str, Any], client: Any, crowd: Any
) -> None:
    ana = Identity.objects.get(handle="ana").member
    bruno = Identity.objects.get(handle="bruno").member
    client.force_login(people[role])
    expected_view = 200 if role in VIEWERS else 403
    assert client.get(url("members", personas)).status_code == expected_view
    assert client.get(url("member", personas, ana.pk)).status_code == expected_view
    assert client.get(url("author", personas), {"handle": "x"}).status_code in (
        {302} if role in VIEWERS else {403}
    )
    edit = client.post(url("member_tags", personas, ana.pk), {"tags": "n"})
    merge = client.post(url("member_merge", personas, ana.pk), {"other": bruno.pk})
    assert edit.status_code == (302 if role in EDITORS else 403)
    assert merge.status_code == (302 if role in EDITORS else 403)
    assert Member.objects.filter(pk=bruno.pk).exists() is (role not in EDITORS)
    if role in VIEWERS:
        page = parse(client.get(url("member", personas, ana.pk)).content)
        assert (page.find("textarea", name="text") is not None) is (role in EDITORS)
        assert (page.find("form", class_="merge-search") is not None) is (role in EDITORS)
    nav = parse(client.get(reverse("workspace_home", args=[personas.workspace_a.slug])).content)
    link = nav.find("nav", class_="sidebar").find("a", href=url("members", personas))
    assert (link is not None) is (role in VIEWERS)


def test_it_renders_untrusted_names_and_urls_inert(personas: Any, client: Any, crowd: Any) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    identity = Identity.objects.get(handle="ana")
    Identity.objects.filter(pk=identity.pk).update(
        name=payload, profile_url="javascript:alert(1)", handle='ana"><script>'
    )
    Member.objects.filter(pk=identity.member_id).update(display_name=payload)
    member = Member.objects.get(pk=identity.member_id)
    crm.add_note(member, personas.alice, payload)
    MemberTag.objects.create(workspace=member.workspace, member=member, name=payload[:40])
    city = crm.save_field(member.workspace, personas.alice, key="city", label=payload, type="text")
    crm.set_values(member, personas.alice, {city.key: payload})
    client.force_login(personas.alice)
    for response in (
        client.get(url("members", personas)),
        client.get(url("member", personas, identity.member_id)),
        client.get(url("members", personas), {"q": payload}),
    ):
        html = response.content.decode()
        assert scripts(html) == []
        assert "javascript:" not in html
        assert "&lt;script&gt;" in html
    page = parse(client.get(url("member", personas, identity.member_id)).content)
    assert "Profile" not in page.find("ul", class_="plain-list identities").text
    links = [a.attrs.get("href", "") for a in page.find_all("a")]
    assert not [href for href in links if href.lower().startswith(("javascript", "data"))]


def test_merging_the_suggestions_writes_one_audit_line(
    personas: Any, client: Any, crowd: Any, ingest: Any
) -> None:
    from ambassade.workspaces.models import AuditEntry

    networks = ("x", "reddit", "bluesky", "youtube", "rss")  # ana is on mastodon already
    ingest(
        crowd,
        [item(str(i), "yo", handle="ana", source=net) for i, net in enumerate(networks, 20)],
    )
    target = Identity.objects.get(handle="ana", network="mastodon").member
    others = list(
        Identity.objects.filter(handle="ana")
        .exclude(member=target)
        .values_list("member", flat=True)
    )
    assert len(others) == 5
    client.force_login(personas.alice)
    client.post(url("member_merge", personas, target.pk), {"other": others})
    lines = AuditEntry.objects.filter(action="community.member.merged")
    assert lines.count() == 1
    assert sorted(m["id"] for m in lines.get().details["merged"]) == sorted(others)
    target.refresh_from_db()
    assert target.identities.count() == 6


def test_the_member_page_explains_their_scores_in_one_line_each(
    personas: Any, client: Any, source: Any, ingest: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    recent = timezone.now() - timedelta(days=3)
    ingest(
        source,
        [
            item("s1", "Love it", handle="dora", followers=99, at=recent),
            item("s2", "Great", handle="dora", followers=99, at=recent - timedelta(days=1)),
        ],
    )
    member = Identity.objects.get(handle="dora").member
    client.force_login(personas.alice)
    english = parse(
        client.get(url("member", personas, member.pk), HTTP_ACCEPT_LANGUAGE="en").content
    )
    lines = [li.text for li in english.find("ul", class_="plain-list member-scores").find_all("li")]
    assert (
        lines[0] == "Engagement 2.0: 2 activities in the past year, 2.0 of it in the last 30 days"
    )
    assert any(line.startswith("Reach 20.0: 99 followers") for line in lines)
    french = parse(
        client.get(url("member", personas, member.pk), HTTP_ACCEPT_LANGUAGE="fr").content
    )
    first = french.find("ul", class_="plain-list member-scores").find("li").text
    assert first.startswith("Engagement 2,0 : 2 activités sur l’année écoulée")
