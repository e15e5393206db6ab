"""The form of « Recevoir mon identifiant de vote »: only reading what was typed; the rules
(channel, professional address, challenge, limits) are `urne.authority.services`'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from urne.authority.models import IdentifierDelivery


class IdentifierRequestForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Recevoir mon identifiant par"),
        choices=IdentifierDelivery.Channel.choices,
        widget=forms.RadioSelect,
        initial=IdentifierDelivery.Channel.EMAIL,
    )
    email = forms.CharField(
        label=_("Adresse de messagerie personnelle"),
        help_text=_("Pas votre adresse professionnelle. Ex. : prenom.nom@exemple.fr"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile = forms.CharField(
        label=_("Numéro de mobile"),
        help_text=_("Ex. : 06 12 34 56 78 ou +33 6 12 34 56 78"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        help_text=_("Au format JJ/MM/AAAA, ex. : 07/03/1978"),
        input_formats=["%d/%m/%Y"],
        error_messages={"invalid": _("Saisissez la date au format JJ/MM/AAAA.")},
        widget=forms.TextInput(attrs={"autocomplete": "bday", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, challenge: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not challenge:
            del self.fields["birth_date"]

    def destination(self) -> str:
        """What was typed for the chosen channel."""
        data = self.cleaned_data
        if data["channel"] == IdentifierDelivery.Channel.SMS:
            return str(data["mobile"])
        return str(data["email"])
