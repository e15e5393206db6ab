"""The forms of the voter's account, in the seed's words.

Addresses are normalized as the rolls store them (spaces dropped, lower case) before they are
checked; every field has a maximum length so that an over-long input gets a French message
instead of reaching the database or the password hasher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from urne.accounts import services
from urne.accounts.captcha import SecurityCodeField
from urne.accounts.models import User
from urne.campaign.models import normalize_email

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 128

PASSWORD_HINT = _(
    "Votre mot de passe doit contenir au minimum 8 caractères dont au moins une majuscule, "
    "une minuscule et un chiffre."
)


class ProfessionalEmailField(forms.EmailField):
    """ "Adresse de messagerie professionnelle", compared as the rolls store it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Adresse de messagerie professionnelle"))
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        kwargs.setdefault(
            "widget",
            forms.EmailInput(
                attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalize_email(str(super().to_python(value)))


def password_field(
    label: StrOrPromise, autocomplete: str, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={
            "max_length": _("Le mot de passe ne doit pas dépasser %(limit_value)d caractères."),
        },
    )


MISMATCH = _("Les deux mots de passe saisis ne sont pas identiques.")


@sensitive_variables("first", "second")
def check_new_password(form: forms.Form, user: User, first_name: str, second_name: str) -> None:
    """The two passwords match and satisfy AUTH_PASSWORD_VALIDATORS; errors go on the form."""
    first = form.cleaned_data.get(first_name)
    second = form.cleaned_data.get(second_name)
    if not first or not second:
        return
    if first != second:
        form.add_error(second_name, ValidationError(MISMATCH, code="password_mismatch"))
        return
    try:
        password_validation.validate_password(first, user)
    except ValidationError as error:
        form.add_error(first_name, error)


class SecurityCodeForm(forms.Form):
    """A form that creates an account or sends an email: it ends with the security code, the
    image or, with `text_captcha` (the page's "?captcha=texte"), the written question."""

    captcha = SecurityCodeField()

    def __init__(self, *args: Any, text_captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "captcha"])
        if text_captcha:
            self.fields["captcha"].use_text_challenge()  # type: ignore[attr-defined]


class SignupForm(SecurityCodeForm):
    """ "CRÉER MON COMPTE"."""

    email = ProfessionalEmailField()
    password1 = password_field(_("Mot de passe électeur"), "new-password", PASSWORD_HINT)
    password2 = password_field(_("Confirmation du mot de passe"), "new-password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The similarity check compares the password with the address typed.
        check_new_password(self, User(email=cleaned.get("email", "")), "password1", "password2")
        return cleaned


class ResendConfirmationForm(SecurityCodeForm):
    """Ask for the confirmation email again."""

    email = ProfessionalEmailField()


class LoginForm(forms.Form):
    """ "ACCÉDER"."""

    email = ProfessionalEmailField(
        widget=forms.EmailInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
    )
    password = password_field(_("Mot de passe électeur"), "current-password")


class ConfirmAccountForm(forms.Form):
    """The confirmation link asks for the password chosen: only its author confirms."""

    password = password_field(_("Mot de passe électeur"), "current-password")


class PasswordResetRequestForm(SecurityCodeForm):
    """ "Mot de passe oublié ?". Django's PasswordResetView calls save(); the email leaves
    through a Celery task."""

    email = ProfessionalEmailField()

    def save(self, **_kwargs: Any) -> None:
        services.do_request_password_reset(self.cleaned_data["email"])


class NewPasswordForm(forms.Form):
    """The form behind a valid password reset link (PasswordResetConfirmView)."""

    new_password1 = password_field(_("Nouveau mot de passe"), "new-password", PASSWORD_HINT)
    new_password2 = password_field(_("Confirmation du mot de passe"), "new-password")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_new_password(self, self.user, "new_password1", "new_password2")
        return cleaned

    def save(self, commit: bool = True) -> User:
        services.do_set_password(self.user, self.cleaned_data["new_password1"])
        return self.user
