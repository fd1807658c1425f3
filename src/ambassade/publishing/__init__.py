"""Publishing: compose once, adapt per network, approve, schedule, and publish each variant exactly once.

See docs/publishing.md. Writes go through :mod:`ambassade.publishing.services`; the outbox's state
machine lives there too, and :mod:`ambassade.publishing.tasks` runs it every minute.
"""
