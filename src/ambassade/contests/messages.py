"""The contests' messages in the reader's language: why an action was refused and why an entry does
not count (codes made in ``contests/services.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

register_all(
    {
        "contest.closes_before_opening": _("The contest must close after it opens."),
        "contest.no_way_to_enter": _(
            "Choose at least one way to enter: a comment on a post, a hashtag, a friend "
            "mentioned, or the public form."
        ),
        "contest.rules_fixed": _(
            "The contest is open: its dates, entry rules, exclusions and number of winners can no "
            "longer change."
        ),
        "contest.already_drawn": _(
            "The winners are already drawn: the contest can no longer change."
        ),
        "contest.already_frozen": _(
            "The entries are frozen: who is left out can no longer change."
        ),
        "contest.not_closed": _("The contest is not closed yet."),
        "contest.not_frozen": _("The entries are not frozen yet: they are frozen at the close."),
        "contest.seed_mismatch": _(
            "The stored seed does not match the published commitment (was the vault key changed?): "
            "the draw is refused."
        ),
        "contest.seed_unreadable": _(
            "The secret seed cannot be decrypted with the configured keys (AMBASSADE_VAULT_KEY): "
            "put back the key it was encrypted with to draw."
        ),
        "contest.entries_changed": _(
            "The entry list no longer matches the hash fixed at the close: the draw is refused."
        ),
        "contest.no_form": _("This contest is not entered through a form."),
        "contest.throttled": _(
            "Too many entries sent from your connection to this contest: try again in an hour."
        ),
        "contest.not_open": _("This contest is not open for entries."),
        "contest.busy": _("Too many entries at once: please try again."),
        "contest.no_email": _("This entry has no e-mail address to write to."),
        "contest.not_a_winner": _("This entry is not among the winners and reserves."),
        "contest.segment_both": _(
            "The segment “%(segment)s” cannot be both the only one allowed to win and left out."
        ),
        "contest.segment_unknown": _("Choose segments of this workspace."),
        "contest.segment_deleted": _(
            "The segment “%(segment)s” chosen for this contest was deleted: choose another one, or "
            "none, before the entries can be frozen."
        ),
        "contest.segment_broken": _(
            "The segment “%(segment)s” names a custom field deleted since: fix the segment on the "
            "Segments page before the entries can be frozen."
        ),
        # The public verification page.
        "contest.verify.empty": _("Choose a draw file or paste its content."),
        "contest.verify.too_large": _(
            "The file is larger than %(megabytes)s MB; a draw file is smaller."
        ),
        "contest.verify.not_json": _("This is not a draw file: it is not JSON (%(detail)s)."),
        # Why an entry does not count.
        "contest.excluded.staff": _("Staff of the brand"),
        "contest.excluded.brand_account": _("One of the brand’s own accounts"),
        "contest.excluded.spam": _("Flagged as spam or a bot"),
        "contest.excluded.new_account": _("Account made after the contest opened"),
        "contest.excluded.excluded_member": _("Left out of this contest by the organiser"),
        "contest.excluded.not_in_segment": _("Not in the segment allowed to win"),
        "contest.excluded.in_segment": _("In a segment left out of this contest"),
        "contest.excluded.duplicate": _("Entered already (one entry per person)"),
    }
)
