"""The people moderation acts on: their strikes, the warnings they are sent (quoting the charter, in
their language), their appeals through a public link, and the outcome they are told.

A message to an author goes out as a public reply to their message through the replies app (so the
reply outbox sends it exactly once, and the workspace's approval rules apply to whoever it goes out
in the name of). Where the network cannot be answered from Ambassade, the reason is kept on the
strike or the appeal and shown in the queue and on the member's page: nothing says "sent" that was
not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.community.models import normalise_handle
from ambassade.listening.acting import acting_network
from ambassade.listening.models import Mention
from ambassade.moderation import audit
from ambassade.moderation.models import Appeal, Charter, CharterVersion, Decision, Strike
from ambassade.publishing.models import Status
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.services import record_audit

log = logging.getLogger(__name__)

#: Decisions and rule actions that are a strike, and the strike's kind.
STRIKE_KINDS = {
    "warn": Strike.Kind.WARN,
    "reject": Strike.Kind.HIDE,
    "hide": Strike.Kind.HIDE,
    "delete": Strike.Kind.DELETE,
    "mute": Strike.Kind.MUTE,
    "ban": Strike.Kind.BAN,
}
MAX_APPEAL = 2000


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def author_language(lang: str) -> str:
    """The language a message to an author is written in: French for a French message, else
    English (the two languages of the product)."""
    return "fr" if (lang or "").lower().startswith("fr") else "en"


def appeal_url(strike: Strike) -> str:
    return settings.BASE_URL + reverse("moderation:appeal", args=[strike.token])


def charter_url(workspace: Workspace) -> str:
    found = Charter.objects.filter(workspace=workspace, published=True).first()
    if found is None:
        return ""
    return settings.BASE_URL + reverse("moderation:public_charter", args=[found.token])


def shown_handle(strike: Strike) -> str:
    """The author's handle as the network writes it (the strike keeps it case-folded)."""
    written = strike.mention.author_handle if strike.mention_id and strike.mention else ""
    return (written or strike.handle).strip().lstrip("@")


# --- strikes --------------------------------------------------------------------------------------


