from __future__ import annotations

import pytest

from ambassade.engine.query import (
    Document,
    InvalidQueryError,
    Matcher,
    Not,
    QuerySyntaxError,
    Term,
    parse,
    prepare,
)


def test_it_matches_many_documents_in_order_with_sorted_ids() -> None:
    matcher = Matcher({"z": "avion", "a": "#avion", "m": "vol OR avion"})
    assert len(matcher) == 3
    assert matcher.match_many(
        [Document("#avion"), prepare(Document("un vol")), Document("rien")]
    ) == [["a", "m", "z"], ["m"], []]


def test_it_accepts_trees() -> None:
    matcher = Matcher({"q": parse("avion NOT vol")})
    assert matcher.match(Document("avion")) == ["q"]
    assert matcher.trees["q"] == parse("avion NOT vol")


def test_it_names_the_invalid_query() -> None:
    with pytest.raises(InvalidQueryError) as caught:
        Matcher({"ok": "avion", "bad": "avion (vol"})
    assert caught.value.query_id == "bad"
    assert caught.value.column == 11
    assert isinstance(caught.value, QuerySyntaxError)
    assert str(caught.value) == "query 'bad', column 11: " + caught.value.message


def test_it_refuses_a_tree_that_cannot_match_something() -> None:
    with pytest.raises(InvalidQueryError, match="must match something"):
        Matcher({"q": Not(Term("avion"))})


def test_it_evaluates_only_candidate_queries() -> None:
    queries = {f"brand{n}": f"brand{n} (retard OR delay)" for n in range(500)}
    matcher = Matcher(queries)
    assert matcher.match(Document("brand7 retard")) == ["brand7"]
    assert matcher.last_candidates == 1
    assert matcher.match(Document("retard delay")) == []
    assert matcher.last_candidates == 0


def test_it_anchors_on_the_rarest_operand_of_an_and() -> None:
    matcher = Matcher({"q": "le #velora lang:fr", "p": "avion* lang:fr"})
    matcher.match(Document("le chat", lang="fr"))
    assert matcher.last_candidates == 0
    matcher.match(Document("avionique", lang="fr"))
    assert matcher.last_candidates == 1


def test_tuning_on_sample_traffic_changes_anchors_not_results() -> None:
    queries = {"orange": "(orange OR sosh) (panne OR outage)", "velora": "velora (panne OR avis)"}
    traffic = [Document(f"une orange pressée numéro {n}") for n in range(20)]
    documents = [*traffic[:3], Document("panne orange"), Document("velora avis"), Document("x")]
    matcher = Matcher(queries)
    before = matcher.match_many(documents)
    matcher.match(traffic[0])
    assert matcher.last_candidates == 1  # "orange" looked rare to the fixed estimate
    frequencies = matcher.tune(traffic)
    assert frequencies["orange"] == 1.0
    assert matcher.match_many(documents) == before
    matcher.match(traffic[0])
    assert matcher.last_candidates == 0  # now anchored on (panne OR outage)
    rebuilt = Matcher(queries, frequencies=frequencies)
    rebuilt.match(traffic[0])
    assert rebuilt.last_candidates == 0
    assert rebuilt.match_many(documents) == before
    assert Matcher(queries).tune([]) == {}
