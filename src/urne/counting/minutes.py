"""The procès-verbal of a scrutin: a PDF in French, from its figures (`urne.counting.results`).

It states the scrutin, the bureau de vote électronique (its members' names and roles when given,
lines to fill otherwise), inscrits, votants, blancs et nuls, exprimés, turnout, each list's votes
and share, the seats (titulaires and suppléants) and the elected by name, the fingerprints of
the archive (the hash of its last event, the Result's) and of the sealing, the date and time,
and a place for each member's signature.

`render_minutes(minutes)` is pure (no database); `minutes_of(scrutin)` gathers what it needs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from urne import clock
from urne.campaign.models import Scrutin
from urne.counting.results import (
    ScrutinFigures,
    grade_choice_text,
    percent,
    short_lists_text,
    thousands,
    tie_text,
)
from urne.counting.seats import fraction_text
from urne.web import dates

BLANK_MEMBERS = (
    "Président(e)",
    "Secrétaire",
    "Délégué(e) de liste",
    "Délégué(e) de liste",
    "Délégué(e) de liste",
)
"""The roles printed with lines to fill when the bureau's members are not given."""


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    union: str = ""


@dataclass(frozen=True)
class Minutes:
    """What the procès-verbal states besides the figures."""

    figures: ScrutinFigures
    campaign: str
    organizer: str
    scrutin_kind: str
    members: tuple[Member, ...] = ()
    """The bureau's members (empty: lines to fill)."""
    election_fingerprint: str = ""
    sealing_fingerprint: str | None = None
    """None: no sealing recorded (a labelled line says so)."""
    made_at: datetime | None = None


def _pdf_text(value: str) -> str:
    # The standard PDF fonts have no narrow no-break space: a no-break space instead.
    return escape(value.replace("\u202f", "\u00a0"))


def _n(value: int) -> str:
    return _pdf_text(thousands(value))


def render_minutes(minutes: Minutes) -> bytes:
    """The PDF of the procès-verbal, in French whatever the reader's language (the minutes are
    the legal record of the count)."""
    with translation.override("fr"):
        return _render(minutes)


