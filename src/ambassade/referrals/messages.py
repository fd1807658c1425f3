"""The referral programme's messages in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import register_all

#: How each fraud flag reads on the review list.
FLAGS = {
    "self_referral": _("Referred themselves"),
    "already_referred": _("Already referred through another code"),
    "ip_limit": _("Too many sign-ups from one address"),
    "burst": _("Burst of sign-ups on this code"),
}

register_all(
    {
        "referral.decided": _("This referral was already decided."),
        "referral.not_held": _("Only a referral held for review can be approved."),
    }
)
