"""The printable notices: one PDF per establishment, one page per elector, handed against
signature (`urne authority_notices --campaign ID --out DIR`).

Each page: the campaign, the elector's name and establishment, the scrutins they are called to,
their voting identifier (large, monospaced, in its groups XXX-XXX-XXX-XXX-XXX), how to vote
(the site, the dates, the steps in the seed's words), and lines for the date and the signature
on delivery. Only the authority can make them: the identifiers are opened with its private key,
in memory, one establishment at a time.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from urne.authority.generation import open_identifier
from urne.authority.models import SealedIdentifier
from urne.campaign.models import Campaign, Elector, RollEntry
from urne.web import dates

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One elector's page."""

    salutation: str
    establishment: str
    academy: str
    scrutins: tuple[str, ...]
    identifier: str


@dataclass
class NoticesReport:
    files: list[Path]
    notices: int = 0
    without_identifier: int = 0

    def as_text(self) -> str:
        lines = [
            _("%(notices)d notice(s) dans %(files)d fichier(s) PDF (un par établissement).")
            % {"notices": self.notices, "files": len(self.files)}
        ]
        if self.without_identifier:
            lines.append(
                _(
                    "%(count)d électeur(s) sans identifiant de vote : lancez d'abord "
                    "`urne authority_generate`."
                )
                % {"count": self.without_identifier}
            )
        return "\n".join(lines)


def safe_file_name(establishment: str, taken: set[str]) -> str:
    """A file name made of ASCII letters, digits and dashes, unique among `taken`:
    « Lycée Carnot, Dijon » → lycee-carnot-dijon.pdf (then lycee-carnot-dijon-2.pdf)."""
    stem = slugify(establishment)[:80].strip("-") or "etablissement"
    name, number = f"{stem}.pdf", 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}.pdf"
    taken.add(name)
    return name


def _by_establishment(campaign: Campaign) -> Iterator[tuple[str, list[Elector]]]:
    """The campaign's electors who have an identifier, by establishment, in name order."""
    electors = (
        Elector.objects.filter(campaign=campaign, sealed_identifier__isnull=False)
        .select_related("academy", "sealed_identifier")
        .order_by("establishment", "last_name_key", "first_name_key", "pk")
    )
    current: list[Elector] = []
    for elector in electors.iterator(chunk_size=2000):
        if current and elector.establishment != current[0].establishment:
            yield current[0].establishment, current
            current = []
        current.append(elector)
    if current:
        yield current[0].establishment, current


def make_notices(
    campaign: Campaign, electors: list[Elector], private_key: X25519PrivateKey
) -> list[Notice]:
    scrutins: dict[int, list[str]] = {}
    for elector_id, name in (
        RollEntry.objects.filter(elector__in=electors)
        .order_by("scrutin__level", "scrutin__kind", "scrutin__name")
        .values_list("elector_id", "scrutin__name")
    ):
        scrutins.setdefault(elector_id, []).append(name)
    sealed: SealedIdentifier
    notices = []
    for elector in electors:
        sealed = elector.sealed_identifier
        notices.append(
            Notice(
                salutation=elector.salutation,
                establishment=elector.establishment,
                academy=elector.academy.name,
                scrutins=tuple(scrutins.get(elector.pk, ())),
                identifier=open_identifier(private_key, sealed, campaign.pk),
            )
        )
    return notices


def render_notices(campaign: Campaign, establishment: str, notices: list[Notice]) -> bytes:
    """The PDF of one establishment's notices: one page each."""
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Notices de vote — %(establishment)s") % {"establishment": establishment},
        author=campaign.organizer,
        subject=campaign.name,
        lang="fr",
    )
    styles = getSampleStyleSheet()
    identifier_style = ParagraphStyle(
        "identifier",
        parent=styles["Normal"],
        fontName="Courier-Bold",
        fontSize=26,
        leading=34,
        alignment=1,
        borderWidth=1,
        borderPadding=8,
        borderColor=colors.black,
    )
    body = styles["BodyText"]
    site = settings.SITE_URL
    story: list[Flowable] = []
    for number, notice in enumerate(notices):
        if number:
            story.append(PageBreak())
        story += [
            Paragraph(escape(campaign.name), styles["Normal"]),
            Paragraph(_("Notice de vote — personnelle et confidentielle"), styles["Title"]),
            Paragraph(f"<b>{escape(notice.salutation)}</b>", styles["Heading2"]),
            Paragraph(
                escape(
                    _("Établissement : %(establishment)s (académie de %(academy)s)")
                    % {"establishment": notice.establishment, "academy": notice.academy}
                ),
                body,
            ),
            Paragraph(_("Scrutins auxquels vous êtes appelé(e) à participer :"), body),
        ]
        story += [Paragraph(f"• {escape(name)}", body) for name in notice.scrutins] or [
            Paragraph(escape(_("(aucun scrutin à ce jour)")), body)
        ]
        story += [
            Spacer(1, 6 * mm),
            Paragraph(_("Votre identifiant de vote :"), styles["Heading3"]),
            Spacer(1, 2 * mm),
            Paragraph(escape(notice.identifier), identifier_style),
            Spacer(1, 6 * mm),
            Paragraph(_("Comment voter"), styles["Heading3"]),
            Paragraph(
                escape(
                    _("1. Du %(opens)s au %(closes)s (heure de Paris), rendez-vous sur %(site)s.")
                    % {
                        "opens": dates.day_month_year_hour(campaign.vote_opens_at),
                        "closes": dates.day_month_year_hour(campaign.vote_closes_at),
                        "site": site,
                    }
                ),
                body,
            ),
            Paragraph(
                escape(
                    _(
                        "2. Connectez-vous à votre espace électeur avec votre adresse de "
                        "messagerie professionnelle et votre mot de passe électeur."
                    )
                ),
                body,
            ),
            Paragraph(
                escape(
                    _(
                        "3. Dans « Mes scrutins », choisissez un scrutin, puis une liste ou le "
                        "vote blanc ; saisissez cet identifiant de vote pour valider. Un accusé "
                        "de réception vous est envoyé."
                    )
                ),
                body,
            ),
            Paragraph(
                escape(
                    _(
                        "4. Recommencez pour chacun de vos scrutins : le même identifiant sert "
                        "pour tous. Ne le communiquez à personne."
                    )
                ),
                body,
            ),
            Spacer(1, 12 * mm),
            Paragraph(escape(_("Remis en main propre le : ____ / ____ / ________")), body),
            Spacer(1, 6 * mm),
            Paragraph(escape(_("Signature de l'électeur : ______________________________")), body),
        ]
    pdf.build(story)
    return buffer.getvalue()


def do_write_notices(
    campaign: Campaign, private_key: X25519PrivateKey, folder: Path
) -> NoticesReport:
    """One PDF per establishment in `folder` (created), in French."""
    folder.mkdir(parents=True, exist_ok=True)
    report = NoticesReport(files=[])
    taken: set[str] = set()
    report.without_identifier = Elector.objects.filter(
        campaign=campaign, sealed_identifier__isnull=True
    ).count()
    with translation.override("fr"):
        for establishment, electors in _by_establishment(campaign):
            notices = make_notices(campaign, electors, private_key)
            path = folder / safe_file_name(establishment, taken)
            path.write_bytes(render_notices(campaign, establishment, notices))
            report.files.append(path)
            report.notices += len(notices)
    logger.info(
        "credential authority: %d notices written in %d files", report.notices, len(report.files)
    )
    return report
