"""The networks' own numbers, polled into snapshot tables (``collect``): the accounts followed
(the brand's own, one per connection, and its competitors' public ones), a snapshot of each
account's counters per day, and the results of each account's recent posts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces import vault
from ambassade.workspaces.messages import MessageField
from ambassade.workspaces.models import Connection, Workspace

__all__ = ["AccountSnapshot", "PostResult", "TrackedAccount", "TrafficDay", "TrafficSite"]


class TrackedAccount(models.Model):
    class Role(models.TextChoices):
        OWN = "own", _("Own account")
        COMPETITOR = "competitor", _("Competitor")

    class Status(models.TextChoices):
        NEW = "new", _("Not read yet")
        OK = "ok", _("Up to date")
        RETRYING = "retrying", _("Retrying")
        ERROR = "error", _("Error")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)
    network = models.CharField(_("network"), max_length=40)
    #: How the account is named to the network (a competitor's ``@name@server``, ``u/name``…);
    #: empty for an own account, read through its connection.
    handle = models.CharField(_("account"), max_length=200, blank=True)
    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    #: A competitor's name as the team calls it.
    label = models.CharField(_("name"), max_length=120, blank=True)
    # What the network said last.
    shown_handle = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    followers = models.BigIntegerField(null=True, blank=True)
    posts_count = models.BigIntegerField(null=True, blank=True)
    hidden = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    last_error = MessageField(blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["role", "network", "label", "handle", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "handle"],
                condition=models.Q(role="competitor"),
                name="tracked_competitor_unique",
            )
        ]
        indexes = [models.Index(fields=["next_poll_at"], name="tracked_due")]

    def __str__(self) -> str:
        return self.display

    @property
    def network_label(self) -> str:
        from ambassade.workspaces.networks import network_label

        return network_label(self.network)

    @property
    def display(self) -> str:
        if self.label:
            return self.label
        if self.connection_id is not None and self.connection is not None:
            return self.connection.account_name
        return self.shown_handle or self.handle


class AccountSnapshot(models.Model):
    """An account's counters on a day (UTC): the last reading of the day wins."""

    account = models.ForeignKey(TrackedAccount, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    taken_at = models.DateTimeField()
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["account", "day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="snapshot_one_a_day")
        ]
        # Follower growth seeks an account's first and last readings of a period and the last
        # one before it (audience._growths): docs/analytics.md, "Performance".
        indexes = [models.Index(fields=["account", "taken_at"], name="snapshot_by_time")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.followers}"


class PostResult(models.Model):
    """One post of a tracked account and its latest results (``connectors.metrics.POST_METRICS``
    names), with the sums the pages and KPIs read: ``engagements`` (interactions) and
    ``impressions`` (impressions, else views where the network calls its exposure so), None when
    the network gives no exposure."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(TrackedAccount, on_delete=models.CASCADE, related_name="results")
    external_id = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)
    text = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField()
    metrics = models.JSONField(default=dict, blank=True)
    engagements = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(null=True, blank=True)
    #: The account's followers when the results were read (the per-follower rate's denominator).
    followers = models.BigIntegerField(null=True, blank=True)
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="result_unique_post")
        ]
        indexes = [
            models.Index(fields=["workspace", "published_at"], name="result_by_time"),
            # Each account's posts of a period, side by side (audience.compare).
            models.Index(fields=["account", "published_at"], name="result_by_account"),
        ]

    def __str__(self) -> str:
        return self.external_id


class TrafficSite(models.Model):
    """The brand's site in a web-analytics tool the team already runs (Matomo, Plausible): where to
    read its visits, with the API token encrypted at rest (the vault), never shown back."""

    class Tool(models.TextChoices):
        MATOMO = "matomo", "Matomo"
        PLAUSIBLE = "plausible", "Plausible"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    tool = models.CharField(_("tool"), max_length=12, choices=Tool.choices)
    base_url = models.URLField(_("address"), max_length=300)
    site_id = models.CharField(_("site"), max_length=200)
    token_ciphertext = models.BinaryField(editable=False)
    status = models.CharField(
        max_length=12, choices=TrackedAccount.Status.choices, default=TrackedAccount.Status.NEW
    )
    last_error = MessageField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    next_read_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["tool", "site_id", "id"]
        indexes = [models.Index(fields=["next_read_at"], name="traffic_due")]

    def __str__(self) -> str:
        return f"{self.get_tool_display()} · {self.site_id}"

    def __repr__(self) -> str:
        return f"<TrafficSite {self.pk} {self.tool}:{self.site_id}>"

    def secret(self) -> vault.Secret:
        return vault.decrypt(bytes(self.token_ciphertext))

    def set_secret(self, data: dict[str, str]) -> None:
        self.token_ciphertext = vault.encrypt(data)


class TrafficDay(models.Model):
    """Visits of a site on a day (the tool's day), by ``kind`` (``channel``, ``social`` or
    ``campaign``) and name (``connectors.webanalytics``)."""

    site = models.ForeignKey(TrafficSite, on_delete=models.CASCADE, related_name="days")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=12)
    name = models.CharField(max_length=200)
    visits = models.BigIntegerField()

    class Meta:
        ordering = ["day", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "kind", "name"], name="traffic_day_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "kind", "day"], name="traffic_by_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.name}: {self.visits}"
