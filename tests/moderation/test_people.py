"""The actions carried out inside Ambassade (tag, assign, reply, warn, escalate, crisis suggestion),
strikes, warnings in the author's language quoting the charter, and appeals through a public link
reviewed in the queue, the member told the outcome."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse

from ambassade.crisis.models import Alert, Notification
from ambassade.listening.models import Mention
from ambassade.moderation import people, services
from ambassade.moderation.models import Appeal, NetworkAction, Review, Strike
from ambassade.publishing.models import Status
from ambassade.replies.models import Reply, SavedReply
from ambassade.workspaces.messages import words
from ambassade.workspaces.models import Membership, Role
from tests.listening.conftest import NOW, item
from tests.moderation.conftest import make_rule

CHARTER_EN = "Be kind.\n\nNo insults: speak of ideas, not people."
CHARTER_FR = "Soyez aimables.\n\nPas d'insultes : parlez des idées, pas des personnes."


def _charter(personas: Any) -> None:
    services.save_charter(personas.workspace_a, CHARTER_EN, CHARTER_FR, True, personas.alice)


def test_a_rule_tags_assigns_escalates_and_warns_in_the_author_s_language(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    _charter(personas)
    Membership.objects.create(workspace=workspace, user=personas.charlie, role=Role.MODERATOR)
    make_rule(
        workspace,
        name="Insults",
        words="idiot",
        article=2,
        actions=["flag", "tag", "assign", "escalate", "warn"],
        tag="insulte",
        assign_to=personas.charlie,
        updated_by=personas.alice,
    )
    ingest(
        reddit_source, [item("t1_a", "le serveur est un idiot", source="reddit", handle="troll")]
    )
    review = Review.objects.get()
    assert review.mention.tags == ["insulte"]
    assert review.assignee == personas.charlie
    assert not (review.explanation or {}).get("notes")
    titles = {(n.user_id, words(n.title)) for n in Notification.objects.all()}
    assert (personas.charlie.id, "A message was assigned to you by the rule “Insults”.") in titles
    assert (personas.alice.id, "The rule “Insults” escalates a message to you.") in titles

    strike = Strike.objects.get()
    assert (strike.kind, strike.handle, strike.network, strike.article) == (
        "warn",
        "troll",
        "reddit",
        2,
    )
    # The message is French: so is the warning, quoting the French article.
    assert strike.message.startswith("@troll, votre message va à l’encontre de notre charte")
    assert "« Pas d'insultes : parlez des idées, pas des personnes. »" in strike.message
    assert people.appeal_url(strike) in strike.message
    assert strike.token not in reverse("moderation:queue", args=[workspace.slug])
    reply = Reply.objects.get()
    assert strike.reply == reply and reply.text == strike.message
    assert reply.author == personas.alice and reply.in_reply_to == "t1_a"


def test_a_rule_replies_with_a_saved_reply_and_says_why_when_it_cannot(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    saved = SavedReply.objects.create(
        workspace=workspace,
        name="Calm",
        shortcut="calm",
        text_en="Let's keep it friendly, {first_name}.",
        text_fr="Restons cordiaux, {first_name}.",
    )
    make_rule(workspace, name="Heat", words="idiot", actions=["reply"], saved_reply=saved)
    ingest(reddit_source, [item("t1_a", "what an idiot", source="reddit", handle="troll")])
    # Nobody saved the rule in the form (no person to write in the name of): nothing is sent, and
    # the queue says why.
    review = Review.objects.get()
    assert [words(n) for n in services.reasons_of({"reasons": review.explanation["notes"]})] == [
        "Not sent: the rule has no person to write in the name of. Save the rule again."
    ]
    assert not Reply.objects.exists()

    from ambassade.moderation.models import Rule

    Rule.objects.filter(name="Heat").update(updated_by=personas.alice)
    Review.objects.all().delete()
    services._CACHE.clear()
    ingest(reddit_source, [item("t1_b", "idiot again", source="reddit", handle="troll")])
    assert Reply.objects.get().text == "Let's keep it friendly, Troll."


def test_a_raid_suggests_crisis_mode_once(
    personas: Any, reddit_source: Any, ingest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    workspace = personas.workspace_a
    make_rule(workspace, name="Raid", raid_authors=3, raid_minutes=10, actions=["hold", "crisis"])
    text = "Boycott this brand now, they lie to everyone, share everywhere"
    ingest(
        reddit_source,
        [
            item(f"t1_{n}", text, source="reddit", handle=f"r{n}", at=NOW + timedelta(minutes=n))
            for n in range(5)
        ],
    )
    alert = Alert.objects.get()
    assert alert.kind == "raid" and alert.rule is None and alert.severity == "high"
    assert words(alert.title) == (
        "Raid: 3 different authors wrote the same message within 10 minutes (rule “Raid”)"
    )
    assert alert.get_kind_display() == "Raid (moderation)"
    assert alert.repeats == 2 and len(alert.mention_ids) == 5
    assert Review.objects.count() == 3


def test_queue_decisions_make_strikes_and_an_approval_lifts_them(
    personas: Any,
    client: Any,
    reddit_source: Any,
    reddit_account: Any,
    ingest: Any,
    no_enqueue: Any,
) -> None:
    workspace = personas.workspace_a
    _charter(personas)
    make_rule(workspace, name="Insults", words="idiot", article=2, actions=["hide"])
    ingest(reddit_source, [item("t1_a", "what an idiot", source="reddit", handle="troll")])
    review = Review.objects.get()
    # The rule's hide is a strike.
    assert list(Strike.objects.values_list("kind", flat=True)) == ["hide"]
    client.force_login(personas.alice)
    decide = reverse("moderation:decide", args=[workspace.slug])
    client.post(decide, {"review": [review.id], "decision": "warn"})
    strike = Strike.objects.get(kind="warn")
    assert strike.message.startswith("@troll, your message goes against our community charter")
    assert "“No insults: speak of ideas, not people.”" in strike.message
    client.post(decide, {"review": [review.id], "decision": "ban"})
    assert sorted(Strike.objects.values_list("kind", flat=True)) == ["ban", "hide", "warn"]
    assert services.items_for(workspace, [review.mention], services.compiled(workspace)[0])
    page = client.get(reverse("moderation:queue", args=[workspace.slug]) + f"?review={review.id}")
    html = page.content.decode()
    assert "3 strikes" in html and "Warning written to the author" in html

    client.post(decide, {"review": [review.id], "decision": "approve"})
    assert not Strike.objects.filter(revoked_at__isnull=True).exists()


def test_an_appeal_through_its_public_link_granted_in_the_queue(
    personas: Any,
    client: Any,
    reddit_source: Any,
    reddit_account: Any,
    ingest: Any,
    no_enqueue: Any,
) -> None:
    workspace = personas.workspace_a
    _charter(personas)
    make_rule(workspace, name="Insults", words="idiot", article=2, actions=["hide"])
    ingest(reddit_source, [item("t1_a", "<b>idiot</b> joke", source="reddit", handle="troll")])
    hide = NetworkAction.objects.get()
    NetworkAction.objects.filter(id=hide.id).update(status=Status.PUBLISHED)
    strike = Strike.objects.get()

    # The member, not logged in, in French.
    link = reverse("moderation:appeal", args=[strike.token])
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert page.status_code == 200 and "Contester une décision de modération" in html
    assert "&lt;b&gt;idiot&lt;/b&gt; joke" in html and "<b>idiot" not in html
    assert "Pas d&#x27;insultes" in html
    # Nothing else of the workspace: not its address, not its pages.
    assert workspace.slug not in html and "/w/" not in html
    assert client.get(reverse("moderation:appeal", args=["not-a-token"])).status_code == 404

    assert client.post(link, {"text": ""}, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    assert not Appeal.objects.exists()
    client.post(link, {"text": "C'était une blague entre amis."}, HTTP_ACCEPT_LANGUAGE="fr")
    appeal = Appeal.objects.get()
    assert appeal.lang == "fr" and appeal.state == "pending"
    # Once only.
    client.post(link, {"text": "encore"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert Appeal.objects.count() == 1

    client.force_login(personas.alice)
    queue = client.get(reverse("moderation:queue", args=[workspace.slug])).content.decode()
    assert "1 appeal to review" in queue and "C&#x27;était une blague entre amis." in queue
    client.post(
        reverse("moderation:appeal_decide", args=[workspace.slug, appeal.id]),
        {"grant": "1", "answer": "Pardon, c'est levé."},
    )
    appeal.refresh_from_db()
    strike.refresh_from_db()
    assert appeal.state == "granted" and appeal.decided_by == personas.alice
    assert strike.revoked_at is not None
    # The hide is undone on the network, and the member is told, in French.
    assert NetworkAction.objects.filter(action="unhide", undoes=hide).exists()
    assert appeal.reply is not None
    assert appeal.reply.text == (
        "@troll, votre recours a été accepté : la décision sur votre message est levée. "
        "La réponse des modérateurs : Pardon, c'est levé."
    )
    client.logout()
    html = client.get(link, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Accepté : la décision est levée." in html and "Pardon, c&#x27;est levé." in html
    assert Mention.objects.count() == 1


def test_the_member_s_page_shows_their_strikes_to_those_who_moderate(
    personas: Any,
    client: Any,
    reddit_source: Any,
    reddit_account: Any,
    ingest: Any,
    no_enqueue: Any,
) -> None:
    from ambassade.community.models import Identity

    workspace = personas.workspace_a
    _charter(personas)
    make_rule(workspace, name="Insults", words="idiot", article=2, actions=["hold"])
    ingest(reddit_source, [item("t1_a", "what an <i>idiot</i>", source="reddit", handle="Troll")])
    review = Review.objects.get()
    client.force_login(personas.alice)
    client.post(
        reverse("moderation:decide", args=[workspace.slug]),
        {"review": [review.id], "decision": "warn"},
    )
    strike = Strike.objects.get()
    assert strike.handle == "troll" and strike.message.startswith("@Troll, ")
    member = Identity.objects.get(workspace=workspace, network="reddit", handle="troll").member
    url = reverse("community:member", args=[workspace.slug, member.id])
    html = client.get(url).content.decode()
    assert 'id="h-strikes"' in html and "Warned" in html
    assert "what an &lt;i&gt;idiot&lt;/i&gt;" in html
    assert "Warning written to the author" in html
    queue = client.get(reverse("moderation:queue", args=[workspace.slug]) + "?state=all")
    assert url in queue.content.decode()
    # An editor sees the member, not their moderation record.
    client.force_login(personas.bob)
    html = client.get(url).content.decode()
    assert 'id="h-strikes"' not in html


def test_the_queue_shows_the_conversation_around_an_item(
    personas: Any, client: Any, reddit_source: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    make_rule(workspace, name="Insults", words="idiot", actions=["hold"])
    ingest(
        reddit_source,
        [
            item("t3_root", "Our new menu is out", source="reddit", handle="cafe"),
            item(
                "t1_a",
                "<b>loved</b> the soup",
                source="reddit",
                handle="fan",
                at=NOW + timedelta(minutes=1),
                parent_id="t3_root",
                thread_id="t3_root",
            ),
            item(
                "t1_b",
                "only an idiot would",
                source="reddit",
                handle="troll",
                at=NOW + timedelta(minutes=2),
                parent_id="t1_a",
                thread_id="t3_root",
            ),
            item("t1_other", "unrelated", source="reddit", handle="x"),
        ],
    )
    client.force_login(personas.alice)
    html = client.get(reverse("moderation:queue", args=[workspace.slug])).content.decode()
    assert "The conversation (3 messages)" in html
    assert "Our new menu is out" in html and "&lt;b&gt;loved&lt;/b&gt; the soup" in html
    assert "unrelated" not in html


def test_erasing_an_author_blanks_what_moderation_kept_of_them(
    personas: Any, reddit_source: Any, ingest: Any
) -> None:
    from ambassade.moderation.models import Decision

    workspace = personas.workspace_a
    make_rule(workspace, name="Insults", words="idiot", actions=["hold", "warn"])
    ingest(
        reddit_source,
        [
            item("t1_a", "what an idiot", source="reddit", handle="Troll"),
            item("t1_b", "idiot too", source="reddit", handle="other"),
        ],
    )
    Appeal.objects.create(
        workspace=workspace, strike=Strike.objects.get(handle="troll"), text="my words"
    )
    assert people.erase_author(workspace, [("reddit", "@TROLL")]) > 0
    assert not Decision.objects.filter(text__contains="what an idiot").exists()
    assert not Review.objects.filter(text__contains="what an idiot").exists()
    assert not Strike.objects.filter(handle="troll").exists()
    assert Appeal.objects.get().text == ""
    # Others are untouched.
    assert Decision.objects.filter(text="idiot too").exists()
    assert Strike.objects.filter(handle="other").exists()


def test_a_warning_without_an_account_to_answer_says_so(
    personas: Any, reddit_source: Any, ingest: Any
) -> None:
    make_rule(
        personas.workspace_a,
        name="Insults",
        words="idiot",
        actions=["warn"],
        updated_by=personas.alice,
    )
    ingest(reddit_source, [item("t1_a", "what an idiot", source="reddit", handle="troll")])
    strike = Strike.objects.get()
    assert strike.reply is None and strike.message
    assert words(strike.delivery_error) == (
        "Not sent to the author: no connected reddit account can answer. Connect one, or write "
        "to them on the network."
    )
    assert not Reply.objects.exists()


def test_why_a_message_was_not_sent_reads_in_the_reader_s_language(
    personas: Any, reddit_source: Any, reddit_account: Any, ingest: Any
) -> None:
    from django.utils import translation

    from ambassade.workspaces.messages import StoredMessage

    ingest(
        reddit_source, [item("t1_b", "le serveur est un idiot", source="reddit", handle="troll")]
    )
    mention = Mention.objects.get()
    reply, why = people.send_to_author(mention, "   ", personas.alice)
    assert reply is None and why
    stored = StoredMessage.from_db(why.to_db())  # as the strike keeps it, read another day
    with translation.override("en"):
        assert stored.words() == "Not sent to the author: The reply is empty."
    with translation.override("fr"):
        french = stored.words()
    assert french.startswith("Non envoyé") and "vide" in french, french
