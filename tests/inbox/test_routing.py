"""What arrives in the inbox through listening's real pipeline: mentions of own accounts, threads with
the brand's native replies, comments on own posts, routing rules; one item is one object."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ambassade.inbox import services
from ambassade.inbox.models import Conversation, Message, RoutingRule, Status
from ambassade.inbox.routing import route_mentions, send_to_inbox
from ambassade.listening import routing
from ambassade.listening.models import Mention
from tests.inbox.conftest import BRAND as BRAND_HANDLE
from tests.inbox.conftest import NOW, brand_reply, days_ago, item


def test_it_registers_on_the_routing_hook() -> None:
    assert routing.RECEIVERS["inbox"] is route_mentions
    assert "inbox" in routing.PRIVATE_RECEIVERS


def test_it_opens_a_conversation_for_a_mention_of_an_own_account(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(
        source,
        [
            item("1", "@brand_a my order arrived broken, terrible", handle="ana", followers=12400),
            item("2", "Nice weather today", handle="bruno"),
            item("3", "@brand_a_fan is not the brand", handle="carl"),
            item("4", "@brand_a hello", handle="dora", source="x"),  # another network's @brand_a
        ],
    )
    conversation = Conversation.objects.get()
    assert (conversation.channel, conversation.network, conversation.thread_key) == (
        "mention",
        "mastodon",
        "1",
    )
    assert conversation.connection == personas.connection
    assert (conversation.contact_handle, conversation.contact_followers) == ("ana", 12400)
    assert (conversation.intent, conversation.sentiment) == ("complaint", "negative")
    assert conversation.status == Status.NEW
    assert conversation.waiting_since == NOW and conversation.first_inbound_at == NOW
    assert conversation.priority > 0
    assert conversation.message_count == conversation.inbound_count == 1


def test_it_links_the_mention_instead_of_copying_it(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [item("1", "@brand_a where is my parcel?", handle="ana")])
    message = Message.objects.get()
    mention = Mention.objects.get()
    assert message.mention == mention
    assert message.text == "" and message.author_handle == ""
    assert message.body == mention.text
    assert Mention.objects.count() == 1


def test_it_rebuilds_the_thread_with_the_brands_native_replies(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(
        source, [item("1", "@brand_a is the shop open on Sunday?", handle="ana", at=days_ago(1))]
    )
    answered = days_ago(1) + timedelta(minutes=30)
    ingest(
        source,
        [
            brand_reply("2", "@ana yes, from 9 to 13!", parent="1", at=answered),
            item(
                "3",
                "@brand_a thanks!",
                handle="ana",
                parent_id="2",
                at=answered + timedelta(minutes=5),
            ),
        ],
    )
    conversation = Conversation.objects.get()
    messages = list(conversation.messages.order_by("created_at"))
    assert [m.direction for m in messages] == ["inbound", "outbound", "inbound"]
    assert [m.mention.external_id for m in messages] == ["1", "2", "3"]
    assert conversation.first_response_at == answered
    assert conversation.last_outbound_at == answered
    assert conversation.outbound_count == 1 and conversation.inbound_count == 2
    # The customer wrote again after the answer: waiting again, from that message.
    assert conversation.waiting_since == answered + timedelta(minutes=5)
    assert conversation.status == Status.OPEN


def test_it_counts_a_native_reply_as_the_response(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "@brand_a question?", handle="ana", at=days_ago(1))])
    ingest(source, [brand_reply("2", "@ana answer", parent="1", at=days_ago(0.5))])
    conversation = Conversation.objects.get()
    assert conversation.waiting_since is None
    assert conversation.status == Status.WAITING
    assert conversation.first_response_at == days_ago(0.5)


def test_it_ignores_the_brands_own_posts(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "Our new menu is out! @brand_a", handle=BRAND_HANDLE)])
    assert not Conversation.objects.exists()


def test_it_links_a_reply_sent_from_ambassade_when_listening_hears_it(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [item("1", "@brand_a help please", handle="ana", at=days_ago(1))])
    conversation = Conversation.objects.get()
    sent = services.record_outbound(
        conversation, text="@ana here to help", sender=personas.bob, external_id="2",
        created_at=days_ago(0.9),
    )  # fmt: skip
    ingest(source, [brand_reply("2", "@ana here to help", parent="1", at=days_ago(0.9))])
    conversation.refresh_from_db()
    assert conversation.outbound_count == 1
    assert Message.objects.filter(direction="outbound").count() == 1
    sent.refresh_from_db()
    assert sent.mention == Mention.objects.get(external_id="2")
    assert sent.sender == personas.bob


def test_it_reopens_a_resolved_conversation_on_a_new_message(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [item("1", "@brand_a question?", handle="ana", at=days_ago(2))])
    conversation = Conversation.objects.get()
    services.set_status(conversation, Status.RESOLVED, personas.alice)
    ingest(
        source, [item("2", "@brand_a one more thing", handle="ana", parent_id="1", at=days_ago(1))]
    )
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.resolved_at is None
    assert list(conversation.events.values_list("code", flat=True)) == ["status", "reopened"]


def test_it_opens_a_conversation_for_a_comment_on_an_own_published_post(
    personas: Any, source: Any, ingest: Any
) -> None:
    from tests.publishing.samples import variant_of_a

    variant = variant_of_a(personas)
    variant.remote_id = "post-99"
    variant.save(update_fields=["remote_id"])
    ingest(source, [item("1", "Looks delicious", handle="ana", parent_id="post-99")])
    conversation = Conversation.objects.get()
    assert conversation.channel == "comment"
    assert conversation.connection == personas.connection


def test_it_opens_a_conversation_for_a_reply_to_an_own_post_heard_by_listening(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(source, [item("p", "Our autumn menu is here", handle=BRAND_HANDLE, at=days_ago(1))])
    ingest(
        source,
        [
            item("c1", "Is there a vegan option?", handle="ana", parent_id="p"),
            item("c2", "Love it", handle="bruno", parent_id="p"),
        ],
    )
    # One conversation per person commenting, not one for the whole post.
    assert sorted(Conversation.objects.values_list("thread_key", "channel")) == [
        ("c1", "comment"),
        ("c2", "comment"),
    ]


def test_it_follows_routing_rules_with_their_team_and_label(
    personas: Any, source: Any, ingest: Any, brand_query: Any
) -> None:
    from ambassade.inbox.models import Label, Team

    team = Team.objects.create(workspace=personas.workspace_a, name="Care")
    label = Label.objects.create(workspace=personas.workspace_a, name="Escalated")
    RoutingRule.objects.create(
        workspace=personas.workspace_a,
        name="Angry about the brand",
        query=brand_query,
        sentiment="negative",
        min_followers=1000,
        team=team,
        label=label,
    )
    ingest(
        source,
        [
            item("1", "Lumiere is terrible", handle="ana", followers=5000),
            item("2", "Lumiere is terrible", handle="bruno", followers=10),  # too small
            item("3", "Lumiere is great", handle="carl", followers=5000),  # not negative
            item("4", "Something terrible", handle="dora", followers=5000),  # not the query
        ],
    )
    conversation = Conversation.objects.get()
    assert (conversation.thread_key, conversation.channel, conversation.team) == (
        "1",
        "routed",
        team,
    )
    assert list(conversation.labels.all()) == [label]
    assert conversation.events.get().code == "routed"


def test_it_starts_nothing_for_spam(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "@brand_a FREE gift card here", handle="spammer")])
    assert not Conversation.objects.exists()


def test_it_routes_nothing_again_when_the_same_items_come_back(
    personas: Any, source: Any, ingest: Any
) -> None:
    items = [item("1", "@brand_a hello?", handle="ana"), item("2", "@brand_a hi?", handle="bob")]
    ingest(source, items)
    ingest(source, items)
    route_mentions(personas.workspace_a, list(Mention.objects.all()))  # even called by hand
    assert Conversation.objects.count() == 2
    assert Message.objects.count() == 2
    assert sorted(Conversation.objects.values_list("message_count", flat=True)) == [1, 1]


def test_it_joins_a_parent_that_arrives_after_its_answer(
    personas: Any, source: Any, ingest: Any
) -> None:
    ingest(
        source, [item("2", "@brand_a and also this", handle="ana", parent_id="1", at=days_ago(1))]
    )
    ingest(source, [item("1", "my first message", handle="ana", at=days_ago(1.1))])
    conversation = Conversation.objects.get()
    assert [m.mention.external_id for m in conversation.messages.order_by("created_at")] == [
        "1",
        "2",
    ]
    assert conversation.first_inbound_at == days_ago(1.1)
    assert conversation.waiting_since == days_ago(1.1)


def test_a_person_sends_a_mention_to_the_inbox(personas: Any, source: Any, ingest: Any) -> None:
    ingest(source, [item("1", "Anyone tried their cold brew?", handle="ana")])
    mention = Mention.objects.get()
    conversation = send_to_inbox(mention, personas.bob)
    assert conversation.channel == "routed"
    assert conversation.messages.get().mention == mention
    assert send_to_inbox(mention, personas.bob) == conversation
    assert Message.objects.count() == 1
    assert conversation.events.get().code == "sent_to_inbox"


def test_a_feed_item_linking_to_x_is_counted_as_x_but_routed_as_rss(
    personas: Any, source: Any, ingest: Any
) -> None:
    """Since 0e540ea a feed item linking to x.com is an X mention (charts, filters), but it keeps
    the feed's id and author name: the inbox must not open an X conversation with the own X
    account (a reply would go to X's API with an id X does not know)."""
    from ambassade.listening.acting import acting_network, feed_source_ids
    from ambassade.listening.models import Source
    from ambassade.workspaces import services as workspaces

    x_account = workspaces.connect_account(
        personas.workspace_a,
        network="x",
        account_name="@brand_a",
        secret={"access_token": "x-secret"},
        actor=personas.alice,
    )
    feed = Source.objects.create(workspace=personas.workspace_a, name="Blog", kind="rss")
    x_search = Source.objects.create(workspace=personas.workspace_a, name="X search", kind="x")
    ingest(
        feed,
        [
            item(
                "https://blog.example/?p=1",
                "@brand_a my order arrived broken",
                source="x",
                handle="Ana Lopez",
                url="https://x.com/ana/status/11",
            )
        ],
    )
    from_feed = Mention.objects.get(source=feed)
    assert from_feed.network == "x"  # shown and counted as X
    assert acting_network(from_feed) == "rss"
    assert acting_network(from_feed, feed_source_ids(personas.workspace_a)) == "rss"
    assert not Conversation.objects.filter(network="x").exists()
    assert not Conversation.objects.filter(connection=x_account).exists()

    conversation = send_to_inbox(from_feed, personas.alice)  # by hand: on rss, as before
    assert (conversation.network, conversation.connection) == ("rss", None)
    assert Message.objects.get(mention=from_feed).network == "rss"

    # An X mention read by the X connector is routed on X with the own X account, as ever.
    ingest(x_search, [item("11", "@brand_a hello", source="x", handle="ana")])
    from_x = Mention.objects.get(source=x_search)
    assert acting_network(from_x, feed_source_ids(personas.workspace_a)) == "x"
    on_x = Conversation.objects.get(network="x")
    assert (on_x.thread_key, on_x.connection) == ("11", x_account)
