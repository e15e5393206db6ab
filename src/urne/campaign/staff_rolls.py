"""The electoral rolls as staff read them in the back office, and their exports for display in
the establishments (CSV and PDF).

Who: staff holding ``campaign.view_rollentry`` (organizers, observers, academy staff given it).
Where: the access layer decides (`urne.backoffice.access`) — a scrutin is reached with
`access_as_staff` (an academy's staff read the national scrutins too), and every listing, count
and export keeps only the electors `scoped` lets them reach: the staff of Dijon see, and export,
the Dijon part of a national roll, never the rest. Each export is written to the audit log.

The rows are the roll as electors read it in their espace (`urne.campaign.services.roll_electors`:
French alphabetical order, never an address), with the civility for the printed list.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from urne import clock
from urne.audit import services as audit
from urne.backoffice import access
from urne.campaign import roll_history
from urne.campaign.models import Academy, Elector, RollChange, RollEntry, Scrutin
from urne.campaign.services import roll_electors
from urne.web import dates
from urne.web.spreadsheet import excel_csv

VIEW_ROLLS: Final = "campaign.view_rollentry"
VIEW_HISTORY: Final = "campaign.view_rollchange"
PAGE_SIZE: Final = 50
HISTORY_PAGE_SIZE: Final = 50


def roll_scrutins(user: access.Staff) -> QuerySet[Scrutin]:
    """The scrutins whose roll `user` may read, each with `roll_size`: its electors within
    their reach."""
    reachable = access.reachable_through(RollEntry, "roll", user)
    return (
        access.scoped(Scrutin.objects.select_related("campaign", "academy"), user)
        .annotate(roll_size=Count("roll", filter=reachable))
        .order_by("-campaign__year", "campaign__name", "level", "academy__name", "name")
    )


def access_roll(user: access.Staff, scrutin_id: int) -> Scrutin:
    """The scrutin `scrutin_id` if `user` reaches it; a 404 otherwise."""
    return access.access_as_staff(
        user, Scrutin.objects.select_related("campaign", "academy"), scrutin_id
    )


def staff_roll(user: access.Staff, scrutin: Scrutin, query: str = "") -> QuerySet[Elector]:
    """The roll's electors that `user` reaches, searched by name like the electors' roll."""
    # only() replaces the roll's own list of fields: the civility is added for the printed roll.
    electors = roll_electors(scrutin, query).only(
        "civilite", "first_name", "last_name", "establishment", "academy__name"
    )
    return access.scoped(electors, user)


@dataclass(frozen=True)
class RollPage:
    page: Page[Elector]
    query: str
    total: int


def search_staff_roll(
    user: access.Staff, scrutin: Scrutin, query: str, page_number: str | int | None
) -> RollPage:
    paginator = Paginator(staff_roll(user, scrutin, query), PAGE_SIZE)
    page = paginator.get_page(page_number)
    return RollPage(page=page, query=query, total=paginator.count)


def perimeter_academies(user: access.Staff, scrutin: Scrutin) -> list[Academy]:
    """The academies `user`'s view of a national roll is cut to; empty when it is whole (their
    perimeter covers the campaign, or the scrutin is one academy's)."""
    reach = access.staff_reach(user)
    if reach.unrestricted or scrutin.campaign_id in reach.campaigns or scrutin.academy_id:
        return []
    return list(Academy.objects.filter(pk__in=reach.academies, campaign=scrutin.campaign))


def roll_history_page(
    user: access.Staff, scrutin: Scrutin, page_number: str | int | None
) -> Page[RollChange]:
    """A page of the roll's history (roll_history.of_roll), within `user`'s perimeter."""
    changes = roll_history.of_roll(access.scoped(RollChange.objects.all(), user), scrutin.pk)
    return Paginator(changes.order_by("-at", "-id"), HISTORY_PAGE_SIZE).get_page(page_number)


# --- Exports -------------------------------------------------------------------------------------


def export_header(scrutin: Scrutin) -> list[str]:
    header = [_("Civilité"), _("Nom"), _("Prénom"), _("Affectation")]
    if scrutin.academy_id is None:
        header.append(_("Académie"))
    return header


def export_line(scrutin: Scrutin, elector: Elector) -> list[str]:
    line = [
        elector.get_civilite_display(),
        elector.family_name,
        elector.first_name,
        elector.establishment,
    ]
    if scrutin.academy_id is None:
        line.append(elector.academy.name)
    return line


def do_export_roll(user: access.Staff, scrutin: Scrutin, kind: str) -> QuerySet[Elector]:
    """The electors of the roll `user` may export (all their reach, no search), after writing
    the export to the audit log (`kind`: "csv" or "pdf")."""
    electors = staff_roll(user, scrutin)
    audit.record(user, "roll.export", scrutin, format=kind, electors=electors.count())
    return electors


def roll_csv(scrutin: Scrutin, electors: Iterable[Elector]) -> Iterator[str]:
    """The roll as CSV for French Excel (`urne.web.spreadsheet.excel_csv`): every cell a
    spreadsheet would run as a formula (=, +, -, @...) made inert."""
    return excel_csv(export_header(scrutin), (export_line(scrutin, e) for e in electors))


def roll_pdf(
    scrutin: Scrutin,
    electors: Iterable[Elector],
    *,
    academies: Iterable[Academy] = (),
    at: datetime | None = None,
) -> bytes:
    """The roll as a PDF to post in establishments: title, campaign, the part of the roll it
    holds (for academy staff, their academies), the moment it was drawn, a table repeating its
    header on each page, and « page n » at the foot."""
    at = at or clock.now()
    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    story: list[Flowable] = [
        Paragraph(
            _escape(_("Liste électorale — %(scrutin)s") % {"scrutin": scrutin.name}),
            styles["Title"],
        ),
        Paragraph(_escape(scrutin.campaign.name), styles["Heading2"]),
    ]
    names = [academy.name for academy in academies]
    if names:
        story.append(
            Paragraph(
                _escape(
                    _("Électeurs de l'académie de : %(academies)s")
                    % {"academies": ", ".join(names)}
                ),
                cell,
            )
        )
    rows = [export_header(scrutin)]
    rows += [export_line(scrutin, elector) for elector in electors]
    story.append(
        Paragraph(
            _escape(
                _("%(count)d électeur(s) inscrit(s), liste arrêtée le %(date)s.")
                % {"count": len(rows) - 1, "date": dates.day_month_year_hour(at)}
            ),
            cell,
        )
    )
    story.append(Spacer(1, 4 * mm))
    table = LongTable(
        [[Paragraph(_escape(text), cell) for text in row] for row in rows],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    output = io.BytesIO()
    title = _("Liste électorale — %(scrutin)s") % {"scrutin": scrutin.name}

    def footer(canvas: object, document: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        canvas.drawString(  # type: ignore[attr-defined]
            15 * mm,
            8 * mm,
            f"{title} — " + _("page %(page)d") % {"page": canvas.getPageNumber()},  # type: ignore[attr-defined]
        )
        canvas.restoreState()  # type: ignore[attr-defined]

    document = SimpleDocTemplate(
        output,
        pagesize=landscape(A4),
        title=title,
        author=scrutin.campaign.organizer,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return output.getvalue()


def _escape(text: str) -> str:
    """Text for a reportlab Paragraph, which reads a little markup: names are never markup."""
    from xml.sax.saxutils import escape

    return escape(text)
