"""The rules a list of candidates must meet: one function, `check_list`, says every way it fails.

What the texts ask (docs/candidacies.md, /work/shared/DOMAIN.md):
- each candidate is an elector of the scrutin's roll, and stands once, on one list of the scrutin;
- the number of names fits the scrutin's seats of titulaires plus its seats of suppléants
  (set in the setup), by the kind of body: `NAME_RULES`, kept as data since the texts change; a CAP
  whose seats are set grade by grade (`ScrutinGrade`) is counted grade by grade;
- the shares of women and men on the list are those of the electorate, the union choosing to
  round up or down (the electorate is the scrutin's roll; a « Mme » is counted a woman);
- a union files at most one list per scrutin; a joint list declares how its votes are split
  between its unions (shares summing to 100 %), or none (equal shares);
- the profession de foi is filed with the list.

Submitting (`urne.candidacies.filing.do_submit_list`) and validating refuse a list with any
failure; the pages show them all, in French, naming the candidate, the rule and what is expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil
from typing import Final

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from urne.campaign.models import Civilite, RollEntry, Scrutin, ScrutinGrade
from urne.candidacies.models import Candidate, CandidateList, ListUnion


@dataclass(frozen=True)
class NameRule:
    """How many names a list holds, as fractions of the seats of titulaires and suppléants."""

    at_least: Fraction
    at_most: Fraction = Fraction(1)
    per_grade: bool = False
    """Counted grade by grade when the scrutin has seats per grade (`ScrutinGrade`)."""

    def bounds(self, places: int) -> tuple[int, int]:
        """The fewest and most names for `places` seats, titulaires and suppléants together."""
        return ceil(places * self.at_least), int(places * self.at_most)


# Comités (CSA) and consultative commissions: at least two thirds of the seats of titulaires and
# suppléants, at most all of them (décret n° 2011-184, art. 20, carried into the later texts).
# CAP: as many names as seats (the 2011–2018 texts).
NAME_RULES: Final[dict[str, NameRule]] = {
    Scrutin.Kind.CSA: NameRule(at_least=Fraction(2, 3)),
    Scrutin.Kind.CAP: NameRule(at_least=Fraction(1), per_grade=True),
    Scrutin.Kind.CCP: NameRule(at_least=Fraction(2, 3)),
}

# Lists whose candidates are taken: a candidate on one of these stands nowhere else. Drafts do
# not count (a union may hesitate); a rejected list no longer holds anyone.
FILED: Final = (CandidateList.Status.SUBMITTED, CandidateList.Status.VALIDATED)


def names_allowed(scrutin: Scrutin) -> tuple[int, int]:
    return NAME_RULES[scrutin.kind].bounds(scrutin.seats + scrutin.substitute_seats)


@dataclass(frozen=True)
class Electorate:
    """The scrutin's roll, by civilité."""

    women: int
    total: int

    @property
    def men(self) -> int:
        return self.total - self.women

    def women_allowed(self, names: int) -> tuple[int, int]:
        """The number of women a list of `names` may hold: the electorate's share, rounded
        down or up."""
        exact = Fraction(names * self.women, self.total)
        return int(exact), ceil(exact)


def electorate(scrutin: Scrutin) -> Electorate:
    counts = RollEntry.objects.filter(scrutin=scrutin).aggregate(
        total=Count("id"), women=Count("id", filter=Q(elector__civilite=Civilite.MME))
    )
    return Electorate(women=counts["women"], total=counts["total"])


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %"


def _who(number: int, candidate: Candidate) -> str:
    return _("Candidat n° %(number)d (%(name)s)") % {"number": number, "name": candidate}


