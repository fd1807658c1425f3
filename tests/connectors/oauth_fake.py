"""A fake authorisation and API server for every OAuth network, on the replay server (127.0.0.1).

Each route answers in the network's documented format (LinkedIn's ``/oauth/v2/accessToken`` and
``organizationAcls``, X's ``/2/oauth2/token`` and ``/2/users/me``, the Graph API's
``oauth/access_token`` and ``me/accounts``, Threads' ``th_exchange_token`` and
``th_refresh_token``, Reddit's ``/api/v1/access_token`` and ``/api/v1/me``, TikTok's
``/v2/oauth/token/`` and ``/v2/user/info/``) and checks what a real server checks: the app's client
id and secret, the code it issued, the redirect URI, X's PKCE verifier against the challenge, the
refresh token it gave last. Paths of the six networks do not overlap, so one server plays them all.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.connectors.conftest import Recorded, ReplayServer, Reply

APPS = {
    "linkedin": ("li-client-id", "li-client-secret"),
    "x": ("x-client-id", "x-client-secret"),
    "facebook": ("fb-app-id", "fb-app-secret"),
    "threads": ("th-app-id", "th-app-secret"),
    "reddit": ("rd-client-id", "rd-client-secret"),
    "tiktok": ("tt-client-key", "tt-client-secret"),
}
V = "/v23.0"


def _form(request: Recorded) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def _query(request: Recorded) -> dict[str, str]:
    return {k: v[0] for k, v in request.query.items()}


def _basic(request: Recorded) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


def _oauth_error(status: int, error: str, description: str = "") -> Reply:
    body: dict[str, Any] = {"error": error}
    if description:
        body["error_description"] = description
    return Reply(status, body)


def _graph_error(message: str, code: int, subcode: int | None = None) -> Reply:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGhIjK",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply(400, {"error": error})


@dataclass
class FakeNetworks:
    """The state of the fake networks: codes issued, tokens valid, and faults to inject."""

    server: ReplayServer
    redirect_uris: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    issued: int = 0
    #: Every token handed out, for the tests that check none reaches a log line.
    tokens: list[str] = field(default_factory=list)
    #: network -> a Reply to serve instead of the next token answer (an injected fault).
    faults: dict[str, list[Reply]] = field(default_factory=dict)
    linkedin_refresh: bool = True
    linkedin_organisations: list[tuple[str, str]] = field(
        default_factory=lambda: [("2414183", "Café Lumière"), ("5515715", "Lumière Traiteur")]
    )
    facebook_pages: int = 2

    def __post_init__(self) -> None:
        s = self.server
        s.route("POST", "/oauth/v2/accessToken", self._linkedin_token)
        s.route("GET", "/rest/organizationAcls", self._linkedin_acls)
        for number, _name in self.linkedin_organisations:
            s.route("GET", f"/rest/organizations/{number}", self._linkedin_organisation)
        s.route("POST", "/2/oauth2/token", self._x_token)
        s.route("GET", "/2/users/me", self._x_me)
        s.route("GET", V + "/oauth/access_token", self._facebook_token)
        s.route("GET", V + "/me/accounts", self._facebook_accounts)
        s.route("POST", "/oauth/access_token", self._threads_token)
        s.route("GET", "/access_token", self._threads_exchange)
        s.route("GET", "/refresh_access_token", self._threads_refresh)
        s.route("GET", "/v1.0/me", self._threads_me)
        s.route("POST", "/api/v1/access_token", self._reddit_token)
        s.route("GET", "/api/v1/me", self._reddit_me)
        s.route("POST", "/v2/oauth/token/", self._tiktok_token)
        s.route("GET", "/v2/user/info/", self._tiktok_me)

    # --- what tests use ---------------------------------------------------------------------------

    def endpoints(self) -> dict[str, str]:
        base = self.server.base_url
        return {"auth": base, "api": base, "graph": base}

    def issue_code(self, network: str, redirect_uri: str, challenge: str = "") -> str:
        """The code the network's consent page would send to ``redirect_uri``."""
        self.issued += 1
        code = f"{network}-code-{self.issued}"
        self.codes[code] = {
            "network": network,
            "redirect_uri": redirect_uri,
            "challenge": challenge,
        }
        return code

    def fail_next(self, network: str, *replies: Reply) -> None:
        self.faults.setdefault(network, []).extend(replies)

    def token(self, network: str, kind: str = "access") -> str:
        self.issued += 1
        token = f"{network}-{kind}-token-{self.issued}"
        self.tokens.append(token)
        return token

    # --- internals --------------------------------------------------------------------------------

    def _fault(self, network: str) -> Reply | None:
        queue = self.faults.get(network)
        return queue.pop(0) if queue else None

    def _take_code(self, network: str, code: str, redirect_uri: str) -> dict[str, str] | None:
        issued = self.codes.pop(code, None)  # a code is good once
        if issued is None or issued["network"] != network or issued["redirect_uri"] != redirect_uri:
            return None
        return issued

    def _bearer(self, request: Recorded, prefix: str) -> bool:
        header = request.headers.get("authorization", "")
        return header.lower().startswith("bearer ") and header[7:].startswith(prefix)

    # LinkedIn (https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow)
    def _linkedin_token(self, request: Recorded) -> Reply:
        fault = self._fault("linkedin")
        if fault is not None:
            return fault
        form = _form(request)
        if (form.get("client_id"), form.get("client_secret")) != APPS["linkedin"]:
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        if form.get("grant_type") == "authorization_code":
            if not self._take_code("linkedin", form.get("code", ""), form.get("redirect_uri", "")):
                return _oauth_error(
                    400,
                    "invalid_grant",
                    "The provided authorization grant or refresh token is invalid, expired or "
                    "revoked.",
                )
        elif form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") != self.refresh_tokens.get("linkedin"):
                return _oauth_error(
                    400,
                    "invalid_grant",
                    "The provided authorization grant or refresh token is invalid, expired or "
                    "revoked.",
                )
        else:
            return _oauth_error(400, "unsupported_grant_type")
        body: dict[str, Any] = {
            "access_token": self.token("linkedin"),
            "expires_in": 5184000,
            "scope": "r_organization_social,rw_organization_admin,w_organization_social",
        }
        if self.linkedin_refresh:
            refresh = self.refresh_tokens.get("linkedin") or self.token("linkedin", "refresh")
            self.refresh_tokens["linkedin"] = refresh
            body.update(refresh_token=refresh, refresh_token_expires_in=31536000)
        return Reply(200, body)

    def _linkedin_acls(self, request: Recorded) -> Reply:
        if not self._bearer(request, "linkedin-access-token"):
            return Reply(
                401,
                {
                    "status": 401,
                    "serviceErrorCode": 65600,
                    "message": "Invalid access token",
                    "code": "INVALID_ACCESS_TOKEN",
                },
            )
        query = _query(request)
        assert query["q"] == "roleAssignee" and query["role"] == "ADMINISTRATOR"
        assert request.headers["x-restli-protocol-version"] == "2.0.0"
        elements = [
            {
                "roleAssignee": "urn:li:person:iFVXMvUjzS",
                "state": "APPROVED",
                "role": "ADMINISTRATOR",
                "organization": f"urn:li:organization:{number}",
            }
            for number, _name in self.linkedin_organisations
        ]
        return Reply(
            200,
            {
                "paging": {"start": 0, "count": 100, "links": [], "total": len(elements)},
                "elements": elements,
            },
        )

    def _linkedin_organisation(self, request: Recorded) -> Reply:
        number = request.path.rsplit("/", 1)[1]
        name = dict(self.linkedin_organisations)[number]
        return Reply(
            200,
            {
                "id": int(number),
                "localizedName": name,
                "vanityName": name.lower().replace(" ", "-"),
                "name": {
                    "localized": {"fr_FR": name},
                    "preferredLocale": {"country": "FR", "language": "fr"},
                },
            },
        )

    # X (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code)
    def _x_token(self, request: Recorded) -> Reply:
        fault = self._fault("x")
        if fault is not None:
            return fault
        form = _form(request)
        if _basic(request) != APPS["x"] or form.get("client_id") != APPS["x"][0]:
            return _oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        invalid = _oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
        if form.get("grant_type") == "authorization_code":
            issued = self._take_code("x", form.get("code", ""), form.get("redirect_uri", ""))
            if issued is None:
                return invalid
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != issued["challenge"]:
                return invalid
        elif form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") != self.refresh_tokens.get("x"):
                return invalid
        else:
            return _oauth_error(400, "invalid_request", "Missing required parameter [grant_type].")
        refresh = self.refresh_tokens["x"] = self.token("x", "refresh")  # X rotates it
        return Reply(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": self.token("x"),
                "scope": "tweet.write users.read tweet.read offline.access media.write",
                "refresh_token": refresh,
            },
        )

    def _x_me(self, request: Recorded) -> Reply:
        if not self._bearer(request, "x-access-token"):
            return Reply(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
            )
        return Reply(
            200, {"data": {"id": "2244994945", "name": "Café Lumière", "username": "cafelumiere"}}
        )

    # Facebook Login (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow,
    # .../access-tokens/get-long-lived)
    def _facebook_token(self, request: Recorded) -> Reply:
        fault = self._fault("facebook")
        if fault is not None:
            return fault
        query = _query(request)
        if (query.get("client_id"), query.get("client_secret")) != APPS["facebook"]:
            return _graph_error("Error validating client secret.", 1)
        if query.get("grant_type") == "fb_exchange_token":
            if not query.get("fb_exchange_token", "").startswith("facebook-short-token"):
                return _graph_error("Invalid OAuth access token - Cannot parse access token", 190)
            return Reply(
                200,
                {
                    "access_token": self.token("facebook", "user"),
                    "token_type": "bearer",
                    "expires_in": 5183944,
                },
            )
        if not self._take_code("facebook", query.get("code", ""), query.get("redirect_uri", "")):
            return _graph_error("This authorization code has been used.", 100, 36009)
        return Reply(
            200,
            {
                "access_token": self.token("facebook", "short"),
                "token_type": "bearer",
                "expires_in": 5183,
            },
        )

    def _facebook_accounts(self, request: Recorded) -> Reply:
        query = _query(request)
        if not query.get("access_token", "").startswith("facebook-user-token"):
            return _graph_error(
                "Error validating access token: The session has been invalidated.", 190, 460
            )
        pages = [
            {
                "access_token": f"facebook-page-token-{n}",
                "category": "Café",
                "category_list": [{"id": "128673187201735", "name": "Café"}],
                "name": ["Café Lumière", "Lumière Traiteur", "Troisième page"][n % 3],
                "id": f"10{n}4567890",
                "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
            }
            for n in range(self.facebook_pages)
        ]
        if pages:
            pages[0]["instagram_business_account"] = {
                "id": "17841400000000000",
                "username": "cafelumiere",
                "name": "Café Lumière",
            }
        return Reply(
            200, {"data": pages, "paging": {"cursors": {"before": "QVFIUk", "after": "QVFIUl"}}}
        )

    # Threads (https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions,
    # .../long-lived-tokens)
    def _threads_token(self, request: Recorded) -> Reply:
        fault = self._fault("threads")
        if fault is not None:
            return fault
        form = _form(request)
        if (form.get("client_id"), form.get("client_secret")) != APPS["threads"]:
            return _graph_error("Error validating client secret.", 1)
        if not self._take_code("threads", form.get("code", ""), form.get("redirect_uri", "")):
            return _graph_error("Invalid verification code format.", 100)
        return Reply(
            200, {"access_token": self.token("threads", "short"), "user_id": 17841401234567890}
        )

    def _threads_exchange(self, request: Recorded) -> Reply:
        query = _query(request)
        if (
            query.get("grant_type") != "th_exchange_token"
            or query.get("client_secret") != APPS["threads"][1]
        ):
            return _graph_error("Error validating client secret.", 1)
        if not query.get("access_token", "").startswith("threads-short-token"):
            return _graph_error("Invalid OAuth access token.", 190)
        return Reply(
            200,
            {
                "access_token": self.token("threads", "long"),
                "token_type": "bearer",
                "expires_in": 5183944,
            },
        )

    def _threads_refresh(self, request: Recorded) -> Reply:
        fault = self._fault("threads")
        if fault is not None:
            return fault
        query = _query(request)
        if query.get("grant_type") != "th_refresh_token" or not query.get(
            "access_token", ""
        ).startswith("threads-long-token"):
            return _graph_error("Error validating access token: Session has expired.", 190, 463)
        return Reply(
            200,
            {
                "access_token": self.token("threads", "long"),
                "token_type": "bearer",
                "expires_in": 5183944,
            },
        )

    def _threads_me(self, request: Recorded) -> Reply:
        if not _query(request).get("access_token", "").startswith("threads-long-token"):
            return _graph_error("Invalid OAuth access token.", 190)
        return Reply(
            200, {"id": "17841401234567890", "username": "cafelumiere", "name": "Café Lumière"}
        )

    # Reddit (https://github.com/reddit-archive/reddit/wiki/OAuth2)
    def _reddit_token(self, request: Recorded) -> Reply:
        fault = self._fault("reddit")
        if fault is not None:
            return fault
        if _basic(request) != APPS["reddit"]:
            return Reply(401, {"message": "Unauthorized", "error": 401})
        form = _form(request)
        if form.get("grant_type") == "authorization_code":
            if not self._take_code("reddit", form.get("code", ""), form.get("redirect_uri", "")):
                # Reddit answers a bad code with 200 and an error field.
                return Reply(200, {"error": "invalid_grant"})
            refresh = self.refresh_tokens["reddit"] = self.token("reddit", "refresh")
            return Reply(
                200,
                {
                    "access_token": self.token("reddit"),
                    "token_type": "bearer",
                    "expires_in": 3600,
                    "refresh_token": refresh,
                    "scope": "identity read submit",
                },
            )
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") != self.refresh_tokens.get("reddit"):
                return Reply(400, {"error": "invalid_grant"})
            return Reply(
                200,
                {
                    "access_token": self.token("reddit"),
                    "token_type": "bearer",
                    "expires_in": 3600,
                    "scope": "identity read submit",
                },
            )
        return Reply(400, {"error": "unsupported_grant_type"})

    def _reddit_me(self, request: Recorded) -> Reply:
        if not self._bearer(request, "reddit-access-token"):
            return Reply(401, {"message": "Unauthorized", "error": 401})
        return Reply(
            200,
            {
                "name": "cafelumiere",
                "id": "1w72",
                "created_utc": 1420070400.0,
                "has_verified_email": True,
            },
        )

    # TikTok (https://developers.tiktok.com/doc/oauth-user-access-token-management)
    def _tiktok_token(self, request: Recorded) -> Reply:
        fault = self._fault("tiktok")
        if fault is not None:
            return fault
        form = _form(request)
        if (form.get("client_key"), form.get("client_secret")) != APPS["tiktok"]:
            return _oauth_error(401, "invalid_client", "Client key or secret is incorrect.")
        if form.get("grant_type") == "authorization_code":
            if not self._take_code("tiktok", form.get("code", ""), form.get("redirect_uri", "")):
                return _oauth_error(400, "invalid_grant", "Authorization code is expired.")
        elif form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") != self.refresh_tokens.get("tiktok"):
                return _oauth_error(400, "invalid_grant", "Refresh token is invalid or expired.")
        else:
            return _oauth_error(400, "invalid_request", "The request parameters are malformed.")
        refresh = self.refresh_tokens["tiktok"] = self.token("tiktok", "refresh")
        return Reply(
            200,
            {
                "access_token": self.token("tiktok"),
                "expires_in": 86400,
                "open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4",
                "refresh_expires_in": 31536000,
                "refresh_token": refresh,
                "scope": "user.info.basic,user.info.stats,video.list",
                "token_type": "Bearer",
            },
        )

    def _tiktok_me(self, request: Recorded) -> Reply:
        if not self._bearer(request, "tiktok-access-token"):
            return Reply(
                401,
                {
                    "error": {
                        "code": "access_token_invalid",
                        "message": "The access token is invalid or not found in the request.",
                        "log_id": "20261126120000A1B2C3",
                    }
                },
            )
        return Reply(
            200,
            {
                "data": {
                    "user": {
                        "open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4",
                        "display_name": "Café Lumière",
                        "username": "cafelumiere",
                    }
                },
                "error": {"code": "ok", "message": "", "log_id": "20261126120000A1B2C4"},
            },
        )
