"""The bureau's key ceremony through the back-office pages: composed by the organizer, played by
each member on their own page (one member with the real belenios-tool), checked message by
message, and ending with every covered scrutin's trustees.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tests.backoffice.personas import organizer, organizer_dijon  # noqa: F401
from tests.counting.bureau_scene import (
    GROUP,
    Scene,
    compose,
    make_cert,
    make_polynomial,
    make_staff,
    make_voutput,
    open_ceremony,
    run_ceremony,
    upload,
)
from tests.crypto.belenios_tool import run_tool
from tests.voting.conftest import (  # noqa: F401
    Identifiers,
    add_lists,
    give_credentials,
    trustees_text,
)
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.counting import ceremony
from urne.counting.models import Bureau, KeyFragment
from urne.crypto import pedersen
from urne.crypto.ballot import make_ballot
from urne.crypto.credentials import make_private_credential
from urne.crypto.errors import DecryptionFailed
from urne.crypto.jsonio import dumps, loads
from urne.crypto.tally import compute_encrypted_tally, decrypt_tally, make_partial_decryption
from urne.crypto.trustees import PedersenTrustees, decryption_slots, read_trustees, verify_trustees
from urne.crypto.verifier import verify_archive
from urne.voting import setup
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(
    client: Client,
    organizer: User,  # noqa: F811
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    tmp_path: Path,
) -> Scene:
    folder = tmp_path / "ulysse"
    folder.mkdir()
    return compose(client, organizer, campaign, [csa_national, capa_dijon], folder)


def _refused(response: Any, fragment_of_message: str) -> None:
    assert response.status_code == 400
    assert fragment_of_message in response.content.decode()


@pytest.mark.belenios
def test_the_whole_ceremony_gives_every_scrutin_the_bureaus_keys(
    client: Client,
    organizer: User,  # noqa: F811
    scene: Scene,
    elector_bob: Elector,
    tmp_path: Path,
) -> None:
    open_ceremony(client, organizer, scene)
    # What each member's key opens, on their own page, before any step.
    client.force_login(scene.holders["fanny"].user)
    page = client.get(reverse("bureau:member", args=[scene.bureau.pk])).content.decode()
    assert "Vous détenez 2 fragments de clé" in page
    assert "Votre clé seule n'ouvre rien" in page
    assert "paul@education.gouv.fr (président)" in page
    assert "ulysse@education.gouv.fr (délégué syndical, UNSA)" in page
    # Sealing waits for the ceremony.
    add_lists(scene.scrutins[0])
    with pytest.raises(setup.SetupRefused, match="cérémonie des clés du bureau"):
        setup.do_seal_election(scene.scrutins[0])

    run_ceremony(client, scene)

    bureau = Bureau.objects.get(pk=scene.bureau.pk)
    assert bureau.step == Bureau.Step.COMPLETE
    trustees = read_trustees(GROUP, loads(bureau.trustees))
    verify_trustees(GROUP, trustees)
    presidency, unions = trustees
    assert isinstance(presidency, PedersenTrustees) and isinstance(unions, PedersenTrustees)
    assert (presidency.threshold, len(presidency.certs)) == (1, 2)
    assert (unions.threshold, len(unions.certs)) == (3, 6)
    for scrutin in scene.scrutins:
        assert ScrutinElection.objects.get(scrutin=scrutin).trustees == bureau.trustees
    client.force_login(scene.holders["gaspard"].user)
    page = client.get(reverse("bureau:member", args=[bureau.pk])).content.decode()
    assert "déchiffreur n° 7" in page and "déchiffreur n° 8" in page
    # The organizer follows it: every fragment has sent its three messages.
    client.force_login(organizer)
    follow = client.get(reverse("bureau:detail", args=[bureau.pk])).content.decode()
    assert "cérémonie terminée" in follow and "attendu" not in follow
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"bureau.ceremony_open", "bureau.ceremony_cert", "bureau.ceremony_polynomial"} <= actions
    assert {"bureau.ceremony_voutput", "bureau.ceremony_step"} <= actions

    # The scrutin seals with these keys; its board passes urne verify and belenios-tool.
    election = ScrutinElection.objects.get(scrutin=scene.scrutins[0])
    give_credentials(election, Identifiers())
    setup.do_seal_election(scene.scrutins[0])
    election.refresh_from_db()
    board = tmp_path / "board" / f"{election.uuid}.bel"
    board.parent.mkdir()
    board.write_bytes(b"".join(setup.archive_chunks(election)))
    verify_archive(board)
    run_tool("election", "verify", "--dir", str(board.parent))

    # A tally under these keys: the rule's sets decrypt it, the sets breaking it cannot.
    sealed = setup.sealed_election(election)
    votes = [[[0, 1, 0, 0]], [[0, 0, 1, 0]], [[0, 1, 0, 0]]]
    ballots = [make_ballot(sealed, make_private_credential(), vote) for vote in votes]
    tally = compute_encrypted_tally(sealed, ((ballot, 1) for ballot in ballots))
    partials = {}
    owners: dict[str, list[int]] = {}
    slots = decryption_slots(trustees)
    for name, holder in scene.holders.items():
        for fragment in scene.fragments(name):
            item = 0 if fragment.group == "presidency" else 1
            parameters = trustees[item]
            assert isinstance(parameters, PedersenTrustees)
            sealed_share = loads(holder.voutputs[fragment.pk])["private_key"]
            position, share = pedersen.read_decryption_key(
                GROUP, holder.seed(fragment), parameters, sealed_share
            )
            (slot,) = [s for s in slots if s.item == item and s.position == position]
            assert slot.owner == ceremony.trustee_number(fragment)
            partials[slot.owner] = make_partial_decryption(sealed, tally, share)
            owners.setdefault(name, []).append(slot.owner)

    def decrypt(*names: str) -> tuple[tuple[int, ...], ...]:
        chosen = {owner: partials[owner] for name in names for owner in owners[name]}
        return decrypt_tally(sealed, trustees, tally, chosen).counts

    assert decrypt("paul", "fanny", "ulysse") == ((0, 2, 1, 0),)
    assert decrypt("sophie", "ulysse", "gaspard") == ((0, 2, 1, 0),)
    for breaking in (
        ("paul", "sophie", "fanny"),
        ("fanny", "ulysse", "gaspard"),
        ("paul", "fanny"),
    ):
        with pytest.raises(DecryptionFailed):
            decrypt(*breaking)


def test_bad_messages_are_refused_with_a_reason_and_change_nothing(
    client: Client,
    organizer: User,  # noqa: F811
    scene: Scene,
) -> None:
    scene.holders["ulysse"].with_tool = None  # urne's core for every member here
    open_ceremony(client, organizer, scene)
    paul, sophie, fanny = (scene.holders[name] for name in ("paul", "sophie", "fanny"))
    (paul_fragment,) = scene.fragments("paul")
    (sophie_fragment,) = scene.fragments("sophie")
    fanny_first, fanny_second = scene.fragments("fanny")

    # Not JSON; a step out of order; another member's fragment.
    _refused(upload(client, scene, "paul", "cert", paul_fragment, "bonjour"), "pas du JSON")
    cert = make_cert(paul, paul_fragment)
    _refused(upload(client, scene, "paul", "polynomial", paul_fragment, cert), "pas l&#x27;étape")
    _refused(
        upload(client, scene, "sophie", "cert", paul_fragment, cert), "pas l&#x27;un des vôtres"
    )
    # A forged certificate: Paul's keys, signed by someone else.
    forged = loads(cert)
    forged["signature"] = loads(make_cert(sophie, sophie_fragment))["signature"]
    _refused(
        upload(client, scene, "paul", "cert", paul_fragment, dumps(forged)), "Certificat refusé"
    )
    assert not KeyFragment.objects.get(pk=paul_fragment.pk).cert
    # Accepted once; never a second time; never for another fragment.
    assert upload(client, scene, "paul", "cert", paul_fragment, cert).status_code == 302
    _refused(upload(client, scene, "paul", "cert", paul_fragment, cert), "déjà déposé")
    _refused(upload(client, scene, "fanny", "cert", fanny_first, cert), "déjà déposé")
    assert not KeyFragment.objects.get(pk=fanny_first.pk).cert
    refusals = AuditEntry.objects.filter(action="bureau.ceremony_refused")
    assert refusals.count() == 6

    # The certificates of everyone else: then the polynomials.
    for name, holder in scene.holders.items():
        for fragment in scene.fragments(name):
            if fragment.pk != paul_fragment.pk:
                done = upload(client, scene, name, "cert", fragment, make_cert(holder, fragment))
                assert done.status_code == 302
    assert Bureau.objects.get(pk=scene.bureau.pk).step == Bureau.Step.POLYNOMIALS
    # A polynomial of the wrong threshold; one signed by someone else (Sophie's, sent as Paul's).
    wrong = make_polynomial(client, scene, fanny, fanny_first, 2)
    _refused(upload(client, scene, "fanny", "polynomial", fanny_first, wrong), "Polynôme refusé")
    theirs = make_polynomial(client, scene, sophie, sophie_fragment, 1)
    _refused(upload(client, scene, "paul", "polynomial", paul_fragment, theirs), "Polynôme refusé")
    assert not KeyFragment.objects.get(pk=paul_fragment.pk).polynomial
    for name, holder in scene.holders.items():
        for fragment in scene.fragments(name):
            threshold = 1 if fragment.group == "presidency" else 3
            text = make_polynomial(client, scene, holder, fragment, threshold)
            assert upload(client, scene, name, "polynomial", fragment, text).status_code == 302
    assert Bureau.objects.get(pk=scene.bureau.pk).step == Bureau.Step.VOUTPUTS

    # A voutput for another fragment (Fanny's second, sent for her first) is refused.
    second = make_voutput(client, scene, fanny, fanny_second)
    _refused(upload(client, scene, "fanny", "voutput", fanny_first, second), "Voutput refusé")
    assert upload(client, scene, "fanny", "voutput", fanny_second, second).status_code == 302
    _refused(upload(client, scene, "fanny", "voutput", fanny_second, second), "déjà déposée")
    assert not KeyFragment.objects.get(pk=fanny_first.pk).voutput
    assert Bureau.objects.get(pk=scene.bureau.pk).step == Bureau.Step.VOUTPUTS
    assert refusals.count() == 10

    # The organizer restarts the stuck ceremony: every fragment goes, the bureau composes again.
    client.force_login(organizer)
    detail = reverse("bureau:detail", args=[scene.bureau.pk])
    assert client.post(detail, {"action": "restart"}).status_code == 302
    assert Bureau.objects.get(pk=scene.bureau.pk).step == Bureau.Step.COMPOSING
    assert not KeyFragment.objects.exists()
    assert AuditEntry.objects.filter(action="bureau.ceremony_restart").count() == 1
    _refused(client.post(detail, {"action": "restart"}), "Seule une cérémonie ouverte")


def test_a_bureau_breaking_the_rule_cannot_open_its_ceremony(
    client: Client,
    organizer: User,  # noqa: F811
    scene: Scene,
) -> None:
    detail = reverse("bureau:detail", args=[scene.bureau.pk])
    client.force_login(organizer)
    for name in ("ulysse", "gaspard"):  # one union left
        member = scene.member(name)
        assert (
            client.post(detail, {"action": "remove_member", "member": member.pk}).status_code == 302
        )
    page = client.post(detail, {"action": "open"})
    _refused(page, "au moins deux organisations syndicales")
    assert Bureau.objects.get(pk=scene.bureau.pk).step == Bureau.Step.COMPOSING
    assert not KeyFragment.objects.exists()
    # A second delegate of one union, a second president: refused when added.
    other = make_staff("autre@education.gouv.fr")
    fsu = scene.unions["FSU"].pk
    added = client.post(
        detail, {"action": "add_member", "email": other.email, "role": "delegate", "union": fsu}
    )
    _refused(added, "a déjà son délégué")
    added = client.post(
        detail, {"action": "add_member", "email": other.email, "role": "president", "union": ""}
    )
    _refused(added, "déjà un membre de ce rôle")


def test_members_reach_only_their_own_bureau_and_the_provisional_setup_is_closed(
    client: Client,
    organizer: User,  # noqa: F811
    scene: Scene,
    tmp_path: Path,
    trustees_text: str,  # noqa: F811
    organizer_dijon: User,  # noqa: F811
) -> None:
    # An organizer over one academy neither sees nor composes the campaign's bureau.
    client.force_login(organizer_dijon)
    assert "BVE" not in client.get(reverse("bureau:list")).content.decode()
    assert client.get(reverse("bureau:detail", args=[scene.bureau.pk])).status_code == 404
    open_ceremony(client, organizer, scene)
    page = reverse("bureau:member", args=[scene.bureau.pk])
    stranger = make_staff("ailleurs@education.gouv.fr")
    stranger.groups.add(*scene.holders["paul"].user.groups.all())
    client.force_login(stranger)
    assert client.get(page).status_code == 404
    client.force_login(scene.holders["paul"].user)
    assert client.get(reverse("bureau:detail", args=[scene.bureau.pk])).status_code == 403
    (fanny_fragment, _second) = scene.fragments("fanny")
    assert (
        client.get(reverse("bureau:vinput", args=[scene.bureau.pk, fanny_fragment.pk])).status_code
        == 404
    )
    # The provisional command refuses a scrutin a bureau covers.
    file = tmp_path / "trustees.json"
    file.write_text(trustees_text)
    with pytest.raises(CommandError, match="couvert par le bureau de vote"):
        call_command(
            "scrutin_trustees",
            "--campaign",
            str(scene.campaign.pk),
            "--scrutin",
            scene.scrutins[0].code,
            str(file),
        )
    assert not ScrutinElection.objects.get(scrutin=scene.scrutins[0]).trustees
