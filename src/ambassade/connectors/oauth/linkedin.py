"""LinkedIn: organisation pages, with refresh tokens when the app is granted them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from ambassade.connectors.oauth._base import (
    MAX_PAGES,
    Account,
    Grant,
    OAuthError,
    RefreshTokenProvider,
)

#: LinkedIn's REST API version (``LinkedIn-Version``), as the LinkedIn publisher sends it.
LINKEDIN_VERSION = "202509"


class LinkedInProvider(RefreshTokenProvider):
    key = "linkedin"
    label = "LinkedIn"
    networks = ("linkedin",)
    scopes = ("w_organization_social", "r_organization_social", "rw_organization_admin")
    refresh_margin = timedelta(days=7)
    default_endpoints = {"auth": "https://www.linkedin.com", "api": "https://api.linkedin.com"}
    token_endpoint = ("auth", "/oauth/v2/accessToken")

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
