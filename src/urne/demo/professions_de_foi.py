"""Professions de foi for the demonstration: a real PDF per list, drawn with ReportLab."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


@dataclass(frozen=True)
class CandidateLine:
    rank: int
    name: str
    corps_grade: str
    affectation: str


@dataclass(frozen=True)
class ProfessionDeFoi:
    """What a union writes for one list: everything the PDF shows."""

    campaign: str
    scrutin: str
    title: str
    unions: tuple[str, ...]  # "Name (ACRONYM)"
    programme: tuple[str, ...]
    candidates: tuple[CandidateLine, ...]
    colour: str


def render_profession_de_foi(document: ProfessionDeFoi) -> bytes:
    """The PDF's bytes. `invariant` makes them depend on the content only (no date, no random
    identifier), so the demonstration is the same every time it is generated."""
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Profession de foi — {document.title}",
        author=", ".join(document.unions),
        subject=document.scrutin,
        lang="fr",
        invariant=True,
    )
    styles = getSampleStyleSheet()
    banner = ParagraphStyle(
        "banner",
        parent=styles["Title"],
        textColor=colors.white,
        backColor=colors.HexColor(document.colour),
        borderPadding=6,
        fontSize=18,
        leading=22,
    )
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8, leading=10)
    cell = ParagraphStyle("cell", parent=styles["Normal"], fontSize=8.5, leading=10.5)

    story = [
        Paragraph(escape(document.campaign), styles["Normal"]),
        Paragraph(escape(document.scrutin), styles["Heading3"]),
        Spacer(1, 4 * mm),
        Paragraph(escape(document.title), banner),
        Spacer(1, 4 * mm),
        Paragraph(
            "Liste présentée par : " + " et ".join(escape(u) for u in document.unions),
            styles["Normal"],
        ),
        Paragraph("Profession de foi", styles["Heading2"]),
    ]
    story += [Paragraph(escape(text), styles["BodyText"]) for text in document.programme]
    story += [
        Paragraph("Nos candidates et nos candidats", styles["Heading2"]),
        _candidates_table(document.candidates, cell),
        Spacer(1, 6 * mm),
        Paragraph(
            "Document fictif, produit pour la démonstration d'urne : les personnes, les "
            "organisations et leurs programmes sont imaginaires.",
            small,
        ),
    ]
    pdf.build(story)
    return buffer.getvalue()


def _candidates_table(candidates: tuple[CandidateLine, ...], style: ParagraphStyle) -> Table:
    rows: list[list[Paragraph | str]] = [["Rang", "Nom", "Corps et grade", "Affectation"]]
    rows += [
        [
            str(c.rank),
            Paragraph(escape(c.name), style),
            Paragraph(escape(c.corps_grade), style),
            Paragraph(escape(c.affectation), style),
        ]
        for c in candidates
    ]
    table = Table(rows, colWidths=[12 * mm, 45 * mm, 55 * mm, 62 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
