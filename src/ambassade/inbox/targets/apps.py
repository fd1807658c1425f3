from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    """Response-time targets of the inbox (business hours, due times, breaches and their alert) and
    the team report (docs/inbox.md, "Response-time targets" and "Team report")."""

    name = "ambassade.inbox.targets"
    label = "inbox_targets"
    verbose_name = _("Response-time targets")

    def ready(self) -> None:
        from ambassade.inbox.targets import hooks, messages, panels  # noqa: F401  (registrations)
