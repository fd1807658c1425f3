"""The crisis app's stored messages in the reader's language: alert titles, notifications, the
crisis timeline's events and the alert channels' failures. Each is stored with its code and
parameters (``MessageField``) and worded here when shown, so a notification made while its
workspace spoke English reads in French to a French reader."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ambassade.workspaces.messages import register_all

register_all(
    {
        # Alert titles (and the notifications that repeat them).
        "alert.influencer": _("%(author)s (%(followers)s followers) mentioned the brand"),
        "alert.query_match": _("New mentions match the query “%(query)s”"),
        # Rules watch queries (issue 10, item 18): titles name them, or say all mentions.
        "alert.query": _("“%(query)s”"),
        "alert.scope_all": _("all mentions, competitors included"),
        "alert.influencer_about": _("%(author)s (%(followers)s followers) mentioned %(about)s"),
        "alert.influencer_any": _("%(author)s (%(followers)s followers) posted a mention"),
        "alert.query_matches": ngettext_lazy(
            "New mentions match the query %(queries)s",
            "New mentions match the queries %(queries)s",
            "count",
        ),
        # The plural follows the expected count (French: « environ 1 attendue », « 2 attendues »).
        "alert.volume_spike": ngettext_lazy(
            "Unusual volume of mentions: %(value)s in an hour (about %(expected)s expected) — "
            "%(about)s",
            "Unusual volume of mentions: %(value)s in an hour (about %(expected)s expected) — "
            "%(about)s",
            "expected",
        ),
        "alert.negativity_spike": ngettext_lazy(
            "Unusual number of negative mentions: %(value)s in an hour (about %(expected)s "
            "expected) — %(about)s",
            "Unusual number of negative mentions: %(value)s in an hour (about %(expected)s "
            "expected) — %(about)s",
            "expected",
        ),
        "alert.digest": ngettext_lazy(
            "Digest: %(count)s low-severity alert",
            "Digest: %(count)s low-severity alerts",
            "count",
        ),
        "alert.digest_titles": _("Alerts: %(titles)s"),
        # Notifications and the crisis timeline.
        "crisis.opened": _("Crisis opened: %(title)s"),
        "crisis.pause_reason": _("Crisis: %(title)s"),
        "crisis.outbox_paused": _("Outbox paused: scheduled posts are held."),
        "crisis.outbox_resumed": _("Outbox resumed: held posts go out."),
        "crisis.contacts_notified": _("Escalation contacts notified: %(names)s"),
        "crisis.contacts_none": _("Escalation contacts notified: nobody"),
        "crisis.item_done": _("Done: %(item)s"),
        "crisis.item_reopened": _("Reopened: %(item)s"),
        "crisis.post_rescheduled": _("Held post rescheduled to %(when)s"),
        "crisis.post_unscheduled": _("Held post taken back to draft"),
        # Alert channels.
        "channel.webhook_failed": _("The webhook to %(host)s failed: %(error)s"),
        "channel.no_recipient": _("The e-mail channel has no recipient."),
        "channel.email_failed": _("The e-mail could not be sent: %(detail)s"),
    }
)
