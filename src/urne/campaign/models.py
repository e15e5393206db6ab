"""The campaign: organizer, academies, electors, scrutins, the roll and the calendar."""

from __future__ import annotations

import os
from datetime import datetime

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne import clock


def normalize_email(address: str) -> str:
    """The form in which addresses are stored and compared: trimmed, lower case."""
    return "".join(address.split()).lower()


class Campaign(models.Model):
    """One election campaign (e.g. "Élections professionnelles 2014") and its calendar.

    Every date is an aware datetime, entered and shown in Europe/Paris.
    """

    name = models.CharField(_("nom"), max_length=200)
    year = models.PositiveIntegerField(_("année"))
    organizer = models.CharField(_("organisateur"), max_length=200)
    faq_url = models.URLField(_("page d'information"), blank=True)

    accounts_open_at = models.DateTimeField(_("ouverture de la création des comptes"))
    rolls_published_at = models.DateTimeField(_("publication des listes électorales"))
    candidacies_published_at = models.DateTimeField(_("publication des candidatures"))
    identifiers_available_at = models.DateTimeField(_("identifiants de vote disponibles"))
    corrections_deadline = models.DateTimeField(
        _("fin des demandes de mise à jour du profil"),
        help_text=_("Dernier instant où un électeur peut demander une correction de son profil."),
    )
    vote_opens_at = models.DateTimeField(_("ouverture du vote"))
    vote_closes_at = models.DateTimeField(_("clôture du vote"))

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    def accounts_open(self, at: datetime | None = None) -> bool:
        return (at or clock.now()) >= self.accounts_open_at

    def rolls_published(self, at: datetime | None = None) -> bool:
        return (at or clock.now()) >= self.rolls_published_at

    def candidacies_published(self, at: datetime | None = None) -> bool:
        return (at or clock.now()) >= self.candidacies_published_at

    def identifiers_available(self, at: datetime | None = None) -> bool:
        return (at or clock.now()) >= self.identifiers_available_at

    def corrections_open(self, at: datetime | None = None) -> bool:
        return (at or clock.now()) <= self.corrections_deadline

    def vote_open(self, at: datetime | None = None) -> bool:
        moment = at or clock.now()
        return self.vote_opens_at <= moment < self.vote_closes_at

    def rolls_editable(self, at: datetime | None = None) -> bool:
        """The rolls are sealed when the vote opens, and stay so for good: what the ballot box
        accepts and the count are judged against them."""
        return (at or clock.now()) < self.vote_opens_at


class Academy(models.Model):
    """An academy (rectorat): its electors' mail domain and its assistance contact."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="academies")
    code = models.SlugField(_("code"), max_length=40, help_text=_("Ex. : dijon"))
    name = models.CharField(_("nom"), max_length=100)
    mail_domain = models.CharField(_("domaine de messagerie"), max_length=100)
    assistance_email = models.EmailField(_("adresse de l'assistance"))
    assistance_phone = models.CharField(_("téléphone de l'assistance"), max_length=30)

    class Meta:
        verbose_name = _("académie")
        verbose_name_plural = _("académies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="academy_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Civilite(models.TextChoices):
    M = "M", _("M.")
    MME = "MME", _("Mme")


class Elector(models.Model):
    """A person called to vote in the campaign, as the administration knows them.

    The email is stored normalized (normalize_email) and is the key for imports.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="electors")
    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite.choices)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("adresse de messagerie professionnelle"), max_length=254)
    corps = models.CharField(_("corps"), max_length=150)
    grade = models.CharField(_("grade"), max_length=150, blank=True)
    establishment = models.CharField(_("établissement d'affectation"), max_length=200)
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="electors")
    invitation_sent_at = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("électeur")
        verbose_name_plural = _("électeurs")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="elector_email_unique"),
        ]

    def __str__(self) -> str:
        return self.salutation

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def salutation(self) -> str:
        """ "M. Prénom NOM" or "Mme Prénom NOM", as the seed's emails address the elector."""
        return f"{self.get_civilite_display()} {self.first_name} {self.last_name.upper()}"


