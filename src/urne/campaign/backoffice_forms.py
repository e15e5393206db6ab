"""The forms of the campaign's setup pages. They hold no rule of their own: a ModelForm runs the
model's (the calendar's order, a scrutin's level and academy, unique codes), and the verbs of
`urne.campaign.setup` the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Academy, Campaign, Scrutin, ShortLists
from urne.campaign.setup import CALENDAR_FIELDS

if TYPE_CHECKING:
    CampaignFormBase = forms.ModelForm[Campaign]
    AcademyFormBase = forms.ModelForm[Academy]
    ScrutinFormBase = forms.ModelForm[Scrutin]
else:  # Django's classes are generic only for the type checker.
    CampaignFormBase = AcademyFormBase = ScrutinFormBase = forms.ModelForm

# To the second: the corrections close at 23:59:59.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT, attrs={"step": "1"})


class CalendarForm(CampaignFormBase):
    """The campaign's dates, in Paris time."""

    class Meta:
        model = Campaign
        fields = list(CALENDAR_FIELDS)
        widgets = {name: DateTimeLocal() for name in CALENDAR_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in CALENDAR_FIELDS:
            field = self.fields[name]
            assert isinstance(field, forms.DateTimeField)  # noqa: S101 - the model's own field
            field.input_formats = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M"]


class InCampaignForm:
    """A form for a row of a campaign, the campaign set by the page (not a field): its unique
    codes per campaign are still checked before saving."""

    def _get_validation_exclusions(self) -> set[str]:
        excluded: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        return excluded - {"campaign"}


class AcademyForm(InCampaignForm, AcademyFormBase):
    class Meta:
        model = Academy
        fields = ["name", "code", "mail_domain", "assistance_email", "assistance_phone"]


class ScrutinForm(InCampaignForm, ScrutinFormBase):
    seats = forms.IntegerField(
        label=_("Sièges de titulaires"),
        min_value=1,
        error_messages={"min_value": _("Un scrutin a au moins un siège de titulaire.")},
    )
    substitute_seats = forms.IntegerField(
        label=_("Sièges de suppléants"),
        min_value=0,
        help_text=_("En général autant que de sièges de titulaires."),
        error_messages={
            "min_value": _("Le nombre de sièges de suppléants ne peut pas être négatif.")
        },
    )

    short_list_rule = forms.ChoiceField(
        label=_("Sièges qu'une liste incomplète ne peut pas pourvoir"),
        required=False,
        choices=[("", _("Règle par défaut du type de scrutin")), *ShortLists.choices],
        help_text=_(
            "Règle appliquée aux listes incomplètes. Par défaut : aux autres listes, à la plus "
            "forte moyenne. Choisissez le tirage au sort si l'arrêté du scrutin le prévoit."
        ),
    )
    tie_by_candidates = forms.TypedChoiceField(
        label=_("Égalité de moyenne et de voix"),
        required=False,
        choices=[
            ("", _("Règle par défaut du type de scrutin")),
            ("False", _("tirage au sort")),
            ("True", _("la liste qui a le plus de candidats, puis tirage au sort")),
        ],
        coerce=lambda value: value == "True",
        empty_value=None,
        help_text=_("Par défaut : tirage au sort entre les listes à égalité."),
    )

    class Meta:
        model = Scrutin
        fields = [
            "name",
            "code",
            "kind",
            "level",
            "academy",
            "seats",
            "substitute_seats",
            "short_list_rule",
            "tie_by_candidates",
        ]

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        academy = self.fields["academy"]
        assert isinstance(academy, forms.ModelChoiceField)  # noqa: S101 - a foreign key
        academy.queryset = Academy.objects.filter(campaign=campaign)
        academy.label = _("Académie")
        academy.empty_label = _("Aucune (scrutin national)")


class GradeSeatsForm(forms.Form):
    """The seats of one grade of a scrutin's roll (a CAP counted grade by grade)."""

    grade = forms.ChoiceField(label=_("Grade"))
    seats = forms.IntegerField(
        label=_("Sièges de titulaires"),
        min_value=1,
        error_messages={"min_value": _("Un grade représenté a au moins un siège.")},
    )
    substitute_seats = forms.IntegerField(
        label=_("Sièges de suppléants"),
        min_value=0,
        error_messages={
            "min_value": _("Le nombre de sièges de suppléants ne peut pas être négatif.")
        },
    )

    def __init__(self, *args: Any, grades: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grade"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("Choisissez un grade de la liste électorale"))] + [
            (grade, grade) for grade in grades
        ]


class RollRuleForm(forms.Form):
    """ "Add to this scrutin's roll every elector of this corps (in this academy)"."""

    corps = forms.ChoiceField(label=_("Corps"))
    academy = forms.ModelChoiceField(
        label=_("Académie"),
        queryset=Academy.objects.none(),
        required=False,
        empty_label=_("Toutes les académies"),
    )
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        required=False,
        max_length=1000,
        help_text=_(
            "Une fois les listes publiées, il figure dans leur historique ; à défaut, la règle "
            "elle-même."
        ),
    )

    def __init__(self, *args: Any, scrutin: Scrutin, corps: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        corps_field = self.fields["corps"]
        assert isinstance(corps_field, forms.ChoiceField)  # noqa: S101
        corps_field.choices = [("", _("— choisir un corps —")), *((name, name) for name in corps)]
        academy = self.fields["academy"]
        assert isinstance(academy, forms.ModelChoiceField)  # noqa: S101
        if scrutin.academy_id is not None:
            academy.queryset = Academy.objects.filter(pk=scrutin.academy_id)
            academy.help_text = _("Ce scrutin ne concerne que l'académie de %(academy)s.") % {
                "academy": scrutin.academy
            }
        else:
            academy.queryset = Academy.objects.filter(campaign_id=scrutin.campaign_id)
