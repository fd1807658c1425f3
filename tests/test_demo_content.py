"""What `ambassade demo` gives the demo brand besides its mentions, in process: alert rules whose alerts
come from evaluating the backfilled incident (none written by hand), a playbook, and posts in the
approval queue and among the drafts — and nothing more on a second run."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.test import override_settings

from ambassade.analytics import kpis
from ambassade.analytics.models import Kpi
from ambassade.bugreports.models import BugReport, Tracker
from ambassade.community import discovery
from ambassade.community.models import Activity, Member
from ambassade.config.demo import DEMO_EMAIL, WORKSPACE, ensure_demo, ensure_demo_content
from ambassade.contests import drawing as contest_drawing
from ambassade.contests.models import Contest, Entry
from ambassade.crisis.demo import HISTORY_DAYS, INCIDENT_QUERY
from ambassade.crisis.models import (
    Alert,
    AlertRule,
    Channel,
    EscalationContact,
    HoldingStatement,
    PlaybookTemplate,
)
from ambassade.engine.draw import verify
from ambassade.engine.signals import spike_severity
from ambassade.events.models import Event, Invitation, Rsvp
from ambassade.inbox.models import Conversation, Message
from ambassade.inbox.targets.models import BusinessHours, Deadline, Holiday, Target
from ambassade.listening.demo import ensure_demo_stream, last_month_start
from ambassade.listening.models import ListeningQuery, Mention
from ambassade.missions.models import Completion, Mission
from ambassade.moderation.models import Decision
from ambassade.products.models import Product, ProductMention
from ambassade.publishing import approvals
from ambassade.publishing.models import Post, Review, Status, Variant
from ambassade.publishing.outbox import hold
from ambassade.publishing.outbox import posts as outbox
from ambassade.referrals.models import Referral, Reward
from ambassade.satisfaction import services as satisfaction
from ambassade.satisfaction.models import Survey
from ambassade.workspaces.models import AuditEntry, Connection, Workspace

NOW = datetime(2026, 3, 12, 10, 25, tzinfo=UTC)


def _counts(workspace: Workspace) -> dict[str, int]:
    return {
        "rules": AlertRule.objects.filter(workspace=workspace).count(),
        "channels": Channel.objects.filter(workspace=workspace).count(),
        "alerts": Alert.objects.filter(workspace=workspace).count(),
        "contacts": EscalationContact.objects.filter(workspace=workspace).count(),
        "statements": HoldingStatement.objects.filter(workspace=workspace).count(),
        "connections": Connection.objects.filter(workspace=workspace).count(),
        "posts": Post.objects.filter(workspace=workspace).count(),
        "reviews": Review.objects.filter(workspace=workspace).count(),
        "audit": AuditEntry.objects.filter(workspace=workspace).count(),
        "moderation": Decision.objects.filter(workspace=workspace).count(),
        "contests": Contest.objects.filter(workspace=workspace).count(),
        "entries": Entry.objects.filter(workspace=workspace).count(),
        "events": Event.objects.filter(workspace=workspace).count(),
        "rsvps": Rsvp.objects.filter(workspace=workspace).count(),
        "products": Product.objects.filter(workspace=workspace).count(),
        "product_links": ProductMention.objects.filter(workspace=workspace).count(),
        "kpis": Kpi.objects.filter(workspace=workspace).count(),
        "missions": Mission.objects.filter(workspace=workspace).count(),
        "completions": Completion.objects.filter(workspace=workspace).count(),
        "referrals": Referral.objects.filter(workspace=workspace).count(),
    }


@pytest.fixture(scope="module")
def demo_stream(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, Path]]:
    """The demo brand and its stream, built once per module (minutes on a loaded machine) inside a
    transaction that is rolled back after the module's last test. Each test runs in a savepoint
    within it (pytest-django's ``db``), so it starts from the same rows whatever ran before it; its
    data directory is a copy of the one the build wrote. Gives the workspace's id and that directory."""
    data = tmp_path_factory.mktemp("demo-data")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                DATA_DIR=data,
                LANGUAGE_CODE="en",
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                ensure_demo(io.StringIO())
                workspace = Workspace.objects.get(slug=WORKSPACE[1])
                # As build_demo does: full history for the detectors, lighter back to the last
                # whole month.
                since = last_month_start(NOW, workspace.time_zone)
                ensure_demo_stream(
                    workspace, io.StringIO(), now=NOW, days=HISTORY_DAYS, since=since
                )
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield workspace.pk, data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(
    demo_stream: tuple[int, Path], db: Any, settings: Any, tmp_path: Path, fast_hasher: None
) -> Workspace:
    workspace_id, data = demo_stream
    shutil.copytree(data, tmp_path, dirs_exist_ok=True)
    settings.DATA_DIR = tmp_path
    settings.LANGUAGE_CODE = "en"
    return Workspace.objects.get(pk=workspace_id)


def test_the_demo_has_rules_real_alerts_a_playbook_and_posts(demo: Workspace) -> None:
    out = io.StringIO()
    ensure_demo_content(demo, out, now=NOW)

    kinds = set(AlertRule.objects.filter(workspace=demo).values_list("kind", flat=True))
    # response_time: the inbox's late answers (inbox/targets/demo.py).
    assert kinds == {
        "volume_spike",
        "negativity_spike",
        "influencer",
        "query_match",
        "response_time",
    }
    incident_query = ListeningQuery.objects.get(workspace=demo, name=INCIDENT_QUERY)
    assert AlertRule.objects.get(workspace=demo, kind="query_match").query_ids == [
        incident_query.pk
    ]
    # The other rules watch the brand's own query, not the competitors' mentions.
    brand = ListeningQuery.objects.get(workspace=demo, kind="brand")
    for kind in ("volume_spike", "negativity_spike", "influencer"):
        assert AlertRule.objects.get(workspace=demo, kind=kind).query_ids == [brand.pk], kind
    assert AlertRule.objects.get(workspace=demo, kind="influencer").min_followers == 50_000
    channel = Channel.objects.get(workspace=demo)
    assert channel.recipient_list() == [DEMO_EMAIL]
    assert all(rule.channels.filter(pk=channel.pk).exists() for rule in AlertRule.objects.all())

    # Real alerts: raised by the rules on the backfilled mentions, at the time they would have been.
    alerts = list(Alert.objects.filter(workspace=demo))
    assert alerts
    assert all(NOW - timedelta(days=2, hours=1) <= a.triggered_at <= NOW for a in alerts)
    incident = [a for a in alerts if a.kind == "query_match"]
    assert incident, "the incident's query matched nothing"
    texts = Mention.objects.filter(id__in=incident[0].mention_ids).values_list("text", flat=True)
    assert texts and all(
        any(tag in text.lower() for tag in ("double", "deux fois", "twice", "débit", "charg"))
        for text in texts
    )
    spikes = Alert.objects.filter(workspace=demo, kind__in=["volume_spike", "negativity_spike"])
    assert spikes.exists(), "the incident raised no spike alert"
    assert all(a.baseline is not None and a.value > a.baseline for a in spikes)
    assert all(f"“{brand.name}”" in a.title for a in spikes)
    # Each spike alert is rated by how unusual it is, not by its rule.
    assert all(
        a.severity == spike_severity(a.value, a.baseline, a.details["rarity"]) for a in spikes
    )
    influencers = Alert.objects.filter(workspace=demo, kind="influencer")
    assert all(a.value >= 50_000 for a in influencers)
    assert all(
        Mention.objects.filter(id__in=a.mention_ids, matches__query=brand).exists()
        for a in influencers
    )
    assert "Evaluating the alert rules over the last 48 hours" in out.getvalue()

    # The playbook: the defaults and the brand's own step, contacts, a statement on the incident.
    playbook = PlaybookTemplate.objects.get(workspace=demo)
    assert len(playbook.items) == 10
    assert EscalationContact.objects.filter(workspace=demo).count() == 3
    assert HoldingStatement.objects.filter(
        workspace=demo, title="Double charges in the app"
    ).exists()

    # Posts: awaiting approval (with comments), one sent back with its reason, drafts; nothing that
    # the outbox would try on the demo accounts, which are marked as needing reconnection.
    assert set(Connection.objects.filter(workspace=demo).values_list("status", flat=True)) == {
        Connection.Status.NEEDS_RECONNECTION
    }
    # (Besides the past posts recorded as published: test_the_publishing_area_shows_…)
    coming = Post.objects.filter(workspace=demo).exclude(variants__status=Status.PUBLISHED)
    statuses = [post.status for post in coming]
    assert statuses.count(Status.PENDING_APPROVAL) == 3
    assert statuses.count(Status.DRAFT) == 3
    assert not Variant.objects.filter(workspace=demo).exclude(
        status__in=[Status.DRAFT, Status.PENDING_APPROVAL, Status.PUBLISHED]
    )
    assert Post.objects.filter(workspace=demo).exclude(rejection_reason="").count() == 1
    assert Review.objects.filter(workspace=demo, kind=Review.Kind.COMMENT).count() == 2
    assert {post.text[:3] for post in Post.objects.filter(workspace=demo)} >= {"Our", "Vou"}
    pending = Post.objects.filter(workspace=demo, variants__status=Status.PENDING_APPROVAL)
    assert all(NOW < p.scheduled_at < NOW + timedelta(days=14) for p in pending.distinct())
    assert hold.outbox_settings(demo).approval_steps == 1
    assert not outbox.due_variant_ids(NOW + timedelta(days=30))


def _moderation(demo: Workspace) -> None:
    """A published charter, rules whose actions on the networks stay in log mode, a queue, a raid
    (held, crisis mode suggested) and a warned member."""
    from ambassade.crisis.models import Alert
    from ambassade.moderation.models import Charter, NetworkAction, Review, Rule, Strike

    assert Charter.objects.get(workspace=demo).published
    rules = list(Rule.objects.filter(workspace=demo))
    acting = [r for r in rules if {"hide", "delete", "mute", "ban"} & set(r.actions)]
    assert len(rules) == 6 and acting and all(rule.mode == "log" for rule in acting)
    assert Review.objects.filter(workspace=demo).exists()
    assert not NetworkAction.objects.filter(workspace=demo).exists()
    raid = Review.objects.filter(workspace=demo, rule_name="Raid")
    assert raid.count() == 2  # the 5th and 6th accounts: 5 and 6 authors within 10 minutes
    assert Alert.objects.get(workspace=demo, kind="raid").repeats == 1
    warned = Strike.objects.get(workspace=demo, kind="warn")
    assert warned.message and warned.handle not in {"truth_now", "no_lies"}


def _contests(demo: Workspace) -> None:
    """A contest drawn from the stream's hashtag, whose draw file verifies, and an open one."""
    drawn = Contest.objects.get(workspace=demo, drawn_at__isnull=False)
    published = contest_drawing.published(drawn)
    assert published is not None and verify(published).ok
    assert drawn.entry_count >= 10 and len(drawn.results) == 5
    assert Entry.objects.filter(contest=drawn).exclude(excluded="").exists()  # spam left out
    # Who may win: not the recent winners of a saved segment, one entrant left out at the freeze.
    (rule,) = drawn.segment_rules.all()
    assert (rule.rule, rule.name) == ("exclude", "Gagnants récents") and len(rule.left_out) == 1
    left = Entry.objects.get(contest=drawn, code=rule.left_out[0])
    assert left.excluded and left.code not in drawn.results
    opened = Contest.objects.get(workspace=demo, drawn_at__isnull=True)
    assert opened.phase(NOW) == Contest.Phase.OPEN and opened.entries.count() >= 2


def _events(demo: Workspace) -> None:
    """A full workshop with a waiting list, an online Q&A, a past tasting with check-ins."""
    workshop = Event.objects.get(workspace=demo, title_en="Latte art workshop")
    assert workshop.phase(NOW) == "upcoming"
    assert workshop.rsvps.filter(status="confirmed").count() == workshop.capacity == 12
    assert workshop.rsvps.filter(status="waitlisted").count() == 3
    tasting = Event.objects.get(workspace=demo, title_en="Ethiopian coffee tasting")
    assert (
        tasting.phase(NOW) == "past"
        and tasting.rsvps.filter(checked_in_at__isnull=False).count() == 11
    )
    qa = Event.objects.get(workspace=demo, title_en="Live Q&A with our roasters")
    assert qa.online
    # Invitations sent to a saved segment, some opened and clicked, on the members' timelines.
    invited = Invitation.objects.filter(event=qa)
    assert invited.count() >= 3 and {i.segment_name for i in invited} == {
        "Inscrits aux e-mails d’événements"
    }
    assert not invited.exclude(state="sent").exists()
    assert invited.filter(opened_at__isnull=False).exists()
    assert invited.filter(clicked_at__isnull=False).exists()
    clicked = invited.filter(clicked_at__isnull=False).first()
    assert (
        clicked is not None
        and Activity.objects.filter(
            source="events.invitation_click", source_id=clicked.pk, kind="email_click"
        ).exists()
    )


def _products(demo: Workspace) -> None:
    """A catalogue whose products have their past mentions linked, each by its scan."""
    products = list(Product.objects.filter(workspace=demo))
    assert len(products) == 6 and all(p.scan_done_at is not None for p in products)
    cold = next(p for p in products if p.name == "Cold brew")
    assert ProductMention.objects.filter(product=cold).count() >= 10


def _referrals(demo: Workspace) -> None:
    """An open programme with codes, converted sign-ups, granted rewards and one held."""
    referrals = Referral.objects.filter(workspace=demo)
    assert referrals.count() == 12 and referrals.filter(status="converted").count() == 4
    assert list(referrals.filter(review="held").values_list("flags", flat=True)) == [
        ["already_referred"]
    ]
    assert Reward.objects.filter(workspace=demo, status="granted").exists()
    assert demo.referral_programme.enabled and demo.referral_programme.secret()


def _mailing(demo: Workspace) -> None:
    """The campaigns target a saved segment, and the sent one reached exactly its recipients."""
    from ambassade.mailing import audiences
    from ambassade.mailing.models import Campaign, Recipient
    from ambassade.missions.models import Announcement

    # (A mission's announcement is a campaign of its own, to the mission's ambassadors.)
    campaigns = Campaign.objects.filter(workspace=demo).exclude(
        pk__in=Announcement.objects.values("campaign_id")
    )
    assert campaigns.count() == 2
    assert all(c.segment is not None and c.segment.name == c.segment_name for c in campaigns)
    sent = campaigns.get(state="sent")
    assert sent.segment is not None
    emailed = Member.objects.filter(pk__in=Recipient.objects.filter(campaign=sent).values("member"))
    consenting = Member.objects.filter(workspace=demo, consents__purpose="emailing").distinct()
    # The segment's own criterion holds for each, and it left some consenting members out.
    assert 0 < sent.total == emailed.count() < consenting.count()
    assert not emailed.filter(reach__lt=500).exists()
    assert audiences.breakdown(demo, campaigns.get(state="draft").segment).recipients > 0


def _score_history(demo: Workspace) -> None:
    """Months of stored scores for the most active members; regulars of more than a year ago
    drop a level at a new month (their old activities left the year's look-back)."""
    from ambassade.community import history
    from ambassade.community.models import ClassCount, ScoreHistory

    months, drops = 0, 0
    for member_id in ScoreHistory.objects.filter(workspace=demo).values_list(
        "member_id", flat=True
    ):
        points = history.member_history(member_id)
        months = max(months, len({(p.day.year, p.day.month) for p in points}))
        levels = [p.level for p in points]
        drops += any(later > earlier for earlier, later in pairwise(levels))
    assert months >= 5 and drops >= 1
    assert ClassCount.objects.filter(workspace=demo).count() >= 6


def test_a_second_run_creates_nothing(demo: Workspace) -> None:
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    _score_history(demo)
    _moderation(demo)
    _contests(demo)
    _events(demo)
    _products(demo)
    _referrals(demo)
    _mailing(demo)
    before = _counts(demo)
    out = io.StringIO()
    ensure_demo_content(demo, out, now=NOW + timedelta(minutes=5))
    assert _counts(demo) == before
    assert out.getvalue() == ""


def test_the_demo_has_missions_one_completed_by_a_message(demo: Workspace) -> None:
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    kinds = set(Mission.objects.filter(workspace=demo).values_list("kind", flat=True))
    assert kinds == {"share", "hashtag", "review", "answer"}
    evidence = dict(
        Completion.objects.filter(workspace=demo).values_list("evidence", "mention__text")
    )
    assert "mission.linked" in evidence and "mission.manual" in evidence
    assert "nouvelle-torrefaction" in evidence["mission.linked"]
    # A mission announced by e-mail to its ambassadors (missions/announcements.py).
    from ambassade.mailing.models import Recipient
    from ambassade.missions.models import Announcement

    (announcement,) = Announcement.objects.filter(workspace=demo)
    told = Recipient.objects.filter(campaign=announcement.campaign, state="sent")
    assert told.exists() and announcement.campaign.state == "sent"
    # Influencers to discover: a few authors outside the community (community/discovery.py). The
    # demo's named influencers used #cafelumiere during last week's contest and so entered it (or
    # were answered by the brand): since 187dc62 that puts them in the community, which leaves two.
    found = discovery.candidates(demo.pk, NOW)
    assert len(found) >= 2, [member.display_name for member, _found in found]
    assert not any(member.staff for member, _found in found)


def test_the_demo_has_objectives_measured_from_its_data(demo: Workspace) -> None:
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    rows = list(Kpi.objects.filter(workspace=demo).select_related("workspace"))
    # The last complete month's (the sample report's) and this month's, for the two first
    # objectives; this month's for the audience's.
    assert {(kpi.period_start.isoformat(), kpi.period_end.isoformat()) for kpi in rows} == {
        ("2026-02-01", "2026-02-28"),
        ("2026-03-01", "2026-03-31"),
    }
    by_kpi = {kpi.pk: kpis.measure(kpi, now=NOW) for kpi in rows}
    measured = {
        kpi.metric: by_kpi[kpi.pk] for kpi in rows if kpi.period_start.isoformat() == "2026-03-01"
    }
    assert len(measured) == 10
    assert (measured["mention_volume"].value or 0) > 0
    assert measured["net_sentiment"].value is not None
    # The audience's objective, from 90 days of the accounts' numbers (analytics/audience_demo.py).
    assert (measured["follower_growth"].value or 0) > 0
    assert (measured["engagement_rate_per_follower"].value or 0) > 0
    # Members who wrote in the days before the month and again in it (analytics/loyalty.py).
    assert (measured["retention"].value or 0) > 0
    assert "ambassadors" in measured
    # The same numbers read through the rollup of distinct mentions, once built (as `make demo`
    # builds it: listening.rollup).
    from ambassade.listening import rollup

    assert not rollup.usable(demo)
    assert rollup.rebuild(demo).state == "ready"
    assert rollup.usable(demo)
    for kpi in rows:
        assert kpis.measure(kpi, now=NOW).value == by_kpi[kpi.pk].value, kpi.metric


def test_an_approved_demo_post_fails_without_calling_any_network(demo: Workspace) -> None:
    """What happens if someone approves a demo post: the outbox refuses it in plain words, at once."""
    from django.contrib.auth import get_user_model

    ensure_demo_content(demo, io.StringIO(), now=NOW)
    owner = get_user_model().objects.get(email=DEMO_EMAIL)
    post = (
        Post.objects.filter(workspace=demo, variants__status=Status.PENDING_APPROVAL)
        .exclude(author=owner)
        .first()
    )
    assert post is not None
    approvals.approve_post(post, owner, now=NOW)

    def no_network(connection: Any) -> Any:
        raise AssertionError("the outbox called a network for a demo account")

    for variant_id in outbox.due_variant_ids(post.scheduled_at + timedelta(minutes=1)):
        outbox.publish_variant(
            variant_id, now=post.scheduled_at + timedelta(minutes=1), publisher_factory=no_network
        )
    variants = Variant.objects.filter(post=post)
    assert {v.status for v in variants} == {Status.FAILED}
    assert all("must be reconnected" in v.error and "Demo account" in v.error for v in variants)
    assert not variants.filter(Q(status=Status.PUBLISHED) | Q(status=Status.PUBLISHING))


def test_the_demo_has_a_sample_monthly_report_with_figures(demo: Workspace) -> None:
    from ambassade.analytics import reports
    from ambassade.analytics.reports_models import Report

    ensure_demo_content(demo, io.StringIO(), now=NOW)
    report = Report.objects.get(workspace=demo)
    assert report.template == "monthly" and report.logo and report.commentary
    assert report.schedule == "monthly" and report.recipient_list
    end = NOW.date()
    context = reports.build(report, end - timedelta(days=29), end, with_charts=False, now=NOW)
    tiles = {tile["code"]: tile for tile in context["sections"][0].tiles}
    assert tiles["mention_volume"]["value"] not in ("0", "—")


def test_the_sample_report_covers_the_last_whole_month_in_every_block(demo: Workspace) -> None:
    """The report's default period, the last complete month (February here), has mentions every
    day, conversations answered (so response rate and first-response time have values), the
    objectives of that month and no empty block."""
    from ambassade.analytics import reports
    from ambassade.analytics.reports_models import Report
    from ambassade.analytics.reports_parts import default_period

    ensure_demo_content(demo, io.StringIO(), now=NOW)
    report = Report.objects.get(workspace=demo)
    start, end = default_period(report, NOW.date())
    assert (start.isoformat(), end.isoformat()) == ("2026-02-01", "2026-02-28")
    context = reports.build(report, start, end, with_charts=False, now=NOW)
    sections = {section.code: section for section in context["sections"]}
    assert set(sections) == set(reports.TEMPLATE_BLOCKS["monthly"])
    assert not {code: s.empty for code, s in sections.items() if s.empty}
    days = sections["mentions"].tables[0].rows
    assert len(days) == 28 and all(row[-1] > 0 for row in days), days
    inbox = {tile["code"]: tile["value"] for tile in sections["inbox"].tiles}
    for code in ("received", "answered", "response_rate", "first_response_time", "csat"):
        assert inbox[code] not in ("0", "—"), (code, inbox)
    objectives = sections["objectives"].tables[0].rows
    assert len(objectives) == 6 and all(row[2] == "2026-02-01 – 2026-02-28" for row in objectives)
    assert all(row[3] not in ("", None) for row in objectives), objectives


def test_the_publishing_area_shows_the_posts_published_through_ambassade(demo: Workspace) -> None:
    """The brand's past posts are recorded as the outbox leaves them once published, one for each
    result the audience demo read on the brand's own accounts (same network id), each attempt
    labelled as demo data; the publishing area counts them per day, network and campaign, and the
    outbox has nothing to send."""
    from ambassade.analytics import area_publishing, reports
    from ambassade.analytics.audience_models import PostResult
    from ambassade.analytics.kpis import Scope
    from ambassade.analytics.reports_models import Report
    from ambassade.engine.measures import Period
    from ambassade.publishing.models import PublishAttempt

    ensure_demo_content(demo, io.StringIO(), now=NOW)
    published = Variant.objects.filter(workspace=demo, status=Status.PUBLISHED)
    results = PostResult.objects.filter(workspace=demo, account__role="own")
    assert published.count() == results.count() > 50
    assert set(published.values_list("connection__network", "remote_id")) == set(
        results.values_list("account__network", "external_id")
    )
    assert all(v.published_at <= NOW and v.metrics for v in published)
    attempts = list(PublishAttempt.objects.filter(variant__in=published))
    assert len(attempts) == published.count()
    assert all(a.outcome == "published" and "Demo data" in str(a.message) for a in attempts)
    assert not outbox.due_variant_ids(NOW + timedelta(days=30))

    end = NOW.date()
    area = area_publishing.build(
        demo, Period(end - timedelta(days=29), end, demo.time_zone), None, Scope()
    )
    figures = {figure.code: figure.now for figure in area.figures}
    assert (figures["posts_published"] or 0) > 10
    sections = {section.key: section.table.rows for section in area.sections}
    assert sections["days"]
    assert {row[0] for row in sections["networks"]} == {"Bluesky", "Mastodon"}
    assert all(row[1] > 0 for row in sections["networks"])
    assert "carte-hiver" in {row[0] for row in sections["campaigns"]}
    # The report's top posts list each post once: the network's numbers and the version are one.
    report = Report.objects.get(workspace=demo)
    context = reports.build(report, end - timedelta(days=29), end, with_charts=False, now=NOW)
    top = next(s for s in context["sections"] if s.code == "top_posts").tables[0].rows
    assert len(top) == 10 and len({(row[0], row[1]) for row in top}) == 10


def test_the_listening_area_names_each_mention_s_network(demo: Workspace) -> None:
    """The demo's mentions come through one source of kind ``demo`` but each carries the network
    it was "posted" on: the listening area's networks table names them (read from the rollup, as
    `make demo` builds it, and without it), never "demo"."""
    from ambassade.analytics import area_listening
    from ambassade.analytics.kpis import Scope
    from ambassade.engine.measures import Period
    from ambassade.listening import rollup

    assert set(Mention.objects.filter(workspace=demo).values_list("network", flat=True)) == {
        "x",
        "mastodon",
        "bluesky",
        "reddit",
        "youtube",
        "rss",
    }
    end = NOW.date()
    period = Period(end - timedelta(days=29), end, demo.time_zone)
    tables = []
    for build_rollup in (False, True):
        if build_rollup:
            assert rollup.rebuild(demo).state == "ready"
        area = area_listening.build(demo, period, None, Scope())
        section = area.section("networks")
        assert section is not None
        tables.append(section.table.rows)
    assert tables[0] == tables[1]
    names = [row[0] for row in tables[1]]
    assert {"X", "Mastodon", "Bluesky"} <= set(names) and "demo" not in {n.lower() for n in names}
    assert all(row[1] > 0 for row in tables[1])


def test_the_demo_s_past_posts_carry_short_links_with_clicks(demo: Workspace) -> None:
    """The past posts that link to a page of the brand's site were published with short links, and
    the redirect's clicks are on them (seeded counts): the link-clicks KPI and the publishing
    area's campaigns show numbers, not 0."""
    from ambassade.engine.measures import Period
    from ambassade.publishing.demo import PAGES
    from ambassade.publishing.models import ShortLink

    ensure_demo_content(demo, io.StringIO(), now=NOW)
    short = ShortLink.objects.filter(workspace=demo)
    assert short.count() > 20 and all(link.post.shorten_links for link in short)
    assert all(link.target.split("?")[0] in PAGES.values() for link in short)
    assert all(link.target.split("?")[0] in link.post.text for link in short)
    winter = short.filter(post__utm_campaign="carte-hiver").first()
    assert winter is not None and "utm_campaign=carte-hiver" in winter.target
    end = NOW.date()
    clicks = kpis.link_clicks(demo, Period(end - timedelta(days=29), end, demo.time_zone))
    assert clicks is not None and clicks > 0


def test_the_demo_has_targets_and_a_late_conversation(demo: Workspace) -> None:
    """The response-time targets: business hours, two targets, an alert rule, and one conversation
    past its target; nothing more on a second run (from tests/inbox/targets/test_demo.py)."""
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    hours = BusinessHours.objects.get(workspace=demo)
    assert hours.enabled and len(hours.week) == 6
    assert Holiday.objects.filter(workspace=demo, yearly=True).count() == 8
    assert Target.objects.filter(workspace=demo).count() == 2
    assert AlertRule.objects.filter(workspace=demo, kind="response_time").count() == 1
    late = Conversation.objects.get(workspace=demo, network="email")
    assert late.due_at is not None and late.due_at < NOW
    assert late.first_response_at is None
    assert Deadline.objects.filter(conversation=late, breached_at__isnull=False).exists()
    assert Alert.objects.filter(workspace=demo, kind="response_time").count() == 1
    # Other open conversations have their due times too (recomputed when the targets came).
    assert (
        Conversation.objects.filter(workspace=demo, first_response_due_at__isnull=False).count() > 5
    )
    before = (Conversation.objects.count(), Target.objects.count(), Alert.objects.count())
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    assert (Conversation.objects.count(), Target.objects.count(), Alert.objects.count()) == before


def test_the_demo_has_a_living_inbox(demo: Workspace) -> None:
    """Conversations from the demo stream in French and English, the double-charge incident among
    them, answered natively and from Ambassade, private messages, statuses; made by the product's
    routing, and nothing more on a second run (from tests/inbox/test_demo.py, to share the build)."""
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    conversations = Conversation.objects.filter(workspace=demo)
    assert conversations.count() > 20
    assert {"fr", "en"} <= set(conversations.values_list("lang", flat=True))
    assert conversations.filter(labels__name="Refund").count() > 5  # the incident
    assert {"mention", "routed", "message"} <= set(conversations.values_list("channel", flat=True))
    native = Message.objects.filter(
        direction="outbound", origin="network", conversation__workspace=demo
    )
    written = Message.objects.filter(
        direction="outbound", origin="ambassade", conversation__workspace=demo
    )
    assert native.exists() and written.exists()
    assert all(m.mention is not None for m in native)
    assert conversations.filter(first_response_at__isnull=False).count() > 10
    statuses = set(conversations.values_list("status", flat=True))
    assert {"new", "waiting", "resolved", "snoozed"} <= statuses
    # Auto-assigned in turn to the owner and the teammate.
    loads = dict(conversations.values_list("assignee__email").annotate(n=Count("id")))
    first, second = loads.values()
    assert abs(first - second) <= 1
    # The direct messages are the inbox's own, never mentions.
    private = Message.objects.filter(conversation__channel="message", conversation__workspace=demo)
    assert private.count() == 3 and all(m.mention is None and m.text for m in private)
    assert not Mention.objects.filter(workspace=demo, external_id__startswith="demo-dm-").exists()
    # Satisfaction results and a closed bug report (their apps' demos; nothing sent anywhere:
    # the demo tracker has no real credentials).
    (overall,) = satisfaction.summary(demo)
    assert overall.asked > 3 and 0 < overall.answered < overall.asked
    (report,) = BugReport.objects.filter(workspace=demo)
    assert report.needs_telling and report.conversation.assignee is not None
    assert report.next_check_at is None
    assert Tracker.objects.get(workspace=demo).status == Tracker.Status.NEEDS_RECONNECTION
    before = (conversations.count(), Message.objects.count(), Survey.objects.count())
    out = io.StringIO()
    ensure_demo_content(demo, out)
    assert (conversations.count(), Message.objects.count(), Survey.objects.count()) == before
    assert BugReport.objects.count() == 1
    # Saved replies for the incident and the usual cases, in both languages, made once.
    from ambassade.replies.models import SavedReply
    from ambassade.replies.services import saved_replies_for

    assert SavedReply.objects.filter(workspace=demo).count() == 5
    incident = conversations.filter(labels__name="Refund", lang="fr").first()
    filled = {f.saved.shortcut: f for f in saved_replies_for(incident, incident.assignee)}
    assert filled["double"].text.startswith("Bonjour ") and "débit" in filled["double"].text
