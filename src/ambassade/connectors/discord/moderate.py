"""Moderating a Discord server with the connection's bot.

The bot needs ``MANAGE_MESSAGES`` (delete), ``MODERATE_MEMBERS`` (time-out) and ``BAN_MEMBERS``
(ban) in the server; the reason, when given, goes to the server's audit log
(``X-Audit-Log-Reason``):

- delete a message: ``DELETE /channels/{channel}/messages/{message}`` (the target is ``<channel
  id>:<message id>``, or a message id in the connection's channel), 204; a message already gone
  (code 10008) counts as done;
- mute (time-out): ``PATCH /guilds/{guild}/members/{user}`` with ``communication_disabled_until``
  (at most 28 days ahead; Discord lifts it by itself); unmute sets it to ``null``;
- ban / unban: ``PUT /guilds/{guild}/bans/{user}`` (``delete_message_seconds: 0``) and ``DELETE
  /guilds/{guild}/bans/{user}``, 204; an unban of someone not banned (10026) counts as done.
  Discord's bans have no end: a temporary ban is lifted by Ambassade.

The server is the connection's ``guild_id``, else read from the channel (``GET /channels/{id}``).
Discord has no "hide". Missing permissions (403, code 50013) ask for the bot's role to be fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from ambassade.connectors._moderation import bad_target, done, numeric_id, unsupported
from ambassade.connectors.base import (
    Capability,
    ConnectorError,
    Credentials,
    ModerationAction,
    ModerationRequest,
    ModerationResult,
)
from ambassade.connectors.discord.publish import DiscordPublisher, _error_map, _json_code
from ambassade.connectors.http import Response

__all__ = ["DiscordModerator"]

A = ModerationAction
#: Discord's longest time-out.
MAX_TIMEOUT = timedelta(days=28)
#: Codes of an object already gone: unknown message, unknown ban.
GONE = frozenset({10008, 10026})


class _Gone(ConnectorError):
    pass


def _moderation_error_map(response: Response, message: str) -> ConnectorError | None:
    code = _json_code(response)
    if code in GONE:
        return _Gone(
            message, permanent=True, code="discord.message_gone", params={"detail": message}
        )
    if code == 50013 or (response.status_code == 403 and code is None):
        # A role to fix in the server, not a login to renew: the connection stays connected.
        return ConnectorError(
            f"Discord refused, the bot lacks a permission: {message}",
            permanent=True,
            code="discord.missing_permission",
            params={"detail": message},
        )
    if code in (10007, 10013):
        return ConnectorError(
            f"Discord does not know this member: {message}",
            permanent=True,
            code="discord.member_unknown",
            params={"detail": message},
        )
    return _error_map(response, message)


class DiscordModerator(DiscordPublisher):
    capabilities: ClassVar[frozenset[Capability]] = DiscordPublisher.capabilities | {
        Capability.MODERATE
    }
    moderates: ClassVar[frozenset[ModerationAction]] = frozenset(
        {A.DELETE, A.MUTE, A.UNMUTE, A.BAN, A.UNBAN}
    )

    def moderation_actions(self, credentials: Credentials) -> frozenset[ModerationAction]:
        return self.moderates if (credentials or {}).get("bot_token") else frozenset()

    def _moderation_call(
        self,
        creds: Mapping[str, Any],
        request: ModerationRequest,
        method: str,
        path: str,
        **kw: Any,
    ) -> Response:
        headers = self._headers(creds)
        if request.reason:
            headers["X-Audit-Log-Reason"] = quote(request.reason[:512], safe="")
        return self.http.request(
            method,
            f"{self.endpoints['api']}{path}",
            headers=headers,
            retry=True,
            error_map=_moderation_error_map,
            **kw,
        )

    def _guild(self, creds: Mapping[str, Any], request: ModerationRequest) -> str:
        if creds.get("guild_id"):
            return str(creds["guild_id"])
        channel = self._where(creds, request.item_id)[0] if request.item_id else ""
        channel = channel or str(creds.get("channel_id") or "")
        found = self._get(creds, f"/channels/{channel}") if channel else None
        if not isinstance(found, Mapping) or not found.get("guild_id"):
            raise ConnectorError(
                "Discord did not say which server the channel belongs to.",
                permanent=True,
                code="discord.no_guild",
            )
        return str(found["guild_id"])

    def moderate(self, credentials: Credentials, request: ModerationRequest) -> ModerationResult:
        action = request.action
        if action not in self.moderates:
            raise unsupported("Discord", action)
        creds = self._bot(credentials)
        try:
            if action is A.DELETE:
                channel, message = self._where(creds, request.target)
                if not (numeric_id(channel) and numeric_id(message)):
                    raise bad_target("Discord", request.target)
                self._moderation_call(
                    creds, request, "DELETE", f"/channels/{channel}/messages/{message}"
                )
                return done(request)
            if not numeric_id(request.target):
                raise bad_target("Discord", request.target)
            guild = self._guild(creds, request)
            member = f"/guilds/{guild}/members/{request.target}"
            bans = f"/guilds/{guild}/bans/{request.target}"
            if action is A.MUTE:
                latest = datetime.now(UTC) + MAX_TIMEOUT
                until = min(request.until or latest, latest)
                stamp = until.astimezone(UTC).isoformat(timespec="seconds")
                self._moderation_call(
                    creds, request, "PATCH", member, json={"communication_disabled_until": stamp}
                )
                return done(request, until=until, lifts_itself=True)
            if action is A.UNMUTE:
                self._moderation_call(
                    creds, request, "PATCH", member, json={"communication_disabled_until": None}
                )
                return done(request)
            if action is A.BAN:
                self._moderation_call(
                    creds, request, "PUT", bans, json={"delete_message_seconds": 0}
                )
                return done(request, until=request.until)
            self._moderation_call(creds, request, "DELETE", bans)
            return done(request)
        except _Gone:
            if action in (A.DELETE, A.UNBAN):
                return done(request, already=True)
            raise
