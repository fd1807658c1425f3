"""The contest's rules ("règlement"): standard articles written from its settings, in the reader's
language, then the organiser's own articles as they typed them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambassade.contests.models import Contest
from ambassade.engine.draw import FORMAT


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]


def _when(value: object) -> str:
    zone = timezone.get_current_timezone()
    return date_format(timezone.localtime(value, zone), "DATETIME_FORMAT")  # type: ignore[arg-type]


def articles(contest: Contest) -> list[Article]:
    with timezone.override(contest.workspace.time_zone):
        start, close, made = (
            _when(contest.starts_at),
            _when(contest.closes_at),
            _when(contest.created_at),
        )
        zone = contest.workspace.time_zone
    ways: list[str] = []
    if contest.social:
        parts = []
        if contest.post_external_id:
            parts.append(_("comment on the contest's post"))
        if contest.hashtag:
            parts.append(
                _("write a message holding the hashtag #%(tag)s") % {"tag": contest.hashtag}
            )
        if contest.friend_mention:
            parts.append(_("mention a friend's account in it"))
        ways.append(
            _("Enter on the network: %(rules)s, between the opening and the close.")
            % {"rules": _(", and ").join(parts)}
        )
    if contest.form_entry:
        ways.append(_("Enter with your name and e-mail address on the contest's public page."))
    segment_rules = list(contest.segment_rules.all()) if contest.pk else []
    only = [rule.name for rule in segment_rules if rule.rule == "only"]
    left_out = [rule.name for rule in segment_rules if rule.rule == "exclude"]
    who = [
        _("The contest is free of charge and without any purchase.")
        if only
        else _("The contest is open to anyone, free of charge and without any purchase.")
    ]
    for name in only:
        who.append(
            _(
                "Only the members of the organiser's community list “%(segment)s”, as it stands "
                "when the entries are frozen at the close, may win."
            )
            % {"segment": name}
        )
    for name in left_out:
        who.append(
            _(
                "The members of the organiser's community list “%(segment)s”, as it stands when "
                "the entries are frozen at the close, may not win."
            )
            % {"segment": name}
        )
    if segment_rules:
        who.append(
            _(
                "These lists' definitions, how many members they held and the entry codes they "
                "left out are published with the draw."
            )
        )
    who.append(
        _(
            "One entry per person: further entries of the same person are not counted, and a "
            "person's accounts on several networks, once known to be one person, count once. "
            "Through the form, one entry per e-mail address."
        )
    )
    if contest.exclude_staff:
        who.append(_("The organiser's staff and the brand's own accounts may not enter."))
    if contest.exclude_new_accounts:
        who.append(
            _(
                "Accounts made after the opening may not enter, where the network says when an "
                "account was made."
            )
        )
    if contest.exclude_bots:
        who.append(
            _("Messages that the spam filter flags (automated accounts, spam) are not entries.")
        )
    who.append(_("The organiser may leave out a person who breaks these rules, and says so."))
    prize = [
        ngettext(
            "%(count)s winner wins: %(prize)s.",
            "%(count)s winners each win: %(prize)s.",
            contest.winners,
        )
        % {"count": contest.winners, "prize": contest.prize}
    ]
    if contest.reserves:
        prize.append(
            ngettext(
                "%(count)s reserve is drawn after the winners, to replace a winner who does not "
                "claim the prize.",
                "%(count)s reserves are drawn after the winners, in order, to replace winners who "
                "do not claim the prize.",
                contest.reserves,
            )
            % {"count": contest.reserves}
        )
    draw = (
        _(
            "The winners are drawn at random in a way anyone can check (method %(format)s). On "
            "%(made)s, before any entry was known, the organiser published the SHA-256 "
            "fingerprint of a secret number: %(commitment)s."
        )
        % {"format": FORMAT, "made": made, "commitment": contest.commitment},
        _(
            "At the close the list of entries is frozen. Each entry appears in it only as a code, "
            "never by name. After the close the organiser publishes the secret number, the list "
            "and its fingerprint, and the winners the method gives; anyone can recompute them "
            "with the command “ambassade verify-draw” or on the verification page."
        ),
    )
    further = tuple(p.strip() for p in contest.rules_text.split("\n\n") if p.strip())
    found = [
        Article(
            _("Organiser"),
            (
                _(
                    "%(organiser)s organises the contest “%(name)s” from %(start)s to %(close)s "
                    "(time zone %(zone)s)."
                )
                % {
                    "organiser": contest.organiser,
                    "name": contest.name,
                    "start": start,
                    "close": close,
                    "zone": zone,
                },
            ),
        ),
        Article(_("How to enter"), tuple(ways)),
        Article(_("Who may enter"), tuple(who)),
        Article(_("Prizes"), tuple(prize)),
        Article(_("The draw"), draw),
        Article(
            _("Winners"),
            (
                _(
                    "The organiser tells each winner by a reply to their message or by e-mail. "
                    "The list of winners shows only their entry codes."
                ),
            ),
        ),
        Article(
            _("Personal data"),
            (
                _(
                    "Entries are used only to run this contest and to tell the winners. The "
                    "published list holds codes, never names or e-mail addresses."
                ),
            ),
        ),
    ]
    if further:
        found.append(Article(_("Further rules"), further))
    return found
