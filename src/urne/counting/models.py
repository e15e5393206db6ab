"""The bureau de vote électronique and its key ceremony (docs/bureau.md).

A `Bureau` covers some scrutins of a campaign; its `BureauMember`s are staff accounts with a role
(and a union for a delegate). When the ceremony opens, each member receives their fragments
(`KeyFragment`: one trustee of one of the two Pedersen groups of `urne.counting.composition`),
and every message of the ceremony is kept on the fragment: the certificate, the polynomial, the
vinput the server routes to it, the voutput. All are public or encrypted for their recipient:
no private key or seed ever reaches the server.

Other counting models (the closing, the partial decryptions) live in the voting app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Campaign, Scrutin
from urne.candidacies.models import Union
from urne.counting.composition import KeyGroup
from urne.counting.composition import Role as RuleRole


class Bureau(models.Model):
    class Step(models.TextChoices):
        COMPOSING = "composing", _("composition du bureau")
        CERTIFICATES = "certificates", _("certificats")
        POLYNOMIALS = "polynomials", _("polynômes")
        VOUTPUTS = "voutputs", _("parts de clé")
        COMPLETE = "complete", _("cérémonie terminée")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="bureaus")
    name = models.CharField(_("nom"), max_length=200)
    scrutins: models.ManyToManyField[Scrutin, BureauScrutin] = models.ManyToManyField(
        Scrutin, through="BureauScrutin", related_name="bureaus", verbose_name=_("scrutins")
    )
    step = models.CharField(
        _("étape de la cérémonie"), max_length=12, choices=Step.choices, default=Step.COMPOSING
    )
    trustees = models.TextField(_("trustees.json"), blank=True)
    completed_at = models.DateTimeField(_("cérémonie terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("bureau de vote électronique")
        verbose_name_plural = _("bureaux de vote électronique")
        ordering = ["campaign", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="bureau_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BureauScrutin(models.Model):
    """A scrutin covered by a bureau: one bureau per scrutin."""

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE)
    scrutin = models.OneToOneField(Scrutin, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("scrutin couvert")
        verbose_name_plural = _("scrutins couverts")

    def __str__(self) -> str:
        return f"{self.bureau} — {self.scrutin}"


class BureauMember(models.Model):
    class Role(models.TextChoices):
        PRESIDENT = RuleRole.PRESIDENT.value, _("président")
        SECRETARY = RuleRole.SECRETARY.value, _("secrétaire")
        DELEGATE = RuleRole.DELEGATE.value, _("délégué syndical")

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bureau_memberships"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    union = models.ForeignKey(
        Union,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation syndicale"),
    )

    class Meta:
        verbose_name = _("membre du bureau")
        verbose_name_plural = _("membres du bureau")
        ordering = ["bureau", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "user"], name="bureau_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class KeyFragment(models.Model):
    """One trustee of one Pedersen group, held by a member; the ceremony's messages about it."""

    class Group(models.TextChoices):
        PRESIDENCY = KeyGroup.PRESIDENCY.value, _("présidence (président ou secrétaire)")
        UNIONS = KeyGroup.UNIONS.value, _("organisations syndicales")

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="fragments")
    member = models.ForeignKey(BureauMember, on_delete=models.PROTECT, related_name="fragments")
    group = models.CharField(_("groupe"), max_length=10, choices=Group.choices)
    position = models.PositiveSmallIntegerField(_("position dans le groupe"))
    cert = models.TextField(_("certificat"), blank=True)
    cert_name = models.CharField(_("empreinte du certificat"), max_length=64, blank=True)
    polynomial = models.TextField(_("polynôme"), blank=True)
    vinput = models.TextField(_("vinput"), blank=True)
    voutput = models.TextField(_("voutput"), blank=True)

    class Meta:
        verbose_name = _("fragment de clé")
        verbose_name_plural = _("fragments de clé")
        ordering = ["bureau", "group", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "group", "position"], name="key_fragment_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.position}"