def record_strike(
    workspace: Workspace,
    mention: Mention,
    kind: str,
    *,
    actor: Any = None,
    rule_name: str = "",
    article: int | None = None,
    minutes: int = 0,
) -> Strike | None:
    """A strike for the author of ``mention`` (one per message and kind); None without an author."""
    if not mention.author_handle:
        return None
    existing = Strike.objects.filter(
        workspace=workspace, mention=mention, kind=kind, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return Strike.objects.create(
        workspace=workspace,
        network=mention.network,
        handle=normalise_handle(mention.author_handle),
        mention=mention,
        kind=kind,
        rule_name=rule_name[:120],
        article=article,
        text=mention.text,
        lang=mention.lang,
        minutes=minutes,
        actor=_user(actor),
    )


def revoke_strikes(mention: Mention, now: Any = None) -> int:
    """A person approved the message: what rules counted against its author no longer counts."""
    return Strike.objects.filter(mention=mention, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def strikes_for(workspace: Workspace, authors: Iterable[tuple[str, str]]) -> list[Strike]:
    """Every strike of these (network, handle) pairs, newest first, with its appeal."""
    wanted = {(n, normalise_handle(h)) for n, h in authors if h}
    if not wanted:
        return []
    found = (
        Strike.objects.filter(workspace=workspace, handle__in={h for _n, h in wanted})
        .select_related("actor", "appeal", "reply")
        .order_by("-created_at", "-id")
    )
    return [s for s in found if (s.network, s.handle) in wanted]


# --- telling the author -----------------------------------------------------------------------------


def _article(workspace: Workspace, number: int | None, lang: str) -> tuple[str, str]:
    version = CharterVersion.objects.filter(workspace=workspace).order_by("-number").first()
    text = version.article(number, lang) if version and number else ""
    return (str(number) if text else "", text)


def warning_text(workspace: Workspace, strike: Strike) -> str:
    """The warning for ``strike``, in its author's language: the workspace's own wording (charter
    page) or the default one, its variables filled."""
    from ambassade.replies import variables

    lang = author_language(strike.lang)
    found = Charter.objects.filter(workspace=workspace).first()
    custom = ""
    if found is not None:
        custom = (found.warning_fr if lang == "fr" else "") or found.warning_en
    number, article = _article(workspace, strike.article, lang)
    values = {
        "author": shown_handle(strike),
        "article_number": number,
        "article": article,
        "charter_url": charter_url(workspace),
        "appeal_url": appeal_url(strike),
    }
    if custom.strip():
        return variables.fill(custom, values)[0]
    with translation.override(lang):
        if article:
            text = _(
                "@%(author)s, your message goes against our community charter, article "
                "%(article_number)s: “%(article)s” Please keep to it: repeated breaches can lead "
                "to a mute or a ban."
            )
        else:
            text = _(
                "@%(author)s, your message goes against our community charter. Please keep to "
                "it: repeated breaches can lead to a mute or a ban."
            )
        parts = [text % values]
        if values["charter_url"]:
            parts.append(_("Charter: %(url)s") % {"url": values["charter_url"]})
        parts.append(_("To appeal: %(url)s") % {"url": values["appeal_url"]})
    return " ".join(parts)


def outcome_text(appeal: Appeal) -> str:
    """What the member is told of their appeal, in their language."""
    lang = author_language(appeal.lang or appeal.strike.lang)
    with translation.override(lang):
        if appeal.state == Appeal.State.GRANTED:
            text = _(
                "@%(author)s, your appeal was granted: the decision on your message is lifted."
            )
        else:
            text = _("@%(author)s, your appeal was reviewed and the decision stands.")
        text = text % {"author": shown_handle(appeal.strike)}
        if appeal.answer.strip():
            text += " " + _("The moderators' answer: %(answer)s") % {
                "answer": appeal.answer.strip()
            }
    return text


def send_to_author(mention: Mention, text: str, sender: Any) -> tuple[Any, StoredMessage | None]:
    """Answer ``mention`` publicly with ``text`` in the name of ``sender`` (a person), through the
    replies app. Returns the reply, or None and why it cannot go."""
    from ambassade.inbox.routing import send_to_inbox
    from ambassade.replies import services as replies
    from ambassade.replies.services import ReplyError

    if sender is None:
        return None, coded("moderation.no_sender")
    network = acting_network(
        mention
    )  # a feed's item is answered as rss: never on its link's network
    accounts: list[Any] = []
    try:
        with transaction.atomic():
            conversation = send_to_inbox(mention, sender)
            # The conversation's own account, else the first of the workspace's on its network.
            accounts = replies.reply_accounts(conversation)
            if not accounts and replies.can_answer(network, False):
                raise ReplyError(coded("moderation.no_reply_account", network=network))
            reply = replies.submit(
                conversation,
                text=text,
                author=sender,
                seen=replies.last_sequence(conversation),
                connection=accounts[0] if accounts else None,
            )
    except ReplyError as error:
        if not accounts and replies.can_answer(network, False):
            return None, coded("moderation.no_reply_account", network=network)
        return None, coded("moderation.not_sent", reason=error.message)
    return reply, None


def warn(
    workspace: Workspace,
    mention: Mention,
    *,
    sender: Any,
    actor: Any = None,
    rule_name: str = "",
    article: int | None = None,
) -> tuple[Strike | None, StoredMessage | None]:
    """Warn the author of ``mention``: a strike, and the warning sent as a reply in their language.
    Returns the strike and, when the warning could not be sent, why."""
    strike = record_strike(
        workspace, mention, Strike.Kind.WARN, actor=actor, rule_name=rule_name, article=article
    )
    if strike is None:
        return None, coded("moderation.no_author")
    if strike.message:
        return strike, None  # already warned for this message
    text = warning_text(workspace, strike)
    reply, why = send_to_author(mention, text, sender)
    Strike.objects.filter(id=strike.id).update(
        message=text, reply=reply, delivery_error=why.to_json() if why else ""
    )
    strike.refresh_from_db()
    return strike, why


# --- appeals --------------------------------------------------------------------------------------


class AppealError(Exception):
    pass


def file_appeal(strike: Strike, text: str, lang: str) -> Appeal:
    """The member's appeal, once per strike. Raises :class:`AppealError` with a reason to show."""
    text = (text or "").strip()
    if not text:
        raise AppealError(_("Say why the decision should be lifted."))
    if len(text) > MAX_APPEAL:
        raise AppealError(
            _("An appeal holds at most %(limit)s characters, not %(count)s.")
            % {"limit": MAX_APPEAL, "count": len(text)}
        )
    if strike.revoked_at is not None:
        raise AppealError(_("This decision was already lifted."))
    with transaction.atomic():
        if Appeal.objects.select_for_update().filter(strike=strike).exists():
            raise AppealError(_("An appeal was already made against this decision."))
        return Appeal.objects.create(
            workspace_id=strike.workspace_id, strike=strike, text=text, lang=lang[:12]
        )


def decide_appeal(appeal: Appeal, grant: bool, actor: Any, answer: str = "") -> list[StoredMessage]:
    """Grant or deny an appeal: a granted one revokes the strike and undoes on the network what can
    be undone; either way the member is told, and the decision is logged."""
    from ambassade.moderation import services

    if appeal.state != Appeal.State.PENDING:
        return [coded("moderation.appeal_decided")]
    problems: list[StoredMessage] = []
    strike = appeal.strike
    workspace = appeal.workspace
    now = timezone.now()
    with transaction.atomic():
        state = Appeal.State.GRANTED if grant else Appeal.State.DENIED
        changed = Appeal.objects.filter(id=appeal.id, state=Appeal.State.PENDING).update(
            state=state, answer=answer[:2000], decided_by=_user(actor), decided_at=now
        )
        if not changed:
            return [coded("moderation.appeal_decided")]
        appeal.refresh_from_db()
        mention = strike.mention
        if grant:
            Strike.objects.filter(id=strike.id).update(revoked_at=now)
            if mention is not None:
                from ambassade.moderation.models import NetworkAction

                for done in NetworkAction.objects.filter(
                    mention=mention, status=Status.PUBLISHED, undoes__isnull=True
                ):
                    if done.action in ("hide", "mute", "ban", "hold") and (
                        not done.undone_by.exists()  # type: ignore[attr-defined]
                    ):
                        _created, why = services.undo(done, actor)
                        if why is not None:
                            problems.append(why)
        Decision.objects.create(
            workspace=workspace,
            mention=mention,
            actor=_user(actor),
            rule_name=strike.rule_name,
            action="appeal_granted" if grant else "appeal_denied",
            text=strike.text,
            author_handle=strike.handle,
            network=strike.network,
            note=answer[:2000],
        )
        record_audit(
            workspace,
            actor,
            audit.APPEAL_DECIDED,
            None,
            object_repr=f"{strike.handle}: {'granted' if grant else 'denied'}",
            details={"appeal": appeal.id, "granted": grant},
        )
        if mention is not None:
            reply, why = send_to_author(mention, outcome_text(appeal), _user(actor))
            Appeal.objects.filter(id=appeal.id).update(
                reply=reply, delivery_error=why.to_json() if why else ""
            )
            if why is not None:
                problems.append(why)
    return problems


# --- erasure ----------------------------------------------------------------------------------------


def erase_author(workspace: Workspace, authors: Iterable[tuple[str, str]]) -> int:
    """The RGPD erasure of a member: the texts moderation kept of these (network, handle) pairs —
    the decision log's "text as it was", the queue's copies, strikes, warnings and appeals — are
    blanked, and the handles replaced, so nothing of what they wrote stays. The records themselves
    (who decided what, when) stay for the audit. Returns how many rows were changed."""
    from ambassade.moderation.models import Review

    wanted = {(n, normalise_handle(h)) for n, h in authors if h}
    if not wanted:
        return 0
    changed = 0
    with transaction.atomic():
        for network, handle in wanted:
            decisions = Decision.objects.filter(workspace=workspace, network=network).filter(
                author_handle__iexact=handle
            ) | Decision.objects.filter(
                workspace=workspace, network=network, author_handle__iexact="@" + handle
            )
            changed += decisions.update(text="", author_handle="", explanation={}, note="")
            reviews = Review.objects.filter(
                workspace=workspace,
                mention__network=network,
                mention__author_handle__iexact=handle,
            )
            changed += reviews.update(text="", explanation={}, note="")
            strikes = Strike.objects.filter(workspace=workspace, network=network, handle=handle)
            changed += Appeal.objects.filter(strike__in=strikes).update(text="", answer="")
            changed += strikes.update(text="", message="", handle="", delivery_error="")
    return changed
