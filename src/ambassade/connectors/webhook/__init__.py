"""Inbound webhook: items pushed as JSON by Zapier, Make, n8n or a script."""

from ambassade.connectors.webhook.client import WebhookConnector, WebhookError, parse_webhook

__all__ = ["WebhookConnector", "WebhookError", "parse_webhook"]
