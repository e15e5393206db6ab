"""Candidacies: unions, the lists they file for each scrutin, candidates, professions de foi."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Campaign, Civilite, Scrutin, family_name
from urne.candidacies.validators import validate_pdf


class Union(models.Model):
    """A union (organisation syndicale) that files lists in the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="unions")
    acronym = models.CharField(_("sigle"), max_length=40)
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        verbose_name = _("organisation syndicale")
        verbose_name_plural = _("organisations syndicales")
        ordering = ["acronym"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "acronym"], name="union_acronym_unique"),
        ]

    def __str__(self) -> str:
        return self.acronym


def profession_de_foi_path(instance: CandidateList, filename: str) -> str:
    scrutin = instance.scrutin
    return f"professions-de-foi/{scrutin.campaign_id}/{scrutin.code}-{instance.position}.pdf"


class CandidateList(models.Model):
    """A list of candidates for one scrutin, filed by one union or jointly by several.

    `position` is the official order: the order of the answers in the Belenios election.
    """

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="lists")
    position = models.PositiveIntegerField(_("ordre officiel"))
    title = models.CharField(_("intitulé"), max_length=200)
    unions = models.ManyToManyField(Union, related_name="lists", verbose_name=_("organisations"))
    profession_de_foi = models.FileField(
        _("profession de foi (PDF)"),
        upload_to=profession_de_foi_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
    )

    class Meta:
        verbose_name = _("liste de candidats")
        verbose_name_plural = _("listes de candidats")
        ordering = ["scrutin", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "position"], name="list_position_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    """A candidate, in list order."""

    candidate_list = models.ForeignKey(
        CandidateList, on_delete=models.CASCADE, related_name="candidates"
    )
    position = models.PositiveIntegerField(_("rang"))
    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite.choices)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    corps_grade = models.CharField(_("corps / grade"), max_length=200)
    affectation = models.CharField(_("affectation"), max_length=200)

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        ordering = ["candidate_list", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate_list", "position"], name="candidate_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_civilite_display()} {self.first_name} {self.family_name}"

    @property
    def family_name(self) -> str:
        return family_name(self.last_name)
