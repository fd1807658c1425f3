"""Telegram: publishing to a channel with a bot (``sendMessage``, ``sendPhoto``)."""

from ambassade.connectors.telegram.publish import TelegramPublisher

__all__ = ["TelegramPublisher"]
