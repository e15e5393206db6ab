"""Partial decryptions tied to the bureau's members: each member uploads the shares of the
fragments they hold, from « Mon bureau de vote », and no one else's; the count page names who
sent theirs and says what is missing in the rule's words.

The bureau's keys come from the real ceremony, played by `urne bureau_rehearsal`
(`urne.counting.rehearsal`): each member's ID.key and ID.voutput are saved in a folder of their
own, and their partial decryptions are made from those files, as they would offline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import reschedule
from tests.counting.bureau_scene import make_staff
from tests.counting.conftest import fresh, voters
from tests.voting.conftest import Identifiers, add_lists, cast, give_credentials
from urne import clock
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Scrutin
from urne.candidacies.models import Union
from urne.counting import ceremony, closing, decryption
from urne.counting.closing import CountingRefused
from urne.counting.models import Bureau, BureauMember
from urne.counting.rehearsal import member_partial_decryptions
from urne.voting import setup
from urne.voting.models import CountingEvent, ScrutinElection

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]

MEMBERS = (
    ("paul", "president", None),
    ("sophie", "secretary", None),
    ("fanny", "delegate", "FSU"),
    ("ulysse", "delegate", "UNSA"),
    ("gaspard", "delegate", "SGEN"),
)
# List 1 twice, list 2 once, one blank vote.
CHOICES = (0, 1, 0, None)


@dataclass
class Counted:
    election: ScrutinElection
    bureau: Bureau
    users: dict[str, User]
    keys: Path

    def member(self, name: str) -> BureauMember:
        return BureauMember.objects.get(bureau=self.bureau, user=self.users[name])

    def shares(self, name: str) -> list[str]:
        """The member's partial decryptions, made offline from their saved files."""
        election = fresh(self.election)
        tally = closing.encrypted_tally(election)
        assert tally is not None
        return member_partial_decryptions(election, tally, self.member(name), self.keys)

    def page(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client

    def upload(self, name: str, text: str) -> str:
        response = self.page(name).post(
            reverse("bureau:member", args=[self.bureau.pk]),
            {"step": "partial", "election": self.election.pk, "text": text},
            follow=True,
        )
        return bytes(response.content).decode()


@pytest.fixture
def counted(
    campaign: Campaign, csa_national: Scrutin, dijon: Academy, tmp_path: Path, travel: Travel
) -> Counted:
    """A bureau of five (president, secretary, delegates of FSU, UNSA and SGEN) whose ceremony
    the rehearsal plays; the scrutin sealed with its keys, voted, closed and tallied."""
    reschedule(campaign, vote_opens_at=timezone.now() + timedelta(days=3))
    setup.do_prepare_elections(campaign)
    add_lists(csa_national)
    electors = voters(csa_national, dijon, len(CHOICES))
    bureau = ceremony.do_create_bureau(None, campaign, "BVE")
    ceremony.do_add_scrutin(None, bureau, csa_national)
    users = {}
    for name, role, acronym in MEMBERS:
        union = (
            Union.objects.get_or_create(campaign=campaign, acronym=acronym)[0] if acronym else None
        )
        users[name] = make_staff(f"{name}@education.gouv.fr")
        ceremony.do_add_member(None, bureau, users[name], role, union)
    keys = tmp_path / "bureau"
    call_command("bureau_rehearsal", "--campaign", str(campaign.pk), "--bureau", "BVE",
                 "--keys", str(keys))  # fmt: skip
    identifiers = Identifiers()
    election = ScrutinElection.objects.get(scrutin=csa_national)
    with mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(days=1)):
        give_credentials(election, identifiers)
        setup.do_seal_election(csa_national)
    travel(campaign.vote_opens_at + timedelta(minutes=1))
    election = fresh(election)
    for elector, choice in zip(electors, CHOICES, strict=True):
        cast(election, elector, identifiers.of(elector), choice)
    travel(campaign.vote_closes_at)
    assert closing.do_close_election(fresh(election)) is True
    closing.do_compute_tally(fresh(election))
    return Counted(fresh(election), Bureau.objects.get(pk=bureau.pk), users, keys)


