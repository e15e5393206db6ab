"""The back office's own pages (« Espace de gestion »), in the portal's look, under /gestion/.

Django's admin (also under /gestion/) stays for technical superusers; the people who run the
campaign work in these pages. Every page is a view wrapped by `staff_page`, which lets in only an
active staff account that gave its second factor in this session (urne.staffauth), and, when the
page names permissions, only a staff member holding all of them. *Where* they may act (campaign,
academy, union) is never decided here: the page's queries go through the one access layer,
`urne.backoffice.access`.

Each app adds its pages to the home's menu with `register_section` (in its AppConfig.ready), so
that no list of sections is kept in two places: the home and the navigation show a section to
those who hold its permission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from urne.staffauth.sites import second_factor_given
from urne.web.errors import Forbidden

View = Callable[..., HttpResponseBase]


class NotPermitted(Forbidden):
    message = _(
        "Votre rôle ne permet pas d'ouvrir cette page de l'espace de gestion. Si vous en avez "
        "besoin, demandez ce droit à l'organisateur du scrutin."
    )


def may_enter(request: HttpRequest) -> bool:
    """True for an active staff account verified by its second factor in this session."""
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff) and (
        second_factor_given(request)
    )


def staff_page(
    *permissions: str, methods: Iterable[str] = ("GET", "HEAD")
) -> Callable[[View], View]:
    """A back-office page: verified staff only (others go to the sign-in, then come back),
    holding every permission named (403 otherwise), only the HTTP `methods` given, never
    cached."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not may_enter(request):
                if request.user.is_authenticated and not request.user.is_staff:
                    raise NotPermitted
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{resolve_url('accounts:login')}?{query}")
            if permissions and not request.user.has_perms(permissions):
                raise NotPermitted
            return view(request, *args, **kwargs)

        return never_cache(require_http_methods(list(methods))(wrapper))

    return decorate


@dataclass(frozen=True)
class Section:
    """One entry of the back office's menu."""

    url_name: str
    title: str | Promise
    description: str | Promise
    permission: str | None = None
    """Shown to staff holding this permission (None: every staff member)."""
    order: int = 100

    def visible_to(self, user: Any) -> bool:
        return self.permission is None or user.has_perm(self.permission)


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add a section to the menu (once per url name; a second registration replaces it)."""
    _SECTIONS[section.url_name] = section


def sections_for(user: Any) -> list[Section]:
    return sorted(
        (section for section in _SECTIONS.values() if section.visible_to(user)),
        key=lambda section: (section.order, str(section.title)),
    )


def backoffice_context(request: HttpRequest) -> dict[str, Any]:
    """What every back-office template gets (a context processor): the menu of this staff
    member, empty outside the back office."""
    if not may_enter(request):
        return {}
    sections = sections_for(request.user)
    match = request.resolver_match
    namespace = match.namespace if match is not None else ""
    # The section a page belongs to (its URL namespace), marked current in the navigation on
    # each of its pages, not only on its first.
    current = next(
        (s.url_name for s in sections if namespace and s.url_name.startswith(f"{namespace}:")),
        "",
    )
    return {"backoffice_sections": sections, "backoffice_current_section": current}


@staff_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html", {"sections": sections_for(request.user)})
