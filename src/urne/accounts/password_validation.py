"""The seed's password rule: at least one uppercase letter, one lowercase letter and one digit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MixedCaseAndDigitValidator:
    """Length is MinimumLengthValidator's job; this one checks the mix of characters."""

    def validate(self, password: str, user: Any = None) -> None:
        if not (
            any(c.isupper() for c in password)
            and any(c.islower() for c in password)
            and any(c.isdigit() for c in password)
        ):
            raise ValidationError(
                _(
                    "Votre mot de passe doit contenir au moins une majuscule, "
                    "une minuscule et un chiffre."
                ),
                code="password_mix",
            )

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe doit contenir au minimum 8 caractères dont au moins une "
            "majuscule, une minuscule et un chiffre."
        )
