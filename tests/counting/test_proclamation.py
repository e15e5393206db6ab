"""The proclamation: the bureau's president or secretary (or staff holding
`counting.proclaim_result`) proclaims a counted scrutin once; the public results appear only
then; a second proclamation is refused and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.counting.bureau_scene import make_staff
from tests.counting.test_bureau_decryption import Counted, counted
from urne.audit.models import AuditEntry
from urne.campaign.models import Scrutin
from urne.counting import proclamation, results
from urne.counting.closing import CountingRefused
from urne.counting.models import Proclamation
from urne.web.errors import Forbidden

__all__ = ["counted"]

pytestmark = pytest.mark.django_db


def decrypt_with_the_rules_set(counted: Counted) -> None:
    for name in ("paul", "fanny", "ulysse"):
        for text in counted.shares(name):
            counted.upload(name, text)
    assert results.figures_of(counted.election.scrutin) is not None


def test_the_president_proclaims_once_and_the_results_become_public(counted: Counted) -> None:
    scrutin = counted.election.scrutin
    public = Client()
    member_page = reverse("bureau:member", args=[counted.bureau.pk])
    proclaim = reverse("tally:proclaim", args=[counted.election.pk])
    # Before the result: nothing to proclaim.
    early = counted.page("paul").post(proclaim, {"back": counted.bureau.pk}, follow=True)
    assert "n&#x27;est pas encore calculé" in early.content.decode()
    decrypt_with_the_rules_set(counted)
    # Counted, not proclaimed: nothing public yet.
    assert public.get(reverse("results:public_scrutin", args=[scrutin.code])).status_code == 404
    # A delegate may not proclaim; the button is the president's and the secretary's.
    assert "Proclamer les résultats" not in counted.page("fanny").get(member_page).content.decode()
    assert counted.page("fanny").post(proclaim).status_code == 403
    assert not Proclamation.objects.exists()

    paul = counted.page("paul")
    assert "Proclamer les résultats de csa-men" in paul.get(member_page).content.decode()
    done = paul.post(proclaim, {"back": counted.bureau.pk}, follow=True).content.decode()
    assert "sont proclamés et publiés" in done
    made = Proclamation.objects.get()
    assert (made.scrutin, made.proclaimed_by, made.role) == (
        scrutin,
        counted.users["paul"],
        "president",
    )
    entry = AuditEntry.objects.get(action="counting.proclamation")
    assert entry.actor_id == counted.users["paul"].pk
    page = public.get(reverse("results:public_scrutin", args=[scrutin.code]))
    assert page.status_code == 200
    assert escape(scrutin.name) in public.get(reverse("results:public_index")).content.decode()

    # The secretary tries again: refused, with who and when, nothing changed.
    again = counted.page("sophie").post(proclaim, follow=True).content.decode()
    assert "ont déjà été proclamés le" in again and "paul@education.gouv.fr" in again
    with pytest.raises(CountingRefused, match="qu'une fois"):
        proclamation.do_proclaim(scrutin, counted.users["sophie"])
    assert Proclamation.objects.get() == made
    assert AuditEntry.objects.filter(action="counting.proclamation").count() == 1


def test_staff_proclaim_only_with_the_permission(counted: Counted) -> None:
    decrypt_with_the_rules_set(counted)
    scrutin: Scrutin = counted.election.scrutin
    agent = make_staff("agent@education.gouv.fr")
    agent.is_superuser = False
    agent.save()
    from urne.backoffice.models import StaffScope

    StaffScope.objects.create(user=agent, campaign=scrutin.campaign)
    client = Client()
    client.force_login(agent)
    proclaim = reverse("tally:proclaim", args=[counted.election.pk])
    assert client.post(proclaim).status_code == 403
    with pytest.raises(Forbidden):
        proclamation.do_proclaim(scrutin, agent)
    agent.user_permissions.add(Permission.objects.get(codename="proclaim_result"))
    client.force_login(agent)
    assert client.post(proclaim).status_code == 302
    assert Proclamation.objects.get().role == ""
    # Out of their perimeter: as if it did not exist.
    outsider = make_staff("ailleurs@education.gouv.fr")
    outsider.user_permissions.add(Permission.objects.get(codename="proclaim_result"))
    client.force_login(outsider)
    assert client.post(proclaim).status_code == 404


def test_the_results_section_is_in_the_back_office_menu() -> None:
    from urne.backoffice.pages import sections_for

    staff = make_staff("lecteur@education.gouv.fr")
    assert "results:index" not in {section.url_name for section in sections_for(staff)}
    staff.user_permissions.add(Permission.objects.get(codename="view_turnout"))
    staff = type(staff).objects.get(pk=staff.pk)
    assert "results:index" in {section.url_name for section in sections_for(staff)}
