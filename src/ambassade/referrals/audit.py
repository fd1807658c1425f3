"""Labels of the referral programme's audit log actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.audit import register_audit_action

register_audit_action("referrals.programme.updated", _("changed the referral programme"))
register_audit_action("referrals.secret.made", _("made a new secret for the referral API"))
register_audit_action("referrals.code.given", _("gave a member a referral code"))
register_audit_action("referrals.code.deactivated", _("deactivated a referral code"))
register_audit_action("referrals.referral.approved", _("approved a held referral"))
register_audit_action("referrals.referral.rejected", _("rejected a referral"))
register_audit_action("referrals.rewards.granted", _("granted referral rewards"))
register_audit_action("referrals.rewards.rejected", _("refused referral rewards"))
