from __future__ import annotations

from typing import Any

from ambassade.workspaces import services
from ambassade.workspaces.models import AuditEntry, Organisation, Role, Workspace
from tests.conftest import Personas
from tests.workspaces.html import parse


def _nav(content: bytes) -> dict[str, str]:
    nav = parse(content).find("nav", class_="sidebar")
    return {a.text: a.attrs["href"] for a in nav.find_all("a")} if nav else {}


def test_it_goes_straight_to_the_only_workspace(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    assert client.get("/")["Location"] == f"/w/{personas.workspace_a.slug}/"


def test_it_lists_workspaces_grouped_by_organisation(personas: Personas, client: Any) -> None:
    services.create_workspace(
        organisation=personas.workspace_a.organisation, name="Brand A2", owner=personas.alice
    )
    Workspace.objects.get(slug="brand-b").memberships.create(user=personas.alice, role="analyst")
    client.force_login(personas.alice)
    page = parse(client.get("/").content)
    main = page.find("main")
    assert [h.text.split(" ")[0:2] for h in main.find_all("h2")] == [
        ["Agence", "A"],
        ["Company", "B"],
    ]
    assert [a.find("span").text for a in main.find_all("a", class_="tile")] == [
        "Brand A",
        "Brand A2",
        "Brand B",
    ]
    # The switcher offers the same, on every page.
    switcher = parse(client.get(f"/w/{personas.workspace_a.slug}/").content).find(
        "details", class_="menu switcher"
    )
    links = [a.attrs["href"] for a in switcher.find_all("a")]
    assert "/w/brand-a2/" in links and "/w/brand-b/" in links


WORKSPACE_ENTRIES = {"Overview", "Members", "Connections", "Audit log", "Settings"}


def _own_nav(content: bytes) -> list[str]:
    """The workspaces app's own entries; other apps add theirs (and test them)."""
    return [label for label in _nav(content) if label in WORKSPACE_ENTRIES]


def test_it_shows_the_navigation_each_role_may_use(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    assert _own_nav(client.get(f"/w/{personas.workspace_a.slug}/").content) == [
        "Overview",
        "Members",
        "Connections",
        "Audit log",
        "Settings",
    ]
    client.force_login(personas.bob)
    assert _own_nav(client.get(f"/w/{personas.workspace_a.slug}/").content) == [
        "Overview",
        "Members",
        "Connections",
    ]
    personas.bob_membership.role = Role.APPROVER
    personas.bob_membership.save()
    assert _own_nav(client.get(f"/w/{personas.workspace_a.slug}/").content) == [
        "Overview",
        "Members",
    ]


def test_it_shows_real_information_on_the_workspace_home(
    personas: Personas, client: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(personas.alice)
    # 12 for the team and accounts, and the dashboard the apps add above (workspaces/home.py):
    # one query per tile, without objectives here (tests/analytics/test_views.py counts its own).
    with django_assert_max_num_queries(20):
        response = client.get(f"/w/{personas.workspace_a.slug}/")
    page = parse(response.content)
    stats = [a.text for a in page.find_all("div", class_="stats")[-1].find_all("a", class_="stat")]
    assert stats == ["2 members", "1 connected account", "1 pending invitation"]
    assert "dave@example.com" in page.text
    assert "@brand_a@mastodon.social" in page.text
    assert (
        "connected @brand_a@mastodon.social (Mastodon)" in page.find("ol", class_="timeline").text
    )
    # An editor sees no invitations and no audit log.
    client.force_login(personas.bob)
    page = parse(client.get(f"/w/{personas.workspace_a.slug}/").content)
    assert "dave@example.com" not in page.text and page.find("ol", class_="timeline") is None


def test_it_shows_the_audit_log_to_owners_and_managers_only(
    personas: Personas, client: Any, django_assert_max_num_queries: Any
) -> None:
    url = f"/w/{personas.workspace_a.slug}/audit/"
    client.force_login(personas.bob)
    assert client.get(url).status_code == 403
    personas.bob_membership.role = Role.MANAGER
    personas.bob_membership.save()
    for n in range(60):
        services.record_audit(personas.workspace_a, personas.alice, "test.event", details={"n": n})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert len(parse(response.content).find("ol", class_="timeline").find_all("li")) == 50
    assert "Page 1 of 2" in response.content.decode()
    assert AuditEntry.objects.filter(workspace=personas.workspace_b).count() == 2  # untouched


def test_it_updates_the_workspace_settings(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    url = f"/w/{personas.workspace_a.slug}/settings/"
    response = client.post(
        url, {"name": "Brand A+", "time_zone": "America/Montreal", "language": "fr"}
    )
    assert response.status_code == 302
    personas.workspace_a.refresh_from_db()
    assert (personas.workspace_a.name, personas.workspace_a.time_zone) == (
        "Brand A+",
        "America/Montreal",
    )
    entry = personas.workspace_a.audit_entries.get(action="workspace.updated")
    assert entry.details["time_zone"] == ["Europe/Paris", "America/Montreal"]
    response = client.post(url, {"name": "", "time_zone": "Mars/Olympus", "language": "fr"})
    page = parse(response.content)
    assert page.find("input", name="name").attrs["aria-invalid"] == "true"
    assert page.find("ul", id="id_time_zone_errors") is not None


def test_it_creates_an_organisation_and_a_workspace(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    response = client.post(
        "/organisations/new/",
        {"name": "Bob Conseil", "kind": "agency", "workspace_name": "Client One"},
    )
    workspace = Workspace.objects.get(name="Client One")
    assert response["Location"] == f"/w/{workspace.slug}/"
    assert workspace.organisation.kind == "agency"
    assert workspace.memberships.get().user == personas.bob
    response = client.post(
        "/workspaces/new/",
        {
            "organisation": workspace.organisation.id,
            "name": "Client Two",
            "time_zone": "Europe/Brussels",
            "language": "fr",
        },
    )
    assert Workspace.objects.get(name="Client Two").organisation == workspace.organisation
    # Bob is only an editor in Agence A: he cannot add a workspace there.
    response = client.post(
        "/workspaces/new/",
        {
            "organisation": Organisation.objects.get(name="Agence A").id,
            "name": "Sneaky",
            "time_zone": "Europe/Paris",
            "language": "fr",
        },
    )
    assert response.status_code == 200
    assert not Workspace.objects.filter(name="Sneaky").exists()


def test_it_shows_french_when_the_language_cookie_says_so(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    client.cookies["django_language"] = "fr"
    page = parse(client.get(f"/w/{personas.workspace_a.slug}/").content)
    assert page.find("html").attrs["lang"] == "fr"
    french = {"Vue d'ensemble", "Membres", "Connexions", "Journal d'audit", "Paramètres"}
    nav = _nav(client.get(f"/w/{personas.workspace_a.slug}/").content)
    assert [label for label in nav if label in french] == [
        "Vue d'ensemble",
        "Membres",
        "Connexions",
        "Journal d'audit",
        "Paramètres",
    ]
    assert "2 membres" in [a.text for a in page.find_all("a", class_="stat")]


def test_it_switches_language_through_set_language(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    home = f"/w/{personas.workspace_a.slug}/"
    response = client.post("/i18n/setlang/", {"language": "fr", "next": home})
    assert response["Location"] == home
    assert "Membres" in client.get(home).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": home})
    assert "Members" in client.get(home).content.decode()


def test_it_shows_times_in_the_workspace_time_zone(personas: Personas, client: Any) -> None:
    import datetime as dt

    services.update_workspace(personas.workspace_a, personas.alice, time_zone="America/Montreal")
    entry = services.record_audit(personas.workspace_a, personas.alice, "test.event")
    AuditEntry.objects.filter(id=entry.id).update(
        created_at=dt.datetime(2026, 11, 2, 15, 30, tzinfo=dt.UTC)
    )
    client.force_login(personas.alice)
    page = parse(client.get(f"/w/{personas.workspace_a.slug}/audit/").content)
    times = [t.text for t in page.find_all("time")]
    assert any("10:30" in text for text in times), times  # 15:30 UTC is 10:30 in Montreal


def test_it_explains_a_refusal_in_french(personas: Personas, client: Any) -> None:
    client.force_login(personas.bob)
    response = client.get(f"/w/{personas.workspace_a.slug}/audit/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    page = parse(response.content)
    assert page.find("h1").text == "Vous ne pouvez pas faire cela ici"
    assert page.find("nav", class_="sidebar") is not None  # still inside the workspace
