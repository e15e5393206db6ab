"""A bureau composed through the staff pages, and its members' steps, for the ceremony's tests.

Personas: the organizer composes; the president (Paul), the secretary (Sophie) and one delegate
of each union (Fanny for FSU, Ulysse for UNSA, Gaspard for SGEN) hold the keys. Each member's
steps are made by urne's own crypto core (`urne.crypto.pedersen`), or, for a member flagged
`with_tool`, by the real belenios-tool in a folder of their own, as they would run it offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, reschedule
from tests.crypto.belenios_tool import run_tool
from urne.accounts.models import User
from urne.campaign.models import Campaign, Scrutin
from urne.candidacies.models import Union
from urne.counting.models import Bureau, BureauMember, KeyFragment
from urne.crypto import pedersen
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import dumps, loads
from urne.voting import setup

GROUP = BELENIOS_2048
TOOL = ("setup", "generate-trustee-key-threshold", "--group", "BELENIOS-2048")


def make_staff(email: str) -> User:
    return User.objects.create_user(email, PASSWORD, is_staff=True, is_active=True)


@dataclass
class Holder:
    """A member and the secrets they keep offline (never sent to the server)."""

    user: User
    with_tool: Path | None = None
    keys: dict[int, pedersen.TrusteeKeys] = field(default_factory=dict)
    """Fragment id → the keys urne derived from the member's seed."""
    tool_names: dict[int, str] = field(default_factory=dict)
    """Fragment id → the certificate name of the tool's files (ID.key, ID.cert)."""
    voutputs: dict[int, str] = field(default_factory=dict)

    def seed(self, fragment: KeyFragment) -> pedersen.TrusteeKeys:
        if self.with_tool is not None:
            text = (self.with_tool / f"{self.tool_names[fragment.pk]}.key").read_text()
            return pedersen.derive_keys(GROUP, text)
        return self.keys[fragment.pk]


@dataclass
class Scene:
    campaign: Campaign
    bureau: Bureau
    scrutins: list[Scrutin]
    unions: dict[str, Union]
    holders: dict[str, Holder]

    def member(self, name: str) -> BureauMember:
        return BureauMember.objects.get(bureau=self.bureau, user=self.holders[name].user)

    def fragments(self, name: str) -> list[KeyFragment]:
        return list(self.member(name).fragments.order_by("group", "position"))


MEMBERS = (
    ("paul", "president", None),
    ("sophie", "secretary", None),
    ("fanny", "delegate", "FSU"),
    ("ulysse", "delegate", "UNSA"),
    ("gaspard", "delegate", "SGEN"),
)


def compose(
    client: Client, organizer: User, campaign: Campaign, scrutins: list[Scrutin], tool_dir: Path
) -> Scene:
    """The organizer creates the bureau, covers `scrutins`, adds the five members (Ulysse uses
    belenios-tool, in `tool_dir`), through the pages."""
    reschedule(campaign, vote_opens_at=timezone.now() + timedelta(days=3))
    setup.do_prepare_elections(campaign)
    unions = {
        acronym: Union.objects.create(
            campaign=campaign, acronym=acronym, name=f"Syndicat {acronym}"
        )
        for acronym in ("FSU", "UNSA", "SGEN")
    }
    holders = {}
    for name, _role, _union in MEMBERS:
        folder = tool_dir if name == "ulysse" else None
        holders[name] = Holder(make_staff(f"{name}@education.gouv.fr"), with_tool=folder)
    client.force_login(organizer)
    response = client.post(reverse("bureau:list"), {"campaign": campaign.pk, "name": "BVE"})
    assert response.status_code == 302, response.content.decode()
    bureau = Bureau.objects.get(campaign=campaign, name="BVE")
    detail = reverse("bureau:detail", args=[bureau.pk])
    for scrutin in scrutins:
        done = client.post(detail, {"action": "add_scrutin", "scrutin": scrutin.pk})
        assert done.status_code == 302, done.content.decode()
    for name, role, union in MEMBERS:
        data: dict[str, Any] = {"action": "add_member", "email": holders[name].user.email}
        data |= {"role": role, "union": unions[union].pk if union else ""}
        done = client.post(detail, data)
        assert done.status_code == 302, done.content.decode()
    return Scene(campaign, bureau, scrutins, unions, holders)


