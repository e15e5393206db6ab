"""Checks on what unions file: a profession de foi is a PDF, judged by its content."""

from __future__ import annotations

import re
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_SIGNATURE: Final = b"%PDF-"
# The header a PDF starts with: « %PDF-1.7 », « %PDF-2.0 »...
PDF_HEADER: Final = re.compile(rb"%PDF-[12]\.\d")
# A PDF ends with « %%EOF », possibly followed by a line end or a little padding.
PDF_TRAILER: Final = b"%%EOF"
TAIL_BYTES: Final = 1024


def max_profession_de_foi_bytes() -> int:
    """The size limit (URNE_PROFESSION_DE_FOI_MAX_BYTES): read at each use, so that tests and
    operators can change it."""
    limit: int = settings.URNE_PROFESSION_DE_FOI_MAX_BYTES
    return limit


def validate_pdf(file: File[bytes]) -> None:
    """Refuse a file that is too large or whose content is not shaped as a PDF is: its header
    (« %PDF-1.x ») at the start, its end marker (« %%EOF ») at the end.

    The name's extension proves nothing: a renamed document would be offered to every elector
    of the scrutin as a PDF.
    """
    limit = max_profession_de_foi_bytes()
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("Le fichier pèse %(size)s : la limite est de %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
    file.seek(0)
    head = file.read(8)
    if file.size is not None and file.size > TAIL_BYTES:
        file.seek(file.size - TAIL_BYTES)
    else:
        file.seek(0)
    tail = file.read(TAIL_BYTES)
    file.seek(0)
    if not head.startswith(PDF_SIGNATURE):
        raise ValidationError(
            _("Ce fichier n'est pas un PDF : son contenu ne commence pas par « %PDF- »."),
            code="not_pdf",
        )
    if not PDF_HEADER.match(head) or PDF_TRAILER not in tail:
        raise ValidationError(
            _(
                "Ce fichier n'est pas un PDF complet : son en-tête ou sa fin (« %%EOF ») "
                "manque. Enregistrez-le de nouveau en PDF depuis votre traitement de texte."
            ),
            code="not_pdf",
        )
