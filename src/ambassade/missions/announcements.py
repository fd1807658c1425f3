"""Telling ambassadors of a mission by e-mail (docs/community.md, "Ambassador missions").

Members are not users of Ambassade: they are told by e-mail, through the ``mailing`` app's sending
(one campaign per announcement): only members whose latest consent to e-mailing is given, each in
the language of that consent, with RFC 8058's one-click unsubscribe, at the workspace's pace and
at most once per address. Each member is told of a mission once: an announcement goes to the
members the mission is for *now* who were not told by an earlier one (by member and by address),
so announcing again after new ambassadors were classed tells only them.

The text is the mission's, put into the campaign's templates in English and French: what it asks
(the target's link, tracked like any campaign link), the instructions, the period in the
workspace's time zone and the points. What people typed cannot become a template variable (``{{``
is broken apart).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ambassade.community.models import Member
from ambassade.missions import services
from ambassade.missions.models import Announcement, Mission
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Connection

__all__ = ["announce", "connections", "told", "untold"]

#: Recipients' states that mean the e-mail went, or may have gone (never sent twice).
TOLD = ("queued", "sending", "sent", "unknown")


def connections(workspace: Any) -> QuerySet[Connection]:
    """The workspace's e-mail accounts an announcement can be sent from."""
    return Connection.objects.filter(workspace=workspace, network="email").order_by("id")


def _recipients(mission: Mission) -> Any:
    from ambassade.mailing.models import Recipient

    return Recipient.objects.filter(
        campaign__in=mission.announcements.values("campaign_id"), state__in=TOLD
    )


def told(mission: Mission) -> int:
    """How many addresses were told of the mission (or are being told)."""
    return _recipients(mission).count()


def untold(mission: Mission) -> QuerySet[Member]:
    """The members the mission is for now, with consent to e-mailing for their address, who were
    not told of it yet (by their member, or by their address: merged members are told once)."""
    from ambassade.mailing import audiences

    told_rows = list(_recipients(mission).values_list("member_id", "email"))
    members = {member for member, _email in told_rows if member is not None}
    addresses = {email.casefold() for _member, email in told_rows}
    ids = [
        reader.member_id
        for reader in audiences.recipients(
            mission.workspace_id,
            only=list(services.assigned_members(mission).values_list("pk", flat=True)),
        )
        if reader.member_id not in members and reader.email.casefold() not in addresses
    ]
    return Member.objects.filter(pk__in=ids)


def _safe(text: str) -> str:
    """People's text inside a campaign template: no ``{{``/``}}`` that would read as a variable."""
    return text.replace("{{", "{ {").replace("}}", "} }")


def _what(mission: Mission) -> str:
    if mission.kind == Mission.Kind.SHARE:
        return _("Share this post: %(url)s") % {"url": mission.target_url}
    if mission.kind == Mission.Kind.ANSWER:
        return _("Answer this question: %(url)s") % {"url": mission.target_url}
    if mission.kind == Mission.Kind.REVIEW:
        name = mission.product.name if mission.product else ""
        return _("Review %(product)s in a post of your own.") % {"product": name}
    return _("Post with the hashtag #%(hashtag)s.") % {"hashtag": mission.hashtag}


def _greeting_name() -> str:
    """The person's first name in the template, or a word for someone unnamed."""
    unnamed = pgettext("greeting to someone unnamed", "there")
    return '{{ first_name|"' + unnamed + '" }}'


def _texts(mission: Mission, lang: str) -> tuple[str, str]:
    """The campaign's subject and text in ``lang``."""
    with translation.override(lang), timezone.override(mission.workspace.time_zone):
        starts = formats.date_format(timezone.localtime(mission.starts_at), "DATETIME_FORMAT")
        ends = formats.date_format(timezone.localtime(mission.ends_at), "DATETIME_FORMAT")
        subject = _("A mission for you: %(title)s") % {"title": _safe(mission.title)}
        parts = [
            _("Hello %(name)s,") % {"name": _greeting_name()},
            _("{{ brand }} asks its ambassadors: %(title)s") % {"title": _safe(mission.title)},
            _safe(_what(mission)),
        ]
        if mission.instructions.strip():
            parts.append(_safe(mission.instructions.strip()))
        parts.append(
            _("From %(starts)s to %(ends)s. Done, it is worth %(points)s points.")
            % {"starts": starts, "ends": ends, "points": mission.points}
        )
        parts.append(_("Thank you! {{ brand }}"))
    return subject[:300], "\n\n".join(parts)


def announce(mission: Mission, actor: Any, connection: Connection) -> Announcement:
    """E-mail the mission to the members it is for who were not told yet, from ``connection``.
    Raises :class:`~ambassade.missions.services.MissionError` when nobody is left to tell or the
    account cannot send (worded from the mailing app's own refusal)."""
    from ambassade.mailing import services as mailing

    if connection.workspace_id != mission.workspace_id or connection.network != "email":
        raise services.MissionError("connection", coded("mission.no_mail_account"))
    members = list(untold(mission).values_list("pk", flat=True))
    if not members:
        raise services.MissionError("connection", coded("mission.nobody_to_tell"))
    subject_en, body_en = _texts(mission, "en")
    subject_fr, body_fr = _texts(mission, "fr")
    try:
        with transaction.atomic():
            campaign = mailing.create_campaign(
                mission.workspace,
                actor,
                name=(_("Mission: %(title)s") % {"title": mission.title})[:200],
                connection=connection,
                segment=None,
                subject_en=subject_en,
                body_en=body_en,
                subject_fr=subject_fr,
                body_fr=body_fr,
                rate_per_hour=3600,
                track_opens=False,
                track_clicks=True,
            )
            announcement = Announcement.objects.create(
                workspace_id=mission.workspace_id,
                mission=mission,
                campaign=campaign,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            mailing.start(campaign, actor, members=members)
    except mailing.CampaignError as error:
        raise services.MissionError(
            "connection", coded("mission.not_announced", detail=str(error))
        ) from None
    return announcement
