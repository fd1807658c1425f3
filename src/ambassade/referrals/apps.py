from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "ambassade.referrals"
    verbose_name = _("Referral programme")

    def ready(self) -> None:
        from ambassade.community import panels, timeline
        from ambassade.publishing import links
        from ambassade.referrals import audit, describe, messages, permissions, services, views  # noqa: F401
        from ambassade.referrals.recording import (
            SOURCE_CONVERSION,
            SOURCE_REFERRAL,
            SOURCE_REFERRED,
        )
        from ambassade.workspaces.nav import NavItem, register

        # A referral link is a short link: /l/<code> counts the click, then the landing page.
        links.register_resolver(services.click)
        panels.register(
            panels.Panel(
                "referrals", "referrals/includes/member.html", order=40, context=views.member_panel
            )
        )
        timeline.KINDS.update(
            {
                "referral": _("Referred someone"),
                "referred": _("Joined through a referral"),
                "referral_converted": _("Their referral converted"),
            }
        )
        timeline.DESCRIBERS[SOURCE_REFERRAL] = describe.referrals
        timeline.DESCRIBERS[SOURCE_CONVERSION] = describe.referrals
        timeline.DESCRIBERS[SOURCE_REFERRED] = describe.referrers
        register(
            NavItem(
                "referrals",
                _("Referrals"),
                "referrals:home",
                permissions.REFERRALS_VIEW,
                order=54,
                icon="gift",
                active_prefixes=("referrals:",),
            )
        )
