"""The espace électeur's forms: a profile correction request and the roll's search."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import ProfileCorrectionRequest

if TYPE_CHECKING:
    CorrectionFormBase = forms.ModelForm[ProfileCorrectionRequest]
else:  # Django's classes are generic only for the type checker.
    CorrectionFormBase = forms.ModelForm


class CorrectionRequestForm(CorrectionFormBase):
    """What is wrong in the profile, what it should say, and an optional comment."""

    class Meta:
        model = ProfileCorrectionRequest
        fields = ["field", "correction", "comment"]
        labels = {
            "field": _("Information à corriger"),
            "correction": _("Information correcte"),
            "comment": _("Commentaire (facultatif)"),
        }
        help_texts = {
            "correction": _("Ce qui devrait figurer dans votre profil (200 caractères au plus)."),
            "comment": _(
                "Toute précision utile à votre académie : date d'un changement d'affectation, "
                "arrêté de promotion… (1 000 caractères au plus)."
            ),
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A required choice with no preselected answer: the elector must say what is wrong.
        field = cast(forms.ChoiceField, self.fields["field"])
        field.choices = [("", _("— Choisissez —")), *ProfileCorrectionRequest.Field.choices]


class RollSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher un nom"),
        max_length=100,
        required=False,
        help_text=_("Nom, prénom, ou une partie de ceux-ci."),
    )
