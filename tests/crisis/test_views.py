"""The crisis pages as each persona sees them: permissions on every view, the forms, htmx, the bell."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from ambassade.crisis import services
from ambassade.crisis.models import Alert, AlertRule, Channel, Crisis, Notification
from ambassade.workspaces.models import Membership, Role
from tests.conftest import Personas
from tests.crisis.samples import make_samples


def url(p: Personas, name: str, **kwargs: Any) -> str:
    return reverse(f"crisis:{name}", kwargs={"workspace_slug": p.workspace_a.slug, **kwargs})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")


def parsed(response: Any) -> _Text:
    parser = _Text()
    parser.feed(response.content.decode())
    return parser


def text(response: Any) -> str:
    return " ".join(" ".join(parsed(response).parts).split())


# (view name, kwargs from samples, method) -> roles allowed
VIEWS = [
    ("alerts", {}, "get", "view"),
    ("alert", {"alert_id": "alert"}, "get", "view"),
    ("alert_status", {"alert_id": "alert"}, "post", "triage"),
    ("rules", {}, "get", "view"),
    ("rule_create", {}, "get", "manage"),
    ("rule_edit", {"rule_id": "rule"}, "get", "manage"),
    ("rule_delete", {"rule_id": "rule"}, "post", "manage"),
    ("channels", {}, "get", "manage"),
    ("channel_create", {}, "get", "manage"),
    ("channel_edit", {"channel_id": "channel"}, "get", "manage"),
    ("channel_test", {"channel_id": "channel"}, "post", "manage"),
    ("channel_delete", {"channel_id": "channel"}, "post", "manage"),
    ("notifications", {}, "get", "everyone"),
    ("notifications_read", {}, "post", "everyone"),
    ("crises", {}, "get", "view"),
    ("crisis_open", {}, "post", "manage"),
    ("crisis", {"crisis_id": "crisis"}, "get", "view"),
    ("crisis_item", {"crisis_id": "crisis", "item_id": "item"}, "post", "work"),
    ("crisis_action", {"crisis_id": "crisis"}, "post", "work"),
    ("crisis_statement", {"crisis_id": "crisis", "statement_id": "statement"}, "post", "work"),
    ("crisis_outbox", {"crisis_id": "crisis"}, "post", "manage"),
    ("crisis_close", {"crisis_id": "crisis"}, "post", "manage"),
    ("crisis_report", {"crisis_id": "crisis"}, "get", "view"),
    ("playbook", {}, "get", "manage"),
    ("statement_create", {}, "get", "manage"),
    ("statement_edit", {"statement_id": "statement"}, "get", "manage"),
    ("statement_delete", {"statement_id": "statement"}, "post", "manage"),
    ("contact_create", {}, "get", "manage"),
    ("contact_edit", {"contact_id": "contact"}, "get", "manage"),
    ("contact_delete", {"contact_id": "contact"}, "post", "manage"),
]
ALLOWED = {
    "everyone": set(Role),
    "view": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.MODERATOR, Role.ANALYST},
    "triage": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.MODERATOR},
    "work": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.MODERATOR},
    "manage": {Role.OWNER, Role.MANAGER},
}


def test_it_covers_every_crisis_url() -> None:
    from tests.test_access import ROUTES

    names = {r.name.split(":", 1)[1] for r in ROUTES if r.name.startswith("crisis:")}
    assert names - {"notification_open", "crisis_report_pdf"} == {v[0] for v in VIEWS}


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ANALYST, Role.APPROVER, Role.MANAGER])
def test_it_checks_the_role_on_every_view(personas: Personas, client: Any, role: str) -> None:
    samples = make_samples(personas)
    Membership.objects.filter(pk=personas.bob_membership.pk).update(role=role)
    client.force_login(personas.bob)
    for name, kwargs, method, needs in VIEWS:
        args = {key: getattr(samples, value).pk for key, value in kwargs.items()}
        data = {"action": "resume"} if name == "crisis_outbox" else {}
        response = getattr(client, method)(url(personas, name, **args), data)
        if role in ALLOWED[needs]:
            assert response.status_code in (200, 302), (name, role, response.status_code)
        else:
            assert response.status_code == 403, (name, role, response.status_code)


def test_it_lists_alerts_with_a_fixed_number_of_queries(
    personas: Personas, client: Any, django_assert_max_num_queries: Any
) -> None:
    rule = AlertRule.objects.create(workspace=personas.workspace_a, name="r", kind="influencer")
    for i in range(30):
        services.trigger(rule, dedup_key=f"k{i}", title=f"Alert number {i}")
    client.force_login(personas.alice)
    with django_assert_max_num_queries(14):
        response = client.get(url(personas, "alerts"))
    assert "Alert number 29" in text(response)


def test_it_saves_a_rule_and_a_webhook_channel(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    response = client.post(
        url(personas, "channel_create"),
        {
            "name": "Slack #crisis",
            "kind": "webhook",
            "format": "slack",
            "url": "https://hooks.slack.com/services/T/B/xyz",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get(workspace=personas.workspace_a)
    edit = client.get(url(personas, "channel_edit", channel_id=channel.id)).content.decode()
    assert "xyz" not in edit and "hooks.slack.com/services" not in edit
    response = client.post(
        url(personas, "rule_create"),
        {
            "name": "Volume",
            "kind": "volume_spike",
            "severity": "high",
            "scope": "all",
            "sensitivity": "5",
            "cooldown_minutes": "120",
            "notify_in_app": "on",
            "channels": [str(channel.id)],
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AlertRule.objects.get(workspace=personas.workspace_a)
    assert list(rule.channels.all()) == [channel] and rule.cooldown_minutes == 120
    assert "Volume" in text(client.get(url(personas, "rules")))


def test_it_explains_a_rule_form_error(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    rule = {
        "name": "Q",
        "kind": "query_match",
        "severity": "low",
        "sensitivity": "5",
        "cooldown_minutes": "60",
    }
    response = client.post(url(personas, "rule_create"), rule)
    assert response.status_code == 200
    assert "This field is required." in text(response).split("Mentions", 1)[1][:400]  # a choice
    response = client.post(url(personas, "rule_create"), {**rule, "scope": "queries"})
    assert "Tick at least one query, or choose all the workspace's mentions." in text(response)
    response = client.post(url(personas, "rule_create"), {**rule, "scope": "all"})
    assert "Choose the queries whose matches alert." in text(response)
    assert not AlertRule.objects.exists()


def test_it_opens_a_crisis_from_an_alert_page(personas: Personas, client: Any) -> None:
    rule = AlertRule.objects.create(workspace=personas.workspace_a, name="r", kind="influencer")
    alert = services.trigger(rule, dedup_key="k", title="Big author", value=5000, score=0.9)
    client.force_login(personas.alice)
    page = text(client.get(url(personas, "alert", alert_id=alert.id)))
    assert "Big author" in page and "5000" in page and "Open a crisis from this alert" in page
    response = client.post(
        url(personas, "crisis_open"), {"title": "", "severity": "critical", "alert": alert.id}
    )
    crisis = Crisis.objects.get(workspace=personas.workspace_a)
    assert response["Location"] == url(personas, "crisis", crisis_id=crisis.id)
    assert crisis.alert == alert and crisis.title == "Big author"
    # The crisis list now goes to the open crisis.
    assert client.get(url(personas, "crises"))["Location"] == response["Location"]
    page = text(client.get(response["Location"]))
    assert "The outbox is paused" in page and "Nous avons connaissance" in page


def test_it_refuses_an_alert_of_another_workspace(personas: Personas, client: Any) -> None:
    rule = AlertRule.objects.create(workspace=personas.workspace_b, name="r", kind="influencer")
    alert = services.trigger(rule, dedup_key="k", title="B's")
    client.force_login(personas.alice)
    response = client.post(url(personas, "crisis_open"), {"severity": "high", "alert": alert.id})
    assert response.status_code == 404
    assert not Crisis.objects.exists()


def test_it_ticks_a_checklist_item_with_htmx(personas: Personas, client: Any) -> None:
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    item = crisis.checklist.first()
    client.force_login(personas.bob)
    response = client.post(
        url(personas, "crisis_item", crisis_id=crisis.id, item_id=item.id),
        {"done": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith("<li") and "is-done" in body and "Bob Durand" in body
    item.refresh_from_db()
    assert item.done_by == personas.bob


def test_it_closes_a_crisis_and_serves_its_reports(personas: Personas, client: Any) -> None:
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    client.force_login(personas.alice)
    response = client.post(
        url(personas, "crisis_close", crisis_id=crisis.id),
        {"summary": "Lessons", "resume": "on", "undone_confirmed": "on"},
    )
    assert response.status_code == 302
    page = client.get(url(personas, "crisis", crisis_id=crisis.id))
    assert url(personas, "crisis_report_pdf", crisis_id=crisis.id) in parsed(page).links
    html = client.get(url(personas, "crisis_report", crisis_id=crisis.id) + "?download=1")
    assert html["Content-Disposition"].startswith("attachment;") and b"Lessons" in html.content
    pdf = client.get(url(personas, "crisis_report_pdf", crisis_id=crisis.id))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_it_shows_the_bell_and_marks_notifications_read(personas: Personas, client: Any) -> None:
    rule = AlertRule.objects.create(workspace=personas.workspace_a, name="r", kind="influencer")
    alert = services.trigger(rule, dedup_key="k", title="Look at this")
    services.deliver_alert(alert.id)
    client.force_login(personas.bob)
    home = client.get(
        reverse("workspace_home", kwargs={"workspace_slug": personas.workspace_a.slug})
    )
    assert "Notifications: 1 unread" in home.content.decode()
    note = Notification.objects.get(user=personas.bob)
    response = client.post(url(personas, "notification_open", notification_id=note.id))
    assert response["Location"] == url(personas, "alert", alert_id=alert.id)
    note.refresh_from_db()
    assert note.read_at is not None
    # Alice's notification is hers: Bob cannot open it.
    other = Notification.objects.get(user=personas.alice)
    assert (
        client.post(url(personas, "notification_open", notification_id=other.id)).status_code == 404
    )
    client.post(url(personas, "notifications_read"))
    assert Notification.objects.filter(user=personas.bob, read_at=None).count() == 0


def test_it_edits_the_playbook(personas: Personas, client: Any) -> None:
    client.force_login(personas.alice)
    assert "Tell the head of communication" in text(client.get(url(personas, "playbook")))
    client.post(
        url(personas, "playbook"),
        {"call": "Call Marie\n\nCall Paul", "prepare": "", "validate": "Legal OK"},
    )
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Recall")
    assert list(crisis.checklist.values_list("text", flat=True)) == [
        "Call Marie",
        "Call Paul",
        "Legal OK",
    ]


def test_it_triages_an_alert(personas: Personas, client: Any) -> None:
    rule = AlertRule.objects.create(workspace=personas.workspace_a, name="r", kind="influencer")
    alert = services.trigger(rule, dedup_key="k", title="t")
    client.force_login(personas.bob)
    client.post(url(personas, "alert_status", alert_id=alert.id), {"status": "closed"})
    assert Alert.objects.get(id=alert.id).status == "closed"


def test_it_speaks_french(personas: Personas, client: Any) -> None:
    crisis = services.open_crisis(personas.workspace_a, personas.alice, title="Rappel")
    client.force_login(personas.alice)
    page = text(client.get(url(personas, "crisis", crisis_id=crisis.id), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Liste de contrôle" in page and "Déclarations d'attente" in page
    assert "Clore la crise" in page


def test_a_notification_reads_in_the_language_of_whoever_opens_it(
    personas: Personas, client: Any
) -> None:
    # Alert titles and notifications were frozen in the language of their creation (issue 10, 14).
    from ambassade.crisis.signals_feed import MentionFacts

    assert personas.workspace_a.language == "en"  # the alert is made in English…
    AlertRule.objects.create(
        workspace=personas.workspace_a, name="r", kind="influencer", min_followers=10_000
    )
    star = MentionFacts(id=1, author_handle="@star", author_followers=250_000, text="Wow")
    (alert,) = services.evaluate_mentions(personas.workspace_a, [star])
    services.deliver_alert(alert.id)
    crisis = services.open_crisis(personas.workspace_a, personas.alice, alert=alert)
    client.force_login(personas.bob)
    # …and read in French by a French reader, in English by an English one.
    page = text(client.get(url(personas, "notifications"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "@star (250 000 abonnés) a publié une mention" in page.replace("\xa0", " ")
    assert "posted a mention" not in page
    page = text(client.get(url(personas, "notifications"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "@star (250,000 followers) posted a mention" in page
    page = text(client.get(url(personas, "crisis", crisis_id=crisis.id), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "File de publication suspendue : les publications programmées sont retenues." in page
    assert "Outbox paused" not in page


def test_it_explains_how_spike_alerts_are_rated(personas: Personas, client: Any) -> None:
    from tests.crisis.conftest import NOW, series

    rule = AlertRule.objects.create(
        workspace=personas.workspace_a, name="Volume", kind="volume_spike", severity="critical"
    )
    AlertRule.objects.create(
        workspace=personas.workspace_a, name="Stars", kind="influencer", min_followers=5
    )
    hour = NOW.replace(minute=0) - timedelta(hours=1)
    (alert,) = services.feed_series(personas.workspace_a, now=NOW, count=series({hour: 22}))
    client.force_login(personas.alice)
    page = text(client.get(url(personas, "alert", alert_id=alert.id)))
    assert "Severity Low 22 in an hour against about 9.9 expected (2.2 times as many)" in page
    assert "about as rare as what the default sensitivity alerts on" in page
    rules = text(client.get(url(personas, "rules")))
    assert "How spike alerts are rated" in rules
    assert "at least three times the expected count, 20 more or over" in rules
    assert "all mentions, competitors included · sensitivity 5/10" in rules
    assert rule.name in rules
    french = text(client.get(url(personas, "alert", alert_id=alert.id), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "22 en une heure" in french and "9,9" in french
