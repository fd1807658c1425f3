"""Views of the workspaces app. Each one validates input, calls one service, renders.

Views of a workspace are wrapped in ``@workspace_view(action)`` and read objects through
``workspace_queryset`` / ``get_workspace_object_or_404`` (see ``permissions``).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from ambassade.workspaces import home as home_page
from ambassade.workspaces import services
from ambassade.workspaces.forms import (
    ConnectionForm,
    InvitationForm,
    OrganisationForm,
    RoleForm,
    SignupForm,
    WorkspaceCreateForm,
    WorkspaceSettingsForm,
)
from ambassade.workspaces.models import (
    AuditEntry,
    Connection,
    Invitation,
    Membership,
    Organisation,
    Role,
)
from ambassade.workspaces.permissions import (
    AUDIT_VIEW,
    CONNECTIONS_MANAGE,
    CONNECTIONS_VIEW,
    MEMBERS_MANAGE,
    OWNERS_MANAGE,
    WORKSPACE_MANAGE,
    WORKSPACE_VIEW,
    can_role,
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

AUDIT_PAGE_SIZE = 50


# --- outside any workspace --------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's workspaces, grouped by organisation; straight to the workspace if only one."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("workspace__organisation")
        .order_by("workspace__organisation__name", "workspace__name")
    )
    if len(memberships) == 1:
        return redirect("workspace_home", workspace_slug=memberships[0].workspace.slug)
    groups = [
        (organisation, list(items))
        for organisation, items in groupby(memberships, key=lambda m: m.workspace.organisation)
    ]
    return render(
        request,
        "workspaces/home.html",
        {"groups": groups, "list_links": list(home_page.LIST_LINKS.values())},
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _organisation, workspace = services.create_organisation(
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            workspace_name=form.cleaned_data["workspace_name"],
            owner=request.user,
        )
        messages.success(request, _("Your organisation and its first workspace are ready."))
        return redirect("workspace_home", workspace_slug=workspace.slug)
    return render(request, "workspaces/organisation_form.html", {"form": form})


@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(
        workspaces__memberships__user=request.user,
        workspaces__memberships__role=Role.OWNER,
    ).distinct()
    form = WorkspaceCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.create_workspace(
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
                language=form.cleaned_data["language"],
                owner=request.user,
            )
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The workspace is ready."))
            return redirect("workspace_home", workspace_slug=workspace.slug)
    return render(
        request,
        "workspaces/workspace_create.html",
        {"form": form, "has_organisations": organisations.exists()},
    )


@sensitive_post_parameters("password1", "password2")
@sensitive_variables("invitation_token")
def invitation_accept(request: HttpRequest, invitation_token: str) -> HttpResponse:
    """The link in an invitation e-mail.

    Anonymous with no account for the address: a form creates it. Anonymous with an account: log in
    first. Logged in with the invited address: confirm. Logged in as someone else: refused (403).
    """
    invitation = services.find_invitation(invitation_token)
    if invitation is None:
        return render(
            request, "workspaces/invitation_invalid.html", {"reason": "unknown"}, status=404
        )
    if invitation.accepted_at is not None or invitation.is_expired:
        reason = "used" if invitation.accepted_at else "expired"
        return render(
            request,
            "workspaces/invitation_invalid.html",
            {"reason": reason, "invitation": invitation},
            status=410,
        )
    context: dict[str, Any] = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        if services.normalise_email(user.email) != invitation.email:
            return render(request, "workspaces/invitation_other_account.html", context, status=403)
        if request.method == "POST":
            return _accept(request, invitation, user)
        return render(request, "workspaces/invitation_accept.html", context)
    if services.User.objects.filter(email__iexact=invitation.email).exists():
        context["login_url"] = f"{reverse('login')}?{urlencode({'next': request.path})}"
        return render(request, "workspaces/invitation_login.html", context)
    form = SignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.sign_up_with_invitation(
                invitation, form.cleaned_data["password1"], form.cleaned_data["name"]
            )
        except services.InvitationUnusable:
            # Used a moment ago by another request with the same link.
            return render(
                request,
                "workspaces/invitation_invalid.html",
                {"reason": "used", "invitation": invitation},
                status=410,
            )
        except services.AccountExists:
            # Made meanwhile: this link now asks to log in first.
            return redirect(request.path)
        login(request, new_user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(
            request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
        )
        return redirect("workspace_home", workspace_slug=invitation.workspace.slug)
    context["form"] = form
    return render(request, "workspaces/invitation_signup.html", context)


def _accept(request: HttpRequest, invitation: Invitation, user: Any) -> HttpResponse:
    try:
        services.accept_invitation(invitation, user)
    except services.ServiceError as error:
        messages.error(request, str(error))
        return redirect("home")
    messages.success(
        request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
    )
    return redirect("workspace_home", workspace_slug=invitation.workspace.slug)


# --- inside a workspace -----------------------------------------------------------------------


@workspace_view(WORKSPACE_VIEW)
def workspace_home(request: HttpRequest) -> HttpResponse:
    role = request.membership.role  # type: ignore[attr-defined]
    members = workspace_queryset(request, Membership).aggregate(
        total=Count("id"), owners=Count("id", filter=Q(role=Role.OWNER))
    )
    context: dict[str, Any] = {"members": members, "home_sections": home_page.sections(request)}
    if can_role(role, CONNECTIONS_VIEW):
        context["connections"] = list(workspace_queryset(request, Connection))
    if can_role(role, MEMBERS_MANAGE):
        context["pending_invitations"] = list(
            workspace_queryset(request, Invitation)
            .filter(accepted_at=None, expires_at__gt=timezone.now())
            .select_related("invited_by")[:10]
        )
    if can_role(role, AUDIT_VIEW):
        context["recent_audit"] = list(workspace_queryset(request, AuditEntry)[:8])
    return render(request, "workspaces/workspace_home.html", context)


@workspace_view(WORKSPACE_VIEW)
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


def _members_page(
    request: HttpRequest, invite_form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    owner = can_role(membership.role, OWNERS_MANAGE)
    manager = can_role(membership.role, MEMBERS_MANAGE)
    rows = list(
        workspace_queryset(request, Membership)
        .select_related("user")
        .order_by("user__first_name", "user__email")
    )
    context: dict[str, Any] = {
        "rows": [
            {
                "membership": row,
                "editable": manager and (owner or row.role != Role.OWNER),
                "role_form": RoleForm(
                    initial={"role": row.role},
                    include_owner=owner,
                    auto_id=f"id_role_{row.pk}_%s",
                ),
            }
            for row in rows
        ]
    }
    if manager:
        context["invite_form"] = invite_form or InvitationForm(include_owner=owner)
        context["invitations"] = list(
            workspace_queryset(request, Invitation)
            .filter(accepted_at=None)
            .select_related("invited_by")
        )
        context["now"] = timezone.now()
    return render(request, "workspaces/members.html", context, status=status)


@workspace_view(MEMBERS_MANAGE)
@require_POST
def member_invite(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = InvitationForm(request.POST, include_owner=can_role(membership.role, OWNERS_MANAGE))
    if form.is_valid():
        try:
            invitation, _token = services.invite_member(
                request.workspace,  # type: ignore[attr-defined]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except services.ServiceError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("workspace_members", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]
    return _members_page(request, invite_form=form)


@workspace_view(MEMBERS_MANAGE)
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    target = get_workspace_object_or_404(
        request, Membership.objects.select_related("user", "workspace"), id=membership_id
    )
    owner = can_role(request.membership.role, OWNERS_MANAGE)  # type: ignore[attr-defined]
    form = RoleForm(request.POST, include_owner=owner)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
    else:
        try:
            services.change_role(target, form.cleaned_data["role"], request.user)
        except services.ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(person)s now has the role %(role)s.")
                % {
                    "person": target.user.get_full_name() or target.user.email,
                    "role": target.get_role_display(),
                },
            )
    return redirect("workspace_members", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(MEMBERS_MANAGE)
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    target = get_workspace_object_or_404(
        request, Membership.objects.select_related("user", "workspace"), id=membership_id
    )
    try:
        services.remove_member(target, request.user)
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(person)s no longer has access to this workspace.")
            % {"person": target.user.get_full_name() or target.user.email},
        )
    if target.user_id == request.user.pk:
        return redirect("home")
    return redirect("workspace_members", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(MEMBERS_MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_workspace_object_or_404(
        request, Invitation.objects.select_related("workspace"), id=invitation_id
    )
    services.revoke_invitation(invitation, request.user)
    messages.success(request, _("The invitation is revoked; its link no longer works."))
    return redirect("workspace_members", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(CONNECTIONS_VIEW)
def connections(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspaces/connections.html",
        {"connections": list(workspace_queryset(request, Connection))},
    )


@workspace_view(CONNECTIONS_MANAGE)
@sensitive_post_parameters("access_token")
@sensitive_variables()
def connection_create(request: HttpRequest) -> HttpResponse:
    # "Reconnect" links prefill the account; the token is always typed again.
    initial = {key: request.GET[key] for key in ("network", "account_name") if key in request.GET}
    form = ConnectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connection = services.connect_account(
                request.workspace,  # type: ignore[attr-defined]
                network=data["network"],
                account_name=data["account_name"],
                account_id=data["account_id"],
                secret={"access_token": data["access_token"]},
                expires_at=data["expires_at"],
                actor=request.user,
            )
        except services.ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("%(account)s is connected.") % {"account": connection.account_name}
            )
            return redirect("workspace_connections", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]
    return render(request, "workspaces/connection_form.html", {"form": form})


@workspace_view(CONNECTIONS_MANAGE)
@require_POST
def connection_remove(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = get_workspace_object_or_404(
        request, Connection.objects.select_related("workspace"), id=connection_id
    )
    services.remove_connection(connection, request.user)
    messages.success(
        request,
        _("%(account)s is disconnected and its credentials are deleted.")
        % {"account": connection.account_name},
    )
    return redirect("workspace_connections", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = workspace_queryset(request, AuditEntry).select_related("actor")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspaces/audit.html", {"page": page})


@workspace_view(WORKSPACE_MANAGE)
def workspace_settings(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = WorkspaceSettingsForm(
        request.POST or None,
        initial={
            "name": workspace.name,
            "time_zone": workspace.time_zone,
            "language": workspace.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_workspace(workspace, request.user, **form.cleaned_data)
        messages.success(request, _("The settings are saved."))
        return redirect("workspace_settings", workspace_slug=workspace.slug)
    return render(request, "workspaces/settings.html", {"form": form})
