from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.replies.models import ReplySettings, SavedReply
from ambassade.replies.variables import VARIABLES
from ambassade.workspaces.models import Role, Workspace


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ["name", "shortcut", "text_en", "text_fr"]
        widgets = {
            "text_en": forms.Textarea(attrs={"rows": 4}),
            "text_fr": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "shortcut": _("Type /shortcut in the reply composer, then Tab, to insert it."),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        names = " ".join("{" + name + "}" for name in VARIABLES)
        for name in ("text_en", "text_fr"):
            self.fields[name].help_text = _("Variables: %(names)s") % {"names": names}

    def clean_shortcut(self) -> str:
        shortcut = str(self.cleaned_data["shortcut"]).lower()
        clash = SavedReply.objects.filter(workspace=self.workspace, shortcut=shortcut)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another saved reply already has this shortcut."))
        return shortcut

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text_en") or "").strip() and not (data.get("text_fr") or "").strip():
            raise forms.ValidationError(_("Write the text in English, in French, or both."))
        return data

    def save(self, commit: bool = True) -> SavedReply:
        self.instance.workspace = self.workspace
        saved: SavedReply = super().save(commit=commit)
        return saved


#: Roles that can write replies, and so may be asked for approval.
APPROVABLE = [(str(r.value), r.label) for r in (Role.EDITOR, Role.MODERATOR, Role.MANAGER)]


class ReplySettingsForm(forms.ModelForm):
    approval_roles = forms.MultipleChoiceField(
        label=_("Replies that wait for an approver"),
        choices=APPROVABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Replies written by these roles are sent only once an owner, a manager or an "
            "approver approves them."
        ),
    )

    class Meta:
        model = ReplySettings
        fields = ["approval_roles"]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=500)
