"""The campaign: organizer, academies, electors, scrutins, the roll and the calendar."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne import clock


def normalize_email(address: str) -> str:
    """The form in which addresses are stored and compared: trimmed, lower case."""
    return "".join(address.split()).lower()


@dataclass(frozen=True)
class Period:
    """A span of the campaign's calendar, between two of its dates, written once for both uses:
    asking a campaign in memory (`contains`) and selecting campaigns in the database (`q`).

    It starts at `opens` (included) and ends at `closes` (excluded, unless `closes_included`);
    None leaves that side open. A date left empty on the campaign (`closes` may be optional)
    falls back to `closes_fallback`.
    """

    opens: str | None
    closes: str | None = None
    closes_included: bool = False
    closes_fallback: str | None = None

    def contains(self, campaign: Campaign, at: datetime) -> bool:
        return not self.not_begun(campaign, at) and not self.over(campaign, at)

    def not_begun(self, campaign: Campaign, at: datetime) -> bool:
        return self.opens is not None and at < getattr(campaign, self.opens)

    def over(self, campaign: Campaign, at: datetime) -> bool:
        end = self.end(campaign)
        if end is None:
            return False
        return at > end if self.closes_included else at >= end

    def end(self, campaign: Campaign) -> datetime | None:
        """When the period ends for `campaign` (None: never)."""
        if self.closes is None:
            return None
        end: datetime | None = getattr(campaign, self.closes)
        if end is None and self.closes_fallback is not None:
            end = getattr(campaign, self.closes_fallback)
        return end

    def q(self, at: datetime, prefix: str = "") -> models.Q:
        """The campaigns whose period holds `at`; `prefix` reaches them from another model
        ("campaign__" from an elector)."""
        condition = models.Q()
        if self.opens is not None:
            condition &= models.Q(**{f"{prefix}{self.opens}__lte": at})
        if self.closes is not None:
            lookup = "gte" if self.closes_included else "gt"
            closes = models.Q(**{f"{prefix}{self.closes}__{lookup}": at})
            if self.closes_fallback is not None:
                closes |= models.Q(
                    **{
                        f"{prefix}{self.closes}__isnull": True,
                        f"{prefix}{self.closes_fallback}__{lookup}": at,
                    }
                )
            condition &= closes
        return condition

    def not_begun_q(self, at: datetime, prefix: str = "") -> models.Q:
        assert self.opens is not None  # noqa: S101 - a period open from the start never begins
        return models.Q(**{f"{prefix}{self.opens}__gt": at})


# The calendar's gates, each written here once. Accounts can be created from their opening until
# the vote closes (an elector may still need one on the last day of the vote).
ACCOUNTS: Final = Period("accounts_open_at", "vote_closes_at")
ROLLS: Final = Period("rolls_published_at")
CANDIDACIES: Final = Period("candidacies_published_at")
# Unions file their lists until the candidacies' deadline, or, if the campaign sets none, until
# the candidacies are published (a list filed later would reach electors unchecked).
FILING: Final = Period(None, "candidacies_deadline", closes_fallback="candidacies_published_at")
IDENTIFIERS: Final = Period("identifiers_available_at")
CORRECTIONS: Final = Period(None, "corrections_deadline", closes_included=True)
VOTE: Final = Period("vote_opens_at", "vote_closes_at")

# Which campaign speaks when several could: the latest (year, then opening, then creation).
LATEST_FIRST: Final = ("-year", "-accounts_open_at", "-id")


def latest_first(prefix: str = "") -> list[str]:
    """LATEST_FIRST as an ordering, reached through `prefix` ("campaign__" from an elector)."""
    return [f"-{prefix}{name.removeprefix('-')}" for name in LATEST_FIRST]


# The calendar's order, as the texts give it (the seed's 2014 calendar: accounts 22 Sept, rolls
# 15 Oct, candidacies 28 Oct, identifiers 12 Nov, corrections until 14 Nov, vote 27 Nov to
# 4 Dec): each date no earlier than the one before it. The corrections close strictly before
# the vote opens (a correction during the vote would change a sealed roll) and the vote lasts.
# (earlier, later, strictly after, the message naming both dates)
CALENDAR_ORDER: Final = (
    (
        "accounts_open_at",
        "rolls_published_at",
        False,
        _(
            "La publication des listes électorales ne peut pas précéder l'ouverture de la "
            "création des comptes."
        ),
    ),
    (
        "rolls_published_at",
        "candidacies_published_at",
        False,
        _(
            "La publication des candidatures ne peut pas précéder la publication des listes "
            "électorales."
        ),
    ),
    (
        "candidacies_published_at",
        "identifiers_available_at",
        False,
        _(
            "La mise à disposition des identifiants de vote ne peut pas précéder la publication "
            "des candidatures."
        ),
    ),
    (
        "identifiers_available_at",
        "corrections_deadline",
        False,
        _(
            "La fin des demandes de mise à jour du profil ne peut pas précéder la mise à "
            "disposition des identifiants de vote."
        ),
    ),
    (
        "corrections_deadline",
        "vote_opens_at",
        True,
        _("L'ouverture du vote doit venir après la fin des demandes de mise à jour du profil."),
    ),
    (
        "vote_opens_at",
        "vote_closes_at",
        True,
        _("La clôture du vote doit venir après l'ouverture du vote."),
    ),
)


def _calendar_constraint_name(later: str) -> str:
    return f"campaign_{later}_in_order"


def _calendar_constraints() -> list[models.BaseConstraint]:
    """CALENDAR_ORDER as database constraints: model validation (admin forms, the back office's
    calendar page) reports their messages, each on the later date's field
    (`Campaign.validate_constraints`), and the database refuses what bypasses validation
    (update(), raw SQL)."""
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{later}__{'gt' if strict else 'gte'}": models.F(earlier)}),
            name=_calendar_constraint_name(later),
            violation_error_message=message,
        )
        for earlier, later, strict, message in CALENDAR_ORDER
    ]


# Which field a calendar constraint's message belongs to: the later date, the one to move.
CALENDAR_CONSTRAINT_FIELDS: Final = {
    _calendar_constraint_name(later): later for _e, later, _s, _m in CALENDAR_ORDER
}


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def accounts_open(self, at: datetime | None = None) -> CampaignQuerySet:
        """The campaigns where electors can create their account at `at` (default: now)."""
        return self.filter(ACCOUNTS.q(at or clock.now()))

    def accounts_not_yet_open(self, at: datetime | None = None) -> CampaignQuerySet:
        """The campaigns whose account creation opens later, the soonest first."""
        return self.filter(ACCOUNTS.not_begun_q(at or clock.now())).order_by("accounts_open_at")

    def latest_first(self) -> CampaignQuerySet:
        return self.order_by(*LATEST_FIRST)


# Letters that Unicode does not decompose into a base letter and an accent, spelt as French
# readers file them: « Œ » as « oe », « Æ » as « ae ».
_UNDECOMPOSED = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """A name as French readers sort and look it up: without case, accents, spaces or signs.

    « Guérin » → "guerin", « Le Bœuf-Dupré » → "leboeufdupre". Only ASCII letters and digits
    remain (for Latin names), which every database orders alike (byte order and its French or
    English collations agree on them), so the roll reads the same on SQLite and PostgreSQL.
    """
    folded = name.casefold()
    # Most names are plain ASCII once folded and skip the decomposition (an import of a million
    # lines feels it).
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded.translate(_UNDECOMPOSED))
    # Accents, once decomposed, are marks, not letters: they go with the spaces and signs.
    return _NOT_LETTER_OR_DIGIT.sub("", folded)


def family_name(last_name: str) -> str:
    """How a family name is written everywhere (pages, mail, rolls, lists): in capitals."""
    return last_name.upper()


class _OnLaterDate(models.CheckConstraint):
    """A calendar constraint as model validation runs it: the same check, its message filed
    under the later of its two dates (Django files a check constraint's message under the
    form as a whole), so that a form shows it beside the date to correct. Never in Meta: the
    database's constraint is the one it copies."""

    def __init__(self, constraint: models.CheckConstraint, field: str) -> None:
        super().__init__(
            condition=constraint.condition,
            name=constraint.name,
            violation_error_message=constraint.violation_error_message,
        )
        self.field = field

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: Any = None) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)  # type: ignore[misc]
        except ValidationError as error:
            raise ValidationError({self.field: [error]}) from None


