"""The FAQ electors find on the site: a default set, written for the campaign's own calendar.

`seed_default_faq(campaign)` fills a new campaign's FAQ with the answers electors ask for most
(the ministry's guide in seed/ lists them); staff then edit the entries in the back office.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from urne.campaign.models import Campaign
from urne.support.models import FaqEntry
from urne.web import dates


def _default_entries(campaign: Campaign) -> list[tuple[str, str]]:
    """The questions and answers in the active language, with the campaign's dates."""
    when = {
        "year": campaign.year,
        "accounts": dates.day_month_year(campaign.accounts_open_at),
        "rolls": dates.day_month_year(campaign.rolls_published_at),
        "candidacies": dates.day_month_year(campaign.candidacies_published_at),
        "identifiers": dates.day_month_year(campaign.identifiers_available_at),
        "deadline": dates.day_month_year(campaign.corrections_deadline),
        "opens": dates.day_month_year_hour(campaign.vote_opens_at),
        "closes": dates.day_month_year_hour(campaign.vote_closes_at),
    }
    return [
        (
            _("Comment ouvrir mon espace électeur ?"),
            _(
                "Munissez-vous de votre adresse de messagerie professionnelle (le plus souvent "
                "prenom.nom@ac-votre-academie.fr).\n\n"
                "Si vous avez reçu un message vous demandant de confirmer votre compte électeur, "
                "cliquez simplement sur le lien qu'il contient.\n\n"
                "Sinon, choisissez « Créer mon compte », saisissez votre adresse professionnelle "
                "et choisissez un mot de passe. Un message vous est alors envoyé : ouvrez votre "
                "messagerie professionnelle et cliquez sur le lien qu'il contient. Votre compte "
                "est confirmé ; vous pouvez vous connecter à votre espace électeur avec votre "
                "adresse et votre mot de passe.\n\n"
                "La création des comptes est possible à partir du %(accounts)s."
            )
            % when,
        ),
        (
            _("Je n'ai pas reçu le message de confirmation. Que faire ?"),
            _(
                "Le message est envoyé à votre adresse de messagerie professionnelle, pas à une "
                "adresse personnelle. Regardez aussi dans le dossier des courriers "
                "indésirables.\n\n"
                "Le lien de confirmation n'est valable que quelques jours. S'il a expiré, ou si le "
                "message n'arrive pas, suivez sur la page de connexion le lien « Vous n'avez pas "
                "reçu le message de confirmation ? » : un nouveau message vous sera envoyé.\n\n"
                "Si le problème persiste, contactez l'assistance de votre académie."
            ),
        ),
        (
            _("Quelles règles mon mot de passe doit-il respecter ?"),
            _(
                "Votre mot de passe doit contenir au minimum 8 caractères dont au moins une "
                "majuscule, une minuscule et un chiffre. Il ne doit pas ressembler à votre adresse "
                "de messagerie ni être un mot de passe trop courant.\n\n"
                "Choisissez un mot de passe facile à retenir mais que vous n'utilisez nulle part "
                "ailleurs, et ne le communiquez à personne : ni l'administration ni l'assistance "
                "ne vous le demanderont jamais. Le « Mémo élections pro » de votre espace vous "
                "aide à noter votre adresse ; le mot de passe, vous l'y écrivez vous-même."
            ),
        ),
        (
            _("J'ai oublié mon mot de passe. Comment en choisir un nouveau ?"),
            _(
                "Sur la page de connexion, suivez le lien « Mot de passe oublié ? » et saisissez "
                "votre adresse de messagerie professionnelle. Vous recevrez un message avec un "
                "lien pour choisir un nouveau mot de passe."
            ),
        ),
        (
            _("Quand pourrai-je consulter les listes électorales ?"),
            _(
                "Dès le %(rolls)s, dans votre espace électeur, rubrique « Mes scrutins » : pour "
                "chacun de vos scrutins, vous pouvez consulter la liste électorale et y chercher "
                "un nom."
            )
            % when,
        ),
        (
            _("Quand les candidatures seront-elles publiées ?"),
            _(
                "Dès le %(candidacies)s, vous pourrez consulter pour chacun de vos scrutins la "
                "liste des organisations syndicales candidates, leurs professions de foi et leurs "
                "candidats, dans l'ordre officiel des listes."
            )
            % when,
        ),
        (
            _("Quand aurai-je mon identifiant de vote ?"),
            _(
                "Votre identifiant de vote sera disponible à partir du %(identifiers)s. Il est "
                "unique : il vous servira pour tous vos scrutins. Conservez-le et ne le "
                "communiquez à personne."
            )
            % when,
        ),
        (
            _("Mon profil comporte une erreur. Comment la faire corriger ?"),
            _(
                "Vérifiez votre profil dans votre espace électeur : civilité, nom, prénom, corps, "
                "grade et affectation. En cas d'erreur, choisissez « Demander une mise à jour de "
                "mon profil », indiquez l'information à corriger et la bonne valeur. Votre "
                "académie traite la demande ; vous en suivez l'état dans votre profil.\n\n"
                "Les demandes sont possibles jusqu'au %(deadline)s."
            )
            % when,
        ),
        (
            _("Je ne suis pas inscrit(e) sur une liste électorale qui me concerne. Que faire ?"),
            _(
                "La rubrique « Mes scrutins » indique les scrutins auxquels vous êtes appelé(e) à "
                "participer. S'il en manque un, ou si l'un d'eux ne vous concerne pas, demandez "
                "une mise à jour de votre profil en choisissant « Scrutins auxquels je suis "
                "appelé(e) à participer », jusqu'au %(deadline)s."
            )
            % when,
        ),
        (
            _("Quand et comment vote-t-on ?"),
            _(
                "Le vote a lieu par internet, du %(opens)s au %(closes)s (heure de Paris), depuis "
                "tout ordinateur connecté. Vous votez une fois pour chacun de vos scrutins ; un "
                "vote validé est définitif."
            )
            % when,
        ),
        (
            _("Mon vote restera-t-il secret ?"),
            _(
                "Oui. Votre bulletin est chiffré sur votre ordinateur avant d'être envoyé, et il "
                "n'est jamais déchiffré seul : seul le résultat de l'ensemble des bulletins l'est, "
                "par les membres du bureau de vote électronique. La liste d'émargement et l'urne "
                "sont tenues séparément. Chacun peut vérifier, avec des outils indépendants, que "
                "son bulletin est dans l'urne et que le résultat est exact."
            ),
        ),
        (
            _("Qui contacter en cas de problème ?"),
            _(
                "L'assistance de votre académie. Une fois connecté(e), son adresse et son numéro "
                "de téléphone figurent en bas de chaque page ; la page « Assistance » donne ceux "
                "de toutes les académies."
            ),
        ),
    ]


def seed_default_faq(campaign: Campaign) -> int:
    """Add the default questions the campaign's FAQ lacks (in French, with their English);
    returns how many were added. Running it again adds nothing, and it never touches an entry
    staff already have, even an edited one."""
    with translation.override("fr"):
        french = _default_entries(campaign)
    with translation.override("en"):
        english = _default_entries(campaign)
    with transaction.atomic():
        existing = set(
            FaqEntry.objects.filter(campaign=campaign).values_list("question", flat=True)
        )
        start = (
            FaqEntry.objects.filter(campaign=campaign)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
            or 0
        )
        added = [
            FaqEntry(
                campaign=campaign,
                question=question,
                answer=answer,
                # Without a compiled English catalogue gettext returns the French: store no copy.
                question_en=question_en if question_en != question else "",
                answer_en=answer_en if answer_en != answer else "",
                order=start + 10 * (index + 1),
            )
            for index, ((question, answer), (question_en, answer_en)) in enumerate(
                zip(french, english, strict=True)
            )
            if question not in existing
        ]
        FaqEntry.objects.bulk_create(added)
    return len(added)
