"""Customer files: mapping, preview, all or nothing, matching by e-mail or handle, resuming."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ambassade.community import crm, imports
from ambassade.community.models import CustomerImport, Identity, Member
from tests.community.test_segments import by_class
from tests.workspaces.html import parse


def upload(personas: Any, text: str, name: str = "clients.csv") -> CustomerImport:
    return imports.start(
        personas.workspace_a, personas.alice, SimpleUploadedFile(name, text.encode("utf-8"))
    )


@pytest.fixture
def known(personas: Any) -> dict[str, Member]:
    ws = personas.workspace_a
    crm.save_field(ws, personas.alice, key="orders", label="Commandes", type="number")
    crm.save_field(ws, personas.alice, key="since", label="Client depuis", type="date")
    ana = Member.objects.create(workspace=ws, display_name="Ana", email="ana@example.org")
    Identity.objects.create(workspace=ws, member=ana, network="mastodon", handle="ana")
    bob = Member.objects.create(workspace=ws, display_name="Bob B.")
    Identity.objects.create(workspace=ws, member=bob, network="instagram", handle="bobby")
    return {"ana": ana, "bob": bob}


CSV = (
    "Courriel;Pseudo;Nom;Commandes;Client depuis;Étiquettes;Note\n"
    "ANA@example.org;;Ana Lima;3;2021-04-01;vip, client;Fidèle depuis 2021\n"
    ";@Bobby;Bob Martin;1,5;;client;\n"
    "zoe@example.org;zoe_z;Zoé;12;2024-12-31;;\n"
)


def test_the_mapping_is_guessed_and_the_import_matches_or_creates(
    personas: Any, known: Any
) -> None:
    imported = upload(personas, CSV)
    assert imported.delimiter == ";" and imported.total == 3
    assert imported.mapping == {
        "0": "email",
        "1": "handle",
        "2": "name",
        "3": "field:orders",
        "4": "field:since",
        "5": "tags",
        "6": "note",
    }
    assert imports.preview(imported, imported.mapping)[0]["problems"] == []
    imports.queue(imported, personas.alice, imported.mapping, "instagram")
    done = imports.run(imported.pk)
    assert done is not None and done.state == "done"
    assert (done.created_count, done.updated_count) == (1, 2)
    ana, bob = known["ana"], known["bob"]
    assert crm.tags_of(ana) == ["client", "vip"]
    assert {v.field.key: v.value for v in ana.field_values.select_related("field")} == {
        "orders": 3.0,
        "since": dt.date(2021, 4, 1),
    }
    assert ana.note_set.get().text == "Fidèle depuis 2021"
    assert {v.field.key: v.value for v in bob.field_values.select_related("field")} == {
        "orders": 1.5
    }
    zoe = Member.objects.get(workspace=personas.workspace_a, email="zoe@example.org")
    assert zoe.display_name == "Zoé"
    assert set(zoe.identities.values_list("network", "handle")) == {
        ("email", "zoe@example.org"),
        ("instagram", "zoe_z"),
    }
    assert Member.objects.filter(workspace=personas.workspace_a).count() == 3


def test_one_bad_cell_imports_nothing_and_names_line_and_column(personas: Any, known: Any) -> None:
    text = CSV + "nobody-at-all;;X;beaucoup;31/12/2024;;\n;;;;;;\n;;Sans clé;2;;;\n"
    imported = upload(personas, text)
    imports.queue(imported, personas.alice, imported.mapping, "instagram")
    done = imports.run(imported.pk)
    assert done is not None and done.state == "failed"
    problems = [imports.Problem.from_json(p) for p in done.problems]
    assert [(p.line, p.column, p.code) for p in problems] == [
        (5, "Courriel", "import.bad_email"),
        (5, "Commandes", "field.bad_number"),
        (5, "Client depuis", "field.bad_date"),
        (7, "", "import.no_key"),
    ]
    assert problems[1].words() == "Line 5: Commandes: “beaucoup” is not a number"
    assert problems[0].words() == (
        "Line 5, column “Courriel”: “nobody-at-all” is not an e-mail address"
    )
    # Nothing at all was written: no Zoé, no tag on Ana.
    assert not Member.objects.filter(email="zoe@example.org").exists()
    assert crm.tags_of(known["ana"]) == []


def test_an_email_and_a_handle_of_two_members_refuse_the_file(personas: Any, known: Any) -> None:
    imported = upload(personas, "email,handle\nana@example.org,bobby\nnew@example.org,\n")
    imports.queue(imported, personas.alice, imported.mapping, "instagram")
    done = imports.run(imported.pk)
    assert done is not None and done.state == "failed"
    assert [p["code"] for p in done.problems] == ["import.two_members"]
    assert not Member.objects.filter(email="new@example.org").exists()  # the transaction undone


def test_a_mapping_needs_a_key_and_a_network_for_handles(personas: Any, known: Any) -> None:
    imported = upload(personas, "name,handle\nAna,ana\n")
    with pytest.raises(imports.ActionError):
        imports.queue(imported, personas.alice, {"0": "name"}, "")
    with pytest.raises(imports.ActionError):
        imports.queue(imported, personas.alice, {"0": "name", "1": "handle"}, "")
    with pytest.raises(imports.ActionError):
        imports.queue(imported, personas.alice, {"0": "handle", "1": "handle"}, "x")
    with pytest.raises(imports.ActionError):
        imports.queue(imported, personas.alice, {"0": "/etc/passwd"}, "x")


def test_a_stopped_worker_is_run_again_then_failed(personas: Any, known: Any) -> None:
    imported = upload(personas, "email\nnew@example.org\n")
    imports.queue(imported, personas.alice, imported.mapping, "")
    # A worker claimed it and died while checking.
    past = timezone.now() - imports.STALE_AFTER - dt.timedelta(seconds=1)
    CustomerImport.objects.filter(pk=imported.pk).update(
        state="checking", heartbeat=past, attempts=1, claim="dead"
    )
    assert imports.run(imported.pk) is not None  # claimable again: it resumes from the start
    assert Member.objects.filter(email="new@example.org").count() == 1
    CustomerImport.objects.filter(pk=imported.pk).update(
        state="writing", heartbeat=past, attempts=imports.MAX_ATTEMPTS
    )
    assert imports.recover() == []
    imported.refresh_from_db()
    assert (imported.state, imported.error) == ("failed", "stopped")


def test_the_pages_map_preview_and_import(personas: Any, known: Any, client: Any) -> None:
    client.force_login(personas.alice)
    slug = personas.workspace_a.slug
    response = client.post(
        reverse("community:imports", args=[slug]),
        {"file": SimpleUploadedFile("c.csv", CSV.encode("cp1252"))},
    )
    imported = CustomerImport.objects.get()
    assert response.status_code == 302
    assert imported.header[0] == "Courriel" and imported.header[5] == "Étiquettes"
    url = reverse("community:import", args=[slug, imported.pk])
    post = {f"col_{i}": t for i, t in imported.mapping.items()}
    post["col_3"] = "name"  # two columns for the name: refused, said
    response = client.post(url, {**post, "network": "instagram", "action": "import"})
    page = parse(response.content)
    assert "same thing" in by_class(page, "notice-error")[0].text
    post["col_3"] = "field:orders"
    post["col_0"] = ""  # no e-mail: Ana's line has no key
    page = parse(client.post(url, {**post, "network": "instagram", "action": "preview"}).content)
    first = by_class(page, "import-preview")[0].find("tbody").find("tr")
    assert "neither an e-mail address nor a handle" in first.text
    post["col_0"] = "email"
    response = client.post(url, {**post, "network": "instagram", "action": "import"})
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.state == "queued"  # the task runs after the commit, in the worker
    # An editor may not import customer files.
    client.force_login(personas.bob)
    assert client.get(reverse("community:imports", args=[slug])).status_code == 403