class Proclamation(models.Model):
    """The bureau's proclamation of a scrutin's results: once, by whom, when. The public results
    (/resultats/) show only proclaimed scrutins (`urne.counting.results.is_proclaimed`)."""

    scrutin = models.OneToOneField(
        Scrutin, on_delete=models.PROTECT, related_name="proclamation", verbose_name=_("scrutin")
    )
    proclaimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proclamé par"),
    )
    role = models.CharField(
        _("qualité"),
        max_length=10,
        blank=True,
        help_text=_("président ou secrétaire du bureau ; vide pour un agent habilité"),
    )
    proclaimed_at = models.DateTimeField(_("proclamé le"))

    class Meta:
        verbose_name = _("proclamation des résultats")
        verbose_name_plural = _("proclamations des résultats")
        ordering = ["-proclaimed_at"]
        permissions = [("proclaim_result", _("Peut proclamer les résultats d'un scrutin"))]

    def __str__(self) -> str:
        return f"{self.scrutin} — {self.proclaimed_at:%d/%m/%Y %H:%M}"


class BureauRecord(models.Model):
    """Who recorded a decision of the bureau on a scrutin's results, in what role, and when
    (`urne.counting.draws`, `urne.counting.preferences`)."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    role = models.CharField(
        _("qualité"),
        max_length=10,
        blank=True,
        help_text=_("président ou secrétaire du bureau ; vide pour un agent habilité"),
    )
    recorded_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        abstract = True


class SeatDraw(BureauRecord):
    """The recorded outcome of a draw between tied lists (docs/results.md, « The recorded
    draw »): for a seat of titulaire (`SEAT`: equal averages and votes, fewer seats than tied
    lists, docs/seats.md step 5), or for the order in which the lists of a CAP counted grade by
    grade choose their grades (`GRADE_ORDER`: as many seats and votes). The tied lists in the
    order drawn (the first ones win, or choose first), the seat it decides, who recorded it,
    when, and how it was drawn. Once per scrutin and kind, before the proclamation
    (`urne.counting.draws`); `urne.counting.results.figures_of` applies it."""

    class Kind(models.TextChoices):
        SEAT = "seat", _("siège à égalité")
        GRADE_ORDER = "grade_order", _("ordre de choix des grades")

    scrutin = models.ForeignKey(
        Scrutin, on_delete=models.PROTECT, related_name="seat_draws", verbose_name=_("scrutin")
    )
    kind = models.CharField(_("objet du tirage"), max_length=12, choices=Kind.choices)
    seat = models.PositiveSmallIntegerField(_("premier siège départagé"), null=True, blank=True)
    order = models.JSONField(_("listes dans l'ordre du tirage"))
    """The tied lists' titles, in the order drawn."""
    account = models.TextField(_("déroulement du tirage"))

    class Meta:
        verbose_name = _("tirage au sort entre listes à égalité")
        verbose_name_plural = _("tirages au sort entre listes à égalité")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "kind"], name="seat_draw_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin} — {self.get_kind_display()}"


class GradePreference(BureauRecord):
    """The order of preference among grades a list of a CAP counted grade by grade chose at the
    bureau (décret n° 82-451, art. 21 b; docs/results.md « The lists' choices of grades »): the
    grades where the list has candidates, in the order its delegate chose them. Recorded before
    the proclamation by those who record a draw (`urne.counting.preferences`); it may be
    replaced until the proclamation: each version is a row (and an audit entry), the latest
    per list applies (`urne.counting.results.figures_of`)."""

    scrutin = models.ForeignKey(
        Scrutin,
        on_delete=models.PROTECT,
        related_name="grade_preferences",
        verbose_name=_("scrutin"),
    )
    list_title = models.CharField(_("liste"), max_length=200)
    grades = models.JSONField(_("grades dans l'ordre choisi"))
    """The grades' names, in the order chosen."""

    class Meta:
        verbose_name = _("choix des grades d'une liste")
        verbose_name_plural = _("choix des grades des listes")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scrutin} — {self.list_title}"
