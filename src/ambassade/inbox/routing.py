"""How messages arrive in the inbox: listening's routing receivers, and a person's "send to the inbox".

:func:`route_mentions` receives every batch of new mentions (after listening committed them) and, for
each, in the order they were written:

1. the same external id as a message already in a conversation (a reply sent from Ambassade, now heard
   by listening): the mention is linked to that message, nothing is added;
2. an answer to a message of a conversation (``parent_external_id``): it joins that conversation,
   outbound when one of the workspace's own accounts wrote it (a native reply: a response), inbound
   otherwise (the conversation opens again);
3. written by an own account and answering nothing known: not for the inbox (the brand's own posts);
4. the parent of a message already in a conversation (arrived late): it joins that conversation;
5. otherwise a new conversation, when it is a reply or comment on one of the workspace's posts
   (a published variant's remote id, or a post of an own account heard by listening), names one of
   its accounts (``@handle``, on that account's network), or matches a routing rule.
   Spam (score ≥ 0.5 or marked) starts no conversation.

:func:`route_private` receives private messages (``ItemKind.MESSAGE``: direct messages, e-mails),
never stored as mentions, inside the ingest's transaction, and keeps them as the inbox's own messages;
the same external id again changes nothing, except an edit or a deletion, which is recorded.

Both are idempotent: a mention is in at most one conversation (``Message.mention`` is unique) and a
thread is one conversation (``(workspace, network, thread_key)`` is unique).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ambassade.community.models import normalise_handle
from ambassade.connectors._text import sanitize_html
from ambassade.inbox import services, triage
from ambassade.inbox.models import Channel, Conversation, Message, RoutingRule
from ambassade.listening.acting import acting_network, feed_source_ids
from ambassade.listening.models import Mention, MentionMatch
from ambassade.workspaces.models import Connection, Workspace

__all__ = ["OwnAccounts", "receive_private", "route_mentions", "route_private", "send_to_inbox"]

log = logging.getLogger(__name__)

LOOKUP = 500


# --- the workspace's own accounts -----------------------------------------------------------------


def _variants(account_name: str) -> set[str]:
    """How an account may be written: ``@cafe@mastodon.example`` is ``cafe@mastodon.example`` and,
    on its own instance, ``cafe``."""
    name = normalise_handle(account_name)
    found = {name} if name else set()
    if "@" in name:
        found.add(name.split("@", 1)[0])
    return found


@dataclass
class OwnAccounts:
    """The workspace's connections by network: their handles and ids, and a pattern finding an
    ``@handle`` of them in a text."""

    by_handle: dict[str, dict[str, Connection]] = field(default_factory=dict)
    by_id: dict[str, dict[str, Connection]] = field(default_factory=dict)
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, workspace: Workspace) -> OwnAccounts:
        own = cls()
        for connection in Connection.objects.filter(workspace=workspace).only(
            "id", "workspace_id", "network", "account_name", "account_id"
        ):
            handles = own.by_handle.setdefault(connection.network, {})
            for variant in _variants(connection.account_name):
                handles.setdefault(variant, connection)
            if connection.account_id:
                own.by_id.setdefault(connection.network, {})[connection.account_id] = connection
        for network, handles in own.by_handle.items():
            names = "|".join(re.escape(h) for h in sorted(handles, key=len, reverse=True))
            own.patterns[network] = re.compile(rf"(?<![\w@])@({names})(?![\w@-])(?!\.\w)")
        return own

    def __bool__(self) -> bool:
        return bool(self.by_handle)

    def author(self, network: str, handle: str, external_id: str = "") -> Connection | None:
        """The own account that wrote a message by ``handle`` (or author id), if any."""
        if external_id and external_id in self.by_id.get(network, {}):
            return self.by_id[network][external_id]
        return self.by_handle.get(network, {}).get(normalise_handle(handle))

    def named(self, network: str, text: str) -> Connection | None:
        """The own account an ``@handle`` in ``text`` names, on ``network``."""
        pattern = self.patterns.get(network)
        if pattern is None:
            return None
        found = pattern.search(text.casefold())
        return self.by_handle[network][found.group(1)] if found else None

    def only(self, network: str) -> Connection | None:
        accounts = {c.pk: c for c in self.by_handle.get(network, {}).values()}
        return next(iter(accounts.values())) if len(accounts) == 1 else None


# --- mentions -------------------------------------------------------------------------------------


@dataclass
class _New:
    """A conversation to create, started by ``mention``."""

    mention: Mention
    #: The network it is acted on (:func:`~ambassade.listening.acting.acting_network`).
    network: str
    channel: str
    connection: Connection | None
    rule: RoutingRule | None = None
    conversation: Conversation | None = None


@dataclass
class _Plan:
    mention: Mention
    network: str
    direction: str
    #: An existing conversation's id, or the new conversation it starts or joins.
    conversation_id: int | None = None
    new: _New | None = None


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    values = sorted(set(values))
    for start in range(0, len(values), LOOKUP):
        yield values[start : start + LOOKUP]


def _messages_by_external_id(
    workspace: Workspace, ids: Iterable[str]
) -> dict[tuple[str, str], Message]:
    found: dict[tuple[str, str], Message] = {}
    for chunk in _chunks(ids):
        for message in Message.objects.filter(workspace=workspace, external_id__in=chunk).only(
            "id", "conversation_id", "network", "external_id", "mention_id"
        ):
            found[(message.network, message.external_id)] = message
    return found


def _conversations_of_children(
    workspace: Workspace, ids: Iterable[str]
) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for chunk in _chunks(ids):
        for network, parent, conversation_id in Message.objects.filter(
            workspace=workspace, parent_external_id__in=chunk
        ).values_list("network", "parent_external_id", "conversation_id"):
            found.setdefault((network, parent), conversation_id)
    return found


def _own_posts(
    workspace: Workspace, parents: set[str], own: OwnAccounts, feeds: frozenset[int]
) -> dict[str, Connection | None]:
    """Parent ids that are the workspace's own posts: published variants, or mentions written by an
    own account (listening hears the brand's own posts). → the account, when known."""
    from ambassade.publishing.models import Variant

    found: dict[str, Connection | None] = {}
    if not parents:
        return found
    for chunk in _chunks(parents):
        for variant in Variant.objects.filter(
            workspace=workspace, remote_id__in=chunk
        ).select_related("connection"):
            found[variant.remote_id] = variant.connection
    rest = parents - set(found)
    if rest and own:
        sources = list(workspace.sources.values_list("id", flat=True))
        for chunk in _chunks(rest):
            for parent in Mention.objects.filter(source_id__in=sources, external_id__in=chunk).only(
                "id", "source_id", "network", "external_id", "author_handle", "author_external_id"
            ):
                account = own.author(
                    acting_network(parent, feeds), parent.author_handle, parent.author_external_id
                )
                if account is not None:
                    found[parent.external_id] = account
    return found


def _rule_for(
    rules: Sequence[RoutingRule], mention: Mention, intent: str, queries: set[int]
) -> RoutingRule | None:
    for rule in rules:
        if rule.query_id is not None and rule.query_id not in queries:
            continue
        if rule.sentiment and mention.sentiment != rule.sentiment:
            continue
        if rule.intent and intent != rule.intent:
            continue
        if rule.min_followers is not None and (mention.author_followers or 0) < rule.min_followers:
            continue
        return rule
    return None


def route_mentions(workspace: Workspace, mentions: Sequence[Mention]) -> int:
    """The listening routing receiver (see the module's documentation). Returns how many mentions
    joined the inbox."""
    mentions = [m for m in mentions if m.pk is not None and m.workspace_id == workspace.pk]
    if not mentions:
        return 0
    own = OwnAccounts.of(workspace)
    rules = list(
        RoutingRule.objects.filter(workspace=workspace, enabled=True).select_related(
            "team", "label"
        )
    )
    has_inbox = Message.objects.filter(workspace=workspace).exists()
    if not own and not rules and not has_inbox:
        return 0  # nothing could route anything: listening's ingest stays as fast as it was
    config = services.settings_for(workspace)
    mentions.sort(key=lambda m: (m.created_at, m.pk))
    parents = {m.parent_external_id for m in mentions if m.parent_external_id}
    ids = {m.external_id for m in mentions}
    known = _messages_by_external_id(workspace, parents | ids) if has_inbox else {}
    children = _conversations_of_children(workspace, ids) if has_inbox else {}
    # A feed's item is routed on network rss whatever its link (listening/acting.py).
    feeds = feed_source_ids(workspace)
    own_posts = _own_posts(workspace, parents, own, feeds) if config.own_post_replies else {}
    queries: dict[int, set[int]] = {}
    if any(rule.query_id for rule in rules):
        for start in range(0, len(mentions), LOOKUP):
            chunk = [m.pk for m in mentions[start : start + LOOKUP]]
            for mention_id, query_id in MentionMatch.objects.filter(
                mention_id__in=chunk
            ).values_list("mention_id", "query_id"):
                queries.setdefault(mention_id, set()).add(query_id)

    plans: list[_Plan] = []
    planned: dict[tuple[str, str], _Plan] = {}
    intents: dict[int, str] = {}

    def intent_of(mention: Mention) -> str:
        if mention.pk not in intents:
            intents[mention.pk] = triage.classify_intents([mention.text], [mention.sentiment])[0]
        return intents[mention.pk]

    for mention in mentions:
        network = acting_network(mention, feeds)
        key = (network, mention.external_id)
        existing = known.get(key)
        if existing is not None:
            if existing.mention_id is None:
                Message.objects.filter(id=existing.pk, mention__isnull=True).update(mention=mention)
            continue
        author = own.author(network, mention.author_handle, mention.author_external_id)
        direction = Message.Direction.OUTBOUND if author else Message.Direction.INBOUND
        parent_key = (network, mention.parent_external_id)
        plan: _Plan | None = None
        if mention.parent_external_id and parent_key in known:
            plan = _Plan(
                mention, network, direction, conversation_id=known[parent_key].conversation_id
            )
        elif mention.parent_external_id and parent_key in planned:
            before = planned[parent_key]
            plan = _Plan(mention, network, direction, before.conversation_id, before.new)
        elif author is not None:
            continue
        elif key in children:
            plan = _Plan(mention, network, direction, conversation_id=children[key])
        elif mention.spam < 0.5 and not mention.marked_spam:
            new: _New | None = None
            named = own.named(network, mention.text) if config.own_mentions else None
            if mention.parent_external_id in own_posts:
                account = own_posts[mention.parent_external_id] or named
                new = _New(mention, network, Channel.COMMENT, account or own.only(network))
            elif named is not None:
                new = _New(mention, network, Channel.MENTION, named)
            elif rules:
                rule = _rule_for(rules, mention, intent_of(mention), queries.get(mention.pk, set()))
                if rule is not None:
                    new = _New(mention, network, Channel.ROUTED, own.only(network), rule)
            if new is not None:
                plan = _Plan(mention, network, direction, new=new)
        if plan is not None:
            plans.append(plan)
            planned[key] = plan

    if not plans:
        return 0
    for plan in plans:
        if plan.direction == Message.Direction.INBOUND:
            intent_of(plan.mention)
    created: list[Conversation] = []
    added = 0
    with transaction.atomic():
        for plan in plans:
            conversation = _target(workspace, plan, created)
            if conversation is None:
                continue
            if _add_mention(
                conversation,
                plan.mention,
                plan.network,
                plan.direction,
                intents.get(plan.mention.pk, ""),
            ):
                added += 1
    _after_creation(created)
    return added


def _target(workspace: Workspace, plan: _Plan, created: list[Conversation]) -> Conversation | None:
    if plan.new is None:
        return Conversation.objects.filter(pk=plan.conversation_id).first()
    new = plan.new
    if new.conversation is None:
        new.conversation, fresh = _conversation_for(
            workspace, new.mention, new.network, new.channel, new.connection, new.rule
        )
        if fresh:
            created.append(new.conversation)
    return new.conversation


def _conversation_for(
    workspace: Workspace,
    mention: Mention,
    network: str,
    channel: str,
    connection: Connection | None,
    rule: RoutingRule | None,
) -> tuple[Conversation, bool]:
    """The conversation of the thread ``mention`` starts (made when new), on ``network`` (the one
    it is acted on: ``rss`` for a feed's item)."""
    key = mention.external_id[:255]
    found = Conversation.objects.filter(
        workspace=workspace, network=network, thread_key=key
    ).first()
    if found is not None:
        return found, False
    history = (
        Conversation.objects.filter(
            workspace=workspace, network=network, contact_handle=mention.author_handle
        ).count()
        if mention.author_handle
        else 0
    )
    conversation = Conversation(
        workspace=workspace,
        network=network,
        channel=channel,
        connection=connection,
        thread_key=key,
        contact_handle=mention.author_handle,
        contact_name=mention.author_name,
        contact_external_id=mention.author_external_id,
        contact_url=mention.author_url,
        contact_followers=mention.author_followers,
        contact_history=history,
        lang=mention.lang,
        team=rule.team if rule else None,
        last_message_at=mention.created_at,
    )
    try:
        with transaction.atomic():
            conversation.save()
    except IntegrityError:  # another process made it meanwhile
        return Conversation.objects.get(workspace=workspace, network=network, thread_key=key), False
    if rule is not None and rule.label is not None:
        conversation.labels.add(rule.label)
    if rule is not None:
        services.record_event(conversation, None, "routed", rule=rule.name)
    return conversation, True


def _add_mention(
    conversation: Conversation, mention: Mention, network: str, direction: str, intent: str
) -> bool:
    message = Message(
        direction=direction,
        origin=Message.Origin.NETWORK,
        mention=mention,
        network=network,
        external_id=mention.external_id,
        parent_external_id=mention.parent_external_id,
        intent=intent if direction == Message.Direction.INBOUND else "",
        created_at=mention.created_at,
        received_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            services.add_message(conversation, message)
    except IntegrityError:  # this mention (or external id) is in the inbox already
        conversation.refresh_from_db()
        return False
    return True


def _after_creation(conversations: list[Conversation]) -> None:
    if not conversations:
        return
    try:
        services.auto_assign_many(conversations)
    except Exception:  # an assignment failure must not lose the conversations
        log.exception("automatic assignment of %d conversations failed", len(conversations))


def send_to_inbox(mention: Mention, actor: Any) -> Conversation:
    """A person sends a mention to the inbox (the button on the mention page): its conversation when
    it already has one, else the conversation of its thread, else a new one."""
    message = Message.objects.filter(mention=mention).select_related("conversation").first()
    if message is not None:
        return message.conversation
    workspace = mention.workspace
    own = OwnAccounts.of(workspace)
    network = acting_network(mention)  # rss for a feed's item (listening/acting.py)
    author = own.author(network, mention.author_handle, mention.author_external_id)
    direction = Message.Direction.OUTBOUND if author else Message.Direction.INBOUND
    intent = triage.classify_intents([mention.text], [mention.sentiment])[0]
    with transaction.atomic():
        parent = None
        if mention.parent_external_id:
            parent = Message.objects.filter(
                workspace=workspace, network=network, external_id=mention.parent_external_id
            ).first()
        if parent is not None:
            conversation = parent.conversation
            fresh = False
        else:
            channel = Channel.MENTION if own.named(network, mention.text) else Channel.ROUTED
            conversation, fresh = _conversation_for(
                workspace, mention, network, channel, own.only(network), None
            )
        _add_mention(conversation, mention, network, direction, intent if not author else "")
        services.record_event(conversation, actor, "sent_to_inbox")
    if fresh:
        _after_creation([conversation])
    conversation.refresh_from_db()
    return conversation


# --- private messages -----------------------------------------------------------------------------


def _apply_private_change(message: Message, item: Any) -> None:
    fields: list[str] = []
    later = item.edited_at is not None and (
        message.edited_at is None or item.edited_at > message.edited_at
    )
    if later and item.text.strip() and item.text != message.text:
        message.revisions = [
            *message.revisions,
            {
                "text": message.text,
                "written_at": (message.edited_at or message.created_at).isoformat(),
                "replaced_at": item.edited_at.isoformat(),
            },
        ]
        message.text = item.text
        message.html = sanitize_html(item.html) if item.html else ""
        message.edited_at = item.edited_at
        fields += ["revisions", "text", "html", "edited_at"]
    if item.deleted and message.deleted_at is None:
        message.deleted_at = timezone.now()
        fields.append("deleted_at")
    if fields:
        message.save(update_fields=fields)


def route_private(source: Any, items: Sequence[Any]) -> int:
    """Listening's private receiver: ``items`` are ``RawItem`` values of kind ``message`` a
    listening source gave. Runs in the ingest's transaction."""
    return receive_private(source.workspace, source.connection, items)


def receive_private(
    workspace: Workspace, connection: Connection | None, items: Sequence[Any]
) -> int:
    """Keep private messages (see the module's documentation) that came through ``connection``
    (a listening source's, or a message feed's: ``inbox.polling``). Returns how many were added."""
    from ambassade.listening import analysis

    own = OwnAccounts.of(workspace)
    ids = {item.external_id[:255] for item in items}
    parents = {item.parent_id[:255] for item in items if item.parent_id}
    known = _messages_by_external_id(workspace, ids | parents)
    fresh = []
    for item in items:
        existing = known.get((item.source[:40], item.external_id[:255]))
        if existing is not None:
            if item.edited_at is not None or item.deleted:
                _apply_private_change(Message.objects.get(pk=existing.pk), item)
        elif not item.deleted and item.text.strip():
            fresh.append(item)
    if not fresh:
        return 0
    fresh.sort(key=lambda item: item.created_at)
    analyses = analysis.analyse([item.text for item in fresh])
    sentiments = [a.sentiment for a in analyses]
    intents = triage.classify_intents([item.text for item in fresh], sentiments)
    created: list[Conversation] = []
    added = 0
    for item, found, intent in zip(fresh, analyses, intents, strict=True):
        network = item.source[:40]
        author = own.author(network, item.author.handle, item.author.id)
        direction = Message.Direction.OUTBOUND if author else Message.Direction.INBOUND
        conversation = None
        parent = known.get((network, (item.parent_id or "")[:255]))
        if parent is not None:
            conversation = Conversation.objects.filter(pk=parent.conversation_id).first()
        if conversation is None:
            key = (item.thread_id or "")[:255]
            if not key and author is None:
                key = f"from:{(item.author.id or normalise_handle(item.author.handle))}"[:255]
            if not key:
                log.warning(
                    "private message %s of connection %s answers nothing known: kept alone",
                    item.external_id[:255],
                    connection.pk if connection else None,
                )
                key = f"message:{item.external_id}"[:255]
            conversation, fresh_conversation = _private_conversation(
                workspace, connection, item, network, key, author is None
            )
            if fresh_conversation:
                created.append(conversation)
        lang = found.lang if found.lang != "und" else ""
        message = Message(
            direction=direction,
            origin=Message.Origin.NETWORK,
            network=network,
            external_id=item.external_id[:255],
            parent_external_id=(item.parent_id or "")[:255],
            url=item.url[:2000] if item.url.startswith(("http://", "https://")) else "",
            text=item.text,
            html=sanitize_html(item.html) if item.html else "",
            author_handle=normalise_handle(item.author.handle)[:200],
            author_name=(item.author.name or "")[:200],
            author_external_id=(item.author.id or "")[:255],
            author_url=item.author.url[:2000]
            if item.author.url.startswith(("http://", "https://"))
            else "",
            lang=(item.lang or lang)[:12].lower(),
            sentiment=found.sentiment,
            intent=intent if direction == Message.Direction.INBOUND else "",
            created_at=item.created_at,
            received_at=timezone.now(),
            edited_at=item.edited_at,
        )
        try:
            with transaction.atomic():
                services.add_message(conversation, message)
        except IntegrityError:
            continue
        if item.author.followers is not None and direction == Message.Direction.INBOUND:
            Conversation.objects.filter(pk=conversation.pk).update(
                contact_followers=item.author.followers
            )
        known[(network, message.external_id)] = message
        added += 1
    _after_creation(created)
    return added


def _private_conversation(
    workspace: Workspace,
    connection: Connection | None,
    item: Any,
    network: str,
    key: str,
    inbound: bool,
) -> tuple[Conversation, bool]:
    found = Conversation.objects.filter(
        workspace=workspace, network=network, thread_key=key
    ).first()
    if found is not None:
        return found, False
    author = item.author
    handle = normalise_handle(author.handle)[:200] if inbound else ""
    conversation = Conversation(
        workspace=workspace,
        network=network,
        channel=Channel.EMAIL if network == "email" else Channel.MESSAGE,
        connection=connection,
        thread_key=key,
        subject=str((item.raw or {}).get("subject") or "")[:300],
        contact_handle=handle,
        contact_name=(author.name or "")[:200] if inbound else "",
        contact_external_id=(author.id or "")[:255] if inbound else "",
        contact_url=author.url[:2000]
        if inbound and author.url.startswith(("http://", "https://"))
        else "",
        contact_followers=author.followers if inbound else None,
        contact_history=Conversation.objects.filter(
            workspace=workspace, network=network, contact_handle=handle
        ).count()
        if handle
        else 0,
        last_message_at=item.created_at,
    )
    try:
        with transaction.atomic():
            conversation.save()
    except IntegrityError:
        return Conversation.objects.get(workspace=workspace, network=network, thread_key=key), False
    return conversation, True