def check_list(candidate_list: CandidateList) -> list[str]:
    """Every rule `candidate_list` breaks, each as one French sentence (empty: none)."""
    scrutin = candidate_list.scrutin
    failures: list[str] = []
    candidates = list(candidate_list.candidates.select_related("elector").order_by("position"))
    shares = list(
        ListUnion.objects.filter(candidate_list=candidate_list)
        .select_related("union")
        .order_by("union__acronym")
    )
    failures += _check_unions(candidate_list, shares)
    grades = list(scrutin.grade_seats.all()) if NAME_RULES[scrutin.kind].per_grade else []
    if grades:
        failures += _check_count_per_grade(scrutin, grades, candidates)
    else:
        failures += _check_count(scrutin, len(candidates))
    failures += _check_candidates(candidate_list, candidates)
    failures += _check_women_and_men(scrutin, candidates)
    if not candidate_list.profession_de_foi:
        failures.append(_("La profession de foi (un fichier PDF) n'est pas encore déposée."))
    return failures


def _check_unions(candidate_list: CandidateList, shares: list[ListUnion]) -> list[str]:
    failures: list[str] = []
    if not shares:
        return [_("La liste ne nomme aucune organisation syndicale.")]
    others = (
        CandidateList.objects.filter(scrutin=candidate_list.scrutin)
        .exclude(pk=candidate_list.pk)
        .exclude(status=CandidateList.Status.REJECTED)
    )
    for row in shares:
        other = others.filter(unions=row.union).first()
        if other is not None:
            failures.append(
                _(
                    "L'organisation « %(union)s » a déjà une liste pour ce scrutin "
                    "(« %(other)s ») : une organisation dépose au plus une liste par scrutin."
                )
                % {"union": row.union.acronym, "other": other.title}
            )
    if len(shares) < 2:
        return failures
    declared = [row for row in shares if row.share is not None]
    if not declared:
        return failures  # equal shares
    for row in shares:
        if row.share is None:
            failures.append(
                _(
                    "La part de « %(union)s » dans la liste commune n'est pas déclarée : "
                    "déclarez la part de chaque organisation, ou d'aucune (parts égales)."
                )
                % {"union": row.union.acronym}
            )
        elif row.share <= 0:
            failures.append(
                _("La part déclarée de « %(union)s » doit être supérieure à 0 %%.")
                % {"union": row.union.acronym}
            )
    total = sum((row.share for row in declared if row.share is not None), Decimal(0))
    if len(declared) == len(shares) and total != 100:
        failures.append(
            _(
                "Les parts déclarées de la liste commune totalisent %(total)s %% : elles "
                "doivent totaliser 100 %%."
            )
            % {"total": f"{total.normalize():f}"}
        )
    return failures


def _check_count(scrutin: Scrutin, count: int) -> list[str]:
    fewest, most = names_allowed(scrutin)
    if fewest <= count <= most:
        return []
    seats = {
        "kind": scrutin.kind,
        "seats": scrutin.seats,
        "substitutes": scrutin.substitute_seats,
    }
    if fewest == most:
        expected = _("exactement %(most)d") % {"most": most}
    else:
        expected = _("entre %(fewest)d et %(most)d") % {"fewest": fewest, "most": most}
    return [
        _(
            "La liste compte %(count)d candidat(s) ; pour ce scrutin (%(kind)s, %(seats)d "
            "sièges de titulaires et %(substitutes)d de suppléants), elle doit en compter "
            "%(expected)s."
        )
        % {**seats, "count": count, "expected": expected}
    ]


def _check_count_per_grade(
    scrutin: Scrutin, grades: list[ScrutinGrade], candidates: list[Candidate]
) -> list[str]:
    """A CAP counted grade by grade: for each grade with seats, as many names of that grade as
    its seats of titulaires and suppléants (`NAME_RULES`); a candidate of a grade without seats
    is named. A candidate's grade is the roll's (candidates not found on it fail elsewhere)."""
    rule = NAME_RULES[scrutin.kind]
    by_grade = {grade_key(row.grade): row for row in grades}
    counts = dict.fromkeys(by_grade, 0)
    failures: list[str] = []
    for candidate in candidates:
        if candidate.elector is None:
            continue
        key = grade_key(candidate.elector.grade)
        if key in counts:
            counts[key] += 1
        else:
            failures.append(
                _(
                    "%(name)s est du grade « %(grade)s », qui n'a pas de sièges dans ce "
                    "scrutin : seuls les grades dont les sièges sont fixés peuvent être "
                    "représentés."
                )
                % {"name": str(candidate), "grade": candidate.elector.grade}
            )
    for key, row in by_grade.items():
        fewest, most = rule.bounds(row.seats + row.substitute_seats)
        if fewest <= counts[key] <= most:
            continue
        if fewest == most:
            expected = _("exactement %(most)d") % {"most": most}
        else:
            expected = _("entre %(fewest)d et %(most)d") % {"fewest": fewest, "most": most}
        failures.append(
            _(
                "La liste compte %(count)d candidat(s) du grade « %(grade)s » ; pour ce grade "
                "(%(seats)d sièges de titulaires et %(substitutes)d de suppléants), elle doit "
                "en compter %(expected)s."
            )
            % {
                "count": counts[key],
                "grade": row.grade,
                "seats": row.seats,
                "substitutes": row.substitute_seats,
                "expected": expected,
            }
        )
    return failures


