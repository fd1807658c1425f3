"""A member's campaign e-mails in their RGPD export, and gone with their erasure."""

from __future__ import annotations

from typing import Any

from ambassade.community import privacy
from ambassade.mailing.models import Recipient
from tests.mailing.conftest import add_member


def test_campaign_e_mails_are_exported_and_erased(personas: Any) -> None:
    from tests.mailing.samples import samples

    campaign = samples(personas).campaign
    ana = add_member(personas.workspace_a, "Ana Lima", "ana@reader.example")
    Recipient.objects.create(
        workspace=personas.workspace_a,
        campaign=campaign,
        member=ana,
        email="ana@reader.example",
        lang="fr",
        token="token-of-ana",
        clicks=2,
    )
    exported = privacy.export_member(ana, personas.alice)
    (row,) = exported["mailing"]
    assert row["email"] == "ana@reader.example" and row["campaign"] == "A's campaign"
    assert row["clicks"] == 2
    counts = privacy.erase_member(ana, personas.alice)
    assert counts["mailing"] == 1
    assert not Recipient.objects.filter(email__iexact="ana@reader.example").exists()
    assert Recipient.objects.filter(campaign=campaign).count() == 1  # the sample's own
