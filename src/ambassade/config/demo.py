"""The demo of `ambassade demo`, composed from each app's own demo: an organisation, the brand's
workspace, its owner and an editor (here), its mentions (``listening.demo``), alert rules and their
alerts, a playbook (``crisis.demo``) and posts (``publishing.demo``).

The composition lives with the command, in ``config``, because it is the only place that may know every
app: the foundation (``workspaces``) knows none of the features (tests/workspaces/test_structure.py).
Running it again reuses what exists. The owner's password is generated on the first run and kept in
``DATA_DIR/demo-password`` (mode 0600), so every run prints the same credentials.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ambassade.workspaces import services
from ambassade.workspaces.models import Membership, Organisation, Role, Workspace

DEMO_EMAIL = "admin@demo.ambassade.test"
DEMO_NAME = "Camille Martin"
ORGANISATION = ("Maison Lumière", "maison-lumiere")
WORKSPACE = ("Café Lumière", "cafe-lumiere")
# A second brand of the same organisation, left empty on purpose: the workspace switcher has something
# to switch to, and it shows that each brand's data is its own. A teammate (who cannot log in: no
# password) so the members page shows roles.
SECOND_WORKSPACE = ("Thé Lumière", "the-lumiere")
TEAMMATE = ("lea.dubois@demo.ambassade.test", "Léa Dubois", Role.EDITOR)


@dataclass(frozen=True)
class DemoCredentials:
    email: str
    password: str


def _password(data_dir: Path) -> str:
    path = data_dir / "demo-password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(12))
    return path.read_text(encoding="ascii").strip()


def _workspace(
    organisation: Organisation, name: str, slug: str, owner: Any, out: TextIO
) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        workspace = Workspace.objects.create(organisation=organisation, name=name, slug=slug)
        services.record_audit(workspace, owner, "workspace.created", workspace)
        out.write(f"Created the demo workspace {name}\n")
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=owner, defaults={"role": Role.OWNER}
    )
    if not created and membership.role != Role.OWNER:
        membership.role = Role.OWNER
        membership.save(update_fields=["role"])
    return workspace


def ensure_demo_content(workspace: Workspace, out: TextIO, *, now: datetime | None = None) -> None:
    """What the demo brand's other pages show, once its mentions are in: alert rules and the alerts
    they raise on those mentions, a playbook, posts, and moderation. Through each app's own services; running it
    again creates nothing."""
    from ambassade.analytics.audience_demo import ensure_demo_audience
    from ambassade.analytics.demo import ensure_demo_objectives
    from ambassade.analytics.reports_demo import ensure_demo_report
    from ambassade.bugreports.demo import ensure_demo_bugreports
    from ambassade.community.demo import ensure_demo_community
    from ambassade.contests.demo import ensure_demo_contests
    from ambassade.crisis.demo import ensure_demo_alerts
    from ambassade.events.demo import ensure_demo_events
    from ambassade.inbox.demo import ensure_demo_inbox
    from ambassade.inbox.targets.demo import ensure_demo_targets
    from ambassade.mailing.demo import ensure_demo_mailing
    from ambassade.missions.demo import ensure_demo_missions
    from ambassade.moderation.demo import ensure_demo_moderation
    from ambassade.products.demo import ensure_demo_products
    from ambassade.publishing.demo import ensure_demo_posts, ensure_demo_published
    from ambassade.referrals.demo import ensure_demo_referrals
    from ambassade.replies.demo import ensure_demo_saved_replies
    from ambassade.satisfaction.demo import ensure_demo_satisfaction

    User = get_user_model()
    owner = User.objects.get(email__iexact=DEMO_EMAIL)
    teammate = User.objects.filter(email__iexact=TEAMMATE[0]).first() or owner
    ensure_demo_alerts(workspace, owner, out, now=now)
    ensure_demo_posts(workspace, owner, teammate, out, now=now)
    # After the posts: the inbox recognises the brand's accounts they connect.
    ensure_demo_inbox(workspace, owner, teammate, out, now=now)
    ensure_demo_saved_replies(workspace, owner, out)
    # Then business hours and targets over its conversations, one of them late (inbox/targets).
    ensure_demo_targets(workspace, owner, out, now=now)
    ensure_demo_moderation(workspace, owner, out, now=now)
    ensure_demo_satisfaction(workspace, out, now=now)
    ensure_demo_bugreports(workspace, owner, out, now=now)
    ensure_demo_contests(workspace, owner, out, now=now)
    ensure_demo_events(workspace, owner, out, now=now)
    ensure_demo_mailing(workspace, owner, out, now=now)
    ensure_demo_products(workspace, owner, out)
    ensure_demo_objectives(workspace, owner, out, now=now)
    ensure_demo_report(workspace, owner, out)
    ensure_demo_audience(workspace, owner, out, now=now)
    # After the audience: its results of the brand's own posts are those of the posts published.
    ensure_demo_published(workspace, owner, out, now=now)
    ensure_demo_referrals(workspace, owner, out, now=now)
    # Last: the scores gather every app's activities on the members' timelines.
    ensure_demo_community(workspace, owner, out, now=now)
    # After the scores: missions go to the members classed ambassador.
    ensure_demo_missions(workspace, owner, teammate, out, now=now)


def build_demo(out: TextIO, *, now: datetime | None = None) -> tuple[DemoCredentials, Workspace]:
    """The whole demo: people and workspaces, the brand's mentions, then what the other apps make of
    them. Returns the owner's credentials and the brand's workspace."""
    from ambassade.crisis.demo import HISTORY_DAYS
    from ambassade.listening.demo import ensure_demo_stream, last_month_start

    credentials = ensure_demo(out)
    workspace = Workspace.objects.get(slug=WORKSPACE[1])
    # Enough history for the alert detectors' warm-up before the replayed days (crisis.demo), and,
    # lighter, back to the start of the last complete month: the sample monthly report's.
    now = now or timezone.now()
    since = last_month_start(now, workspace.time_zone)
    ensure_demo_stream(workspace, out, now=now, days=HISTORY_DAYS, since=since)
    ensure_demo_content(workspace, out, now=now)
    # The rollup of distinct mentions, counted once the demo's mentions are in (listening.rollup).
    from ambassade.listening import rollup

    for demo_workspace in Workspace.objects.filter(organisation__slug=ORGANISATION[1]):
        rollup.rebuild(demo_workspace)
    return credentials, workspace


@transaction.atomic
def ensure_demo(out: TextIO) -> DemoCredentials:
    password = _password(Path(settings.DATA_DIR))
    User = get_user_model()
    user = User.objects.filter(email__iexact=DEMO_EMAIL).first()
    if user is None:
        user = services.create_user(DEMO_EMAIL, password, DEMO_NAME)
        out.write(f"Created the demo admin {DEMO_EMAIL}\n")
    elif not user.check_password(password):
        # The password file was replaced or removed: the file is the reference.
        user.set_password(password)
        user.save(update_fields=["password"])
    organisation = Organisation.objects.filter(slug=ORGANISATION[1]).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=ORGANISATION[0], slug=ORGANISATION[1], kind=Organisation.Kind.COMPANY
        )
    workspace = _workspace(organisation, *WORKSPACE, user, out)
    _workspace(organisation, *SECOND_WORKSPACE, user, out)
    email, name, role = TEAMMATE
    teammate = User.objects.filter(email__iexact=email).first()
    if teammate is None:
        teammate = services.create_user(email, None, name)
        services.record_audit(
            workspace,
            user,
            "member.added",
            Membership.objects.create(workspace=workspace, user=teammate, role=role),
            object_repr=f"{name} <{email}>",
            details={"role": role},
        )
    return DemoCredentials(DEMO_EMAIL, password)
