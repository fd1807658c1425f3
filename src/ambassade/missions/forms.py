"""The mission form: what, which target, how many points, when, for whom."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Member, Segment
from ambassade.missions.models import Mission
from ambassade.products.models import Product
from ambassade.workspaces.dates import DateTimeField
from ambassade.workspaces.models import Connection


class MissionForm(forms.ModelForm):  # type: ignore[type-arg]
    starts_at = DateTimeField(label=_("Starts"))
    ends_at = DateTimeField(label=_("Ends"))
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1000)
    target_url = forms.URLField(
        label=_("Address"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=_(
            "Share, answer: the post's or question's address. A message linking to it counts "
            "(tracking parameters and the brand's short links aside), and so do replies to "
            "it and quotes of it when the workspace published or heard it."
        ),
    )
    chosen = forms.CharField(
        label=_("Chosen members"),
        required=False,
        max_length=20000,
        help_text=_("Their handles, separated by commas or new lines (for “Chosen members”)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Mission
        fields = [
            "title",
            "kind",
            "instructions",
            "target_url",
            "product",
            "hashtag",
            "points",
            "starts_at",
            "ends_at",
            "audience",
            "segment",
        ]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "product": _(
                "Review: a message about this product (as the catalogue matches it) that is a "
                "review on its network or at least 25 words long."
            ),
            "hashtag": _("Hashtag: without #, case and accents aside."),
            "instructions": _("What to tell the ambassadors (shown on the mission's page)."),
        }

    def __init__(self, workspace: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["product"].queryset = Product.objects.filter(workspace=workspace)
        self.fields["segment"].queryset = Segment.objects.filter(workspace=workspace)
        if self.instance.pk and not self.is_bound:
            handles = Member.objects.filter(
                pk__in=self.instance.assignees.values_list("identity__member_id", flat=True)
            ).values_list("identities__handle", flat=True)
            self.initial["chosen"] = ", ".join(sorted({h for h in handles if h}))

    def chosen_members(self) -> list[int]:
        """The chosen members' ids, from their handles; unknown handles are a form error."""
        from ambassade.community.models import Identity, normalise_handle

        text = self.cleaned_data.get("chosen") or ""
        handles = [normalise_handle(h) for h in text.replace("\n", ",").split(",")]
        handles = [h for h in dict.fromkeys(handles) if h]
        found = dict(
            Identity.objects.filter(workspace=self.workspace, handle__in=handles).values_list(
                "handle", "member_id"
            )
        )
        unknown = [h for h in handles if h not in found]
        if unknown:
            self.add_error(
                "chosen",
                _("No member has the handle %(handles)s.")
                % {"handles": ", ".join("@" + h for h in unknown[:5])},
            )
        return list(dict.fromkeys(found.values()))


class AnnounceForm(forms.Form):
    """E-mail the mission to the members it is for (those not told yet), from one of the
    workspace's e-mail accounts. In the mission form, empty means "not now"."""

    announce_from = forms.ModelChoiceField(
        label=_("E-mail it to them from"),
        queryset=Connection.objects.none(),
        help_text=_(
            "The members it is for who agreed to receive e-mails are told once, each in their "
            "language, with a link to unsubscribe (an e-mail campaign of its own)."
        ),
    )

    def __init__(self, workspace: Any, *args: Any, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ambassade.missions.announcements import connections

        field = self.fields["announce_from"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = connections(workspace)
        field.required = not optional
        field.empty_label = _("Not now") if optional else None


class MarkDoneForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where and how they did it (shown with the completion)."),
    )

    def __init__(self, members: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]
