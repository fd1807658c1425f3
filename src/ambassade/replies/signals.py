"""What other apps can follow of a reply's life without the replies app calling them.

- :data:`reply_recorded` — a reply the network took joined its thread: ``sender`` is the
  :class:`~ambassade.replies.models.Reply` class, with ``reply`` and ``message`` (the outbound
  ``inbox.Message``). Sent once per reply, inside the transaction that links them.
- :data:`reply_failed` — the outbox gave up on a reply (its author can send it again): ``reply`` and
  ``error`` (a stored message).
"""

from __future__ import annotations

from django.dispatch import Signal

reply_recorded = Signal()
reply_failed = Signal()
