"""Organisations, workspaces, people's roles, invitations, the audit log and the credentials vault.

Every model that holds a workspace's data has a ``workspace`` foreign key; views read them through
:func:`ambassade.workspaces.permissions.workspace_queryset`, which filters by the request's workspace.
Writes with side effects go through :mod:`ambassade.workspaces.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.workspaces import vault
from ambassade.workspaces.messages import MessageField


def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


def default_language() -> str:
    return str(settings.LANGUAGE_CODE)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    EDITOR = "editor", _("Editor")
    MODERATOR = "moderator", _("Moderator")
    ANALYST = "analyst", _("Analyst")
    APPROVER = "approver", _("Approver")


class Organisation(models.Model):
    """An agency or a company. It owns workspaces, one per brand or client."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        AGENCY = "agency", _("Agency")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Workspace(models.Model):
    """One brand or client: the unit of data isolation and of permissions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="workspaces"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=default_language
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a workspace. At most one per person and workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["workspace", "user__first_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_person")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"


class Invitation(models.Model):
    """An invitation sent by e-mail. Only a SHA-256 hash of its token is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"], name="invitation_expiry")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and not self.is_expired


class AuditEntry(models.Model):
    """Who did what, when, to which object. Written only by services (see ``record_audit``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept so the log still names the person after their account is deleted.
    actor_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="audit_by_workspace")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr or '-'} {self.action}"


class Connection(models.Model):
    """A workspace's account on a network, with its credentials encrypted at rest (the vault).

    The credentials are never an attribute in clear: read them with :meth:`secret` (a
    :class:`~ambassade.workspaces.vault.Secret`, whose repr hides its content) and write them with
    :meth:`set_secret`. Neither ``__str__`` nor ``__repr__`` shows them.
    """

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NEEDS_RECONNECTION = "needs_reconnection", _("Needs reconnection")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    network = models.CharField(_("network"), max_length=40)
    account_name = models.CharField(_("account name"), max_length=200)
    account_id = models.CharField(_("account identifier"), max_length=200, blank=True)
    token_ciphertext = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.CONNECTED
    )
    last_error = MessageField(_("last error"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network", "account_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "account_name"], name="connection_unique_account"
            )
        ]
        verbose_name = _("connection")
        verbose_name_plural = _("connections")

    def __str__(self) -> str:
        return f"{self.account_name} ({self.network_label})"

    def __repr__(self) -> str:
        return f"<Connection {self.pk} {self.network}:{self.account_name} {self.status}>"

    def secret(self) -> vault.Secret:
        return vault.decrypt(bytes(self.token_ciphertext))

    def set_secret(self, data: dict[str, Any]) -> None:
        self.token_ciphertext = vault.encrypt(data)

    @property
    def network_label(self) -> str:
        from ambassade.workspaces.networks import network_label

        return network_label(self.network)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class LoginThrottle(models.Model):
    """Failed log-ins per (account, address), hashed; see :mod:`ambassade.workspaces.throttle`.

    Kept in the database rather than a per-process cache so that every web process sees the same count.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.failures}"


class Preferences(models.Model):
    """What follows a person across workspaces. ``language``: the one they last read the product
    in (``fr``, ``en`` or ``en-us``, recorded by ``workspaces.locale.LocaleMiddleware``), in which
    what is sent to them by e-mail is written."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(max_length=8, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'}"
