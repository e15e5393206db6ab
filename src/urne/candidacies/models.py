"""Candidacies: unions, the lists they file for each scrutin, candidates, professions de foi."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Campaign, Civilite, Elector, Scrutin, family_name
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
    """A name nobody can guess, stable whatever the list's order (drawn after the filing)."""
    scrutin = instance.scrutin
    return f"professions-de-foi/{scrutin.campaign_id}/{scrutin.code}-{secrets.token_hex(8)}.pdf"


class CandidateList(models.Model):
    """A list of candidates for one scrutin, filed by one union or jointly by several.

    A delegate drafts it (« brouillon »), submits it (« déposée »); the organizer validates or
    rejects it, then draws the official order of the validated lists: `position`, the order of
    the answers in the Belenios election (None until the draw). Electors only ever see validated
    lists (urne.candidacies.filing).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        SUBMITTED = "submitted", _("déposée")
        VALIDATED = "validated", _("validée")
        REJECTED = "rejected", _("rejetée")

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="lists")
    position = models.PositiveIntegerField(_("ordre officiel"), null=True, blank=True)
    title = models.CharField(_("intitulé"), max_length=200)
    unions: models.ManyToManyField[Union, ListUnion] = models.ManyToManyField(
        Union, through="ListUnion", related_name="lists", verbose_name=_("organisations")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    rejection_reason = models.TextField(_("motif du rejet"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décision par"),
    )
    profession_de_foi = models.FileField(
        _("profession de foi (PDF)"),
        upload_to=profession_de_foi_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
    )

    class Meta:
        verbose_name = _("liste de candidats")
        verbose_name_plural = _("listes de candidats")
        ordering = ["scrutin", "position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "position"], name="list_position_unique"),
        ]
        permissions = [
            ("file_candidatelist", _("Déposer les listes de son organisation syndicale")),
            (
                "validate_candidatelist",
                _("Valider ou rejeter les listes déposées, tirer au sort leur ordre"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def editable_by_union(self) -> bool:
        """A draft, or a rejected list its union corrects; never one submitted or validated."""
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


class ListUnion(models.Model):
    """A union of a list, with its declared share of the list's votes for a joint list (None:
    not declared; the shares are then equal)."""

    candidate_list = models.ForeignKey(
        CandidateList, on_delete=models.CASCADE, db_column="candidatelist_id"
    )
    union = models.ForeignKey(Union, on_delete=models.CASCADE, db_column="union_id")
    share = models.DecimalField(
        _("part déclarée (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        # The table Django made for the plain many-to-many, kept (with its unique pair).
        db_table = "candidacies_candidatelist_unions"
        verbose_name = _("organisation de la liste")
        verbose_name_plural = _("organisations de la liste")

    def __str__(self) -> str:
        return f"{self.union} — {self.candidate_list}"


class ListDraw(models.Model):
    """A draw of the official order of a scrutin's validated lists: its result, who, when.

    Kept for every draw (a list validated after a draw needs another); the last one is the order
    the lists hold."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="list_draws")
    drawn_at = models.DateTimeField(_("tiré le"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("tiré par"),
    )
    drawn_by_label = models.CharField(_("tiré par"), max_length=254)
    # [{"id": list id, "title": its title}, ...] in the order drawn.
    order = models.JSONField(_("ordre tiré"))

    class Meta:
        verbose_name = _("tirage au sort de l'ordre des listes")
        verbose_name_plural = _("tirages au sort de l'ordre des listes")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scrutin} — {self.drawn_at:%d/%m/%Y %H:%M}"


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
    # The elector of the scrutin's roll this candidate is (None: not found on it).
    elector = models.ForeignKey(
        Elector,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidacies",
        verbose_name=_("électeur"),
    )

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
