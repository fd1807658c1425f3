"""Publishing: compose once, adapt per network, approve, schedule, and publish each variant exactly once.

See docs/publishing.md. Writes go through one module per concern: ``authoring`` (drafts, media, the
text as sent), ``approvals``, ``scheduling`` (time zones, the queue, recurring posts), ``links``,
``metrics`` and ``accounts``. The outbox is ``publishing.outbox``: the exactly-once ``engine``, the
crisis ``hold`` and the ``posts`` kind; :mod:`ambassade.publishing.tasks` runs it every minute.
"""
