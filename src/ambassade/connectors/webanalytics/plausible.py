"""Plausible's Stats API v2: ``POST {base}/api/v2/query`` with ``Authorization: Bearer <key>`` and a
JSON query (``site_id``, ``metrics: ["visits"]``, ``date_range: [start, end]``, ``dimensions``).
Two queries a read:

- ``["time:day", "visit:channel", "visit:source"]``: visits per day by acquisition channel
  ("Direct", "Organic Search", "Organic Social", "Paid Social", "Referral", "Email"…) and source
  ("Mastodon", "Bluesky", "Google"…); the social channels give the ``social`` rows;
- ``["time:day", "visit:utm_campaign"]``: visits per day by campaign (visits without one, "(none)",
  are left out).

Results are ``{"results": [{"dimensions": [...], "metrics": [visits]}]}``. A refused key is a 401
(:class:`AuthExpired`, from the seam); a bad query a 400 whose ``error`` says why; the API allows
600 requests an hour per key (a 429 waits, from the seam).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from ambassade.connectors._text import as_int
from ambassade.connectors.base import AuthExpired, Connector, ConnectorError, Credentials
from ambassade.connectors.http import Response
from ambassade.connectors.webanalytics import TrafficRow, check_config

__all__ = ["PlausibleReader"]

CHANNELS = {
    "direct": "direct",
    "organic search": "search",
    "paid search": "paid",
    "organic social": "social",
    "paid social": "social",
    "referral": "website",
    "email": "email",
    "organic video": "social",
    "paid video": "paid",
    "display": "paid",
    "affiliates": "website",
    "cross-network": "paid",
    "sms": "other",
    "organic shopping": "other",
    "paid shopping": "paid",
    "audio": "other",
    "push": "other",
}
SOCIAL = {"organic social", "paid social", "organic video"}
NONE = {"", "(none)", "(not set)", "direct / none"}


def _error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code == 400:
        return ConnectorError(
            f"Plausible refused the query: {message}",
            permanent=True,
            code="traffic.refused",
            params={"tool": "Plausible", "detail": message},
        )
    return None


class PlausibleReader(Connector):
    kind: ClassVar[str] = "plausible"
    label: ClassVar[str] = "Plausible"

    def _query(
        self, config: Mapping[str, Any], key: str, dimensions: list[str], start: date, end: date
    ) -> list[Mapping[str, Any]]:
        body = self.http.post(
            str(config["base_url"]).rstrip("/") + "/api/v2/query",
            json={
                "site_id": str(config["site_id"]),
                "metrics": ["visits"],
                "date_range": [start.isoformat(), end.isoformat()],
                "dimensions": dimensions,
            },
            headers={"Authorization": f"Bearer {key}"},
            retry=True,  # a read
            error_map=_error_map,
        ).json()
        results = body.get("results") if isinstance(body, Mapping) else None
        if not isinstance(results, list):
            raise ConnectorError(
                "Plausible answered without results.",
                code="connector.bad_answer",
                params={"network": "Plausible"},
            )
        return [row for row in results if isinstance(row, Mapping)]

    @staticmethod
    def _row(row: Mapping[str, Any], width: int) -> tuple[date, list[str], int] | None:
        dimensions = row.get("dimensions")
        metrics = row.get("metrics")
        if (
            not isinstance(dimensions, list)
            or len(dimensions) != width
            or not isinstance(metrics, list)
            or not metrics
        ):
            return None
        try:
            day = date.fromisoformat(str(dimensions[0])[:10])
        except ValueError:
            return None
        visits = as_int(metrics[0])
        if visits is None or visits < 0:
            return None
        return day, [str(value or "") for value in dimensions[1:]], visits

    def visits(
        self, credentials: Credentials, config: Mapping[str, Any], start: date, end: date
    ) -> list[TrafficRow]:
        check_config("plausible", config)
        key = str((credentials or {}).get("token") or "")
        if not key:
            raise AuthExpired(
                "The Plausible site has no API key.",
                code="traffic.no_token",
                params={"tool": "Plausible"},
            )
        channels: dict[tuple[date, str], int] = defaultdict(int)
        rows: list[TrafficRow] = []
        for raw in self._query(
            config, key, ["time:day", "visit:channel", "visit:source"], start, end
        ):
            parsed = self._row(raw, 3)
            if parsed is None:
                continue
            day, (channel, source), visits = parsed
            lowered = channel.strip().lower()
            channels[(day, CHANNELS.get(lowered, "other"))] += visits
            if lowered in SOCIAL and source.strip().lower() not in NONE:
                rows.append(TrafficRow(day, "social", source.strip()[:200], visits))
        rows.extend(
            TrafficRow(day, "channel", name, visits)
            for (day, name), visits in sorted(channels.items())
        )
        for raw in self._query(config, key, ["time:day", "visit:utm_campaign"], start, end):
            parsed = self._row(raw, 2)
            if parsed is None:
                continue
            day, (campaign,), visits = parsed
            if campaign.strip().lower() in NONE:
                continue
            rows.append(TrafficRow(day, "campaign", campaign.strip()[:200], visits))
        return rows
