"""Neutralising a past answer: what is personal becomes a placeholder, the rest stays word for word."""

from __future__ import annotations

import pytest

from ambassade.engine.suggest import Context, neutralise, placeholders_in


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # Addressees the network adds, and signatures in the usual shapes.
        ("@115712 Please DM us. ^Jane", "Please DM us. {agent}"),
        ("@1 @2 Thanks! *HFG", "Thanks! {agent}"),
        ("@1 We appreciate you coming back! -Becky", "We appreciate you coming back! {agent}"),
        ("@1 Hopefully soon /MT", "Hopefully soon {agent}"),
        ("@1 Any signal issues? ~Derrick", "Any signal issues? {agent}"),
        ("@1 Please don't tell me!! - Chloe", "Please don't tell me!! {agent}"),
        ("@1 Kind regards, Kirsten", "Kind regards, {agent}"),
        ("@1 Cordialement, Marie", "Cordialement, {agent}"),
        # The signature before a trailing link or a part marker.
        (
            "@1 Tell us more in a DM. ^NC https://t.co/q1oBDuYAdh",
            "Tell us more in a DM. {agent} https://t.co/q1oBDuYAdh",
        ),
        ("@1 Can you include the code? - Kirsten 3/3", "Can you include the code? {agent} 3/3"),
        # Names after a greeting, in English and French; not words that are not names.
        ("@1 Hi Sarah, yes of course.", "Hi {first_name}, yes of course."),
        ("@1 You're welcome, William.", "You're welcome, {first_name}."),
        ("@1 Bonjour Éloïse, merci !", "Bonjour {first_name}, merci !"),
        ("@1 Hi there! Welcome back!", "Hi there! Welcome back!"),
        ("@1 Hello, there. Thank you for sharing.", "Hello, there. Thank you for sharing."),
        # Order numbers, telephone numbers, e-mail addresses, other people's handles.
        (
            "@1 Votre commande 12345678 part demain, appelez le 01 23 45 67 89.",
            "Votre commande {ticket} part demain, appelez le {phone}.",
        ),
        ("@1 Order AB-1234 shipped.", "Order {ticket} shipped."),
        ("@1 Check case #48213 please", "Check case #{ticket} please"),
        ("@1 Ticket #48213: done", "Ticket #{ticket}: done"),
        ("@1 Quote #48213 when you call", "Quote {ticket} when you call"),
        ("@1 Write to help@example.com or @CafeLumiere_Help", "Write to {email} or {handle}"),
        # Numbers that are not references stay.
        (
            "@1 Update to iOS 11.1 within 24 hours, flight 609 in 2017.",
            "Update to iOS 11.1 within 24 hours, flight 609 in 2017.",
        ),
        ("@1 Please send your booking reference.", "Please send your booking reference."),
    ],
)
def test_it_replaces_what_is_personal(reply: str, expected: str) -> None:
    assert neutralise(reply) == expected


def test_it_replaces_the_names_it_is_given_wherever_they_are() -> None:
    context = Context.of(customer=["Julieta Gómez", "@julieta_g"], agent=["Nadia Colin"])
    text = neutralise(
        "@julieta_g Thanks for telling us, Julieta. Gómez is right: ask for Nadia. Nadia Colin",
        context,
    )
    assert "Julieta" not in text and "Gómez" not in text and "Nadia" not in text
    assert text == (
        "Thanks for telling us, {first_name}. {first_name} is right: ask for {agent}. {agent}"
    )


def test_it_takes_the_signature_mark_with_a_known_agent_name() -> None:
    context = Context.of(agent=["Bob Durand"])
    assert neutralise("@1 Please DM us. ^Bob", context) == "Please DM us. {agent}"
    assert neutralise("@1 Thanks - Bob Durand", context) == "Thanks {agent}"


def test_it_keeps_every_address_for_the_index_to_decide() -> None:
    assert neutralise("@1 See https://help.example.com/a?b=1 ^Jo") == (
        "See https://help.example.com/a?b=1 {agent}"
    )


def test_it_names_the_placeholders_a_text_carries_in_a_fixed_order() -> None:
    assert placeholders_in("{agent} {ticket} {first_name} {ticket}") == (
        "first_name",
        "agent",
        "ticket",
    )


def test_it_gives_nothing_for_an_answer_of_handles_only() -> None:
    assert neutralise("@115712 @115713") == ""


def test_it_costs_no_more_for_a_long_answer_with_a_signature() -> None:
    text = "word " * 5000 + "^Jane"
    assert neutralise(text).endswith("word {agent}")
