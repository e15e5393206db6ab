"""Checks on what unions file: a profession de foi is a PDF, judged by its content."""

from __future__ import annotations

from typing import Final

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_SIGNATURE: Final = b"%PDF-"
# Professions de foi are a few pages; the limit keeps every elector's download quick.
MAX_PROFESSION_DE_FOI_BYTES: Final = 5 * 1024 * 1024


def validate_pdf(file: File[bytes]) -> None:
    """Refuse a file that is too large or whose content does not start as a PDF does.

    The name's extension proves nothing: a renamed document would be offered to every elector
    of the scrutin as a PDF.
    """
    if file.size is not None and file.size > MAX_PROFESSION_DE_FOI_BYTES:
        raise ValidationError(
            _("Le fichier pèse %(size)s : la limite est de %(limit)s."),
            code="too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(MAX_PROFESSION_DE_FOI_BYTES),
            },
        )
    file.seek(0)
    head = file.read(len(PDF_SIGNATURE))
    file.seek(0)
    if head != PDF_SIGNATURE:
        raise ValidationError(
            _("Ce fichier n'est pas un PDF : son contenu ne commence pas par « %PDF- »."),
            code="not_pdf",
        )
