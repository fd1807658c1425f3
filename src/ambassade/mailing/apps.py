from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "ambassade.mailing"
    verbose_name = _("E-mailing")

    def ready(self) -> None:
        from ambassade.community import timeline
        from ambassade.mailing import audit, messages, permissions, tasks, tracking  # noqa: F401
        from ambassade.publishing import links
        from ambassade.workspaces.nav import NavItem, register

        links.register_resolver(tracking.click)
        timeline.KINDS.update(
            {
                "email_sent": _("E-mail campaign received"),
                "email_open": _("E-mail opened"),
                "email_click": _("Link clicked in an e-mail"),
                "email_unsubscribe": _("Unsubscribed from e-mails"),
                "email_bounce": _("E-mail bounced"),
            }
        )
        register(
            NavItem(
                "mailing",
                _("E-mailing"),
                "mailing:campaigns",
                permissions.MAILING_VIEW,
                order=52,
                icon="mail",
                active_prefixes=("mailing:",),
            )
        )