class Campaign(models.Model):
    """One election campaign (e.g. "Élections professionnelles 2014") and its calendar.

    Every date is an aware datetime, entered and shown in Europe/Paris. The calendar's gates
    are the methods below (and CampaignQuerySet's): views, admin, tasks and commands ask them,
    never compare the dates themselves.
    """

    name = models.CharField(_("nom"), max_length=200)
    year = models.PositiveIntegerField(_("année"))
    organizer = models.CharField(_("organisateur"), max_length=200)
    faq_url = models.URLField(_("page d'information"), blank=True)

    accounts_open_at = models.DateTimeField(_("ouverture de la création des comptes"))
    rolls_published_at = models.DateTimeField(_("publication des listes électorales"))
    candidacies_deadline = models.DateTimeField(
        _("fin du dépôt des listes de candidats"),
        null=True,
        blank=True,
        help_text=_(
            "Dernier instant où les délégués syndicaux déposent ou modifient leurs listes. "
            "Vide : jusqu'à la publication des candidatures."
        ),
    )
    candidacies_published_at = models.DateTimeField(_("publication des candidatures"))
    identifiers_available_at = models.DateTimeField(_("identifiants de vote disponibles"))
    corrections_deadline = models.DateTimeField(
        _("fin des demandes de mise à jour du profil"),
        help_text=_("Dernier instant où un électeur peut demander une correction de son profil."),
    )
    vote_opens_at = models.DateTimeField(_("ouverture du vote"))
    vote_closes_at = models.DateTimeField(_("clôture du vote"))
    identifier_challenge = models.BooleanField(
        _("demander la date de naissance"),
        default=False,
        help_text=_(
            "Pour recevoir son identifiant de vote par courriel personnel ou SMS, l'électeur "
            "doit donner sa date de naissance, telle que la liste électorale la connaît "
            "(colonne « date_naissance » de l'import)."
        ),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-year", "name"]
        constraints = [
            *_calendar_constraints(),
            # The organizer checks the lists and draws their order between the deadline and
            # the publication: the deadline cannot come after it.
            models.CheckConstraint(
                condition=models.Q(candidacies_deadline__isnull=True)
                | models.Q(candidacies_deadline__lte=models.F("candidacies_published_at")),
                name="campaign_candidacies_deadline_in_order",
                violation_error_message=_(
                    "La fin du dépôt des listes ne peut pas venir après la publication des "
                    "candidatures."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_constraints(self) -> list[tuple[type[models.Model], Sequence[models.BaseConstraint]]]:
        """The constraints model validation checks: the calendar's, each message on the later
        date's field (the rule itself stays the constraint, from CALENDAR_ORDER)."""
        return [
            (
                model,
                [
                    _OnLaterDate(constraint, CALENDAR_CONSTRAINT_FIELDS[constraint.name])
                    if isinstance(constraint, models.CheckConstraint)
                    and constraint.name in CALENDAR_CONSTRAINT_FIELDS
                    else constraint
                    for constraint in constraints
                ],
            )
            for model, constraints in super().get_constraints()
        ]

    def accounts_open(self, at: datetime | None = None) -> bool:
        """Whether electors can create their account: from the opening until the vote closes."""
        return ACCOUNTS.contains(self, at or clock.now())

    def accounts_not_yet_open(self, at: datetime | None = None) -> bool:
        return ACCOUNTS.not_begun(self, at or clock.now())

    def rolls_published(self, at: datetime | None = None) -> bool:
        return ROLLS.contains(self, at or clock.now())

    def candidacies_published(self, at: datetime | None = None) -> bool:
        return CANDIDACIES.contains(self, at or clock.now())

    def candidacies_filing_open(self, at: datetime | None = None) -> bool:
        """Whether union delegates may still file or change their lists: until the deadline
        (or, without one, until the candidacies are published)."""
        return FILING.contains(self, at or clock.now())

    @property
    def candidacies_filing_ends_at(self) -> datetime:
        end = FILING.end(self)
        assert end is not None  # noqa: S101 - the fallback date is required
        return end

    def identifiers_available(self, at: datetime | None = None) -> bool:
        return IDENTIFIERS.contains(self, at or clock.now())

    def corrections_open(self, at: datetime | None = None) -> bool:
        return CORRECTIONS.contains(self, at or clock.now())

    def vote_open(self, at: datetime | None = None) -> bool:
        return VOTE.contains(self, at or clock.now())

    def vote_closed(self, at: datetime | None = None) -> bool:
        return VOTE.over(self, at or clock.now())

    def rolls_editable(self, at: datetime | None = None) -> bool:
        """The rolls are sealed when the vote opens, and stay so for good: what the ballot box
        accepts and the count are judged against them."""
        return VOTE.not_begun(self, at or clock.now())


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


class ElectorQuerySet(models.QuerySet["Elector"]):
    """Bulk writes keep the name keys right, as `Elector.save` does (bulk writes skip it)."""

    def bulk_create(self, objs: Iterable[Elector], *args: Any, **kwargs: Any) -> list[Elector]:
        objs = list(objs)
        for elector in objs:
            elector.set_name_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable[Elector], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        objs = list(objs)
        fields = list(fields)
        if {"last_name", "first_name"} & set(fields):
            for elector in objs:
                elector.set_name_keys()
            fields += [f for f in Elector.NAME_KEY_FIELDS if f not in fields]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Elector(models.Model):
    """A person called to vote in the campaign, as the administration knows them.

    The email is stored normalized (normalize_email) and is the key for imports. The name keys
    (name_key of each name) are written with the names, on every path that writes them, so the
    roll is sorted and searched as French readers expect on any database.
    """

    NAME_KEY_FIELDS = ("last_name_key", "first_name_key")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="electors")
    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite.choices)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("adresse de messagerie professionnelle"), max_length=254)
    corps = models.CharField(_("corps"), max_length=150)
    grade = models.CharField(_("grade"), max_length=150, blank=True)
    establishment = models.CharField(_("établissement d'affectation"), max_length=200)
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="electors")
    birth_date = models.DateField(
        _("date de naissance"),
        null=True,
        blank=True,
        help_text=_("Réponse attendue avant l'envoi de l'identifiant de vote, si demandée."),
    )
    invitation_sent_at = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True)
    # Twice the names' length: a ligature becomes two letters.
    last_name_key = models.CharField(max_length=200, editable=False, default="")
    first_name_key = models.CharField(max_length=200, editable=False, default="")

    objects = ElectorQuerySet.as_manager()

    class Meta:
        verbose_name = _("électeur")
        verbose_name_plural = _("électeurs")
        ordering = ["last_name_key", "first_name_key", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="elector_email_unique"),
        ]
        indexes = [
            models.Index(fields=["last_name_key", "first_name_key"], name="elector_name_key_idx")
        ]

    def __str__(self) -> str:
        return self.salutation

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        self.set_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"last_name", "first_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *self.NAME_KEY_FIELDS}
        super().save(*args, **kwargs)

    def set_name_keys(self) -> None:
        self.last_name_key = name_key(self.last_name)
        self.first_name_key = name_key(self.first_name)

    @property
    def family_name(self) -> str:
        return family_name(self.last_name)

    @property
    def salutation(self) -> str:
        """ "M. Prénom NOM" or "Mme Prénom NOM", as the seed's emails address the elector."""
        return f"{self.get_civilite_display()} {self.first_name} {self.family_name}"


