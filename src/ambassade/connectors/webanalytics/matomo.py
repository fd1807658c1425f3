"""Matomo's Reporting API: ``POST {base}/index.php`` with ``module=API``, ``format=JSON``,
``idSite``, ``period=day``, ``date=<start>,<end>`` and the ``token_auth`` in the body (never in the
address, where a proxy's log would keep it; Matomo 5 refuses a token marked "secure only" in the
query string). Three calls a read:

- ``Referrers.getReferrerType``: visits per day by referrer type; each row's ``segment``
  (``referrerType==social``, ``==campaign``, ``==direct``, ``==search``, ``==website``) gives the
  channel, whatever language the labels are in;
- ``Referrers.getSocials``: visits per day by social network (``label``: "Mastodon", "Facebook"…);
- ``Referrers.getCampaigns``: visits per day by campaign name (``label``).

Answers are ``{"YYYY-MM-DD": [rows…]}``. Matomo reports an error as a 200 with
``{"result": "error", "message": …}``: a refused token is :class:`AuthExpired`, anything else
permanent with Matomo's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from ambassade.connectors._text import as_int
from ambassade.connectors.base import AuthExpired, Connector, ConnectorError, Credentials
from ambassade.connectors.webanalytics import TrafficRow, check_config

__all__ = ["MatomoReader"]

TYPES = {
    "direct": "direct",
    "search": "search",
    "website": "website",
    "campaign": "campaign",
    "social": "social",
}


class MatomoReader(Connector):
    kind: ClassVar[str] = "matomo"
    label: ClassVar[str] = "Matomo"

    def _call(
        self,
        config: Mapping[str, Any],
        credentials: Credentials,
        method: str,
        start: date,
        end: date,
    ) -> Any:
        token = str((credentials or {}).get("token") or "")
        if not token:
            raise AuthExpired(
                "The Matomo site has no API token.",
                code="traffic.no_token",
                params={"tool": "Matomo"},
            )
        body = self.http.post(
            str(config["base_url"]).rstrip("/") + "/index.php",
            data={
                "module": "API",
                "method": method,
                "format": "JSON",
                "idSite": str(config["site_id"]),
                "period": "day",
                "date": f"{start.isoformat()},{end.isoformat()}",
                "filter_limit": "-1",
                "token_auth": token,
            },
            retry=True,  # a read: asking twice changes nothing
        ).json()
        if isinstance(body, Mapping) and body.get("result") == "error":
            message = str(body.get("message") or "")
            lowered = message.lower()
            if "token" in lowered or "access" in lowered or "authenticat" in lowered:
                raise AuthExpired(
                    f"Matomo refused the token: {message}",
                    code="connector.token_refused",
                    params={"network": "Matomo", "detail": message},
                )
            raise ConnectorError(
                f"Matomo refused the request: {message}",
                permanent=True,
                code="traffic.refused",
                params={"tool": "Matomo", "detail": message},
            )
        if not isinstance(body, Mapping):
            raise ConnectorError(
                "Matomo answered something other than days of rows.",
                code="connector.bad_answer",
                params={"network": "Matomo"},
            )
        return body

    @staticmethod
    def _days(body: Mapping[str, Any]) -> list[tuple[date, list[Mapping[str, Any]]]]:
        found = []
        for key, rows in body.items():
            try:
                day = date.fromisoformat(str(key))
            except ValueError:
                continue
            if isinstance(rows, list):
                found.append((day, [row for row in rows if isinstance(row, Mapping)]))
        return found

    def visits(
        self, credentials: Credentials, config: Mapping[str, Any], start: date, end: date
    ) -> list[TrafficRow]:
        check_config("matomo", config)
        rows: list[TrafficRow] = []
        for day, entries in self._days(
            self._call(config, credentials, "Referrers.getReferrerType", start, end)
        ):
            for entry in entries:
                segment = str(entry.get("segment") or "")
                code = segment.partition("==")[2] if segment.startswith("referrerType==") else ""
                visits = as_int(entry.get("nb_visits"))
                if visits is None or visits < 0:
                    continue
                rows.append(TrafficRow(day, "channel", TYPES.get(code, "other"), visits))
        for method, kind in (
            ("Referrers.getSocials", "social"),
            ("Referrers.getCampaigns", "campaign"),
        ):
            for day, entries in self._days(self._call(config, credentials, method, start, end)):
                for entry in entries:
                    visits = as_int(entry.get("nb_visits"))
                    name = str(entry.get("label") or "").strip()[:200]
                    if visits is None or visits < 0 or not name:
                        continue
                    rows.append(TrafficRow(day, kind, name, visits))
        return rows