class Scrutin(models.Model):
    """One ballot (CSA, CAP or CCP) at one level; each is one Belenios election."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        ACADEMIC = "academic", _("académique")
        DEPARTMENTAL = "departmental", _("départemental")

    class Kind(models.TextChoices):
        CSA = "CSA", _("Comité social d'administration")
        CAP = "CAP", _("Commission administrative paritaire")
        CCP = "CCP", _("Commission consultative paritaire")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scrutins")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("nom"), max_length=200)
    level = models.CharField(_("niveau"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices)
    academy = models.ForeignKey(
        Academy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scrutins",
        help_text=_("Pour un scrutin académique ou départemental."),
    )
    seats = models.PositiveIntegerField(_("sièges de titulaires"))
    electors: models.ManyToManyField[Elector, RollEntry] = models.ManyToManyField(
        Elector, through="RollEntry", related_name="scrutins"
    )

    class Meta:
        verbose_name = _("scrutin")
        verbose_name_plural = _("scrutins")
        ordering = ["level", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="scrutin_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RollEntry(models.Model):
    """The electoral roll: this elector votes in this scrutin."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="roll")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="roll_entries")

    class Meta:
        verbose_name = _("inscription sur la liste électorale")
        verbose_name_plural = _("liste électorale")
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "elector"], name="roll_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.elector} — {self.scrutin}"


class ProfileCorrectionRequest(models.Model):
    """An elector's request to correct their profile, answered by staff in the back office.

    Electors may ask until the campaign's corrections deadline; staff then update the elector's
    record themselves (imports are the source of truth) and record their answer here.
    """

    class Field(models.TextChoices):
        CIVILITE = "civilite", _("Civilité")
        FIRST_NAME = "first_name", _("Prénom")
        LAST_NAME = "last_name", _("Nom")
        EMAIL = "email", _("Adresse de messagerie professionnelle")
        CORPS = "corps", _("Corps")
        GRADE = "grade", _("Grade")
        ESTABLISHMENT = "establishment", _("Établissement d'affectation")
        ACADEMY = "academy", _("Académie")
        SCRUTINS = "scrutins", _("Scrutins auxquels je suis appelé(e) à participer")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Envoyée")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    elector = models.ForeignKey(
        Elector,
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("électeur"),
    )
    field = models.CharField(_("information à corriger"), max_length=20, choices=Field.choices)
    correction = models.CharField(_("information correcte"), max_length=200)
    comment = models.TextField(_("commentaire"), max_length=1000, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    staff_answer = models.TextField(_("réponse de la gestion"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("demandée le"))
    answered_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traitée par"),
    )

    class Meta:
        verbose_name = _("demande de mise à jour du profil")
        verbose_name_plural = _("demandes de mise à jour du profil")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per piece of information: a second one would only duplicate work.
            models.UniqueConstraint(
                fields=["elector", "field"],
                condition=models.Q(status="submitted"),
                name="one_open_correction_per_field",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="correction_status_idx")]

    def __str__(self) -> str:
        return f"{self.elector} — {self.get_field_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED


class PrivateImportStorage(FileSystemStorage):
    """Where uploaded import files are kept for the record: settings.IMPORTS_ROOT, never served.

    The location is read at each use (not frozen at import time) so tests and operators can move
    it; there is no URL because these files hold personal data.
    """

    @property
    def base_location(self) -> str:
        return str(settings.IMPORTS_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("import files are private and have no URL")


def elector_import_path(instance: ElectorImport, filename: str) -> str:
    return f"electeurs/{instance.campaign_id}/{clock.now():%Y%m%d-%H%M%S}.csv"


class ElectorImport(models.Model):
    """One electors file uploaded by staff, imported in the background; its report is kept.

    The file is the single input of `urne.campaign.imports.do_import_electors`, like the
    `urne import_electors` command; this row records who asked, when, and what came of it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        REJECTED = "rejected", _("Refusé : erreurs dans le fichier")
        FAILED = "failed", _("Échec technique")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="imports", verbose_name=_("campagne")
    )
    file = models.FileField(
        _("fichier CSV"), upload_to=elector_import_path, storage=PrivateImportStorage()
    )
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    dry_run = models.BooleanField(
        _("essai à blanc"),
        default=False,
        help_text=_("Vérifier le fichier et compter les changements sans rien enregistrer."),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    created_at = models.DateTimeField(_("déposé le"))
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    report = models.TextField(_("compte rendu"), blank=True)

    class Meta:
        verbose_name = _("import d'électeurs")
        verbose_name_plural = _("imports d'électeurs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%d/%m/%Y %H:%M})"
