"""OAuth 2.0 authorization-code flows of the networks that use them ("Connect with …").

Pure protocol, no Django: per network a :class:`Provider` builds the authorize URL, exchanges the
code the network sends back for tokens (a :class:`Grant`), lists the accounts those tokens may
publish as (:class:`Account`, each with the credentials to store in the vault) and refreshes stored
credentials before they expire (:class:`Refreshed`). Every call goes through the connectors' HTTP
seam; ``endpoints`` override the base addresses (tests point them at 127.0.0.1).

The credential keys are the ones the publishers read:

- linkedin: ``access_token``, ``refresh_token`` (if granted), ``organization`` (URN);
- x: ``access_token``, ``refresh_token``, ``user_id``, ``username``;
- facebook: ``page_id``, ``access_token`` (page token), ``user_access_token`` (long-lived);
- instagram: ``ig_user_id``, ``access_token`` (the linked page's token);
- threads: ``threads_user_id``, ``access_token`` (long-lived, 60 days);
- reddit: ``client_id``, ``client_secret``, ``refresh_token``, ``username``, ``access_token``,
  ``access_token_expires_at`` (ISO 8601); the app adds ``subreddit``.

Errors: a refused code, refresh token or revoked authorisation raises :class:`GrantRevoked` (an
:class:`~ambassade.connectors.base.AuthExpired`: the connection needs reconnecting); a wrong client id
or secret raises a permanent :class:`OAuthError`; 5xx and timeouts raise temporary errors. Tokens
never appear in a message, a repr or a log line.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient, Response
from ambassade.engine.messages import Param

__all__ = [
    "PROVIDERS",
    "Account",
    "App",
    "FacebookProvider",
    "Grant",
    "GrantRevoked",
    "LinkedInProvider",
    "OAuthError",
    "Provider",
    "RedditProvider",
    "Refreshed",
    "ThreadsProvider",
    "XProvider",
    "code_challenge",
    "new_code_verifier",
    "new_state",
]

#: LinkedIn's REST API version (``LinkedIn-Version``), as the LinkedIn publisher sends it.
LINKEDIN_VERSION = "202509"
#: The Graph API version of Facebook Login and the page listing.
GRAPH_VERSION = "v23.0"
#: Pages of accounts read at most when listing (100 per page): an agency may manage many pages.
MAX_PAGES = 10


def _utcnow() -> datetime:
    return datetime.now(UTC)


def new_state() -> str:
    """An unguessable ``state`` value (256 bits)."""
    return secrets.token_urlsafe(32)


def new_code_verifier() -> str:
    """A PKCE code verifier: 86 characters of the unreserved set (RFC 7636 asks for 43 to 128)."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """The S256 challenge of ``verifier``: base64url(SHA-256), without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthError(ConnectorError):
    """The network refused an OAuth call. ``oauth_code`` is its OAuth error code
    (``invalid_client``…); ``code`` is the message's, as for every connector error."""

    def __init__(
        self,
        message: str,
        *,
        oauth_code: str = "",
        permanent: bool = True,
        retry_after: float | None = None,
        code: str = "",
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(
            message, permanent=permanent, retry_after=retry_after, code=code, params=params
        )
        self.oauth_code = oauth_code


class GrantRevoked(AuthExpired):
    """The authorisation is gone: the code or refresh token was refused (``invalid_grant``), the
    token revoked or expired. A person must connect the account again."""

    def __init__(
        self,
        message: str,
        *,
        oauth_code: str = "",
        code: str = "",
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.oauth_code = oauth_code


@dataclass(frozen=True, slots=True)
class App:
    """The installation's app on a network (its client id and secret)."""

    client_id: str
    client_secret: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"<App {self.client_id}>"


@dataclass(frozen=True, slots=True)
class Grant:
    """What the code exchange gave. ``to_dict``/``from_dict`` let the app keep it (encrypted) while
    the person chooses an account."""

    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_at: datetime | None = None
    user_id: str = ""
    scope: str = ""

    def __repr__(self) -> str:
        return f"<Grant user_id={self.user_id!r} expires_at={self.expires_at}>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "user_id": self.user_id,
            "scope": self.scope,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Grant:
        expires = data.get("expires_at")
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or ""),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            user_id=str(data.get("user_id") or ""),
            scope=str(data.get("scope") or ""),
        )