def counts(election: ScrutinElection) -> list[int] | None:
    found = decryption.scrutin_result(fresh(election))
    if found is None:
        return None
    return [found.blank, *(item.votes for item in found.lists)]


def test_the_president_and_two_delegates_of_different_unions_decrypt_from_their_pages(
    counted: Counted,
) -> None:
    # Fanny's page shows the scrutin waiting for her two shares.
    page = counted.page("fanny").get(reverse("bureau:member", args=[counted.bureau.pk]))
    text = page.content.decode()
    assert "Vérifier et déposer pour csa-men" in text
    assert "deux délégués d'organisations syndicales différentes" in text

    for text in counted.shares("paul"):
        assert "est vérifié et publié" in counted.upload("paul", text)
    for text in counted.shares("fanny"):
        assert "est vérifié et publié" in counted.upload("fanny", text)
    # Not yet: the count page says what is missing, in the rule's words.
    assert counts(counted.election) is None
    staff = counted.page("sophie")
    staff_user = counted.users["sophie"]
    staff_user.is_superuser = True
    staff_user.save()
    detail = staff.get(reverse("tally:detail", args=[counted.election.pk])).content.decode()
    assert "paul@education.gouv.fr" in detail and "président" in detail
    assert "fanny@education.gouv.fr" in detail and "délégué syndical (FSU)" in detail
    assert "Il manque encore : un délégué d&#x27;une autre organisation syndicale." in detail
    assert "Groupe n°" not in detail

    (first, *_rest) = counted.shares("ulysse")
    done = counted.upload("ulysse", first)
    assert "Le résultat du scrutin est calculé et publié." in done
    assert counts(counted.election) == [1, 2, 1, 0]
    owners = CountingEvent.objects.filter(
        election=counted.election, kind=CountingEvent.Kind.PARTIAL_DECRYPTION
    ).values_list("owner", "recorded_by__email")
    assert set(owners) == {
        (1, "paul@education.gouv.fr"),
        (3, "fanny@education.gouv.fr"),
        (4, "fanny@education.gouv.fr"),
        (5, "ulysse@education.gouv.fr"),
    }


def test_a_member_cannot_upload_another_members_share_nor_can_a_stranger(
    counted: Counted,
) -> None:
    paul_share = counted.shares("paul")[0]
    before = CountingEvent.objects.count()
    refused = counted.upload("fanny", paul_share)
    assert "détenu par paul@education.gouv.fr (président)" in refused
    assert "seul ce membre du bureau peut le déposer" in refused
    # The first line alone (no owner named): still recognised as Paul's, still refused.
    refused = counted.upload("fanny", paul_share.splitlines()[0])
    assert "détenu par paul@education.gouv.fr (président)" in refused
    # A staff member outside the bureau, even with the count's upload permission.
    stranger = make_staff("intrus@education.gouv.fr")
    stranger.is_superuser = True
    stranger.save()
    with pytest.raises(CountingRefused, match="vous n'en détenez aucun fragment"):
        decryption.do_accept_partial_decryption(fresh(counted.election), paul_share, stranger)
    client = Client()
    client.force_login(stranger)
    response = client.post(
        reverse("tally:upload", args=[counted.election.pk]), {"text": paul_share}
    )
    assert response.status_code == 400
    assert "aucun fragment de clé" in response.content.decode()
    # Nor from the member page of a bureau they are not in.
    page = client.get(reverse("bureau:member", args=[counted.bureau.pk]))
    assert page.status_code == 404
    assert CountingEvent.objects.count() == before


