"""Contest pages: the organiser's, the public contest, rules and draw file, the verification page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ambassade.contests import drawing, entries
from ambassade.contests.models import Contest, Entry
from tests.contests.conftest import CLOSES, OPENS

HOSTILE = '<script>alert("x")</script>'


def _drawn(make_contest: Any, personas: Any, **fields: Any) -> Contest:
    contest = make_contest(hashtag="", form_entry=True, **fields)
    for n in range(3):
        entries.enter_by_form(contest, name=HOSTILE, email=f"{n}@example.com", lang="en", now=OPENS)
    drawing.freeze(contest.pk, now=CLOSES)
    return drawing.draw(Contest.objects.get(pk=contest.pk), personas.alice)


def test_it_creates_a_contest_from_the_form(client: Any, personas: Any) -> None:
    client.force_login(personas.bob)  # an editor
    url = reverse("contests:contest_new", args=[personas.workspace_a.slug])
    assert client.get(url).status_code == 200
    data = {
        "name": "Summer",
        "organiser": "Café Lumière SAS",
        "prize": "a mug",
        "starts_at": "2026-12-01T09:00",
        "closes_at": "2026-12-10T18:00",
        "winners": "2",
        "reserves": "1",
        "hashtag": "#Summer",
        "notify_en": "Hi {name}",
        "notify_fr": "Salut {name}",
    }
    bad = client.post(url, {**data, "notify_en": "Hi {nom}", "closes_at": "2026-11-30T09:00"})
    assert bad.status_code == 200 and not Contest.objects.exists()
    assert b"must close after it opens" in bad.content and b"Use only the variables" in bad.content
    response = client.post(url, data)
    contest = Contest.objects.get()
    assert response.status_code == 302 and contest.hashtag == "Summer" and contest.winners == 2
    page = client.get(reverse("contests:contest", args=[personas.workspace_a.slug, contest.pk]))
    assert contest.commitment.encode() in page.content


def test_it_refuses_the_organisers_actions_to_an_analyst(
    client: Any, personas: Any, make_contest: Any
) -> None:
    from ambassade.workspaces import services as ws
    from ambassade.workspaces.models import Membership, Role

    analyst = ws.create_user("an@example.com", "pw-long-enough-123", "An")
    Membership.objects.create(workspace=personas.workspace_a, user=analyst, role=Role.ANALYST)
    contest = make_contest()
    client.force_login(analyst)
    slug = personas.workspace_a.slug
    assert client.get(reverse("contests:contest", args=[slug, contest.pk])).status_code == 200
    assert client.get(reverse("contests:contest_new", args=[slug])).status_code == 403
    assert client.post(reverse("contests:contest_draw", args=[slug, contest.pk])).status_code == 403


def test_it_shows_the_public_page_without_the_workspace(
    client: Any, personas: Any, make_contest: Any
) -> None:
    contest = make_contest(
        name=HOSTILE,
        organiser=HOSTILE,
        description=HOSTILE,
        form_entry=True,
        starts_at=OPENS - timedelta(days=400),
        closes_at=CLOSES + timedelta(days=400),
    )
    page = client.get(reverse("contests:public", args=[contest.token]))
    body = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex, nofollow"
    assert HOSTILE not in body and "&lt;script&gt;" in body
    assert contest.commitment in body and personas.workspace_a.name not in body
    assert client.get(reverse("contests:public", args=["nope" * 11])).status_code == 404
    rules = client.get(reverse("contests:rules", args=[contest.token]))
    assert rules.status_code == 200 and HOSTILE not in rules.content.decode()
    assert contest.commitment.encode() in rules.content
    assert client.get(reverse("contests:draw_file", args=[contest.token])).status_code == 404


def test_it_takes_an_entry_from_the_public_form(client: Any, make_contest: Any) -> None:
    contest = make_contest(
        hashtag="",
        form_entry=True,
        starts_at=OPENS - timedelta(days=400),
        closes_at=CLOSES + timedelta(days=400),
    )
    url = reverse("contests:public", args=[contest.token])
    refused = client.post(url, {"name": "Ann", "email": "ann@example.com"})
    assert b"Accept the contest rules" in refused.content and not Entry.objects.exists()
    client.post(url, {"name": "Ann", "email": "ann@example.com", "accept": "on", "website": "x"})
    assert not Entry.objects.exists()  # the field people never see was filled: a robot
    done = client.post(url, {"name": "Ann", "email": "ann@example.com", "accept": "on"})
    entry = Entry.objects.get()
    assert entry.code.encode() in done.content and entry.name == "Ann"
    client.post(
        url,
        {"name": "Ann", "email": "ANN@example.com", "accept": "on"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert Entry.objects.count() == 1


def test_it_limits_entries_per_address_and_tells_robots_why(client: Any, make_contest: Any) -> None:
    """The public form: at most ENTRIES_PER_HOUR sends per address per contest per hour, counted in
    the database; the field people never see gives a clear error, in French and English."""
    from ambassade.contests.models import EntryThrottle

    contest = make_contest(
        hashtag="",
        form_entry=True,
        starts_at=OPENS - timedelta(days=400),
        closes_at=CLOSES + timedelta(days=400),
    )
    other = make_contest(
        hashtag="",
        form_entry=True,
        starts_at=OPENS - timedelta(days=400),
        closes_at=CLOSES + timedelta(days=400),
    )
    url = reverse("contests:public", args=[contest.token])
    robot = {"name": "Bot", "email": "bot@example.com", "accept": "on", "website": "x"}
    page = client.post(url, robot, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.1")
    assert page.status_code == 200 and b"a field meant to stay empty was filled" in page.content
    page = client.post(url, robot, HTTP_ACCEPT_LANGUAGE="fr", REMOTE_ADDR="198.51.100.1")
    assert "un champ qui doit rester vide" in page.content.decode()
    assert b"Leave this field empty" not in page.content  # its label is in French too
    assert (
        'name="website" id="id_website" tabindex="-1" autocomplete="off">' in page.content.decode()
    )
    assert not Entry.objects.exists()
    for n in range(entries.ENTRIES_PER_HOUR - 2):
        data = {"name": f"P{n}", "email": f"p{n}@example.com", "accept": "on"}
        assert client.post(url, data, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert Entry.objects.count() == entries.ENTRIES_PER_HOUR - 2
    data = {"name": "One more", "email": "more@example.com", "accept": "on"}
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="fr", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429 and "Trop de participations" in refused.content.decode()
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429 and b"Too many entries" in refused.content
    assert not Entry.objects.filter(email="more@example.com").exists()
    # Another address, or another contest, counts apart.
    assert client.post(url, data, REMOTE_ADDR="198.51.100.2").status_code == 200
    other_url = reverse("contests:public", args=[other.token])
    assert client.post(other_url, data, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert Entry.objects.filter(email="more@example.com").count() == 2
    # An hour later the window starts again; the periodic task purges the old rows.
    later = timezone.now() + timedelta(hours=1, seconds=1)
    assert not entries.throttled(contest, "198.51.100.1", now=later)
    assert entries.purge_throttles(later + timedelta(hours=1, seconds=1)) == 3
    assert not EntryThrottle.objects.exists()


def test_it_publishes_the_draw_and_verifies_it_on_the_public_page(
    client: Any, personas: Any, make_contest: Any
) -> None:
    contest = _drawn(make_contest, personas)
    public = client.get(reverse("contests:public", args=[contest.token])).content.decode()
    assert contest.seed_hex in public and all(code in public for code in contest.results)
    assert HOSTILE not in public and "&lt;script&gt;" not in public  # names are never public
    download = client.get(reverse("contests:draw_file", args=[contest.token]))
    assert download["Content-Type"].startswith("application/json")
    data = json.loads(download.content)
    assert data["seed"] == contest.seed_hex and len(data["entries"]) == 3
    assert not any("@" in entry for entry in data["entries"])
    verify = reverse("contests:verify")
    assert client.get(verify).status_code == 200
    upload = SimpleUploadedFile("draw.json", download.content, "application/json")
    ok = client.post(verify, {"draw": upload}).content.decode()
    assert 'data-verified="yes"' in ok and "The draw is verified" in ok
    data["results"].reverse()
    bad = client.post(verify, {"text": json.dumps(data)}).content.decode()
    assert 'data-verified="no"' in bad and "does not check out" in bad
    for text in ("", "[[[", json.dumps({"format": "other"}), "{" * 5000):
        answer = client.post(verify, {"text": text})
        assert answer.status_code == 200 and b'data-verified="yes"' not in answer.content


def test_it_emails_a_form_winner_once(
    client: Any, personas: Any, make_contest: Any, mailoutbox: list[Any]
) -> None:
    contest = _drawn(make_contest, personas, winners=1, reserves=0)
    winner = Entry.objects.get(contest=contest, code=contest.results[0])
    loser = Entry.objects.filter(contest=contest).exclude(pk=winner.pk).first()
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    page = client.get(reverse("contests:contest", args=[slug, contest.pk])).content.decode()
    assert HOSTILE not in page and winner.code in page
    url = reverse("contests:entry_notify", args=[slug, contest.pk, winner.pk])
    client.post(url)
    client.post(url)
    assert len(mailoutbox) == 1 and winner.code in mailoutbox[0].body
    assert mailoutbox[0].to == [winner.email]
    assert loser is not None
    client.post(reverse("contests:entry_notify", args=[slug, contest.pk, loser.pk]))
    assert len(mailoutbox) == 1


def test_it_shows_the_public_dates_in_the_organisers_time_zone(
    client: Any, personas: Any, make_contest: Any
) -> None:
    from datetime import UTC, datetime

    personas.workspace_a.time_zone = "Pacific/Auckland"
    personas.workspace_a.save(update_fields=["time_zone"])
    contest = make_contest(
        starts_at=datetime(2026, 12, 31, 12, 0, tzinfo=UTC),
        closes_at=datetime(2027, 1, 5, 12, 0, tzinfo=UTC),
    )
    page = client.get(reverse("contests:public", args=[contest.token])).content.decode()
    assert "1 January 2027" in page  # 13:00 in Auckland on New Year's Day, not 31 December


def test_it_keeps_an_open_contests_rules_when_its_form_is_posted(
    client: Any, personas: Any, make_contest: Any
) -> None:
    contest = make_contest(
        starts_at=OPENS - timedelta(days=400), closes_at=CLOSES + timedelta(days=400)
    )
    client.force_login(personas.alice)
    url = reverse("contests:contest_edit", args=[personas.workspace_a.slug, contest.pk])
    assert b"can no longer change" in client.get(url).content
    response = client.post(
        url,
        {
            "name": contest.name,
            "organiser": contest.organiser,
            "prize": "two mugs",
            "winners": "9",
            "hashtag": "other",
            "starts_at": "2020-01-01T00:00",
            "closes_at": "2020-01-02T00:00",
            "notify_en": "Hi {name}",
            "notify_fr": "Salut {name}",
        },
    )
    assert response.status_code == 302
    contest.refresh_from_db()
    assert contest.prize == "two mugs"
    assert (contest.winners, contest.hashtag, contest.starts_at) == (
        1,
        "lumiere",
        OPENS - timedelta(days=400),
    )
