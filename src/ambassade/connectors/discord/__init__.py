"""Discord: publishing to a channel with a bot (``nonce`` + ``enforce_nonce``) or a webhook."""

from ambassade.connectors.discord.publish import DiscordPublisher

__all__ = ["DiscordPublisher"]