@dataclass(frozen=True, slots=True)
class Account:
    """An account the tokens may publish as, with the credentials to store for it."""

    network: str
    id: str
    name: str
    secret: dict[str, Any] = field(repr=False)
    expires_at: datetime | None = None
    detail: str = ""

    def __repr__(self) -> str:
        return f"<Account {self.network}:{self.id} {self.name!r}>"


@dataclass(frozen=True, slots=True)
class Refreshed:
    """The whole secret to store after a refresh, and when its access token expires."""

    secret: dict[str, Any] = field(repr=False)
    expires_at: datetime | None = None

    def __repr__(self) -> str:
        return f"<Refreshed expires_at={self.expires_at}>"


def _body(response: Response) -> dict[str, Any]:
    body = response.json()
    if not isinstance(body, dict):
        raise OAuthError(
            "The network answered with something that is not a JSON object.",
            code="connector.bad_answer",
            params={"network": "OAuth"},
        )
    return body


def _error_fields(body: Any) -> tuple[str, str, int | None]:
    """(OAuth error code, description, Graph API error code) from the usual error shapes."""
    if not isinstance(body, dict):
        return "", "", None
    error = body.get("error")
    if isinstance(error, dict):  # Graph API (Facebook, Instagram, Threads)
        graph_code = error.get("code")
        return (
            str(error.get("type") or ""),
            str(error.get("message") or ""),
            graph_code if isinstance(graph_code, int) else None,
        )
    if isinstance(error, str):
        description = body.get("error_description") or body.get("message") or ""
        return error, str(description), None
    return "", str(body.get("message") or ""), None


class Provider:
    """One network's OAuth flow. Subclasses set the class attributes and the network calls."""

    #: The provider's key: the path of its callback (``/oauth/<key>/callback/``).
    key: ClassVar[str] = ""
    label: ClassVar[str] = ""
    #: The connection networks its accounts belong to.
    networks: ClassVar[tuple[str, ...]] = ()
    scopes: ClassVar[tuple[str, ...]] = ()
    pkce: ClassVar[bool] = False
    #: How long before expiry the stored token is refreshed (or, when it cannot be, announced).
    refresh_margin: ClassVar[timedelta] = timedelta(minutes=30)
    default_endpoints: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        http: HttpClient,
        app: App,
        *,
        endpoints: Mapping[str, str] | None = None,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.http = http
        self.app = app
        self.endpoints = {**self.default_endpoints, **(endpoints or {})}
        self._now = now

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.app!r}>"

    # --- the interface ---------------------------------------------------------------------------

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        raise NotImplementedError

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        raise NotImplementedError

    def accounts(self, grant: Grant) -> list[Account]:
        raise NotImplementedError

    def can_refresh(self, secret: Mapping[str, Any]) -> bool:
        """Whether ``refresh`` can renew these credentials without the person."""
        return False

    def refresh(self, secret: Mapping[str, Any]) -> Refreshed:
        raise OAuthError(
            f"{self.label} tokens cannot be renewed without the person.",
            code="oauth.cannot_renew",
            params={"network": self.label},
        )

    # --- shared helpers --------------------------------------------------------------------------

    def _expiry(self, expires_in: Any) -> datetime | None:
        try:
            seconds = int(expires_in)
        except (TypeError, ValueError):
            return None
        return self._now() + timedelta(seconds=seconds) if seconds > 0 else None

    def _token_errors(self, response: Response, message: str) -> ConnectorError | None:
        """Classify a token endpoint's refusal: revoked grant, wrong app, or the default."""
        try:
            body: Any = response.json()
        except ConnectorError:
            body = None
        code, description, graph_code = _error_fields(body)
        return self._classify(response.status_code, code, description or message, graph_code)

    def _classify(
        self, status: int, code: str, description: str, graph_code: int | None
    ) -> ConnectorError | None:
        if status >= 500 or status == 429:
            return None  # temporary: the seam's default
        detail = f" ({description})" if description else ""
        words = {"network": self.label, "detail": detail}
        if code in ("invalid_grant",) or graph_code == 190:
            return GrantRevoked(
                f"{self.label} refused the authorisation: it was revoked or has expired{detail}.",
                oauth_code=code or "invalid_grant",
                code="oauth.grant_revoked",
                params=words,
            )
        if code in ("invalid_client", "unauthorized_client") or status == 401:
            return OAuthError(
                f"{self.label} refused this installation's client id or secret{detail}. "
                "An administrator must check the app settings.",
                oauth_code=code or "invalid_client",
                code="oauth.client_refused",
                params=words,
            )
        if status in (400, 403):
            return OAuthError(
                f"{self.label} refused the request{detail}.",
                oauth_code=code or "invalid_request",
                code="oauth.request_refused",
                params=words,
            )
        return None

    def _check_body(self, body: dict[str, Any], status: int = 400) -> dict[str, Any]:
        """Some networks (Reddit) answer 200 with an ``error`` field: treat it as the refusal."""
        if not body.get("access_token"):
            code, description, graph_code = _error_fields(body)
            error = self._classify(status, code, description, graph_code)
            raise error or OAuthError(
                f"{self.label} gave no access token.",
                code="oauth.no_token",
                params={"network": self.label},
            )
        return body

    def _query_url(self, base: str, params: Mapping[str, str]) -> str:
        return f"{base}?{urlencode(params, quote_via=quote)}"


