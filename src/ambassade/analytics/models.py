"""Objectives and their KPIs. A KPI stores what to measure, its target and its period, never its
value: the value is computed from the data whenever it is shown (``kpis.measure``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.models import Workspace


class ObjectiveType(models.TextChoices):
    VISIBILITY = "visibility", _("Visibility")
    NOTORIETY = "notoriety", _("Notoriety")
    ENGAGEMENT = "engagement", _("Engagement")
    SATISFACTION = "satisfaction", _("Satisfaction")
    TRAFFIC = "traffic", _("Traffic and conversion")
    COMMUNITY = "community", _("Community growth")


class Objective(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="objectives")
    name = models.CharField(_("name"), max_length=120)
    type = models.CharField(_("type"), max_length=16, choices=ObjectiveType.choices)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "name"], name="objective_by_name")]

    def __str__(self) -> str:
        return self.name


class Kpi(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="kpis")
    #: A key of ``catalogue.CATALOGUE``.
    metric = models.CharField(_("indicator"), max_length=40)
    target = models.FloatField(_("target"))
    #: Local days of the workspace's time zone, both included.
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="kpi_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} → {self.target}"


from ambassade.analytics.audience_models import (  # noqa: E402  (models of the app, in their own module)
    AccountSnapshot,
    PostResult,
    TrackedAccount,
    TrafficDay,
    TrafficSite,
)
from ambassade.analytics.reports_models import Delivery, Report  # noqa: E402

__all__ = [
    "AccountSnapshot",
    "Delivery",
    "Kpi",
    "Objective",
    "ObjectiveType",
    "PostResult",
    "Report",
    "TrackedAccount",
    "TrafficDay",
    "TrafficSite",
]
