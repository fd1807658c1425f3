"""Reading e-mails people really send: threading headers, charsets, quoted replies in French and
English, HTML that must not run, attachments listed and never opened, sizes bounded."""

from __future__ import annotations

from datetime import UTC, datetime

from ambassade.connectors.base import ItemKind
from ambassade.connectors.email.client import _re
from ambassade.connectors.email.parse import MAX_TEXT, parse_message, strip_quotes

RECEIVED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_it_threads_by_message_id_in_reply_to_and_references() -> None:
    item = parse_message(
        b"From: =?utf-8?q?Marie_L=C3=A9vy?= <Marie@Client.example>\r\n"
        b"Subject: =?iso-8859-1?q?Re=A0:_Remboursement_d=E9j=E0_pay=E9?=\r\n"
        b"Message-ID: <c@client.example>\r\n"
        b"In-Reply-To: <b@cafe.example>\r\n"
        b"References: <a@client.example>\r\n <b@cafe.example>\r\n"
        b"Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
        b"\r\nMerci.\r\n"
    )
    assert item.external_id == "c@client.example"
    assert item.parent_id == "b@cafe.example" and item.thread_id == "a@client.example"
    assert item.author.name == "Marie Lévy" and item.author.id == "marie@client.example"
    assert item.raw["subject"] == "Re : Remboursement déjà payé"  # spaces made plain
    assert item.kind is ItemKind.MESSAGE
    assert item.created_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_message_without_an_id_gets_a_stable_one() -> None:
    data = b"From: a@b.example\r\nSubject: x\r\n\r\nBonjour\r\n"
    first, again = parse_message(data), parse_message(data)
    assert first.external_id == again.external_id
    assert first.external_id.endswith("@ambassade.invalid")
    assert first.thread_id == first.external_id and first.parent_id is None


def test_it_reads_declared_charsets_and_survives_wrong_ones() -> None:
    latin = parse_message(
        b"From: a@b.example\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 cr\xe8me \xe0 emporter\r\n"
    )
    assert latin.text == "Café crème à emporter"
    unknown = parse_message(
        b"From: a@b.example\r\nContent-Type: text/plain; charset=x-klingon\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nPrix : 4\x80\r\n"
    )
    assert unknown.text == "Prix : 4€"
    broken = parse_message(
        b"From: a@b.example\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nok \xff\xfe ok\r\n"
    )
    assert broken.text.startswith("ok ") and broken.text.endswith(" ok")


def test_quoted_replies_are_cut_for_display_and_kept() -> None:
    body = (
        "Toujours rien reçu.\n\n"
        "Le lun. 2 mars 2026 à 10:00, Café Lumière <contact@cafe.example> a écrit :\n"
        "> Votre colis part demain.\n> Bonne journée\n"
    )
    item = parse_message(
        b"From: a@b.example\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body.encode()
    )
    assert item.text == "Toujours rien reçu."
    assert "Votre colis part demain" in item.raw["body"]


def test_each_quoting_style_is_recognised() -> None:
    assert (
        strip_quotes("Thanks!\n\nOn Mon, Mar 2, 2026 at 10:00 AM Café <c@x.example> wrote:\n> hi")
        == "Thanks!"
    )
    assert (
        strip_quotes("Thanks!\n\nOn Mon, Mar 2, 2026 at 10:00 AM Café\n<c@x.example> wrote:\n> hi")
        == "Thanks!"
    )
    assert strip_quotes("Merci\n\n-----Original Message-----\nFrom: x\nSent: y\n\nhello") == "Merci"
    assert (
        strip_quotes("Merci\n\nDe : Café Lumière\nEnvoyé : lundi 2 mars 2026 10:00\nÀ : moi\n")
        == "Merci"
    )
    assert strip_quotes("Réponse\n> citation\n> suite") == "Réponse"
    assert strip_quotes("Réponse\n\n-- \nMarie, 06 12 34 56 78") == "Réponse"
    # Inline answers between quotes are new text, kept.
    assert "mon avis" in strip_quotes("> question 1\nmon avis\n> question 2\nautre avis")
    # A message that is only a quote (a forward) stays whole.
    assert strip_quotes("> tout est cité") == "> tout est cité"


