"""The shared part of the OAuth flows: PKCE helpers, errors, grants, accounts and the Provider base."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient, Response
from ambassade.engine.messages import Param

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


def json_body(response: Response) -> dict[str, Any]:
    body = response.json()
    if not isinstance(body, dict):
        raise OAuthError(
            "The network answered with something that is not a JSON object.",
            code="connector.bad_answer",
            params={"network": "OAuth"},
        )
    return body


def error_fields(body: Any) -> tuple[str, str, int | None]:
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
        code, description, graph_code = error_fields(body)
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
            code, description, graph_code = error_fields(body)
            error = self._classify(status, code, description, graph_code)
            raise error or OAuthError(
                f"{self.label} gave no access token.",
                code="oauth.no_token",
                params={"network": self.label},
            )
        return body

    def _query_url(self, base: str, params: Mapping[str, str]) -> str:
        return f"{base}?{urlencode(params, quote_via=quote)}"

    def _grant(self, body: Mapping[str, Any], *, user_id: str = "") -> Grant:
        """The grant of a standard token answer (RFC 6749 §5.1)."""
        return Grant(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=self._expiry(body.get("expires_in")),
            user_id=user_id,
            scope=str(body.get("scope") or ""),
        )


class RefreshTokenProvider(Provider):
    """A provider that exchanges the code with the standard ``authorization_code`` grant (RFC 6749
    §4.1.3, with the PKCE verifier when ``pkce``) and renews with the ``refresh_token`` grant
    (§6), keeping a rotated refresh token when the network sends a new one."""

    #: The token endpoint: the key of its base in ``endpoints`` and the path below it.
    token_endpoint: ClassVar[tuple[str, str]] = ("", "")
    #: The form field naming the app in token requests (TikTok calls it ``client_key``).
    client_id_field: ClassVar[str] = "client_id"
    #: The field of the token answer naming the person, when the network sends one.
    user_id_field: ClassVar[str] = ""

    def _token(self, data: dict[str, str]) -> dict[str, Any]:
        """POST ``data`` to the network's token endpoint, authenticated as the app: by default
        with its id and secret in the form (RFC 6749 §2.3.1)."""
        base, path = self.token_endpoint
        response = self.http.post(
            f"{self.endpoints[base]}{path}",
            data={
                **data,
                self.client_id_field: self.app.client_id,
                "client_secret": self.app.client_secret,
            },
            error_map=self._token_errors,
        )
        return self._check_body(json_body(response))

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> Grant:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if self.pkce:
            data["code_verifier"] = code_verifier
        body = self._token(data)
        user_id = str(body.get(self.user_id_field) or "") if self.user_id_field else ""
        return self._grant(body, user_id=user_id)

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
