"""The forms of the helpdesk's and the correction queue's pages. Their rules are the services'
(`urne.support.helpdesk`, `urne.campaign.corrections`): these only read what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.support.helpdesk import IdentityCheck


class ElectorSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher un électeur"),
        max_length=200,
        required=False,
        help_text=_(
            "Nom, prénom, adresse de messagerie professionnelle ou établissement, en tout ou "
            "partie ; les accents et les majuscules ne comptent pas."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class UnlockForm(forms.Form):
    checks = forms.MultipleChoiceField(
        label=_("Vérifications d'identité faites avec l'électeur"),
        choices=IdentityCheck.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    birth_date = forms.DateField(
        label=_("Date de naissance donnée par l'électeur"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Seulement si vous cochez la date de naissance : le serveur la compare à la liste "
            "électorale, qui ne vous est pas montrée."
        ),
    )


class AcceptForm(forms.Form):
    value = forms.CharField(
        label=_("Information à enregistrer"),
        required=False,
        max_length=500,
        help_text=_(
            "Ce que la fiche indiquera : la demande de l'électeur, que vous pouvez corriger. "
            "Pour les scrutins : leurs codes, séparés par des virgules ; pour l'académie : son "
            "nom ou son code."
        ),
    )
    answer = forms.CharField(
        label=_("Réponse à l'électeur (facultative)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        required=False,  # the service's rule says it is required, and its message why
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire : l'électeur le lit dans son profil et par courriel."),
    )