def test_a_set_breaking_the_rule_cannot_decrypt(counted: Counted) -> None:
    # President, secretary and one delegate: the unions' group is not opened.
    for name in ("paul", "sophie", "gaspard"):
        for text in counted.shares(name):
            counted.upload(name, text)
    assert counts(counted.election) is None
    with pytest.raises(CountingRefused) as refused:
        decryption.do_publish_result(fresh(counted.election))
    message = str(refused.value.message)
    assert "il manque un délégué d'une autre organisation syndicale" in message
    assert "le président ou le secrétaire, et deux délégués" in message


def test_delegates_without_the_presidency_cannot_decrypt(counted: Counted) -> None:
    for name in ("fanny", "ulysse", "gaspard"):
        for text in counted.shares(name):
            counted.upload(name, text)
    assert counts(counted.election) is None
    with pytest.raises(CountingRefused, match="il manque le président ou le secrétaire"):
        decryption.do_publish_result(fresh(counted.election))


def test_a_member_computes_the_partial_decryption_in_the_browser_page_of_their_scrutin(
    counted: Counted,
) -> None:
    # The member's page links to the scrutin's page where the browser computes the share: it
    # holds the public data (election, trustees, encrypted tally) and the upload form, never a
    # key; its form posts to the member page, whose one rule (`check_uploader`) decides.
    url = reverse("bureau:decrypt", args=[counted.bureau.pk, counted.election.pk])
    member = counted.page("fanny").get(reverse("bureau:member", args=[counted.bureau.pk]))
    assert url in member.content.decode()
    page = counted.page("fanny").get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="trustee-data"' in text and 'id="id_text"' in text
    assert "encrypted_tally" in text or "alpha" in text
    assert "Vérifier et déposer pour csa-men" in text
    # Pasted as the browser fills it, the share is accepted from there as from the member page.
    share = counted.shares("fanny")[0]
    done = counted.page("fanny").post(
        reverse("bureau:member", args=[counted.bureau.pk]),
        {"step": "partial", "election": counted.election.pk, "text": share},
        follow=True,
    )
    assert "est vérifié et publié" in done.content.decode()
    # Staff without the members' role are stopped at the door (403); a scrutin the bureau does
    # not cover is a 404.
    stranger = make_staff("curieux@education.gouv.fr")
    client = Client()
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    other = reverse("bureau:decrypt", args=[counted.bureau.pk, counted.election.pk + 1000])
    assert counted.page("fanny").get(other).status_code == 404


def test_a_member_makes_the_partial_decryption_offline_with_urne_from_their_ceremony_files(
    counted: Counted, tmp_path: Path
) -> None:
    # `urne trustee decrypt --key ID.key --voutput FILE`: the member's share opened from the
    # files the ceremony left them, checked against the group's verification key; the two lines
    # are accepted from their page. Another member's voutput with this key opens nothing.
    from tests.voting.casting import write_board
    from urne.cli import main as urne_main
    from urne.counting.rehearsal import member_folder

    archive = write_board(counted.election.scrutin, tmp_path)
    member = counted.member("ulysse")
    fragment = member.fragments.order_by("group", "position")[0]  # a delegate holds two
    place = member_folder(counted.keys, member)
    key, voutput = place / f"{fragment.cert_name}.key", place / f"{fragment.cert_name}.voutput"
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = urne_main(
            ["trustee", "decrypt", "--key", str(key), "--voutput", str(voutput),
             "--archive", str(archive)]
        )  # fmt: skip
    assert code == 0
    lines = printed.getvalue().splitlines()
    assert len(lines) == 2 and f'"owner":{ceremony.trustee_number(fragment)}' in lines[1]
    assert "est vérifié et publié" in counted.upload("ulysse", printed.getvalue())

    paul = counted.member("paul")
    (paul_fragment,) = paul.fragments.all()
    paul_voutput = member_folder(counted.keys, paul) / f"{paul_fragment.cert_name}.voutput"
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        code = urne_main(
            ["trustee", "decrypt", "--key", str(key), "--voutput", str(paul_voutput),
             "--archive", str(archive)]
        )  # fmt: skip
    assert code == 2
    assert "no threshold group of this election opens with them" in errors.getvalue()