def grade_key(grade: str) -> str:
    return " ".join(grade.split()).casefold()


def _check_candidates(candidate_list: CandidateList, candidates: list[Candidate]) -> list[str]:
    scrutin = candidate_list.scrutin
    failures: list[str] = []
    on_roll = set(
        RollEntry.objects.filter(
            scrutin=scrutin, elector__in=[c.elector_id for c in candidates if c.elector_id]
        ).values_list("elector_id", flat=True)
    )
    elsewhere = set(
        Candidate.objects.filter(
            candidate_list__scrutin=scrutin,
            candidate_list__status__in=FILED,
            elector__in=on_roll,
        )
        .exclude(candidate_list=candidate_list)
        .values_list("elector_id", flat=True)
    )
    seen: dict[int, int] = {}
    for number, candidate in enumerate(candidates, start=1):
        who = _who(number, candidate)
        if candidate.elector_id is None or candidate.elector_id not in on_roll:
            failures.append(
                _(
                    "%(who)s : introuvable sur la liste électorale du scrutin « %(scrutin)s » ; "
                    "chaque candidat doit y être inscrit (choisissez-le dans la liste "
                    "électorale)."
                )
                % {"who": who, "scrutin": scrutin.name}
            )
            continue
        if candidate.elector_id in seen:
            failures.append(
                _("%(who)s : figure déjà au rang %(first)d de cette liste.")
                % {"who": who, "first": seen[candidate.elector_id]}
            )
        else:
            seen[candidate.elector_id] = number
        if candidate.elector_id in elsewhere:
            failures.append(
                _(
                    "%(who)s : est déjà candidat(e) sur une autre liste déposée pour ce "
                    "scrutin ; un candidat ne figure que sur une seule liste."
                )
                % {"who": who}
            )
    return failures


def _check_women_and_men(scrutin: Scrutin, candidates: list[Candidate]) -> list[str]:
    roll = electorate(scrutin)
    names = len(candidates)
    if not names or not roll.total:
        return []
    women = sum(candidate.civilite == Civilite.MME for candidate in candidates)
    fewest, most = roll.women_allowed(names)
    if fewest <= women <= most:
        return []
    if fewest == most:
        expected = _("%(women)d femme(s) et %(men)d homme(s)") % {
            "women": fewest,
            "men": names - fewest,
        }
    else:
        expected = _(
            "%(fewest)d ou %(most)d femme(s), soit %(men_most)d ou %(men_fewest)d homme(s)"
        ) % {
            "fewest": fewest,
            "most": most,
            "men_most": names - fewest,
            "men_fewest": names - most,
        }
    return [
        _(
            "La liste compte %(women)d femme(s) et %(men)d homme(s) ; l'électorat du scrutin "
            "compte %(women_share)s de femmes et %(men_share)s d'hommes (%(roll_women)d femmes "
            "sur %(roll_total)d inscrits) : pour %(names)d candidats, la liste doit compter "
            "%(expected)s (arrondi au choix de l'organisation)."
        )
        % {
            "women": women,
            "men": names - women,
            "women_share": _percent(roll.women, roll.total),
            "men_share": _percent(roll.men, roll.total),
            "roll_women": roll.women,
            "roll_total": roll.total,
            "names": names,
            "expected": expected,
        }
    ]
