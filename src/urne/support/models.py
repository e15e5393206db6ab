"""Support: the questions electors ask most, answered once and kept up to date by staff."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Campaign, Elector


class FaqEntryQuerySet(models.QuerySet["FaqEntry"]):
    def published(self) -> FaqEntryQuerySet:
        return self.filter(published=True)


class FaqEntry(models.Model):
    """One question of the FAQ, in French, with an optional English version.

    The FAQ is content that staff edit, so its English lives in the database next to the French
    rather than in the site's translation catalogue.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="faq_entries", verbose_name=_("campagne")
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(
        _("réponse"),
        help_text=_(
            "Texte simple : une ligne vide sépare les paragraphes ; les liens sont actifs."
        ),
    )
    question_en = models.CharField(_("question (anglais)"), max_length=300, blank=True)
    answer_en = models.TextField(_("réponse (anglais)"), blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    published = models.BooleanField(_("publiée"), default=True)

    objects = FaqEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("question de la FAQ")
        verbose_name_plural = _("questions de la FAQ")
        ordering = ["campaign", "order", "id"]

    def __str__(self) -> str:
        return self.question

    def _in_english(self) -> bool:
        # Both halves or neither: a French answer under an English question would confuse.
        english = (get_language() or "fr").startswith("en")
        return english and bool(self.question_en) and bool(self.answer_en)

    @property
    def localized_question(self) -> str:
        """The question in the visitor's language when staff provided it, French otherwise."""
        return self.question_en if self._in_english() else self.question

    @property
    def localized_answer(self) -> str:
        return self.answer_en if self._in_english() else self.answer


class HelpdeskElector(Elector):
    """An elector as the helpdesk sees them: a proxy that carries the helpdesk's own rights
    (Django permissions, given through groups); the data and its perimeter are the elector's.

    Reading an elector (search, their page) is Django's *view elector*; these two are the
    helpdesk's actions on the elector's account (`urne.support.helpdesk`)."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = _("électeur (assistance)")
        verbose_name_plural = _("électeurs (assistance)")
        permissions = [
            (
                "resend_confirmation",
                _("Peut renvoyer à un électeur le message de confirmation de son compte"),
            ),
            (
                "unlock_account",
                _("Peut débloquer le compte d'un électeur après vérification de son identité"),
            ),
        ]