class ShortLists(models.TextChoices):
    """Where the seats go that a list wins but has no candidate for (the values of
    `urne.counting.seats.ShortListRule`; docs/seats.md, « Short lists »)."""

    REDISTRIBUTE = (
        "redistribute",
        _("aux autres listes, à la plus forte moyenne (quotient calculé sur les sièges pourvus)"),
    )
    DRAW = "draw", _("au tirage au sort parmi les électeurs éligibles")


@dataclass(frozen=True)
class SeatRules:
    """A scrutin's choices in the seats' rule that the texts set per kind of body."""

    short_lists: str
    """A `ShortLists` value."""
    tie_by_candidates: bool
    """Equal averages and votes go to the list with more candidates before any draw."""


SEAT_RULES: Final[dict[str, SeatRules]] = {
    # The defaults of DOMAIN.md (« Seats »), kept as data since the texts change: seats a list
    # cannot fill go on to the other lists, the quotient on the seats filled (CE, 16 June 1999);
    # equal averages, then votes, then a draw (no text we read puts the candidates first).
    # A scrutin whose arrêté says otherwise sets its own rules in the campaign's setup.
    "CSA": SeatRules(ShortLists.REDISTRIBUTE, tie_by_candidates=False),
    "CAP": SeatRules(ShortLists.REDISTRIBUTE, tie_by_candidates=False),
    "CCP": SeatRules(ShortLists.REDISTRIBUTE, tie_by_candidates=False),
}
"""The seat rules of each kind of body (`Scrutin.Kind` values), by default."""


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
    seats = models.PositiveIntegerField(
        _("sièges de titulaires"),
        validators=[MinValueValidator(1, _("Un scrutin a au moins un siège de titulaire."))],
    )
    substitute_seats = models.PositiveIntegerField(
        _("sièges de suppléants"),
        default=0,
        help_text=_("En général autant que de sièges de titulaires."),
    )
    short_list_rule = models.CharField(
        _("règle appliquée aux listes incomplètes"),
        max_length=12,
        choices=ShortLists.choices,
        blank=True,
        default="",
        help_text=_(
            "Où vont les sièges qu'une liste gagne sans avoir de candidat pour les occuper. "
            "Vide : la règle par défaut du type de scrutin."
        ),
    )
    tie_by_candidates = models.BooleanField(
        _("égalité départagée par le nombre de candidats"),
        null=True,
        blank=True,
        default=None,
        help_text=_(
            "À égalité de moyenne et de voix, la liste qui a le plus de candidats l'emporte avant "
            "tout tirage au sort. Vide : la règle par défaut du type de scrutin."
        ),
    )
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """The seat rules left empty take the kind's defaults (`SEAT_RULES`) when saved, so
        that a change of the defaults never moves the rules of a scrutin already set up."""
        unset = not self.short_list_rule or self.tie_by_candidates is None
        if self.kind in SEAT_RULES and unset:
            rules = self.seat_rules()
            self.short_list_rule = rules.short_lists
            self.tie_by_candidates = rules.tie_by_candidates
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "short_list_rule", "tie_by_candidates"}
        super().save(*args, **kwargs)

    def seat_rules(self) -> SeatRules:
        """The seat rules of this scrutin: its own, or its kind's defaults where it has none."""
        default = SEAT_RULES[self.kind]
        return SeatRules(
            short_lists=self.short_list_rule or default.short_lists,
            tie_by_candidates=(
                default.tie_by_candidates
                if self.tie_by_candidates is None
                else self.tie_by_candidates
            ),
        )

    def clean(self) -> None:
        """A national scrutin belongs to no academy; an academic or departmental one to an
        academy of its own campaign."""
        if self.level == self.Level.NATIONAL and self.academy_id is not None:
            raise ValidationError(
                {"academy": _("Un scrutin national ne relève d'aucune académie : laissez vide.")}
            )
        if self.level in (self.Level.ACADEMIC, self.Level.DEPARTMENTAL):
            academy = self.academy if self.academy_id is not None else None
            if academy is None:
                raise ValidationError(
                    {
                        "academy": _(
                            "Un scrutin académique ou départemental relève d'une académie : "
                            "choisissez-la."
                        )
                    }
                )
            if self.campaign_id is not None and academy.campaign_id != self.campaign_id:
                raise ValidationError(
                    {"academy": _("Cette académie n'appartient pas à la campagne du scrutin.")}
                )


