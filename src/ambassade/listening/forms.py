"""Forms of the listening pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.engine.query import QuerySyntaxError
from ambassade.listening import services
from ambassade.listening.models import Competitor, ListeningQuery, Sentiment, Source
from ambassade.listening.sources import kind_choices
from ambassade.workspaces import dates
from ambassade.workspaces.messages import words
from ambassade.workspaces.models import Connection

PERIODS = (("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days")))


class StreamFilterForm(forms.Form):
    """The stream's filters, read from the query string. Every field is optional."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    query = forms.TypedChoiceField(label=_("Query"), required=False, coerce=int, empty_value=None)
    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        required=False,
        choices=[("", _("Any sentiment")), *Sentiment.choices],
    )
    lang = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), ("fr", _("French")), ("en", _("English"))],
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.none(), required=False
    )
    author = forms.CharField(label=_("Author"), required=False, max_length=200)
    since = dates.DateField(label=_("From"), required=False)
    until = dates.DateField(label=_("To"), required=False)
    hide_spam = forms.BooleanField(label=_("Hide spam"), required=False)

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query_choices = list(
            ListeningQuery.objects.filter(workspace=workspace)
            .order_by("kind", "name")
            .values_list("id", "name")
        )
        self.fields["query"].choices = [("", _("All queries")), *self.query_choices]
        self.fields["source"].queryset = Source.objects.filter(workspace=workspace)
        self.fields["source"].empty_label = _("All sources")


class QueryForm(forms.ModelForm):
    backfill = forms.BooleanField(
        label=_("Also apply it to the mentions already stored"),
        required=False,
        initial=True,
        help_text=_(
            "In the background, with its progress on the queries page. Without it, the query "
            "counts only the mentions that arrive from now on."
        ),
    )

    class Meta:
        model = ListeningQuery
        fields = ["name", "text", "kind", "competitor", "enabled"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"})
        }
        help_texts = {
            "text": _(
                'Words, "exact phrases", AND, OR, NOT, parentheses, NEAR/3, wildcards (avi*), '
                "#hashtags, @mentions and filters such as lang:fr or source:reddit. Case and "
                "accents do not matter."
            ),
            "competitor": _("For a competitor query: the competitor it counts for."),
        }

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competitor"].queryset = Competitor.objects.filter(workspace=workspace)

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"]).strip()
        try:
            services.check_query(text)
        except QuerySyntaxError as exc:
            raise forms.ValidationError(
                _("Column %(column)s: %(message)s"),
                params={"column": exc.column, "message": words(exc)},
            ) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ListeningQuery.Kind.COMPETITOR and not data.get("competitor"):
            self.add_error("competitor", _("Choose the competitor this query counts for."))
        return data


class SourceForm(forms.ModelForm):
    """The fields every source has; the settings of its kind are a form of their own
    (:mod:`ambassade.listening.source_settings`)."""

    interval_minutes = forms.IntegerField(
        label=_("Check every (minutes)"), min_value=1, max_value=24 * 60, initial=15
    )

    class Meta:
        model = Source
        fields = ["name", "kind", "connection", "enabled"]

    def __init__(self, *args: Any, workspace: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(
            label=_("Network"), choices=kind_choices(), widget=forms.HiddenInput
        )
        self.initial.setdefault("kind", kind)
        self.fields["connection"].queryset = Connection.objects.filter(workspace=workspace)
        self.fields["connection"].help_text = _(
            "The account whose credentials the connector uses; public sources need none."
        )
        if self.instance.pk:
            self.fields["kind"].disabled = True
            self.fields["kind"].choices = [(self.instance.kind, self.instance.kind_label)]
            self.initial["interval_minutes"] = max(1, self.instance.interval // 60)


class CompetitorForm(forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "color"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"), choices=PERIODS, coerce=int, required=False, empty_value=30
    )


class ImportForm(forms.Form):
    """Upload an export and say which columns hold what."""

    name = forms.CharField(label=_("Name"), max_length=120)
    file = forms.FileField(
        label=_("File"), help_text=_("A CSV file with a header line, or JSONL (one object a line).")
    )
    text_column = forms.CharField(label=_("Column of the text"), initial="text", max_length=100)
    date_column = forms.CharField(
        label=_("Column of the date"), initial="created_at", max_length=100
    )
    id_column = forms.CharField(
        label=_("Column of the identifier"), required=False, initial="id", max_length=100
    )
    author_column = forms.CharField(label=_("Column of the author"), required=False, max_length=100)
    network = forms.CharField(
        label=_("Network"),
        required=False,
        max_length=40,
        help_text=_("Where the posts come from, for example x or reddit."),
    )

    MAX_SIZE = 200 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return upload

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        mapping = {"text": data["text_column"].strip(), "created_at": data["date_column"].strip()}
        if data["id_column"].strip():
            mapping["id"] = data["id_column"].strip()
        if data["author_column"].strip():
            mapping["author_handle"] = data["author_column"].strip()
        return mapping

    def file_format(self) -> str:
        name = self.cleaned_data["file"].name.lower()
        return "jsonl" if name.endswith((".jsonl", ".ndjson", ".json")) else "csv"
