"""The campaigns' template language: variables with defaults, errors naming the variable, the
field and the line, values escaped in HTML, links tracked only where the team wrote them."""

from __future__ import annotations

from email.headerregistry import Address

import pytest
from django.utils import translation

from ambassade.mailing import composing, services, templating


def test_unknown_variables_are_named_with_their_field_and_line() -> None:
    with translation.override("en"), pytest.raises(services.CampaignError) as caught:
        services.check_content(
            {
                "subject_fr": "Salut",
                "body_fr": "Bonjour\n{{ prenom }}",
                "subject_en": "",
                "body_en": "",
            }
        )
    assert caught.value.field == "body_fr"
    assert "Text (French), line 2: unknown variable {{ prenom }}" in str(caught.value)
    assert "first_name" in str(caught.value)
    with translation.override("fr"), pytest.raises(services.CampaignError) as caught:
        services.check_content({"subject_en": "Hi {{ name", "body_en": "x"})
    assert "ligne 1" in str(caught.value) and caught.value.field == "subject_en"
    with translation.override("en"), pytest.raises(templating.TemplateError) as error:
        templating.check("{{ first_name.__class__ }}", "Text")
    assert "is not a variable" in str(error.value)


def test_a_language_is_complete_or_empty() -> None:
    with pytest.raises(services.CampaignError):
        services.check_content({"subject_en": "", "body_en": "", "subject_fr": "", "body_fr": ""})
    with pytest.raises(services.CampaignError) as caught:
        services.check_content({"subject_en": "Hi", "body_en": "Hello", "subject_fr": "Salut"})
    assert caught.value.field == "body_fr"


def test_defaults_and_escaping() -> None:
    values = {"first_name": "", "brand": "Café"}
    assert templating.render('Bonjour {{ first_name|"à vous" }} de {{ brand }}', values) == (
        "Bonjour à vous de Café"
    )
    composed = composing.compose(
        campaign_subject="Hi {{ name }}",
        campaign_body="Hi {{ name }}, see https://shop.example/a and {{ email }}",
        brand="Brand",
        person=composing.Person("<img src=x> https://evil.example", "a@b.example", "en", "tok"),
        sender=Address("Brand", addr_spec="brand@example.test"),
        message_id="m@example.test",
        links={"https://shop.example/a": "mcode1234"},
        track_clicks=True,
        track_opens=False,
        list_id="<l>",
    )
    assert "&lt;img src=x&gt;" in composed.html and "<img src=x>" not in composed.html
    # The link the team wrote is tracked; the one in the person's name is not a link at all.
    assert 'href="https://ambassade.example/l/mcode1234?r=tok"' in composed.html
    assert "/l/mcode1234?r=tok" in composed.text
    assert 'href="https://evil.example"' not in composed.html
    assert composing.find_links("See https://a.example/x. {{ name }} https://b.example") == [
        "https://a.example/x",
        "https://b.example",
    ]