class ScrutinGrade(models.Model):
    """The seats of one grade in a scrutin whose lists are counted grade by grade (a CAP: as
    many names as seats of titulaires and suppléants for each grade, DOMAIN.md). A scrutin
    without any counts its names as a whole."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="grade_seats")
    grade = models.CharField(_("grade"), max_length=200)
    """As the roll writes it (`Elector.grade`)."""
    seats = models.PositiveIntegerField(
        _("sièges de titulaires"),
        validators=[MinValueValidator(1, _("Un grade représenté a au moins un siège."))],
    )
    substitute_seats = models.PositiveIntegerField(_("sièges de suppléants"), default=0)

    class Meta:
        verbose_name = _("sièges d'un grade")
        verbose_name_plural = _("sièges par grade")
        ordering = ["scrutin", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "grade"], name="scrutin_grade_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin} — {self.grade}"


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
    # What the elector's record now says, once accepted: what they asked, or what staff
    # corrected it to (the elector sees it on their profile).
    applied_value = models.CharField(_("information enregistrée"), max_length=500, blank=True)
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


class RollChange(models.Model):
    """One change to a published roll, for its history: who, when, why, what.

    Written by `urne.campaign.roll_history` (and only there) for every change made once the
    campaign's rolls are published: a correction accepted, an edit in the back office, an
    import. An elector's field changed is one row (`field`, `old_value` → `new_value`); an entry
    added to or removed from a scrutin's roll is one row naming the scrutin; an import is one
    row with its counts (its own report lists the lines). Labels are copied as text, so that the
    history outlives the elector, the scrutin or the account it names.
    """

    class Source(models.TextChoices):
        CORRECTION = "correction", _("demande de mise à jour acceptée")
        BACK_OFFICE = "back_office", _("modification dans la gestion")
        IMPORT = "import", _("import d'électeurs")

    class Kind(models.TextChoices):
        FIELD = "field", _("information modifiée")
        ADDED = "added", _("inscription ajoutée")
        REMOVED = "removed", _("inscription retirée")
        ELECTOR_REMOVED = "elector_removed", _("électeur supprimé")
        IMPORT = "import", _("import")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campagne")
    )
    # The academy the change is filed under, for the staff who read it (the elector's, after
    # the change; a move between academies is filed under both). None: the whole campaign.
    academy = models.ForeignKey(
        Academy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("académie"),
    )
    at = models.DateTimeField(_("date"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte"),
    )
    actor_label = models.CharField(_("auteur"), max_length=254)
    source = models.CharField(_("origine"), max_length=20, choices=Source.choices)
    reason = models.TextField(_("motif"), max_length=1000, blank=True)
    kind = models.CharField(_("changement"), max_length=20, choices=Kind.choices)
    elector = models.ForeignKey(
        Elector,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roll_changes",
        verbose_name=_("électeur"),
    )
    elector_label = models.CharField(_("électeur"), max_length=300, blank=True)
    scrutin = models.ForeignKey(
        Scrutin,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roll_changes",
        verbose_name=_("scrutin"),
    )
    scrutin_label = models.CharField(_("liste électorale"), max_length=200, blank=True)
    field = models.CharField(_("information"), max_length=30, blank=True)
    old_value = models.CharField(_("avant"), max_length=500, blank=True)
    new_value = models.CharField(_("après"), max_length=500, blank=True)
    correction = models.ForeignKey(
        ProfileCorrectionRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roll_changes",
        verbose_name=_("demande de mise à jour"),
    )
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("changement des listes électorales")
        verbose_name_plural = _("historique des listes électorales")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.elector_label or self.scrutin_label}"


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


# Celery kills an import's task past this time (its database transaction is rolled back with
# it): a million lines take about four minutes (docs/benchmarks.md), so an hour is ample.
IMPORT_TIME_LIMIT: Final = 60 * 60
# A job still marked running this long after it started has no worker left (its process killed,
# or lost with its machine; a job stopped at the time limit is marked failed, not taken up):
# another may take it up, the import being idempotent. The margin covers the worker's shutdown.
IMPORT_STALE_AFTER: Final = timedelta(seconds=IMPORT_TIME_LIMIT) + timedelta(minutes=5)


class ElectorImportQuerySet(models.QuerySet["ElectorImport"]):
    def claimable(self, at: datetime) -> ElectorImportQuerySet:
        """The jobs a worker may take at `at`: waiting, or running with no worker left."""
        return self.filter(
            models.Q(status=ElectorImport.Status.PENDING)
            | models.Q(status=ElectorImport.Status.RUNNING, started_at__lt=at - IMPORT_STALE_AFTER)
            # Claimed before claims were dated: its worker is long gone.
            | models.Q(status=ElectorImport.Status.RUNNING, started_at=None)
        )


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
        _("fichier CSV ou XLSX"), upload_to=elector_import_path, storage=PrivateImportStorage()
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
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    # The run that holds the job: only it may record the outcome, so a run presumed lost that
    # ends after all cannot overwrite the report of the run that took the job up again.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    report = models.TextField(_("compte rendu"), blank=True)
    # Progress, written by the running import outside its own transaction (urne.campaign.tasks)
    # so that its page shows it live; the total is counted before (a CSV's line ends, a
    # workbook's size), hence approximate.
    lines_total = models.PositiveIntegerField(
        _("lignes du fichier (environ)"), null=True, blank=True
    )
    lines_done = models.PositiveIntegerField(_("lignes lues"), default=0)
    # The rejected file's problems, one per line and cell: what staff download as a CSV file.
    error_report = models.TextField(_("erreurs par ligne"), blank=True, editable=False)

    objects = ElectorImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("import d'électeurs")
        verbose_name_plural = _("imports d'électeurs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%d/%m/%Y %H:%M})"
