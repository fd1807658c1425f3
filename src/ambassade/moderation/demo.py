"""The demo brand's moderation: a published charter, a default rule set whose actions on the
networks stay off (log only) until a person enables them, and a queue made by reading the demo's
mentions with it. Running it again creates nothing."""

from __future__ import annotations

from typing import Any, TextIO

from ambassade.listening.models import Mention
from ambassade.moderation import services
from ambassade.moderation.defaults import RULES
from ambassade.moderation.models import Decision, Rule

CHARTER_EN = """Be kind: speak to others as you would at our counter.

No insults, threats or hateful words, about anyone.

No advertising, spam or links to scams.

Stay on topic: our cafés, our products, your experience with them.

Moderators may hide a message that breaks this charter, and mute or ban its author if it happens again."""

CHARTER_FR = """Soyez bienveillants : parlez aux autres comme au comptoir.

Pas d'insultes, de menaces ni de propos haineux, envers qui que ce soit.

Pas de publicité, de spam ni de liens vers des arnaques.

Restez dans le sujet : nos cafés, nos produits, votre expérience.

Les modérateurs peuvent masquer un message qui enfreint cette charte, et rendre muet ou bannir son auteur s'il recommence."""


def ensure_demo_moderation(workspace: Any, owner: Any, out: TextIO) -> None:
    if services.current_version(workspace) is None:
        services.save_charter(workspace, CHARTER_EN, CHARTER_FR, True, owner)
        out.write("Wrote the demo charter\n")
    if not Rule.objects.filter(workspace=workspace).exists():
        for position, fields in enumerate(RULES):
            Rule.objects.create(workspace=workspace, position=position, **fields)
        out.write(f"Created {len(RULES)} demo moderation rules\n")
    if not Decision.objects.filter(workspace=workspace).exists():
        mentions = list(Mention.objects.filter(workspace=workspace).order_by("-created_at")[:2000])
        matched = services.moderate_mentions(workspace, mentions)
        out.write(f"The moderation rules matched {matched} demo mentions\n")
