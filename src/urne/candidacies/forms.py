"""The back office's candidacies forms: they read input; the rules are urne.candidacies.rules'."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Civilite, Scrutin
from urne.candidacies.filing import CandidateEntry, Share
from urne.candidacies.models import Union
from urne.candidacies.validators import max_profession_de_foi_bytes


class ListForm(forms.Form):
    """A list's title and unions: one checkbox and one share field per union of the campaign."""

    title = forms.CharField(
        label=_("Intitulé de la liste"),
        max_length=200,
        help_text=_("Tel qu'il paraîtra sur le bulletin de vote."),
    )

    def __init__(
        self,
        *args: Any,
        unions: Iterable[Union],
        scrutins: Iterable[Scrutin] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unions = list(unions)
        if scrutins is not None:
            self.fields["scrutin"] = forms.TypedChoiceField(
                label=_("Scrutin"),
                coerce=int,
                choices=[("", "—")] + [(s.pk, s.name) for s in scrutins],
            )
            self.order_fields(["scrutin", "title"])
        for union in self.unions:
            self.fields[f"union_{union.pk}"] = forms.BooleanField(
                label=_("%(acronym)s (%(name)s)") % {"acronym": union.acronym, "name": union.name},
                required=False,
            )
            self.fields[f"share_{union.pk}"] = forms.DecimalField(
                label=_("Part déclarée de %(acronym)s (%%)") % {"acronym": union.acronym},
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
                help_text=_("Liste commune seulement ; vide pour toutes : parts égales."),
            )

    def union_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"union_{u.pk}"], self[f"share_{u.pk}"]) for u in self.unions]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.shares():
            raise forms.ValidationError(_("Cochez au moins une organisation syndicale."))
        return cleaned

    def shares(self) -> list[Share]:
        data = getattr(self, "cleaned_data", {})
        return [
            Share(union=union, share=data.get(f"share_{union.pk}"))
            for union in self.unions
            if data.get(f"union_{union.pk}")
        ]


class CandidateForm(forms.Form):
    """A candidate typed in, matched to the roll by civilité and names."""

    civilite = forms.ChoiceField(label=_("Civilité"), choices=Civilite.choices)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    corps_grade = forms.CharField(label=_("Corps / grade"), max_length=200)
    affectation = forms.CharField(label=_("Affectation"), max_length=200)

    def entry(self) -> CandidateEntry:
        data = self.cleaned_data
        return CandidateEntry(
            civilite=data["civilite"],
            last_name=data["last_name"].strip(),
            first_name=data["first_name"].strip(),
            corps_grade=data["corps_grade"].strip(),
            affectation=data["affectation"].strip(),
        )


class RollSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher un électeur sur la liste électorale (nom, prénom)"),
        max_length=100,
        required=False,
    )


class ProfessionDeFoiForm(forms.Form):
    file = forms.FileField(label=_("Profession de foi (PDF)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Un fichier PDF de %(limit)d Mo au plus ; il remplace le précédent."
        ) % {"limit": max(1, max_profession_de_foi_bytes() // (1024 * 1024))}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du rejet"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Le délégué de l'organisation le lira."),
    )