def test_html_is_sanitised_and_its_text_read_without_the_quote() -> None:
    item = parse_message(
        b"From: a@b.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<div onclick="steal()">Bonjour <b>vite</b><script>alert(1)</script>'
        b'<img src="https://tracker.example/pixel.gif"></div>'
        b'<a href="javascript:alert(2)">lien</a>'
        b'<blockquote type="cite">Ancien <blockquote>tr\xc3\xa8s ancien</blockquote></blockquote>'
        b'<div class="gmail_quote">Le lun. a \xc3\xa9crit : plus ancien</div>'
    )
    assert item.html is not None
    for banned in ("<script", "onclick", "<img", "tracker.example", "javascript:"):
        assert banned not in item.html
    assert item.text.startswith("Bonjour vite") and "Ancien" not in item.text
    assert "très ancien" in item.raw["body"]


def test_plain_text_wins_over_html_and_attachments_are_only_listed() -> None:
    item = parse_message(
        b"From: a@b.example\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        b"--outer\r\n"
        b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
        b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVoici la facture.\r\n"
        b"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Voici la <b>facture</b>.</p>\r\n"
        b"--alt--\r\n"
        b"--outer\r\n"
        b'Content-Type: application/x-msdownload; name="facture.pdf.exe"\r\n'
        b'Content-Disposition: attachment; filename="facture.pdf.exe"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAA\r\n"
        b"--outer\r\n"
        b'Content-Type: text/plain; name="notes.txt"\r\n'
        b'Content-Disposition: attachment; filename="notes.txt"\r\n\r\nne pas lire comme corps\r\n'
        b"--outer--\r\n"
    )
    assert item.text == "Voici la facture."
    assert item.html is not None and "<b>facture</b>" in item.html
    assert item.raw["attachments"] == [
        {"filename": "facture.pdf.exe", "content_type": "application/x-msdownload", "size": 36},
        {"filename": "notes.txt", "content_type": "text/plain", "size": 23},
    ]


def test_sizes_are_bounded() -> None:
    item = parse_message(b"From: a@b.example\r\n\r\n" + b"a" * (MAX_TEXT + 500))
    assert len(item.text) == MAX_TEXT and item.text.endswith("…")
    many = b"".join(f"References: <r{n}@x>\r\n".encode() for n in range(1)) + b" ".join(
        f"<r{n}@x>".encode() for n in range(500)
    )
    long = parse_message(b"From: a@b.example\r\n" + many + b"\r\n\r\nx")
    assert len(long.raw["references"]) <= 100


def test_a_missing_or_absurd_date_falls_back_to_the_servers() -> None:
    for header in (b"", b"Date: yesterday\r\n", b"Date: Mon, 2 Mar 2300 10:00:00 +0000\r\n"):
        item = parse_message(b"From: a@b.example\r\n" + header + b"\r\nx", received_at=RECEIVED)
        assert item.created_at == RECEIVED


def test_automatic_replies_are_flagged() -> None:
    auto = parse_message(b"From: a@b.example\r\nAuto-Submitted: auto-replied\r\n\r\nAbsent.")
    person = parse_message(b"From: a@b.example\r\nAuto-Submitted: no\r\n\r\nBonjour")
    listed = parse_message(b"From: a@b.example\r\nList-Id: <news.cafe.example>\r\n\r\nNews")
    assert auto.raw["automatic"] and listed.raw["automatic"] and not person.raw["automatic"]


def test_answers_do_not_pile_up_prefixes() -> None:
    assert _re("Commande 12") == "Re: Commande 12"
    assert _re("RE: Commande 12") == "RE: Commande 12"
    assert _re("") == "Re:"