def _render(minutes: Minutes) -> bytes:
    figures = minutes.figures
    scrutin = figures.scrutin
    made_at = minutes.made_at or clock.now()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Procès-verbal — %(scrutin)s") % {"scrutin": scrutin.name},
        author=minutes.organizer,
        subject=minutes.campaign,
        lang="fr",
    )
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    mono = ParagraphStyle("mono", parent=body, fontName="Courier", fontSize=8, leading=10)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )
    story: list[Flowable] = [
        Paragraph(_pdf_text(minutes.campaign), body),
        Paragraph(_pdf_text(_("Procès-verbal des opérations électorales")), styles["Title"]),
        Paragraph(_pdf_text(scrutin.name), styles["Heading2"]),
        Paragraph(
            _pdf_text(
                _("Scrutin : %(kind)s — code %(code)s%(academy)s")
                % {
                    "kind": minutes.scrutin_kind,
                    "code": scrutin.code,
                    "academy": (
                        _(" — académie de %(academy)s") % {"academy": scrutin.academy}
                        if scrutin.academy
                        else ""
                    ),
                }
            ),
            body,
        ),
        Paragraph(
            _pdf_text(
                _("Sièges à pourvoir : %(seats)s de titulaires et autant de suppléants.")
                % {"seats": scrutin.seats}
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(_pdf_text(_("Bureau de vote électronique")), styles["Heading3"]),
    ]
    if minutes.members:
        story += [
            Paragraph(
                _pdf_text(
                    f"{member.role} : {member.name}"
                    + (f" ({member.union})" if member.union else "")
                ),
                body,
            )
            for member in minutes.members
        ]
    else:
        story += [
            Paragraph(_pdf_text(f"{role} : ________________________________________"), body)
            for role in BLANK_MEMBERS
        ]
    story += [
        Spacer(1, 4 * mm),
        Paragraph(_pdf_text(_("Résultats")), styles["Heading3"]),
        Table(
            [
                [_("Décompte"), _("Nombre")],
                [_("Inscrits"), _n(figures.inscrits)],
                [_("Votants"), _n(figures.votants)],
                [_("Bulletins blancs"), _n(figures.blancs)],
                [_("Bulletins nuls"), _n(figures.nuls)],
                [_("Suffrages valablement exprimés"), _n(figures.exprimes)],
                [_("Participation"), _pdf_text(percent(figures.turnout))],
            ],
            colWidths=[110 * mm, 50 * mm],
            style=grid,
        ),
        Paragraph(
            _pdf_text(
                _(
                    "Bulletins nuls : aucun ne peut être compté, l'urne électronique refuse tout "
                    "bulletin dont les preuves ne sont pas valides."
                )
            ),
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    allocation = figures.allocation
    quotient = (
        _("Quotient électoral : %(exprimes)s ÷ %(seats)s = %(quotient)s")
        % {
            "exprimes": thousands(figures.exprimes),
            "seats": allocation.quotient_seats,
            "quotient": fraction_text(allocation.quotient),
        }
        if allocation.quotient is not None
        else _("Quotient électoral : aucun (aucun suffrage exprimé).")
    )
    rows: list[list[object]] = [
        [_("Liste"), _("Voix"), _("Part"), _("Titulaires"), _("Suppléants")]
    ]
    rows += [
        [
            Paragraph(_pdf_text(entry.title), small),
            _n(entry.votes),
            _pdf_text(percent(entry.share)),
            str(entry.titulaires),
            str(entry.suppleants),
        ]
        for entry in figures.lists
    ]
    story += [
        Paragraph(_pdf_text(_("Voix et sièges par liste")), styles["Heading3"]),
        Table(rows, colWidths=[80 * mm, 25 * mm, 25 * mm, 22 * mm, 22 * mm], style=grid),
        Paragraph(_pdf_text(quotient), small),
        Paragraph(
            _pdf_text(
                _("Règle appliquée aux listes incomplètes : %(rule)s.")
                % {"rule": short_lists_text(scrutin.short_lists)}
            ),
            small,
        ),
        Paragraph(
            _pdf_text(_("Égalité : %(rule)s.") % {"rule": tie_text(scrutin.tie_by_candidates)}),
            small,
        ),
    ]
    if not figures.complete and allocation.draw_needed is not None:
        tie = allocation.draw_needed
        story.append(
            Paragraph(
                _pdf_text(
                    _(
                        "Égalité pour le siège %(seat)s entre %(lists)s : un tirage au sort "
                        "départage ces listes ; les sièges restants ne sont pas attribués."
                    )
                    % {"seat": tie.seat, "lists": ", ".join(tie.lists)}
                ),
                body,
            )
        )
    if figures.grades is not None:
        story += _grades_story(figures, body, small, grid)
    drawn = figures.recorded_draw
    if drawn is not None:
        story.append(
            Paragraph(
                _pdf_text(
                    _(
                        "Égalité de moyenne et de voix pour le siège %(seat)s entre %(lists)s, "
                        "départagée par tirage au sort (ordre du tirage : %(order)s), enregistré "
                        "par %(who)s le %(when)s."
                    )
                    % {
                        "seat": drawn.seat,
                        "lists": ", ".join(sorted(drawn.lists)),
                        "order": ", ".join(drawn.lists),
                        "who": drawn.recorded_by,
                        "when": (
                            dates.day_month_year_hour(drawn.recorded_at)
                            if drawn.recorded_at is not None
                            else "—"
                        ),
                    }
                ),
                body,
            )
        )
        story += [
            Paragraph(
                _pdf_text(
                    _("Siège %(seat)s attribué par tirage au sort à %(list)s.")
                    % {"seat": step.seat, "list": step.list}
                ),
                body,
            )
            for step in figures.drawn_seats
        ]
        story.append(
            Paragraph(
                _pdf_text(_("Déroulement du tirage : %(account)s") % {"account": drawn.account}),
                body,
            )
        )
    if figures.result.unfilled_titulaires or figures.result.unfilled_suppleants:
        story.append(
            Paragraph(
                _pdf_text(
                    _(
                        "Sièges non pourvus, attribués par tirage au sort parmi les électeurs "
                        "éligibles : %(titulaires)s de titulaires, %(suppleants)s de suppléants."
                    )
                    % {
                        "titulaires": figures.result.unfilled_titulaires,
                        "suppleants": figures.result.unfilled_suppleants,
                    }
                ),
                body,
            )
        )
    story += [Spacer(1, 4 * mm), Paragraph(_pdf_text(_("Élus")), styles["Heading3"])]
    any_elected = False
    for entry in figures.lists:
        if not entry.elected_titulaires and not entry.elected_suppleants:
            continue
        any_elected = True
        story.append(Paragraph(f"<b>{_pdf_text(entry.title)}</b>", body))
        if entry.grades:
            for held in entry.grades:
                if not held.titulaires:
                    continue
                story.append(
                    Paragraph(
                        _pdf_text(
                            _("Grade %(grade)s — titulaires : %(t)s ; suppléants : %(s)s")
                            % {
                                "grade": held.grade,
                                "t": ", ".join(held.titulaires) or "—",
                                "s": ", ".join(held.suppleants) or "—",
                            }
                        ),
                        body,
                    )
                )
            continue
        story.append(
            Paragraph(
                _pdf_text(
                    _("Titulaires : %(names)s")
                    % {"names": ", ".join(entry.elected_titulaires) or "—"}
                ),
                body,
            )
        )
        story.append(
            Paragraph(
                _pdf_text(
                    _("Suppléants : %(names)s")
                    % {"names": ", ".join(entry.elected_suppleants) or "—"}
                ),
                body,
            )
        )
    if not any_elected:
        story.append(Paragraph(_pdf_text(_("Aucun candidat élu.")), body))
    sealing = minutes.sealing_fingerprint or _("non disponible (aucun scellement enregistré)")
    story += [
        Spacer(1, 4 * mm),
        Paragraph(_pdf_text(_("Empreintes")), styles["Heading3"]),
        Paragraph(_pdf_text(_("Empreinte de l'archive (dernier événement) :")), small),
        Paragraph(_pdf_text(figures.counts.fingerprint or "—"), mono),
        Paragraph(_pdf_text(_("Empreinte de l'élection :")), small),
        Paragraph(_pdf_text(minutes.election_fingerprint or "—"), mono),
        Paragraph(_pdf_text(_("Empreinte du scellement :")), small),
        Paragraph(_pdf_text(sealing), mono),
        Spacer(1, 4 * mm),
        Paragraph(
            _pdf_text(
                _("Fait le %(when)s (heure de Paris).")
                % {"when": dates.day_month_year_hour(made_at)}
            ),
            body,
        ),
    ]
    signers = [f"{member.role} — {member.name}" for member in minutes.members] or list(
        BLANK_MEMBERS
    )
    signatures = Table(
        [[Paragraph(_pdf_text(signer), small), ""] for signer in signers],
        colWidths=[80 * mm, 94 * mm],
        rowHeights=[16 * mm] * len(signers),
        style=TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        ),
    )
    story.append(
        KeepTogether(
            [
                Paragraph(_pdf_text(_("Signatures des membres du bureau")), styles["Heading3"]),
                signatures,
            ]
        )
    )
    pdf.build(story)
    return buffer.getvalue()


def _grades_story(
    figures: ScrutinFigures, body: Any, small: Any, grid: TableStyle
) -> list[Flowable]:
    """A CAP counted grade by grade: the seats each list holds in each grade, how they were
    placed, and what is left."""
    grades = figures.grades
    if grades is None:  # pragma: no cover - called only with grades
        return []
    story: list[Flowable] = [
        Spacer(1, 3 * mm),
        Paragraph(_pdf_text(_("Sièges par grade")), body),
    ]
    head: list[object] = [_("Liste"), _("Obtenus")]
    head += [
        Paragraph(_pdf_text(f"{grade} ({seats})"), small) for grade, seats in figures.scrutin.grades
    ]
    rows: list[list[object]] = [head]
    rows += [
        [
            Paragraph(_pdf_text(entry.title), small),
            str(entry.won if entry.won is not None else entry.titulaires),
            *(str(len(held.titulaires)) for held in entry.grades),
        ]
        for entry in figures.lists
    ]
    width = 174 * mm
    first = 60 * mm
    rest = (width - first - 20 * mm) / max(len(figures.scrutin.grades), 1)
    story.append(
        Table(rows, colWidths=[first, 20 * mm] + [rest] * len(figures.scrutin.grades), style=grid)
    )
    story.append(
        Paragraph(
            _pdf_text(
                _(
                    "Répartition entre les grades (décret n° 82-451, art. 21) : les listes "
                    "choisissent à tour de rôle, dans l'ordre décroissant des sièges obtenus puis "
                    "des voix, un siège par grade et par tour, sans empêcher une autre liste "
                    "d'obtenir ses sièges ; le choix d'une liste est celui de son délégué au "
                    "bureau, tel qu'il est enregistré, ou, à défaut, l'ordre de ses candidats ; "
                    "les sièges restants vont à la liste qui a le plus de voix parmi celles qui "
                    "présentent encore un candidat du grade."
                )
            ),
            small,
        )
    )
    if grades.order_tie:
        story.append(
            Paragraph(
                _pdf_text(
                    _(
                        "Égalité de sièges et de voix entre %(lists)s : un tirage au sort "
                        "doit fixer l'ordre dans lequel ces listes choisissent leurs grades ; "
                        "les sièges ne sont pas encore répartis entre les grades."
                    )
                    % {"lists": ", ".join(grades.order_tie)}
                ),
                body,
            )
        )
    else:
        story.append(
            Paragraph(
                _pdf_text(
                    _("Ordre de choix des listes : %(order)s.") % {"order": ", ".join(grades.order)}
                ),
                small,
            )
        )
    if grades.complete:
        story += [
            Paragraph(
                _pdf_text(
                    _("Grades de la liste %(list)s placés %(how)s.")
                    % {"list": entry.title, "how": grade_choice_text(figures, entry.title)}
                ),
                small,
            )
            for entry in figures.lists
            if entry.titulaires
        ]
    drawn = figures.recorded_order
    if drawn is not None:
        story.append(
            Paragraph(
                _pdf_text(
                    _(
                        "Ordre de choix entre %(lists)s, à égalité de sièges et de voix, fixé par "
                        "tirage au sort (ordre du tirage : %(order)s), enregistré par %(who)s le "
                        "%(when)s. Déroulement du tirage : %(account)s"
                    )
                    % {
                        "lists": ", ".join(sorted(drawn.lists)),
                        "order": ", ".join(drawn.lists),
                        "who": drawn.recorded_by,
                        "when": (
                            dates.day_month_year_hour(drawn.recorded_at)
                            if drawn.recorded_at is not None
                            else "—"
                        ),
                        "account": drawn.account,
                    }
                ),
                body,
            )
        )
    story += [
        Paragraph(
            _pdf_text(
                _(
                    "Grade %(grade)s : %(count)s siège(s) sans candidat, à attribuer par tirage "
                    "au sort parmi les électeurs éligibles."
                )
                % {"grade": grade, "count": count}
            ),
            body,
        )
        for grade, count in grades.unfilled.items()
    ]
    return story


_ROLE_ORDER = {"president": 0, "secretary": 1, "delegate": 2}


def bureau_members(scrutin: Scrutin) -> tuple[Member, ...]:
    """The members of the bureau that covers `scrutin` (`urne.counting.models`), president and
    secretary first; none when no bureau covers it. A member is named by their elector's name
    when their account is an elector's, by their account's address otherwise."""
    from urne.campaign.models import family_name
    from urne.counting.models import BureauMember, BureauScrutin

    link = BureauScrutin.objects.filter(scrutin=scrutin).first()
    if link is None:
        return ()
    members = BureauMember.objects.filter(bureau_id=link.bureau_id).select_related(
        "user", "user__elector", "union"
    )
    named = []
    for member in sorted(members, key=lambda item: (_ROLE_ORDER.get(item.role, 9), item.pk)):
        elector = member.user.elector
        name = (
            f"{elector.first_name} {family_name(elector.last_name)}"
            if elector is not None
            else str(member.user)
        )
        role = str(member.get_role_display())
        named.append(
            Member(name, role[:1].upper() + role[1:], member.union.acronym if member.union else "")
        )
    return tuple(named)


def sealing_fingerprint(scrutin: Scrutin) -> str | None:
    """The fingerprint of the campaign's latest seal (`urne.sealing`); None before any."""
    from urne.sealing.services import latest_seal

    seal = latest_seal(scrutin.campaign)
    return seal.fingerprint if seal is not None else None


def minutes_of(figures: ScrutinFigures, scrutin: Scrutin) -> Minutes:
    """The procès-verbal's data for `scrutin` with its `figures`: the members of its bureau
    (lines to fill when no bureau covers it) and the fingerprint of its campaign's seal (a
    labelled line when it was never sealed)."""
    election = getattr(scrutin, "election", None)
    return Minutes(
        figures=figures,
        campaign=scrutin.campaign.name,
        organizer=scrutin.campaign.organizer,
        scrutin_kind=str(scrutin.get_kind_display()),
        members=bureau_members(scrutin),
        election_fingerprint=election.fingerprint if election is not None else "",
        sealing_fingerprint=sealing_fingerprint(scrutin),
        made_at=clock.now(),
    )
