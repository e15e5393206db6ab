"""The composing form: kind, perimeter, scrutin, subject and body. Its choices are the staff
member's perimeters; whatever is posted is checked again by `services` (a forged value is a form
error, never a mailing)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne.backoffice import access
from urne.mailings import composing, services
from urne.mailings.models import Kind


def placeholders_help() -> SafeString:
    return format_html_join(
        "",
        "<li><code>{{{}}}</code> : {}</li>",
        ((name, placeholder.description) for name, placeholder in composing.PLACEHOLDERS.items()),
    )


class MailingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type d'envoi"), choices=Kind.choices)
    target = forms.ChoiceField(
        label=gettext_lazy("Destinataires"),
        help_text=gettext_lazy("Les électeurs de ce périmètre concernés par le type d'envoi."),
    )
    scrutin = forms.ChoiceField(
        label=gettext_lazy("Scrutin (facultatif)"),
        required=False,
        help_text=gettext_lazy(
            "Seulement les électeurs inscrits sur la liste électorale de ce scrutin."
        ),
    )
    subject = forms.CharField(
        label=gettext_lazy("Objet"),
        max_length=200,
        error_messages={"required": gettext_lazy("L'objet du message est vide.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Texte du message"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        strip=False,
        error_messages={"required": gettext_lazy("Le texte du message est vide.")},
        help_text=gettext_lazy(
            "Texte seul, comme tous les courriels du portail. Les champs entre accolades sont "
            "remplacés pour chaque électeur (liste ci-dessous)."
        ),
    )

    def __init__(self, user: access.Staff, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.targets = {target.key: target for target in services.targets(user)}
        cast(forms.ChoiceField, self.fields["target"]).choices = [
            (key, t.label) for key, t in self.targets.items()
        ]
        self.scrutins = {str(s.pk): s for s in services.scrutins(user)}
        cast(forms.ChoiceField, self.fields["scrutin"]).choices = [("", _("Tous les scrutins"))] + [
            (key, f"{s.name} ({s.campaign.name})") for key, s in self.scrutins.items()
        ]

    def _check_text(self, name: str) -> str:
        text: str = self.cleaned_data[name]
        if not text.strip():
            raise forms.ValidationError(self.fields[name].error_messages["required"])
        try:
            composing.check_text(text)
        except composing.InvalidText as invalid:
            raise forms.ValidationError(str(invalid.message)) from None
        return text

    def clean_subject(self) -> str:
        return self._check_text("subject")

    def clean_body(self) -> str:
        return self._check_text("body")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = self.targets.get(data.get("target", ""))
        scrutin = self.scrutins.get(data.get("scrutin") or "")
        if target is None:
            return data
        try:
            services.check_target(self.user, target.campaign, target.academy, scrutin)
        except services.InvalidTarget as invalid:
            self.add_error("scrutin", str(invalid.message))
        except access.OutOfScope as refused:
            self.add_error(None, str(refused.message))
        return data

    def draft(self) -> services.Draft:
        """The checked draft (after is_valid)."""
        data = self.cleaned_data
        target = self.targets[data["target"]]
        return services.Draft(
            kind=data["kind"],
            campaign=target.campaign,
            academy=target.academy,
            scrutin=self.scrutins.get(data.get("scrutin") or ""),
            subject=data["subject"],
            body=data["body"],
        )
