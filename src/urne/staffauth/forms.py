"""The one field of the second-factor pages: a code, as typed (spaces and dashes allowed)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """ "Code de vérification": six digits from the application, or a recovery code."""

    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=32,
        help_text=_(
            "Le code à 6 chiffres affiché par votre application d'authentification, ou l'un de "
            "vos codes de secours (par exemple abcde-fghjk)."
        ),
        error_messages={"required": _("Saisissez le code de vérification.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, enrolment: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if enrolment:
            field = self.fields["code"]
            field.label = _("Code à 6 chiffres affiché par votre application")
            field.help_text = _("Il change toutes les 30 secondes ; saisissez celui affiché.")
            field.widget.attrs["inputmode"] = "numeric"
