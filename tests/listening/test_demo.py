"""The demo stream's generator and connector, on explicit clocks: what they give depends on the
window asked for, never on the hour the tests run at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ambassade.listening.demo import PARIS, DemoConnector, generate

START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # a Monday


def test_it_generates_the_same_items_for_the_same_window() -> None:
    first = generate(START, START + timedelta(hours=30), incident_at=START + timedelta(hours=6))
    again = generate(START, START + timedelta(hours=30), incident_at=START + timedelta(hours=6))
    assert first and [i.external_id for i in first] == [i.external_id for i in again]
    assert [i.text for i in first] == [i.text for i in again]
    assert all(START <= i.created_at < START + timedelta(hours=30) for i in first)
    assert [i.created_at for i in first] == sorted(i.created_at for i in first)


def test_it_cuts_a_window_anywhere_without_losing_or_repeating_an_item() -> None:
    end = START + timedelta(hours=5)
    whole = [i.external_id for i in generate(START, end)]
    cut = START + timedelta(hours=2, minutes=17, seconds=31)
    parts = [i.external_id for i in generate(START, cut) + generate(cut, end)]
    assert parts == whole and len(set(whole)) == len(whole)


def test_it_follows_the_daily_rhythm_in_paris_time() -> None:
    items = generate(START, START + timedelta(days=14))
    by_hour = [0] * 24
    for item in items:
        by_hour[item.created_at.astimezone(PARIS).hour] += 1
    assert sum(by_hour[2:5]) * 5 < sum(by_hour[7:10])  # quiet nights, busy mornings


def test_it_builds_the_incident_from_its_start() -> None:
    incident_at = START + timedelta(days=1, hours=18)
    hashtags = ("#doublepaiement", "#doublecharge")

    def incident(start: datetime, end: datetime) -> int:
        items = generate(start, end, incident_at=incident_at)
        return sum(any(tag in item.text for tag in hashtags) for item in items)

    assert incident(START, incident_at) == 0
    assert incident(incident_at, incident_at + timedelta(hours=12)) > 20


def test_it_polls_what_was_posted_since_the_last_poll_on_its_own_clock() -> None:
    now = START + timedelta(hours=9, minutes=40)
    clock = {"now": now}
    connector = DemoConnector(clock=lambda: clock["now"])
    first = connector.fetch({"seed": 1}, None, None)
    assert first.next_cursor == {"until": now.isoformat()}
    assert [i.external_id for i in first.items] == [
        i.external_id for i in generate(now - timedelta(minutes=10), now)
    ]
    clock["now"] = now + timedelta(hours=1)
    second = connector.fetch({"seed": 1}, None, first.next_cursor)
    assert [i.external_id for i in second.items] == [
        i.external_id for i in generate(now, now + timedelta(hours=1))
    ]
    # After a long outage it catches up two days at most.
    clock["now"] = now + timedelta(days=5)
    late = connector.fetch({"seed": 1}, None, second.next_cursor)
    assert min(i.created_at for i in late.items) >= clock["now"] - timedelta(days=2)


def test_each_author_writes_mostly_on_their_own_network() -> None:
    from collections import Counter

    from ambassade.listening import demo

    items = demo.generate(START, START + timedelta(days=16), seed=1)
    by_author: dict[str, Counter[str]] = {}
    for generated in items:
        by_author.setdefault(generated.author.handle or "", Counter())[generated.source] += 1
    regular = {h: c for h, c in by_author.items() if sum(c.values()) >= 25}
    assert len(regular) >= 20
    for handle, networks in regular.items():
        assert networks[demo.home_network(handle)] / sum(networks.values()) >= 0.6, handle
    assert len({demo.home_network(h) for h in by_author}) == len(demo.NETWORKS)


def test_the_influencers_keep_to_their_own_network() -> None:
    from ambassade.listening import demo

    items = demo.generate(START, START + timedelta(days=16), seed=1)
    influencers = {handle for handle, _name, _followers in demo.INFLUENCERS}
    networks = {(i.author.handle, i.source) for i in items if i.author.handle in influencers}
    assert networks == {(h, demo.home_network(h)) for h in influencers}
