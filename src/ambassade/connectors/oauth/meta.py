"""Meta: Facebook Login for pages (and their Instagram accounts) and Threads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ambassade.connectors.oauth._base import (
    MAX_PAGES,
    Account,
    Grant,
    OAuthError,
    Provider,
    Refreshed,
    json_body,
)

#: The Graph API version of Facebook Login and the page listing.
GRAPH_VERSION = "v23.0"


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
        return self._check_body(json_body(response))

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
            json_body(
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
            json_body(
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
            json_body(
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