class RefreshTokenProvider(Provider):
    """A provider that renews with the standard ``refresh_token`` grant (RFC 6749 §6), keeping a
    rotated refresh token when the network sends a new one."""

    def _token(self, data: dict[str, str]) -> dict[str, Any]:
        """POST ``data`` to the network's token endpoint, authenticated as the app."""
        raise NotImplementedError

    def can_refresh(self, secret: Mapping[str, Any]) -> bool:
        return bool(secret.get("refresh_token"))

    def refresh(self, secret: Mapping[str, Any]) -> Refreshed:
        if not secret.get("refresh_token"):
            return super().refresh(secret)
        body = self._token(
            {"grant_type": "refresh_token", "refresh_token": str(secret["refresh_token"])}
        )
        new = {**secret, "access_token": str(body["access_token"])}
        if body.get("refresh_token"):
            new["refresh_token"] = str(body["refresh_token"])
        return Refreshed(new, self._expiry(body.get("expires_in")))


class LinkedInProvider(RefreshTokenProvider):
    key = "linkedin"
    label = "LinkedIn"
    networks = ("linkedin",)
    scopes = ("w_organization_social", "r_organization_social", "rw_organization_admin")
    refresh_margin = timedelta(days=7)
    default_endpoints = {"auth": "https://www.linkedin.com", "api": "https://api.linkedin.com"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        return self._query_url(
            f"{self.endpoints['auth']}/oauth/v2/authorization",
            {
                "response_type": "code",
                "client_id": self.app.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": " ".join(self.scopes),
            },
        )

    def _token(self, data: dict[str, str]) -> dict[str, Any]:
        response = self.http.post(
            f"{self.endpoints['auth']}/oauth/v2/accessToken",
            data={**data, "client_id": self.app.client_id, "client_secret": self.app.client_secret},
            error_map=self._token_errors,
        )
        return self._check_body(_body(response))

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        body = self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )
        return Grant(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=self._expiry(body.get("expires_in")),
            scope=str(body.get("scope") or ""),
        )

    def _headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def accounts(self, grant: Grant) -> list[Account]:
        """The organisations the member administers (``organizationAcls``, role ADMINISTRATOR,
        state APPROVED), named from ``/rest/organizations/{id}``."""
        headers = self._headers(grant.access_token)
        urns: list[str] = []
        start, count = 0, 100
        for _page in range(MAX_PAGES):
            body = self.http.get(
                f"{self.endpoints['api']}/rest/organizationAcls",
                params={
                    "q": "roleAssignee",
                    "role": "ADMINISTRATOR",
                    "state": "APPROVED",
                    "start": start,
                    "count": count,
                },
                headers=headers,
            ).json()
            elements = body.get("elements") if isinstance(body, dict) else None
            if not isinstance(elements, list):
                raise OAuthError(
                    "LinkedIn did not list the pages this member administers.",
                    code="oauth.no_pages",
                    params={"network": "LinkedIn"},
                )
            for element in elements:
                urn = element.get("organization") if isinstance(element, dict) else None
                organisation_urn = isinstance(urn, str) and urn.startswith("urn:li:organization:")
                if organisation_urn and urn not in urns:
                    urns.append(str(urn))
            if len(elements) < count:
                break
            start += count
        accounts = []
        for urn in urns:
            number = urn.rsplit(":", 1)[1]
            organisation = self.http.get(
                f"{self.endpoints['api']}/rest/organizations/{quote(number)}", headers=headers
            ).json()
            name = ""
            if isinstance(organisation, dict):
                name = str(
                    organisation.get("localizedName") or organisation.get("vanityName") or ""
                )
            secret: dict[str, Any] = {"access_token": grant.access_token, "organization": urn}
            if grant.refresh_token:
                secret["refresh_token"] = grant.refresh_token
            accounts.append(
                Account("linkedin", urn, name or urn, secret, grant.expires_at, detail=urn)
            )
        return accounts


