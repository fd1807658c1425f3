"""The outbox: what goes out to a network goes out exactly once.

- :mod:`.engine` — the exactly-once mechanism, knowing nothing of posts: the claim (a conditional
  UPDATE), the attempt's deadline and heartbeat, the idempotency key, an unknown outcome settled by
  reading the network before any retry, back-off, and the sweep of dead workers' claims. It works
  on any model with the outbox's columns, through a :class:`~.kind.Kind`.
- :mod:`.hold` — the crisis hold: a paused workspace's items are not claimed nor reconciled.
- :mod:`.posts` — the one kind today: a post's variant (its text and thread, media, Instagram and
  Threads containers, how its post is recognised on the network, its messages, audit and webhook).

Replies (and later e-mails) become kinds of their own: a model with the same columns and a
:class:`~.kind.Kind` that says how to send one and how to recognise it on the network.
"""
