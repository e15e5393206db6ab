"""The back office's upload form for an electors file (/gestion/imports/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from urne.campaign import import_jobs
from urne.campaign.models import Campaign


class ElectorsFileForm(forms.Form):
    """Which campaign, which file, and whether to try it only. The campaigns offered are those
    the staff member may import into (`import_jobs.import_campaigns`); the file's size and
    header are checked by `import_jobs.check_electors_file`, the lines by the import."""

    campaign = forms.ModelChoiceField(
        label=_("Campagne"),
        queryset=Campaign.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choisissez une campagne de votre périmètre."),
            "required": _("Choisissez la campagne."),
        },
    )
    file = forms.FileField(
        label=_("Fichier des électeurs (CSV ou XLSX)"),
        help_text=_(
            "Fichier CSV en UTF-8, colonnes séparées par « ; », ou classeur Excel (.xlsx, "
            "première feuille), avec les colonnes : civilite, prenom, nom, email, corps, grade, "
            "etablissement, academie, scrutins. Tout ou rien : une seule ligne en erreur et rien "
            "n'est enregistré."
        ),
        error_messages={
            "required": _("Choisissez le fichier à importer."),
            "empty": _("Le fichier est vide."),
        },
    )
    dry_run = forms.BooleanField(
        label=_(
            "Essai à blanc : vérifier le fichier et compter les changements sans rien enregistrer"
        ),
        required=False,
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = import_jobs.import_campaigns(user)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = campaigns
        if len(campaigns) == 1:
            field.initial = campaigns[0].pk

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            import_jobs.check_electors_file(upload, upload.name, upload.size)
        except import_jobs.ElectorsFileRefused as refused:
            raise ValidationError(refused.problems) from None
        return upload
