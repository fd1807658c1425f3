"""The moderation pages: the queue explains and decides (one by one or in bulk), rules are checked
before they are saved, the charter is versioned and published, the decision log exports as CSV,
and untrusted text is escaped everywhere."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ambassade.listening.models import Feedback
from ambassade.moderation.models import CharterVersion, Decision, NetworkAction, Review, Rule
from ambassade.workspaces.models import Membership, Role
from tests.listening.conftest import item
from tests.moderation.conftest import make_rule


def url(name: str, personas: Any, *args: Any) -> str:
    return reverse(f"moderation:{name}", args=[personas.workspace_a.slug, *args])


def queued(personas: Any, ingest: Any, source: Any, *texts: str) -> list[Review]:
    ingest(
        source,
        [item(f"t1_{i}", t, source="reddit", handle=f"user{i}") for i, t in enumerate(texts)],
    )
    return list(Review.objects.order_by("id"))


def test_the_queue_explains_each_item_and_escapes_its_text(
    personas: Any, client: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    from ambassade.moderation import services

    services.save_charter(
        personas.workspace_a, "Be kind.\n\nNo insults: speak of ideas, not people.", "", True, None
    )
    make_rule(personas.workspace_a, name="Insults", words="idiot", article=2)
    queued(personas, ingest, reddit_source, "<script>alert(1)</script> idiot !")
    client.force_login(personas.alice)
    page = client.get(url("queue", personas)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>idiot</mark> !" in page
    assert "<script>alert(1)" not in page
    assert "Watched words found: idiot" in page
    assert "Rule “Insults”" in page
    assert "Charter, article 2: No insults: speak of ideas, not people." in page
    assert "Reddit: hide — to do" in page


def test_bulk_decisions_with_a_reason_are_logged_and_feed_back(
    personas: Any,
    client: Any,
    reddit_source: Any,
    reddit_account: Any,
    ingest: Any,
    no_enqueue: Any,
) -> None:
    make_rule(personas.workspace_a, name="Spam", score="spam", threshold=0.5, actions=["hold"])
    reviews = queued(personas, ingest, reddit_source, "free coffee", "free wifi", "free cake")
    client.force_login(personas.alice)
    response = client.post(
        url("decide", personas),
        {"review": [reviews[0].id, reviews[1].id], "decision": "not_spam", "note": "Our offers"},
        follow=True,
    )
    assert "2 messages decided." in response.content.decode()
    states = [r.state for r in Review.objects.order_by("id")]
    assert states == ["approved", "approved", "pending"]
    assert Feedback.objects.filter(kind=Feedback.Kind.NOT_SPAM).count() == 2
    assert Decision.objects.filter(actor=personas.alice, note="Our offers").count() == 2


def test_a_decision_without_a_choice_changes_nothing(
    personas: Any, client: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    make_rule(personas.workspace_a, words="idiot", actions=["flag"])
    reviews = queued(personas, ingest, reddit_source, "idiot")
    client.force_login(personas.alice)
    response = client.post(
        url("decide", personas), {"review": [reviews[0].id], "decision": "explode"}, follow=True
    )
    assert "Tick at least one message and choose a decision." in response.content.decode()
    assert Review.objects.get().state == "pending"


def test_an_editor_cannot_moderate_and_a_moderator_cannot_write_rules(
    personas: Any, client: Any
) -> None:
    client.force_login(personas.bob)  # an editor of A
    assert client.get(url("queue", personas)).status_code == 403
    Membership.objects.filter(user=personas.bob).update(role=Role.MODERATOR)
    assert client.get(url("queue", personas)).status_code == 200
    assert client.get(url("rule_new", personas)).status_code == 403
    assert client.get(url("log", personas)).status_code == 403


def test_a_rule_is_checked_before_it_is_saved(personas: Any, client: Any) -> None:
    client.force_login(personas.alice)
    response = client.post(
        url("rule_new", personas),
        {
            "name": "Too short",
            "mode": "on",
            "words": "*",
            "actions": ["hide"],
            "threshold": "0.8",
            "minutes": "0",
        },
    )
    assert response.status_code == 200
    assert "needs at least 2 letters or digits besides its *" in response.content.decode()
    response = client.post(
        url("rule_new", personas),
        {"name": "Nothing", "mode": "on", "actions": ["hide"], "threshold": "0.8", "minutes": "0"},
    )
    assert "Give the rule at least one condition" in response.content.decode()
    assert not Rule.objects.exists()
    response = client.post(
        url("rule_new", personas),
        {
            "name": "Insults",
            "mode": "log",
            "words": "idiot\ncon*",
            "actions": ["hide", "flag"],
            "threshold": "0.8",
            "minutes": "0",
            "networks": ["reddit"],
        },
    )
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert rule.actions == ["hide", "flag"] and rule.networks == ["reddit"]


def test_rules_move_in_priority(personas: Any, client: Any) -> None:
    first = make_rule(personas.workspace_a, name="First", words="a1")
    second = make_rule(personas.workspace_a, name="Second", words="b2")
    client.force_login(personas.alice)
    client.post(url("rule_move", personas, second.id), {"direction": "up"})
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == [
        "Second",
        "First",
    ]
    client.post(url("rule_delete", personas, first.id))
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second"]


def test_the_charter_is_versioned_and_published_by_its_token(personas: Any, client: Any) -> None:
    client.force_login(personas.alice)
    data = {
        "text_en": "Be kind.\n\nNo spam.",
        "text_fr": "Soyez aimables.\n\nPas de spam.",
        "published": "on",
    }
    client.post(url("charter", personas), data)
    client.post(url("charter", personas), {**data, "text_en": "Be kind.\n\nNo spam, no ads."})
    assert list(CharterVersion.objects.values_list("number", flat=True)) == [2, 1]
    from ambassade.moderation.models import Charter

    token = Charter.objects.get().token
    client.logout()
    page = client.get(reverse("moderation:public_charter", args=[token]))
    assert page.status_code == 200 and "No spam, no ads." in page.content.decode()
    french = client.get(
        reverse("moderation:public_charter", args=[token]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Pas de spam." in french.content.decode()
    assert client.get(reverse("moderation:public_charter", args=["nope"])).status_code == 404
    Charter.objects.update(published=False)
    assert client.get(reverse("moderation:public_charter", args=[token])).status_code == 404


def test_the_decision_log_exports_as_csv_with_the_text_as_it_was(
    personas: Any, client: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    make_rule(personas.workspace_a, name="Insults", words="idiot", actions=["flag"])
    queued(personas, ingest, reddit_source, "=cmd idiot")
    client.force_login(personas.alice)
    assert "rule “Insults”" in client.get(url("log", personas)).content.decode()
    body = b"".join(client.get(url("log_csv", personas)).streaming_content).decode()
    assert "Insults" in body and "'=cmd idiot" in body  # a formula is neutralised


def test_an_action_done_can_be_undone_once(
    personas: Any, client: Any, reddit_source: Any, reddit_account: Any, ingest: Any, network: Any
) -> None:
    from ambassade.moderation import outbox

    make_rule(personas.workspace_a, words="idiot", actions=["hide"])
    queued(personas, ingest, reddit_source, "idiot")
    hide = NetworkAction.objects.get()
    outbox.carry_out(hide.id, moderator_factory=lambda c: network)
    client.force_login(personas.alice)
    client.post(url("undo", personas, hide.id))
    assert NetworkAction.objects.filter(undoes=hide, action="unhide").count() == 1
    response = client.post(url("undo", personas, hide.id), follow=True)
    assert "already undone" in response.content.decode()
    assert NetworkAction.objects.filter(undoes=hide).count() == 1
