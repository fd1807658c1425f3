"""E-mail as a channel: IMAP to read, SMTP to answer (see :mod:`.client`)."""

from ambassade.connectors.email.client import EmailConnector

__all__ = ["EmailConnector"]