class XProvider(RefreshTokenProvider):
    """OAuth 2.0 with PKCE (S256). A confidential client authenticates with HTTP Basic; a public
    one (no secret) sends its ``client_id`` in the body. Refresh tokens rotate: each refresh gives
    a new one and the old one stops working."""

    key = "x"
    label = "X"
    networks = ("x",)
    #: ``dm.read dm.write``: the inbox's direct messages (used where X's access level has them).
    scopes = (
        "tweet.read",
        "tweet.write",
        "users.read",
        "media.write",
        "offline.access",
        "dm.read",
        "dm.write",
    )
    pkce = True
    refresh_margin = timedelta(minutes=30)
    default_endpoints = {"auth": "https://x.com", "api": "https://api.x.com"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        if not code_challenge:
            raise ValueError("X needs a PKCE code challenge")
        return self._query_url(
            f"{self.endpoints['auth']}/i/oauth2/authorize",
            {
                "response_type": "code",
                "client_id": self.app.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.scopes),
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            },
        )

    def _classify(
        self, status: int, code: str, description: str, graph_code: int | None
    ) -> ConnectorError | None:
        # X answers an unknown, used or revoked code or refresh token with 400 invalid_request
        # ("Value passed for the token was invalid."): the grant is gone either way.
        if status == 400 and code == "invalid_request" and "token" in description.lower():
            code = "invalid_grant"
        return super()._classify(status, code, description, graph_code)

    def _token(self, data: dict[str, str]) -> dict[str, Any]:
        basic = (self.app.client_id, self.app.client_secret) if self.app.client_secret else None
        response = self.http.post(
            f"{self.endpoints['api']}/2/oauth2/token",
            data={**data, "client_id": self.app.client_id},
            basic_auth=basic,
            error_map=self._token_errors,
        )
        return self._check_body(_body(response))

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        body = self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )
        return Grant(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=self._expiry(body.get("expires_in")),
            scope=str(body.get("scope") or ""),
        )

    def accounts(self, grant: Grant) -> list[Account]:
        body = self.http.get(
            f"{self.endpoints['api']}/2/users/me",
            headers={"Authorization": f"Bearer {grant.access_token}"},
        ).json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
            raise OAuthError(
                "X did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "X"},
            )
        user_id, username = str(data["id"]), str(data["username"])
        secret = {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "user_id": user_id,
            "username": username,
        }
        return [
            Account(
                "x", user_id, f"@{username}", secret, grant.expires_at, str(data.get("name") or "")
            )
        ]


