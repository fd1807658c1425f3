"""Walk every URL pattern of the product and check that nobody reaches another workspace's data.

The walk reads the URL configuration itself (``get_resolver()``), so URLs that later apps add are
checked without anyone listing them here. Each URL argument is filled from ``SAMPLES`` with an object
of workspace A; a URL with an argument missing from ``SAMPLES`` fails the test, and so does a URL
without arguments that is not declared in ``GLOBAL`` (not about a workspace's data) — so that nothing
escapes the check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from tests.analytics.samples import samples as analytics_samples
from tests.bugreports.samples import samples as bug_samples
from tests.community.samples import samples as community_samples
from tests.conftest import Personas
from tests.contests.samples import samples as contest_samples
from tests.crisis.samples import make_samples
from tests.events.samples import samples as event_samples
from tests.inbox.samples import samples as inbox_samples
from tests.inbox.targets.samples import samples as target_samples
from tests.listening.samples import samples as listening_samples
from tests.mailing.samples import samples as mailing_samples
from tests.missions.samples import samples as mission_samples
from tests.moderation.samples import samples as moderation_samples
from tests.products.samples import product as product_sample
from tests.publishing import samples
from tests.referrals.samples import samples as referral_samples
from tests.replies.samples import samples as replies_samples

# URL argument name -> a value pointing at workspace A's data. Add one when you add a URL argument.
SAMPLES: dict[str, Callable[[Personas], Any]] = {
    "workspace_slug": lambda p: p.workspace_a.slug,
    "membership_id": lambda p: p.bob_membership.pk,
    "invitation_id": lambda p: p.invitation.pk,
    "invitation_token": lambda p: p.invitation_token,
    "connection_id": lambda p: p.connection.pk,
    "audit_entry_id": lambda p: p.audit_entry.pk,
    "rule_id": lambda p: make_samples(p).rule.pk,
    "alert_id": lambda p: make_samples(p).alert.pk,
    "channel_id": lambda p: make_samples(p).channel.pk,
    "notification_id": lambda p: make_samples(p).notification.pk,
    "crisis_id": lambda p: make_samples(p).crisis.pk,
    "item_id": lambda p: make_samples(p).item.pk,
    "statement_id": lambda p: make_samples(p).statement.pk,
    "contact_id": lambda p: make_samples(p).contact.pk,
    "source_id": lambda p: listening_samples(p).source.pk,
    "query_id": lambda p: listening_samples(p).query.pk,
    "mention_id": lambda p: listening_samples(p).mention.pk,
    "post_id": lambda p: samples.post_of_a(p).pk,
    "variant_id": lambda p: samples.variant_of_a(p).pk,
    "media_id": lambda p: samples.media_of_a(p).pk,
    "member_id": lambda p: community_samples(p).member.pk,
    "identity_id": lambda p: community_samples(p).identity.pk,
    "consent_token": lambda p: community_samples(p).consent_token,
    "note_id": lambda p: community_samples(p).note.pk,
    "segment_id": lambda p: community_samples(p).segment.pk,
    "field_id": lambda p: community_samples(p).field.pk,
    "import_id": lambda p: community_samples(p).customer_import.pk,
    "network": lambda p: "linkedin",
    "conversation_id": lambda p: inbox_samples(p).conversation.pk,
    "team_id": lambda p: inbox_samples(p).team.pk,
    "label_id": lambda p: inbox_samples(p).label.pk,
    "routing_rule_id": lambda p: inbox_samples(p).rule.pk,
    "saved_view_id": lambda p: inbox_samples(p).view.pk,
    "reply_id": lambda p: replies_samples(p).reply.pk,
    "saved_reply_id": lambda p: replies_samples(p).saved.pk,
    "holiday_id": lambda p: target_samples(p).holiday.pk,
    "target_id": lambda p: target_samples(p).target.pk,
    "moderation_rule_id": lambda p: moderation_samples(p).rule.pk,
    "network_action_id": lambda p: moderation_samples(p).action.pk,
    "charter_token": lambda p: moderation_samples(p).charter.token,
    "appeal_token": lambda p: moderation_samples(p).strike.token,
    "appeal_id": lambda p: moderation_samples(p).appeal.pk,
    "tracker_id": lambda p: bug_samples(p).tracker.pk,
    "bug_report_id": lambda p: bug_samples(p).report.pk,
    "contest_id": lambda p: contest_samples(p).contest.pk,
    "entry_id": lambda p: contest_samples(p).entry.pk,
    "contest_token": lambda p: contest_samples(p).contest.token,
    "event_id": lambda p: event_samples(p).event.pk,
    "rsvp_id": lambda p: event_samples(p).rsvp.pk,
    "event_token": lambda p: event_samples(p).event.token,
    "rsvp_token": lambda p: event_samples(p).rsvp_token,
    "withdraw_token": lambda p: event_samples(p).withdraw_token,
    "product_id": lambda p: product_sample(p).pk,
    "mission_id": lambda p: mission_samples(p).mission.pk,
    "completion_id": lambda p: mission_samples(p).completion.pk,
    "objective_id": lambda p: analytics_samples(p).objective.pk,
    "kpi_id": lambda p: analytics_samples(p).kpi.pk,
    "report_id": lambda p: analytics_samples(p).report.pk,
    "block": lambda p: "top_mentions",
    "campaign_id": lambda p: mailing_samples(p).campaign.pk,
    "lang": lambda p: "en",
    "recipient_token": lambda p: mailing_samples(p).recipient.token,
    "email_token": lambda p: "e" + "x" * 32,
    "account_id": lambda p: analytics_samples(p).competitor.pk,
    "site_id": lambda p: analytics_samples(p).site.pk,
    "area": lambda p: "inbox",
    "table": lambda p: "networks",
    "referral_id": lambda p: referral_samples(p).referral.pk,
    "code_id": lambda p: referral_samples(p).code.pk,
}

# Arguments that name a part of a page (an analytics area, a table), not an object of workspace A:
# Charlie may open them in his own workspace.
NAMES = {"area", "table"}

# URLs that hold no workspace's data, with the reason. Charlie may get 200 from them.
GLOBAL: dict[str, str] = {
    "set_language": "Django's language switch",
    "login": "log-in page",
    "logout": "log-out (POST)",
    "password_reset": "asks for a reset e-mail, whoever asks",
    "password_reset_done": "static confirmation",
    "password_reset_confirm": "guarded by Django's signed, expiring token (tests/workspaces/test_auth)",
    "password_reset_complete": "static confirmation",
    "password_change": "the person's own password",
    "password_change_done": "static confirmation",
    "home": "lists the person's own workspaces",
    "analytics:agency": "the person's own workspaces side by side, read from their memberships "
    "only (tests/analytics/test_agency.py: another agency's workspace never shows)",
    "analytics:agency_csv": "the same table as CSV, from the same memberships",
    "organisation_create": "creates a new organisation of one's own",
    "workspace_create": "offers only organisations the person owns a workspace of",
    "publishing:short_link": "public short link of a published post: counts a click, redirects",
    "oauth_callback": "lands only a flow the person's own session started, in a workspace they "
    "manage (tests/publishing/test_oauth.py)",
    "publishing:public_media": "a scheduled or published post's medium behind a signed token, "
    "for the networks that fetch media (tests/publishing/test_public_media.py)",
    "moderation:public_charter": "a workspace's community charter, public by design once "
    "published, behind its unguessable token (tests/moderation/test_views.py)",
    "moderation:appeal": "the public appeal page of one strike, behind its unguessable token: the "
    "decision, the member's own message and their appeal, nothing else of the workspace "
    "(tests/moderation/test_people.py)",
    "satisfaction:survey": "the public satisfaction page of one conversation, behind a signed "
    "unguessable token; it shows the workspace's name and the person's own answer, nothing else "
    "(tests/satisfaction/test_survey_page.py)",
    "contests:verify": "checks a draw file anyone gives; reads no stored data "
    "(tests/contests/test_views.py)",
    "contests:public": "a contest's public page, public by design, behind its unguessable "
    "token; it shows that contest and nothing else of the workspace (tests/contests/test_views.py)",
    "contests:rules": "a contest's public rules, behind the same token",
    "contests:draw_file": "a drawn contest's published draw file, behind the same token",
    "events:public": "an event's public page with its RSVP form, public by design, behind its "
    "unguessable token; it shows that event and nothing else of the workspace "
    "(tests/events/test_views.py)",
    "events:ics": "an event's calendar file, behind the same token",
    "events:ticket": "one person's ticket and cancellation, behind their signed private link; it "
    "shows their own name and ticket, nothing else of the workspace (tests/events/test_views.py)",
    "events:ticket_ics": "that person's calendar file, behind the same link",
    "events:withdraw": "the link in one person's event e-mails that withdraws their consent to "
    "them, behind its own signed token; it shows the event and the organiser, nothing else of the "
    "workspace (tests/events/test_withdrawal.py)",
    "community:optin": "the public double opt-in page of one consent request, behind a signed "
    "unguessable token; it shows the brand's name and the person's own address, nothing else "
    "(tests/community/test_consent.py)",
    "mailing:unsubscribe": "the public unsubscribe page of one campaign e-mail, behind its "
    "recipient's unguessable token; it shows the brand's name and the person's own address, "
    "nothing else (tests/mailing/test_tracking.py)",
    "mailing:open": "a campaign's open pixel: the same image for any token, counts an open only "
    "for a campaign that asks (tests/mailing/test_tracking.py)",
    "events:open": "an event e-mail's open pixel: the same image for any token, counts an open "
    "only for an event that asks (tests/events/test_tracking.py)",
    "referrals:hook": "where the brand's site posts referral sign-ups and conversions, behind an "
    "unguessable address; a call must be signed with the programme's secret and the answer names "
    "only the referral it recorded (tests/referrals/test_api.py)",
    "bugreports:webhook": "where a tracker's webhook posts, behind an unguessable address; a "
    "delivery must be signed with that tracker's secret and the answer is a bare status "
    "(tests/bugreports/test_following.py)",
}

# URLs an anonymous visitor may open without being sent to the log-in page.
PUBLIC = {
    "set_language",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    "publishing:short_link",
    "publishing:public_media",
    "moderation:public_charter",
    "moderation:appeal",
    "satisfaction:survey",
    "bugreports:webhook",
    "referrals:hook",
    "contests:verify",
    "contests:public",
    "contests:rules",
    "contests:draw_file",
    "events:public",
    "events:ics",
    "events:ticket",
    "events:ticket_ics",
    "events:withdraw",
    "community:optin",
    "mailing:unsubscribe",
    "mailing:open",
    "events:open",
}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    arguments: tuple[str, ...]


def _arguments(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    names = list(pattern.regex.groupindex)
    if pattern.regex.groups > len(names):
        names.append("<unnamed regex group: use named groups>")  # never in SAMPLES: fails below
    return names


def walk(
    patterns: list[Any] | None = None, namespace: str = "", route: str = "", arguments: tuple = ()
) -> Iterator[Route]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        here = (*arguments, *_arguments(entry.pattern))
        text = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, text, here)
        elif isinstance(entry, URLPattern):
            yield Route(f"{namespace}{entry.name}" if entry.name else "", text, here)


ROUTES = list(walk())


def test_it_finds_the_workspace_urls() -> None:
    names = {route.name for route in ROUTES}
    assert {"workspace_home", "workspace_members", "workspace_connection_remove"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=[r.name or r.route for r in ROUTES])
def test_it_refuses_another_workspace_data_to_charlie(
    route: Route, personas: Personas, client: Any
) -> None:
    check_refused_to_charlie(route, personas, client)


def check_refused_to_charlie(route: Route, personas: Personas, client: Any) -> None:
    assert route.name, f"URL {route.route!r} has no name: name it so it can be checked"
    if route.name in GLOBAL:
        return
    if not route.arguments:
        raise AssertionError(
            f"URL {route.name!r} ({route.route}) has no argument, so it cannot point at workspace "
            "A's data: if it is not about a workspace, add it to GLOBAL in tests/test_access.py "
            "with the reason; if it is, give it a <slug:workspace_slug> argument."
        )
    missing = [name for name in route.arguments if name not in SAMPLES]
    assert not missing, (
        f"URL {route.name!r} ({route.route}) has arguments {missing} with no sample: add them to "
        "SAMPLES in tests/test_access.py, each giving an object of workspace A."
    )
    client.force_login(personas.charlie)
    kwargs = {name: SAMPLES[name](personas) for name in route.arguments}
    attempts = [reverse(route.name, kwargs=kwargs)]
    if "workspace_slug" in kwargs and set(kwargs) - {"workspace_slug"} - NAMES:
        # Charlie's own workspace in the URL with A's object ids: the queryset helper must refuse.
        attempts.append(
            reverse(route.name, kwargs={**kwargs, "workspace_slug": personas.workspace_b.slug})
        )
    for index, url in enumerate(attempts):
        for method in (client.get, client.post):
            response = method(url)
            refusals = {403, 404}
            if index == 1 and method == client.get:
                refusals.add(405)  # a POST-only view of Charlie's own workspace: nothing read
            assert response.status_code in refusals, (
                f"{method.__name__.upper()} {url} answered {response.status_code} to Charlie, "
                "who has no access to workspace A"
            )
    # Nothing happened to A's objects.
    personas.invitation.refresh_from_db()
    personas.connection.refresh_from_db()
    personas.bob_membership.refresh_from_db()
    assert personas.invitation.accepted_at is None


@pytest.mark.parametrize("route", ROUTES, ids=[r.name or r.route for r in ROUTES])
def test_it_sends_anonymous_visitors_to_the_login_page(
    route: Route, personas: Personas, client: Any
) -> None:
    if route.name in PUBLIC or any(name not in SAMPLES for name in route.arguments):
        return  # public, or already failing in the test above
    kwargs = {name: SAMPLES[name](personas) for name in route.arguments}
    url = reverse(route.name, kwargs=kwargs)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__.upper()} {url}"
        assert response["Location"].startswith(reverse("login")), response["Location"]


# --- the walk checks itself: a view that forgets the helper is caught -----------------------------


def _leaky_view(request: Any, workspace_slug: str, connection_id: int) -> HttpResponse:
    from ambassade.workspaces.models import Connection

    return HttpResponse(Connection.objects.get(id=connection_id).account_name)  # no scoping


def _scoped_but_unchecked_view(request: Any, workspace_slug: str) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [
    path("w/<slug:workspace_slug>/leak/<int:connection_id>/", _leaky_view, name="leak"),
    path("w/<slug:workspace_slug>/hello/", _scoped_but_unchecked_view, name="hello"),
    path("about/", _scoped_but_unchecked_view, name="about"),
    path("odd/<int:gadget_id>/", _scoped_but_unchecked_view, name="odd"),
    path("", include("ambassade.config.urls")),
]


@pytest.mark.urls("tests.test_access")
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("leak", "answered 200 to Charlie"),
        ("hello", "answered 200 to Charlie"),
        ("about", "add it to GLOBAL"),
        ("odd", "with no sample"),
    ],
)
def test_it_catches_views_that_skip_the_permission_helper(
    name: str, message: str, personas: Personas, client: Any
) -> None:
    route = next(route for route in walk() if route.name == name)
    with pytest.raises(AssertionError, match=message):
        check_refused_to_charlie(route, personas, client)
