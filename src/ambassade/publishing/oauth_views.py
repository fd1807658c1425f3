"""“Connect with …”: the OAuth authorization-code flows (docs/publishing.md, "Connecting accounts").

1. ``start`` (``/w/<ws>/publishing/accounts/oauth/<network>/``, owners and managers) stores a random
   ``state`` in the session, bound to the person, the workspace and the network (with X's PKCE
   verifier), valid 10 minutes, and sends the browser to the network's consent page.
2. ``callback`` (``/oauth/<provider>/callback/``, the one redirect URI each app registers) takes the
   state out of the session — so it works once — and refuses a missing, expired or foreign one with
   a 400 page, saving nothing. It exchanges the code, lists the accounts the tokens may publish as and
   connects the only one, or keeps them (encrypted with the vault) for ``choose``.
3. ``choose`` lets the person pick the page or account (and, for Reddit, the subreddit).

The protocol is ``ambassade.connectors.oauth``; storing and refreshing is ``workspaces.tokens``.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.oauth import (
    PROVIDERS,
    Account,
    GrantRevoked,
    OAuthError,
    code_challenge,
    new_code_verifier,
    new_state,
)
from ambassade.workspaces import tokens, vault
from ambassade.workspaces.models import Membership, Workspace
from ambassade.workspaces.networks import network_label
from ambassade.workspaces.permissions import CONNECTIONS_MANAGE, can_role, workspace_view
from ambassade.workspaces.services import ServiceError

log = logging.getLogger(__name__)

#: How long a started flow may take, consent included (seconds).
STATE_TTL = 600
#: Flows kept per session at most (a person clicking "Connect" again and again).
MAX_FLOWS = 10
FLOWS = "oauth_flows"
PENDING = "oauth_pending"
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")


def _label(network: str) -> str:
    return {"facebook": "Facebook", "instagram": "Instagram", "threads": "Threads"}.get(
        network, network_label(network)
    )


def _fresh(entries: dict[str, Any], now: float) -> dict[str, Any]:
    kept = {k: v for k, v in entries.items() if now - float(v.get("created", 0)) < STATE_TTL}
    return dict(sorted(kept.items(), key=lambda item: item[1]["created"])[-MAX_FLOWS:])


def _error(
    request: HttpRequest,
    title: str,
    message: str,
    *,
    status: int = 400,
    workspace: Workspace | None = None,
    network: str = "",
) -> HttpResponse:
    return render(
        request,
        "publishing/oauth_error.html",
        {"title": title, "message": message, "workspace": workspace, "network": network},
        status=status,
    )


@workspace_view(CONNECTIONS_MANAGE)
@never_cache
def start(request: HttpRequest, network: str) -> HttpResponse:
    key = tokens.provider_key(network)
    if key is None:
        raise Http404("This network cannot be connected with OAuth here.")
    client = tokens.provider(key)
    client.http.close()  # only the authorize URL is needed: no call from here
    state = new_state()
    verifier = new_code_verifier() if client.pkce else ""
    now = time.time()
    flows = _fresh(request.session.get(FLOWS, {}), now)
    flows[state] = {
        "user": request.user.pk,
        "workspace": request.workspace.pk,  # type: ignore[attr-defined]
        "network": network,
        "provider": key,
        "verifier": verifier,
        "created": now,
    }
    request.session[FLOWS] = _fresh(flows, now)
    url = client.authorize_url(
        redirect_uri=tokens.redirect_uri(key),
        state=state,
        code_challenge=code_challenge(verifier) if verifier else "",
    )
    return HttpResponseRedirect(url)


def _manages(user: Any, workspace_id: int) -> Workspace | None:
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace_id=workspace_id)
        .first()
    )
    if membership is None or not can_role(membership.role, CONNECTIONS_MANAGE):
        return None
    return membership.workspace


def _encode(accounts: list[Account]) -> str:
    data = [
        {
            "network": a.network,
            "id": a.id,
            "name": a.name,
            "secret": a.secret,
            "expires_at": a.expires_at.isoformat() if a.expires_at else None,
            "detail": a.detail,
        }
        for a in accounts
    ]
    return base64.b64encode(vault.encrypt({"accounts": data})).decode("ascii")


def _decode(blob: str) -> list[Account]:
    data = vault.decrypt(base64.b64decode(blob)).reveal()["accounts"]
    return [
        Account(
            item["network"],
            item["id"],
            item["name"],
            item["secret"],
            datetime.fromisoformat(item["expires_at"]) if item["expires_at"] else None,
            item.get("detail", ""),
        )
        for item in data
    ]


@never_cache
@sensitive_variables()
def callback(request: HttpRequest, network: str) -> HttpResponse:
    """The redirect URI of provider ``network`` (``linkedin``, ``x``, ``facebook``, ``threads``,
    ``reddit``)."""
    if not request.user.is_authenticated:
        # Without the query: the code and state are no use once logged in (the flow was in the
        # session that is gone), and must not sit in the log-in page's address.
        return redirect_to_login(request.path)
    if network not in PROVIDERS or network not in settings.OAUTH_APPS:
        raise Http404("No such OAuth provider.")
    state = request.GET.get("state", "")
    flows = request.session.get(FLOWS, {})
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS] = flows  # the state is spent now, whatever happens next
    invalid_title = _("This connection attempt cannot be completed")
    if flow is None:
        return _error(
            request,
            invalid_title,
            _(
                "The answer from the network does not match a connection started from this "
                "browser, or it was already used. Nothing was saved. Start again from the "
                "connect page."
            ),
        )
    if time.time() - float(flow["created"]) >= STATE_TTL:
        return _error(
            request,
            invalid_title,
            _(
                "More than 10 minutes passed between the start and the network's answer. "
                "Nothing was saved. Start again from the connect page."
            ),
        )
    if flow["user"] != request.user.pk:
        return _error(
            request,
            invalid_title,
            _("This answer belongs to a connection started by someone else. Nothing was saved."),
        )
    if flow["provider"] != network:
        return _error(
            request,
            invalid_title,
            _(
                "This answer belongs to a connection started for another network. Nothing was "
                "saved. Start again from the connect page."
            ),
        )
    workspace = _manages(request.user, int(flow["workspace"]))
    if workspace is None:
        raise Http404("No such workspace.")
    target = str(flow["network"])
    label = _label(target)
    error = request.GET.get("error", "")
    if error:
        if error == "access_denied":
            return _error(
                request,
                _("The connection was cancelled"),
                _(
                    "You did not allow Ambassade to use the %(network)s account, so nothing was "
                    "connected. You can try again whenever you like."
                )
                % {"network": label},
                status=200,
                workspace=workspace,
                network=target,
            )
        return _error(
            request,
            invalid_title,
            _("%(network)s refused the connection (%(error)s). Nothing was saved.")
            % {"network": label, "error": error[:100]},
            workspace=workspace,
            network=target,
        )
    code = request.GET.get("code", "")
    if not code:
        return _error(
            request,
            invalid_title,
            _("%(network)s sent no authorisation code. Nothing was saved.") % {"network": label},
            workspace=workspace,
            network=target,
        )
    client = tokens.provider(network)
    try:
        grant = client.exchange_code(
            code, redirect_uri=tokens.redirect_uri(network), code_verifier=str(flow["verifier"])
        )
        accounts = [a for a in client.accounts(grant) if a.network == target]
    except ConnectorError as failure:
        return _exchange_failed(request, workspace, target, label, failure)
    finally:
        client.http.close()
    if not accounts:
        return _error(
            request,
            _("No account to connect"),
            _(
                "%(network)s lists no account that this sign-in may publish as. Check that you "
                "administer the page or account, then start again."
            )
            % {"network": label},
            status=200,
            workspace=workspace,
            network=target,
        )
    if len(accounts) == 1 and target != "reddit":
        return _connected(request, workspace, accounts[0])
    pending = _fresh(request.session.get(PENDING, {}), time.time())
    pending[state] = {
        "user": request.user.pk,
        "workspace": workspace.pk,
        "network": target,
        "created": time.time(),
        "accounts": _encode(accounts),
    }
    request.session[PENDING] = pending
    url = reverse(
        "publishing:oauth_choose", kwargs={"workspace_slug": workspace.slug, "network": target}
    )
    return redirect(f"{url}?flow={state}")


def _exchange_failed(
    request: HttpRequest, workspace: Workspace, target: str, label: str, failure: ConnectorError
) -> HttpResponse:
    """The page after a refused or failed exchange or listing, in one plain sentence or two.

    The protocol's own refusals (``OAuthError``, ``GrantRevoked``) are whole sentences naming the
    network and what to do: they are shown as they are. The HTTP seam's messages name addresses
    and advise the outbox ("check before retrying"): they are logged, and the page says plainly
    what happened instead."""
    log.warning("oauth %s: the exchange failed: %s", target, failure.message)
    if not failure.permanent:
        return _error(
            request,
            _("The network did not complete the connection"),
            _(
                "%(network)s did not answer in time, or answered with an error. Nothing was "
                "saved. Wait a moment and start again."
            )
            % {"network": label},
            status=502,
            workspace=workspace,
            network=target,
        )
    if isinstance(failure, GrantRevoked):
        message = _(
            "%(network)s refused the authorisation: it was revoked or has expired. Nothing was "
            "saved. Start again from the connect page."
        ) % {"network": label}
    elif isinstance(failure, OAuthError) and failure.oauth_code in (
        "invalid_client",
        "unauthorized_client",
    ):
        message = _(
            "%(network)s refused this installation's client id or secret: an administrator must "
            "check the app's settings. Nothing was saved."
        ) % {"network": label}
    elif isinstance(failure, OAuthError):
        message = _(
            "%(network)s refused the request. Nothing was saved. Start again from the connect page."
        ) % {"network": label}
    elif isinstance(failure, AuthExpired):
        message = _(
            "%(network)s did not accept the authorisation. Nothing was saved. Start again from "
            "the connect page."
        ) % {"network": label}
    else:
        message = _(
            "%(network)s refused to give Ambassade access to the account. Nothing was saved."
        ) % {"network": label}
    return _error(
        request,
        _("This connection attempt cannot be completed"),
        message,
        workspace=workspace,
        network=target,
    )


def _connected(
    request: HttpRequest, workspace: Workspace, account: Account, name: str = ""
) -> HttpResponse:
    try:
        connection = tokens.connect_oauth_account(
            workspace, account, request.user, account_name=name
        )
    except ServiceError as error:
        return _error(
            request,
            _("The account could not be connected"),
            str(error),
            status=409,
            workspace=workspace,
            network=account.network,
        )
    messages.success(request, _("%(account)s is connected.") % {"account": connection.account_name})
    return redirect("workspace_connections", workspace_slug=workspace.slug)


class ChooseAccountForm(forms.Form):
    account = forms.ChoiceField(label=gettext_lazy("Account"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, accounts: list[Account], network: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = {account.id: account for account in accounts}
        self.fields["account"].choices = [
            (a.id, f"{a.name} · {a.detail}" if a.detail and a.detail != a.name else a.name)
            for a in accounts
        ]
        if len(accounts) == 1:
            self.fields["account"].initial = accounts[0].id
        if network == "reddit":
            self.fields["subreddit"] = forms.CharField(
                label=gettext_lazy("Subreddit"),
                max_length=24,
                help_text=gettext_lazy("Where the posts go, for example r/cafelumiere."),
            )

    def clean_subreddit(self) -> str:
        value = str(self.cleaned_data["subreddit"]).strip()
        value = re.sub(r"^/?r/", "", value)
        if not SUBREDDIT.match(value):
            raise forms.ValidationError(
                _("A subreddit name has 2 to 21 letters, digits or underscores.")
            )
        return value


@workspace_view(CONNECTIONS_MANAGE)
@never_cache
@sensitive_variables()
def choose(request: HttpRequest, network: str) -> HttpResponse:
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    flow_id = request.POST.get("flow") or request.GET.get("flow") or ""
    pending = _fresh(request.session.get(PENDING, {}), time.time())
    entry = pending.get(flow_id)
    if (
        entry is None
        or entry["user"] != request.user.pk
        or entry["workspace"] != workspace.pk
        or entry["network"] != network
    ):
        return _error(
            request,
            _("This connection attempt cannot be completed"),
            _(
                "The list of accounts has expired (10 minutes) or belongs to another connection. "
                "Nothing was saved. Start again from the connect page."
            ),
            status=404,  # no such choice here
            workspace=workspace,
            network=network,
        )
    accounts = _decode(entry["accounts"])
    form = ChooseAccountForm(request.POST or None, accounts=accounts, network=network)
    if request.method == "POST" and form.is_valid():
        account = form.accounts[form.cleaned_data["account"]]
        name = ""
        if network == "reddit":
            subreddit = form.cleaned_data["subreddit"]
            account = Account(
                account.network,
                f"{account.id}:{subreddit.lower()}",
                account.name,
                {**account.secret, "subreddit": subreddit},
                account.expires_at,
            )
            name = f"r/{subreddit} · {account.name}"
        pending.pop(flow_id, None)
        request.session[PENDING] = pending
        return _connected(request, workspace, account, name)
    return render(
        request,
        "publishing/oauth_choose.html",
        {"form": form, "flow": flow_id, "network": network, "label": _label(network)},
    )
