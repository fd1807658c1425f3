from __future__ import annotations

from ambassade.engine.text import fingerprint, hamming_distance, is_near_duplicate

CAMPAIGN = "Boycott this brand now, they lied to all of us about the recall and the refunds"


def test_it_groups_light_edits() -> None:
    edited = "@user BOYCOTT this brand now!!! they lied to all of us about the recall and the refunds http://x.y"
    assert is_near_duplicate(fingerprint(CAMPAIGN), fingerprint(edited))


def test_it_separates_different_messages() -> None:
    other = "Lovely afternoon at the new store, the staff were kind and the coffee was great"
    assert hamming_distance(fingerprint(CAMPAIGN), fingerprint(other)) > 10


def test_it_is_stable_and_64_bits() -> None:
    value = fingerprint(CAMPAIGN)
    assert value == fingerprint(CAMPAIGN)
    assert 0 < value < 2**64


def test_a_text_without_words_has_no_fingerprint() -> None:
    assert fingerprint("😍 !!! http://t.co/x") == 0
    assert not is_near_duplicate(0, 0)


def test_short_texts_have_a_fingerprint() -> None:
    assert fingerprint("hello") != 0
    assert hamming_distance(5, 6) == 2