class FacebookProvider(Provider):
    """Facebook Login: code → user token → long-lived user token (``fb_exchange_token``) →
    ``/me/accounts``: the pages with their page tokens and linked Instagram business accounts.
    Page tokens obtained with a long-lived user token do not expire, so nothing is refreshed."""

    key = "facebook"
    label = "Facebook"
    networks = ("facebook", "instagram")
    scopes = (
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_posts",
        "business_management",
        "instagram_basic",
        "instagram_content_publish",
    )
    default_endpoints = {"auth": "https://www.facebook.com", "graph": "https://graph.facebook.com"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        return self._query_url(
            f"{self.endpoints['auth']}/{GRAPH_VERSION}/dialog/oauth",
            {
                "client_id": self.app.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "response_type": "code",
                "scope": ",".join(self.scopes),
            },
        )

    def _get_token(self, params: dict[str, str]) -> dict[str, Any]:
        response = self.http.get(
            f"{self.endpoints['graph']}/{GRAPH_VERSION}/oauth/access_token",
            params={
                **params,
                "client_id": self.app.client_id,
                "client_secret": self.app.client_secret,
            },
            error_map=self._token_errors,
        )
        return self._check_body(_body(response))

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        short = self._get_token({"redirect_uri": redirect_uri, "code": code})
        long = self._get_token(
            {"grant_type": "fb_exchange_token", "fb_exchange_token": str(short["access_token"])}
        )
        return Grant(
            access_token=str(long["access_token"]),
            expires_at=self._expiry(long.get("expires_in")),
        )

    def accounts(self, grant: Grant) -> list[Account]:
        accounts: list[Account] = []
        url = f"{self.endpoints['graph']}/{GRAPH_VERSION}/me/accounts"
        first: dict[str, Any] = {
            "fields": "id,name,access_token,instagram_business_account{id,username,name}",
            "limit": 100,
            "access_token": grant.access_token,
        }
        params = first
        for _page in range(MAX_PAGES):
            body = self.http.get(url, params=params, error_map=self._token_errors).json()
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise OAuthError(
                    "Facebook did not list the pages this person manages.",
                    code="oauth.no_pages",
                    params={"network": "Facebook"},
                )
            for page in data:
                if not isinstance(page, dict) or not page.get("id") or not page.get("access_token"):
                    continue
                page_id, page_name = str(page["id"]), str(page.get("name") or page["id"])
                page_token = str(page["access_token"])
                accounts.append(
                    Account(
                        "facebook",
                        page_id,
                        page_name,
                        {
                            "page_id": page_id,
                            "access_token": page_token,
                            "user_access_token": grant.access_token,
                        },
                    )
                )
                instagram = page.get("instagram_business_account")
                if isinstance(instagram, dict) and instagram.get("id"):
                    ig_id = str(instagram["id"])
                    handle = str(instagram.get("username") or "")
                    accounts.append(
                        Account(
                            "instagram",
                            ig_id,
                            f"@{handle}" if handle else ig_id,
                            {"ig_user_id": ig_id, "access_token": page_token},
                            detail=page_name,
                        )
                    )
            paging = body.get("paging")
            following = paging.get("next") if isinstance(paging, dict) else None
            if not isinstance(following, str) or not following or not data:
                break
            # The next page is asked of the configured address with the cursor of paging.next,
            # never at the address the network wrote: the user token goes only to that host.
            cursor = {k: v for k, v in parse_qsl(urlsplit(following).query) if k != "access_token"}
            params = {**first, **cursor, "access_token": grant.access_token}
        return accounts


class ThreadsProvider(Provider):
    """threads.net OAuth: code → short-lived token (an hour) → long-lived token
    (``th_exchange_token``, 60 days), renewed with ``th_refresh_token`` before it expires."""

    key = "threads"
    label = "Threads"
    networks = ("threads",)
    scopes = ("threads_basic", "threads_content_publish", "threads_manage_insights")
    refresh_margin = timedelta(days=7)
    default_endpoints = {"auth": "https://threads.net", "graph": "https://graph.threads.net"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        return self._query_url(
            f"{self.endpoints['auth']}/oauth/authorize",
            {
                "client_id": self.app.client_id,
                "redirect_uri": redirect_uri,
                "scope": ",".join(self.scopes),
                "response_type": "code",
                "state": state,
            },
        )

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        short = self._check_body(
            _body(
                self.http.post(
                    f"{self.endpoints['graph']}/oauth/access_token",
                    data={
                        "client_id": self.app.client_id,
                        "client_secret": self.app.client_secret,
                        "grant_type": "authorization_code",
                        "redirect_uri": redirect_uri,
                        "code": code,
                    },
                    error_map=self._token_errors,
                )
            )
        )
        long = self._check_body(
            _body(
                self.http.get(
                    f"{self.endpoints['graph']}/access_token",
                    params={
                        "grant_type": "th_exchange_token",
                        "client_secret": self.app.client_secret,
                        "access_token": str(short["access_token"]),
                    },
                    error_map=self._token_errors,
                )
            )
        )
        return Grant(
            access_token=str(long["access_token"]),
            expires_at=self._expiry(long.get("expires_in")),
            user_id=str(short.get("user_id") or ""),
        )

    def accounts(self, grant: Grant) -> list[Account]:
        body = self.http.get(
            f"{self.endpoints['graph']}/v1.0/me",
            params={"fields": "id,username,name", "access_token": grant.access_token},
            error_map=self._token_errors,
        ).json()
        if not isinstance(body, dict) or not body.get("id"):
            raise OAuthError(
                "Threads did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "Threads"},
            )
        user_id = str(body["id"])
        handle = str(body.get("username") or "")
        secret = {"threads_user_id": user_id, "access_token": grant.access_token}
        return [
            Account(
                "threads",
                user_id,
                f"@{handle}" if handle else user_id,
                secret,
                grant.expires_at,
                str(body.get("name") or ""),
            )
        ]

    def can_refresh(self, secret: Mapping[str, Any]) -> bool:
        return bool(secret.get("access_token"))

    def refresh(self, secret: Mapping[str, Any]) -> Refreshed:
        body = self._check_body(
            _body(
                self.http.get(
                    f"{self.endpoints['graph']}/refresh_access_token",
                    params={
                        "grant_type": "th_refresh_token",
                        "access_token": str(secret["access_token"]),
                    },
                    error_map=self._token_errors,
                )
            )
        )
        return Refreshed(
            {**secret, "access_token": str(body["access_token"])},
            self._expiry(body.get("expires_in")),
        )


class RedditProvider(Provider):
    """Reddit's web app flow with ``duration=permanent``: a refresh token that lasts until revoked
    and access tokens that last an hour. The app's id and secret authenticate with HTTP Basic and
    are stored with the connection (the publisher refreshes with them)."""

    key = "reddit"
    label = "Reddit"
    networks = ("reddit",)
    #: ``privatemessages``: the inbox's private messages.
    scopes = ("identity", "submit", "read", "history", "privatemessages")
    refresh_margin = timedelta(minutes=30)
    default_endpoints = {"auth": "https://www.reddit.com", "api": "https://oauth.reddit.com"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        return self._query_url(
            f"{self.endpoints['auth']}/api/v1/authorize",
            {
                "client_id": self.app.client_id,
                "response_type": "code",
                "state": state,
                "redirect_uri": redirect_uri,
                "duration": "permanent",
                "scope": " ".join(self.scopes),
            },
        )

    def _token(self, data: dict[str, str], app: App) -> dict[str, Any]:
        response = self.http.post(
            f"{self.endpoints['auth']}/api/v1/access_token",
            data=data,
            basic_auth=(app.client_id, app.client_secret),
            error_map=self._token_errors,
        )
        # Reddit may answer 200 with {"error": "invalid_grant"}.
        return self._check_body(_body(response))

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        body = self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
            self.app,
        )
        return Grant(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=self._expiry(body.get("expires_in")),
            scope=str(body.get("scope") or ""),
        )

    def accounts(self, grant: Grant) -> list[Account]:
        body = self.http.get(
            f"{self.endpoints['api']}/api/v1/me",
            headers={"Authorization": f"bearer {grant.access_token}"},
        ).json()
        if not isinstance(body, dict) or not body.get("name"):
            raise OAuthError(
                "Reddit did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "Reddit"},
            )
        username = str(body["name"])
        secret = {
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "refresh_token": grant.refresh_token,
            "username": username,
            "access_token": grant.access_token,
            "access_token_expires_at": grant.expires_at.isoformat() if grant.expires_at else "",
        }
        return [
            Account(
                "reddit", str(body.get("id") or username), f"u/{username}", secret, grant.expires_at
            )
        ]

    def can_refresh(self, secret: Mapping[str, Any]) -> bool:
        return bool(secret.get("refresh_token"))

    def refresh(self, secret: Mapping[str, Any]) -> Refreshed:
        if not secret.get("refresh_token"):
            return super().refresh(secret)
        app = App(
            str(secret.get("client_id") or self.app.client_id),
            str(secret.get("client_secret") or self.app.client_secret),
        )
        body = self._token(
            {"grant_type": "refresh_token", "refresh_token": str(secret["refresh_token"])}, app
        )
        expires_at = self._expiry(body.get("expires_in"))
        new = {
            **secret,
            "access_token": str(body["access_token"]),
            "access_token_expires_at": expires_at.isoformat() if expires_at else "",
        }
        if body.get("refresh_token"):
            new["refresh_token"] = str(body["refresh_token"])
        return Refreshed(new, expires_at)


#: Provider classes by key (the callback's path); ``instagram`` connects through Facebook Login.
PROVIDERS: dict[str, type[Provider]] = {
    cls.key: cls
    for cls in (LinkedInProvider, XProvider, FacebookProvider, ThreadsProvider, RedditProvider)
}
