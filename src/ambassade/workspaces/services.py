"""Every write of the workspaces app that has side effects. Views and tasks call these.

Functions raise :class:`ServiceError` with a translated, whole-sentence message when the request cannot
be honoured (the view shows it beside the form). They write the audit log themselves.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from ambassade.workspaces import audit
from ambassade.workspaces.messages import StoredMessage
from ambassade.workspaces.models import (
    AuditEntry,
    Connection,
    Invitation,
    Membership,
    Organisation,
    Role,
    Workspace,
)
from ambassade.workspaces.permissions import OWNERS_MANAGE, can
from ambassade.workspaces.text import shorten

__all__ = [
    "INVITATION_VALIDITY",
    "AccountExists",
    "InvitationUnusable",
    "ServiceError",
    "accept_invitation",
    "change_role",
    "connect_account",
    "create_organisation",
    "create_user",
    "create_workspace",
    "find_invitation",
    "invite_member",
    "mark_needs_reconnection",
    "purge_expired_invitations",
    "record_audit",
    "remove_connection",
    "remove_member",
    "revoke_invitation",
    "sign_up_with_invitation",
    "update_workspace",
]

log = logging.getLogger(__name__)
User = get_user_model()
INVITATION_VALIDITY = timedelta(days=7)


class ServiceError(Exception):
    """The action cannot be done; ``str(error)`` is a translated sentence for the person."""


class AccountExists(ServiceError):
    """An account with this e-mail address exists already (perhaps made a moment ago)."""


class InvitationUnusable(ServiceError):
    """The invitation has been used (perhaps a moment ago, by a concurrent request) or has expired."""


# --- audit -------------------------------------------------------------------------------------


def record_audit(
    workspace: Workspace,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    details: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Append an entry to the workspace's audit log. ``actor`` is a user or None (the system)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=user,
        actor_repr=_person(user) if user else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=shorten(
            object_repr if object_repr is not None else str(obj) if obj else "", 200
        ),
        details=details or {},
    )


def _person(user: Any) -> str:
    name = (user.get_full_name() or "").strip()
    return f"{name} <{user.email}>" if name else str(user.email)


# --- people, organisations, workspaces --------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


@sensitive_variables("password")
def create_user(email: str, password: str | None, name: str = "") -> AbstractBaseUser:
    """Create a person who logs in with ``email``. The username is the e-mail address."""
    email = normalise_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise AccountExists(_("An account with this e-mail address already exists."))
    user = User(username=email[:150], email=email, first_name=name.strip()[:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Created at the same moment by another request (the check above saw nothing yet).
        raise AccountExists(_("An account with this e-mail address already exists.")) from None
    return user


def _unique_slug(model: type[models.Model], name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_organisation(
    *, name: str, kind: str, owner: Any, workspace_name: str, **workspace_options: Any
) -> tuple[Organisation, Workspace]:
    """Create an organisation with its first workspace, ``owner`` owning it."""
    organisation = Organisation.objects.create(
        name=name.strip(), kind=kind, slug=_unique_slug(Organisation, name)
    )
    workspace = create_workspace(
        organisation=organisation,
        name=workspace_name,
        owner=owner,
        check_permission=False,
        **workspace_options,
    )
    record_audit(workspace, owner, audit.ORGANISATION_CREATED, organisation)
    return organisation, workspace


@transaction.atomic
def create_workspace(
    *,
    organisation: Organisation,
    name: str,
    owner: Any,
    time_zone: str | None = None,
    language: str | None = None,
    check_permission: bool = True,
) -> Workspace:
    """Create a workspace in ``organisation``; ``owner`` becomes its owner.

    With ``check_permission``, ``owner`` must own a workspace of the organisation already.
    """
    if check_permission and not organisation_admin(owner, organisation):
        raise ServiceError(_("Only an owner of one of its workspaces can add a workspace here."))
    workspace = Workspace(organisation=organisation, name=name.strip())
    workspace.slug = _unique_slug(Workspace, name)
    if time_zone:
        workspace.time_zone = time_zone
    if language:
        workspace.language = language
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    record_audit(workspace, owner, audit.WORKSPACE_CREATED, workspace)
    return workspace


def organisation_admin(user: Any, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, workspace__organisation=organisation, role=Role.OWNER
    ).exists()


def update_workspace(workspace: Workspace, actor: Any, **changes: Any) -> Workspace:
    fields = ("name", "time_zone", "language")
    changed = {}
    for field in fields:
        if field in changes and getattr(workspace, field) != changes[field]:
            changed[field] = [getattr(workspace, field), changes[field]]
            setattr(workspace, field, changes[field])
    if changed:
        workspace.save(update_fields=list(changed))
        record_audit(workspace, actor, audit.WORKSPACE_UPDATED, workspace, details=changed)
    return workspace


# --- members ----------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.BASE_URL + reverse("invitation_accept", args=[token])


@sensitive_variables("token")
def invite_member(
    workspace: Workspace,
    *,
    email: str,
    role: str,
    invited_by: Any,
    valid_for: timedelta = INVITATION_VALIDITY,
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``workspace`` with ``role`` and send the e-mail.

    Returns the invitation and its token (shown nowhere else: only its hash is stored). A pending
    invitation for the same address is replaced.
    """
    email = normalise_email(email)
    if role == Role.OWNER and not can(invited_by, workspace, OWNERS_MANAGE):
        raise ServiceError(_("Only an owner can invite another owner."))
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ServiceError(_("This person is already a member of the workspace."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=_hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + valid_for,
    )
    # Sent outside a transaction (an SMTP server may be slow); on failure nothing is left behind.
    try:
        _send_invitation(invitation, token)
    except OSError:  # smtplib's errors are OSErrors too
        log.exception("could not send the invitation %s", invitation.id)
        Invitation.objects.filter(id=invitation.id).delete()
        raise ServiceError(
            _("The invitation e-mail could not be sent. Try again later, or ask an administrator.")
        ) from None
    with transaction.atomic():
        Invitation.objects.filter(workspace=workspace, email=email, accepted_at=None).exclude(
            id=invitation.id
        ).delete()
        record_audit(
            workspace,
            invited_by,
            audit.MEMBER_INVITED,
            invitation,
            object_repr=email,
            details={"role": role},
        )
    return invitation, token


@sensitive_variables("token")
def _send_invitation(invitation: Invitation, token: str) -> None:
    workspace = invitation.workspace
    # In the invitee's language when they already use the product, else in the workspace's.
    from ambassade.workspaces.locale import language_of

    with translation.override(language_of(invitation.email, workspace.language)):
        context = {
            "workspace": workspace,
            "inviter": invitation.invited_by,
            "role": invitation.get_role_display(),
            "url": invitation_url(token),
            "expires_at": invitation.expires_at,
            "time_zone": workspace.time_zone,
        }
        subject = _("You are invited to %(workspace)s on Ambassade") % {"workspace": workspace}
        body = render_to_string("workspaces/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=_hash_token(token))
        .first()
    )


def revoke_invitation(invitation: Invitation, actor: Any) -> None:
    deleted, _counts = Invitation.objects.filter(id=invitation.id, accepted_at=None).delete()
    if deleted:
        record_audit(
            invitation.workspace,
            actor,
            audit.INVITATION_REVOKED,
            invitation,
            object_repr=invitation.email,
        )


def accept_invitation(invitation: Invitation, user: Any) -> Membership:
    """Make ``user`` a member with the invited role; the invitation can be used once."""
    if normalise_email(user.email) != invitation.email:
        raise ServiceError(_("This invitation was sent to another e-mail address."))
    with transaction.atomic():
        _claim_invitation(invitation)
        return _join(invitation, user)


@sensitive_variables("password")
def sign_up_with_invitation(invitation: Invitation, password: str, name: str) -> AbstractBaseUser:
    """Create the invited person's account and membership in one step.

    The invitation is claimed first, in the same transaction as the account: of two sign-ups racing
    with one link, the second waits for the first and then finds it used (:class:`InvitationUnusable`),
    and an account made meanwhile for the same address rolls everything back (:class:`AccountExists`).
    """
    with transaction.atomic():
        _claim_invitation(invitation)
        user = create_user(invitation.email, password, name)
        _join(invitation, user)
    return user


def _claim_invitation(invitation: Invitation) -> None:
    """Mark the invitation used with a conditional update (call inside a transaction): of two
    concurrent claims only one succeeds."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        id=invitation.id, accepted_at=None, expires_at__gt=now
    ).update(accepted_at=now)
    if claimed != 1:
        raise InvitationUnusable(_("This invitation has expired or has already been used."))


def _join(invitation: Invitation, user: Any) -> Membership:
    Invitation.objects.filter(id=invitation.id).update(accepted_by=user)
    membership, created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    record_audit(
        invitation.workspace,
        user,
        audit.INVITATION_ACCEPTED,
        membership,
        object_repr=_person(user),
        details={"role": membership.role, "already_member": not created},
    )
    return membership


def change_role(membership: Membership, role: str, actor: Any) -> Membership:
    if role not in Role.values:
        raise ServiceError(_("This role does not exist."))
    if membership.role == role:
        return membership
    if Role.OWNER in (role, membership.role) and not can(
        actor, membership.workspace, OWNERS_MANAGE
    ):
        raise ServiceError(_("Only an owner can give or take away the owner role."))
    with transaction.atomic():
        if membership.role == Role.OWNER:
            _keep_an_owner(membership)
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record_audit(
            membership.workspace,
            actor,
            audit.ROLE_CHANGED,
            membership,
            object_repr=_person(membership.user),
            details={"from": previous, "to": role},
        )
    return membership


def remove_member(membership: Membership, actor: Any) -> None:
    if membership.role == Role.OWNER and not can(actor, membership.workspace, OWNERS_MANAGE):
        raise ServiceError(_("Only an owner can remove an owner."))
    with transaction.atomic():
        if membership.role == Role.OWNER:
            _keep_an_owner(membership)
        record_audit(
            membership.workspace,
            actor,
            audit.MEMBER_REMOVED,
            membership,
            object_repr=_person(membership.user),
            details={"role": membership.role},
        )
        membership.delete()


def _keep_an_owner(membership: Membership) -> None:
    # Lock the owners' rows (on PostgreSQL) so two owners cannot demote each other at once.
    owners = list(
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.OWNER)
        .values_list("id", flat=True)
    )
    if owners == [membership.id]:
        raise ServiceError(_("A workspace must keep at least one owner."))


# --- connections (the vault) ------------------------------------------------------------------


@sensitive_variables("secret")
def connect_account(
    workspace: Workspace,
    *,
    network: str,
    account_name: str,
    secret: dict[str, Any],
    actor: Any,
    account_id: str = "",
    expires_at: datetime | None = None,
) -> Connection:
    """Store a network account's credentials, encrypted. Connecting the same account again
    replaces its credentials and marks it connected."""
    with transaction.atomic():
        connection = Connection.objects.filter(
            workspace=workspace, network=network, account_name=account_name
        ).first() or Connection(
            workspace=workspace, network=network, account_name=account_name, created_by=actor
        )
        connection.account_id = account_id
        connection.set_secret(secret)
        connection.status = Connection.Status.CONNECTED
        connection.last_error = ""
        connection.expires_at = expires_at
        connection.updated_at = timezone.now()
        try:
            connection.save()
        except IntegrityError:
            raise ServiceError(_("This account is already connected.")) from None
        record_audit(
            workspace, actor, audit.CONNECTION_ADDED, connection, details={"network": network}
        )
    return connection


def mark_needs_reconnection(connection_id: int, error: Any) -> bool:
    """Called by connectors when a token is refused. ``error``: the connector's error or a coded
    message (stored as such, worded for whoever reads the connections page). Idempotent: only the
    first call of a series writes to the audit log. Returns True when the status changed."""
    error = StoredMessage.of(error)
    now = timezone.now()
    changed = Connection.objects.filter(
        id=connection_id, status=Connection.Status.CONNECTED
    ).update(status=Connection.Status.NEEDS_RECONNECTION, last_error=error, updated_at=now)
    if not changed:
        Connection.objects.filter(id=connection_id).update(last_error=error, updated_at=now)
        return False
    connection = Connection.objects.select_related("workspace").get(id=connection_id)
    record_audit(
        connection.workspace,
        None,
        audit.CONNECTION_NEEDS_RECONNECTION,
        connection,
        details={"error": error.to_json()},
    )
    log.warning("connection %s needs reconnection", connection_id)
    return True


def remove_connection(connection: Connection, actor: Any) -> None:
    with transaction.atomic():
        record_audit(
            connection.workspace,
            actor,
            audit.CONNECTION_REMOVED,
            connection,
            details={"network": connection.network},
        )
        connection.delete()


# --- maintenance ------------------------------------------------------------------------------


def purge_expired_invitations(now: datetime | None = None, batch: int = 500) -> int:
    """Delete invitations that expired unused. Idempotent; deletes by id with the condition repeated,
    so an invitation accepted meanwhile is kept."""
    now = now or timezone.now()
    total = 0
    while True:
        ids = list(
            Invitation.objects.filter(accepted_at=None, expires_at__lte=now).values_list(
                "id", flat=True
            )[:batch]
        )
        if not ids:
            return total
        deleted, _counts = Invitation.objects.filter(
            id__in=ids, accepted_at=None, expires_at__lte=now
        ).delete()
        total += deleted
