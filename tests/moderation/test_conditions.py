"""Every condition the engine has, from the rule form to a new mention: a listening query, languages,
capitals, mentions, a member's first message, their strikes, and raids. The form shows each refusal
on the field it is about."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse

from ambassade.moderation import history, services
from ambassade.moderation.forms import LANGUAGE_CHOICES, RuleForm
from ambassade.moderation.models import Review, Rule, Strike
from ambassade.workspaces.messages import words
from tests.listening.conftest import NOW, item
from tests.moderation.conftest import make_rule

BASE = {
    "name": "R",
    "mode": "on",
    "threshold": "0.8",
    "minutes": "0",
    "raid_minutes": "10",
    "actions": ["flag"],
}


def form(personas: Any, **data: Any) -> RuleForm:
    return RuleForm({**BASE, **data}, instance=Rule(), workspace=personas.workspace_a)


def test_the_languages_offered_cover_those_the_text_engine_detects() -> None:
    from ambassade.engine.text._language import DEFAULT_LANGUAGES

    assert {code for code, _label in LANGUAGE_CHOICES} >= set(DEFAULT_LANGUAGES)


def test_the_form_saves_every_condition_into_the_engine_s_rule(personas: Any) -> None:
    filled = form(
        personas,
        query='"remboursez" OR scandale',
        languages=["fr", "en"],
        caps="on",
        mentions_over="3",
        first_message="on",
        strikes_at_least="2",
        raid_authors="5",
        raid_minutes="15",
        actions=["flag", "crisis"],
    )
    assert filled.is_valid(), filled.errors
    rule = filled.save(commit=False)
    kinds = {c["kind"]: c for c in services.rule_spec(rule)["conditions"]}
    assert kinds["query"]["query"] == '"remboursez" OR scandale'
    assert kinds["language"]["languages"] == ["fr", "en"]
    assert kinds["caps"] == {"kind": "caps", "min_letters": 10}
    assert kinds["mentions"]["more_than"] == 3
    assert kinds["first_message"] == {"kind": "first_message"}
    assert kinds["strikes"]["at_least"] == 2
    assert kinds["raid"] == {"kind": "raid", "authors": 5, "minutes": 15}


def test_each_refusal_is_shown_on_its_field(personas: Any) -> None:
    bad_query = form(personas, query='scandale AND ("remboursez"')
    assert not bad_query.is_valid()
    assert list(bad_query.errors) == ["query"]
    assert bad_query.errors["query"][0].startswith("Column ")

    no_tag = form(personas, words="idiot", actions=["tag"])
    assert not no_tag.is_valid()
    assert no_tag.errors["tag"] == ["Name the tag the action Tag adds."]

    no_reply = form(personas, words="idiot", actions=["reply", "assign"])
    assert not no_reply.is_valid()
    assert set(no_reply.errors) == {"saved_reply", "assign_to"}

    crisis_without_raid = form(personas, words="idiot", actions=["crisis"])
    assert not crisis_without_raid.is_valid()
    assert "raid" in crisis_without_raid.errors["actions"][0]

    too_few = form(personas, raid_authors="1")
    assert not too_few.is_valid() and list(too_few.errors) == ["raid_authors"]

    nothing = form(personas)
    assert not nothing.is_valid()
    assert "at least one condition" in nothing.non_field_errors()[0]

    # An assignee who is not a member of the workspace cannot be chosen.
    outsider = form(personas, words="idiot", actions=["assign"], assign_to=str(personas.charlie.id))
    assert not outsider.is_valid() and list(outsider.errors) == ["assign_to"]


def test_the_rule_page_shows_the_refusal_beside_the_query(personas: Any, client: Any) -> None:
    client.force_login(personas.alice)
    page = client.post(
        reverse("moderation:rule_new", args=[personas.workspace_a.slug]),
        {**BASE, "query": "(scandale"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="id_query_errors"' in html and "Column " in html
    assert not Rule.objects.exists()


def _explained(review: Review) -> list[str]:
    return [words(r) for r in services.reasons_of(review.explanation)]


def test_language_caps_mentions_and_query_conditions(
    personas: Any, reddit_source: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    make_rule(workspace, name="Shouting", caps=True, actions=["flag"])
    make_rule(workspace, name="Tags", mentions_over=2, actions=["flag"])
    make_rule(
        workspace, name="French scandal", query="scandale", languages=["fr"], actions=["flag"]
    )
    ingest(
        reddit_source,
        [
            item("t1_a", "C'EST UN SCANDALE ABSOLU", source="reddit", handle="a"),
            item("t1_b", "@x @y @z look", source="reddit", handle="b"),
            item("t1_c", "le scandale est là", source="reddit", handle="c"),
            item("t1_d", "a scandal, in English", source="reddit", handle="d"),
        ],
    )
    found = {r.mention.external_id: (r.rule_name, _explained(r)) for r in Review.objects.all()}
    assert found == {
        "t1_a": ("Shouting", ["Written in capitals (100 % of its letters)"]),
        "t1_b": ("Tags", ["3 @mentions"]),
        "t1_c": ("French scandal", ["Written in fr", "Matches the rule's listening query"]),
    }


def test_a_member_s_first_message_and_their_strikes(
    personas: Any, reddit_source: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    make_rule(workspace, name="Newcomers with links", first_message=True, links=True)
    make_rule(workspace, name="Repeat offenders", strikes_at_least=2, actions=["hold"])
    ingest(reddit_source, [item("t1_old", "hello", source="reddit", handle="regular")])
    for _number in range(2):
        Strike.objects.create(workspace=workspace, network="reddit", handle="offender", kind="warn")
    Strike.objects.create(
        workspace=workspace, network="reddit", handle="forgiven", kind="warn", revoked_at=NOW
    )
    ingest(
        reddit_source,
        [
            item(
                "t1_new",
                "see https://spam.example",
                source="reddit",
                handle="newbie",
                at=NOW + timedelta(minutes=1),
            ),
            item(
                "t1_again",
                "see https://spam.example",
                source="reddit",
                handle="newbie",
                at=NOW + timedelta(minutes=2),
            ),
            item(
                "t1_reg",
                "see https://ok.example",
                source="reddit",
                handle="regular",
                at=NOW + timedelta(minutes=3),
            ),
            item("t1_off", "hi", source="reddit", handle="offender"),
            item("t1_forgiven", "hi", source="reddit", handle="forgiven"),
        ],
    )
    found = {r.mention.external_id: (r.rule_name, _explained(r)) for r in Review.objects.all()}
    assert found == {
        "t1_new": (
            "Newcomers with links",
            ["The first message of this member", "A link to spam.example"],
        ),
        "t1_off": ("Repeat offenders", ["The author has 2 strikes"]),
    }


def test_a_raid_is_the_same_message_from_n_authors_within_m_minutes(
    personas: Any, reddit_source: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    make_rule(workspace, name="Raid", raid_authors=3, raid_minutes=10, actions=["hold"])
    text = "Boycott this brand now, they lie to everyone, share everywhere"
    ingest(
        reddit_source,
        [
            item("t1_1", text, source="reddit", handle="r1", at=NOW),
            item("t1_2", text + "!", source="reddit", handle="r2", at=NOW + timedelta(minutes=2)),
            # The same author twice counts once.
            item("t1_3", text, source="reddit", handle="r2", at=NOW + timedelta(minutes=3)),
        ],
    )
    assert not Review.objects.exists()
    ingest(
        reddit_source,
        [
            item("t1_4", text, source="reddit", handle="r3", at=NOW + timedelta(minutes=5)),
            # Past the window of the first ones: r2 and r4 only.
            item("t1_5", text, source="reddit", handle="r4", at=NOW + timedelta(minutes=14)),
        ],
    )
    review = Review.objects.get()
    assert review.mention.external_id == "t1_4"
    assert _explained(review) == ["3 different authors wrote the same message within 10 minutes"]


def test_the_dry_run_reads_the_history_conditions_too(
    personas: Any, reddit_source: Any, ingest: Any
) -> None:
    workspace = personas.workspace_a
    text = "Boycott this brand now, they lie to everyone, share everywhere"
    ingest(
        reddit_source,
        [
            item(f"t1_{n}", text, source="reddit", handle=f"r{n}", at=NOW - timedelta(minutes=n))
            for n in range(4)
        ],
    )
    rule = make_rule(workspace, name="Raid", raid_authors=3, raid_minutes=10, mode="log")
    result = history.dry_run(workspace, rule, now=NOW + timedelta(minutes=1))
    assert (result["read"], result["matched"]) == (4, 2)
