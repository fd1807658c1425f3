"""What other apps attach to a conversation: their panels, and the words of their events."""

from __future__ import annotations

from typing import Any

from ambassade.inbox import messages, panels
from ambassade.inbox.models import Event


def test_the_answer_on_network_note_stays_until_a_shown_panel_sends_replies(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(panels, "PANELS", {})
    panels.register(panels.Panel("hints", "composer", "hints.html"))
    panels.register(
        panels.Panel(
            "composer", "composer", "composer.html", replies=True, context=lambda r, c: None
        )
    )
    found = panels.for_conversation(None, None)
    assert found["composer"] == [("hints.html", {})] and found["replies"] is False
    panels.register(panels.Panel("composer", "composer", "composer.html", order=1, replies=True))
    found = panels.for_conversation(None, None)
    assert [t for t, _ in found["composer"]] == ["composer.html", "hints.html"]
    assert found["replies"] is True


def test_another_apps_event_is_worded_by_that_app(monkeypatch: Any) -> None:
    monkeypatch.setattr(messages, "EVENTS", {})
    event = Event(code="tested", params={"n": 3})
    assert messages.event_words(event) == "tested"  # unknown: the code, never a failure
    messages.register_event("tested", lambda p: f"{p['n']} things by {p['actor'] or 'nobody'}")
    assert messages.event_words(event) == "3 things by nobody"


def test_a_panels_optional_fields_are_named() -> None:
    import pytest

    with pytest.raises(TypeError):
        panels.Panel("p", "side", "p.html", 10, None)  # type: ignore[misc]
    named = panels.Panel("p", "side", "p.html", order=10)
    assert (named.order, named.context, named.replies) == (10, None, False)
