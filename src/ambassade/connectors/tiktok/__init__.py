"""TikTok: the account's own numbers through the Display API (no publishing, no listening)."""

from ambassade.connectors.tiktok.metrics import TikTokMetrics

__all__ = ["TikTokMetrics"]