def open_ceremony(client: Client, organizer: User, scene: Scene) -> None:
    client.force_login(organizer)
    done = client.post(reverse("bureau:detail", args=[scene.bureau.pk]), {"action": "open"})
    assert done.status_code == 302, done.content.decode()


def upload(
    client: Client, scene: Scene, name: str, step: str, fragment: KeyFragment, text: str
) -> Any:
    client.force_login(scene.holders[name].user)
    return client.post(
        reverse("bureau:member", args=[scene.bureau.pk]),
        {"step": step, "fragment": fragment.pk, "text": text},
    )


def make_cert(holder: Holder, fragment: KeyFragment) -> str:
    """Step 1, offline: the member's key (kept) and certificate (uploaded)."""
    if holder.with_tool is not None:
        before = {path.stem for path in holder.with_tool.glob("*.cert")}
        run_tool(*TOOL, "--step", "1", cwd=holder.with_tool)
        (name,) = {path.stem for path in holder.with_tool.glob("*.cert")} - before
        holder.tool_names[fragment.pk] = name
        return (holder.with_tool / f"{name}.cert").read_text()
    keys = pedersen.derive_keys(GROUP, pedersen.make_seed())
    holder.keys[fragment.pk] = keys
    return dumps(pedersen.make_cert(GROUP, keys).to_json())


def download(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return bytes(response.content).decode()


def make_polynomial(
    client: Client, scene: Scene, holder: Holder, fragment: KeyFragment, threshold: int
) -> str:
    """Step 3, offline, from the group's certs.jsons downloaded from the member's page."""
    client.force_login(holder.user)
    certs_text = download(client, reverse("bureau:certs", args=[scene.bureau.pk, fragment.group]))
    if holder.with_tool is not None:
        (holder.with_tool / "certs.jsons").write_text(certs_text)
        done = run_tool(
            *TOOL,
            "--certs",
            "certs.jsons",
            "--key",
            f"{holder.tool_names[fragment.pk]}.key",
            "--step",
            "3",
            "--threshold",
            str(threshold),
            cwd=holder.with_tool,
        )
        return done.stdout
    certs = [pedersen.read_cert(GROUP, loads(line)) for line in certs_text.splitlines()]
    made = pedersen.make_polynomial(GROUP, certs, holder.keys[fragment.pk], threshold)
    return dumps(made.to_json())


def make_voutput(client: Client, scene: Scene, holder: Holder, fragment: KeyFragment) -> str:
    """Step 5, offline, from the member's vinput downloaded from their page."""
    client.force_login(holder.user)
    certs_text = download(client, reverse("bureau:certs", args=[scene.bureau.pk, fragment.group]))
    vinput = download(client, reverse("bureau:vinput", args=[scene.bureau.pk, fragment.pk]))
    if holder.with_tool is not None:
        (holder.with_tool / "certs.jsons").write_text(certs_text)
        done = run_tool(
            *TOOL,
            "--certs",
            "certs.jsons",
            "--key",
            f"{holder.tool_names[fragment.pk]}.key",
            "--step",
            "5",
            cwd=holder.with_tool,
            stdin=vinput,
        )
        text = done.stdout
    else:
        certs = [pedersen.read_cert(GROUP, loads(line)) for line in certs_text.splitlines()]
        received = pedersen.Vinput.from_json(GROUP, loads(vinput))
        text = dumps(
            pedersen.make_voutput(GROUP, certs, holder.keys[fragment.pk], received).to_json()
        )
    holder.voutputs[fragment.pk] = text
    return text


THRESHOLD = {"presidency": 1, "unions": 3}
STEPS = ("cert", "polynomial", "voutput")


def do_step(client: Client, scene: Scene, name: str, step: str) -> None:
    """Member `name` does `step` ("cert", "polynomial" or "voutput") offline for each of their
    fragments, and uploads it from their page; each upload accepted."""
    holder = scene.holders[name]
    for fragment in scene.fragments(name):
        if step == "cert":
            text = make_cert(holder, fragment)
        elif step == "polynomial":
            text = make_polynomial(client, scene, holder, fragment, THRESHOLD[fragment.group])
        else:
            text = make_voutput(client, scene, holder, fragment)
        done = upload(client, scene, name, step, fragment, text)
        assert done.status_code == 302, done.content.decode()


def run_ceremony(client: Client, scene: Scene) -> None:
    """Every member's three steps, through their pages, each upload accepted."""
    for step in STEPS:
        for name in scene.holders:
            do_step(client, scene, name, step)
