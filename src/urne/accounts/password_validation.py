"""The seed's password rule: at least one uppercase letter, one lowercase letter and one digit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What is missing (an uppercase letter, a lowercase letter, a digit) → the sentence that says
# exactly that. Whole sentences, not pieces joined in code, so that each language words them
# its own way.
_MISSING: dict[tuple[bool, bool, bool], Promise] = {
    (True, True, True): gettext_lazy(
        "Votre mot de passe doit contenir au moins une majuscule, une minuscule et un chiffre."
    ),
    (True, True, False): gettext_lazy(
        "Votre mot de passe doit contenir au moins une majuscule et une minuscule."
    ),
    (True, False, True): gettext_lazy(
        "Votre mot de passe doit contenir au moins une majuscule et un chiffre."
    ),
    (False, True, True): gettext_lazy(
        "Votre mot de passe doit contenir au moins une minuscule et un chiffre."
    ),
    (True, False, False): gettext_lazy("Votre mot de passe doit contenir au moins une majuscule."),
    (False, True, False): gettext_lazy("Votre mot de passe doit contenir au moins une minuscule."),
    (False, False, True): gettext_lazy("Votre mot de passe doit contenir au moins un chiffre."),
}


class MixedCaseAndDigitValidator:
    """Length is MinimumLengthValidator's job; this one checks the mix of characters and names
    only what is missing, so the voter knows what to add."""

    def validate(self, password: str, user: Any = None) -> None:
        missing = (
            not any(c.isupper() for c in password),
            not any(c.islower() for c in password),
            not any(c.isdigit() for c in password),
        )
        if any(missing):
            raise ValidationError(str(_MISSING[missing]), code="password_mix")

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe doit contenir au minimum 8 caractères dont au moins une "
            "majuscule, une minuscule et un chiffre."
        )
