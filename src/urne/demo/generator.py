"""The demonstration campaign « Élections professionnelles 2014 », fictional but realistic.

`load_demo` builds it once (deterministically from a seed) and, when it is already there, only
moves its calendar so that the vote is open now: accounts, rolls and candidacies published,
voting identifiers available, profile corrections closed the day before, the vote open from now
until a week later. It never duplicates anything.

Each scrutin is a sealed Belenios election before the vote opens (`open_the_vote`): elections
prepared, one bureau de vote électronique covering every scrutin (`BUREAU_ACCOUNTS`: a
president, a secretary and the delegates of three demo unions, staff accounts of their own)
whose key ceremony `urne bureau_rehearsal` plays for all of them (`urne.counting.rehearsal`: the
real ceremony's verbs; each member's files under the data folder, ``var/demo/bureau/<address>/``,
never in the database), every elector's voting identifier and public credentials, then sealed.
`urne demo_election` then runs the rest of the election (`urne.demo.election`). The demo's
identifiers are in ``var/demo/identifiants.csv``: the demonstration's stand-in for the notices
the credential authority hands out.
"""

from __future__ import annotations

import os
import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from urne import clock
from urne.accounts.models import User
from urne.authority.generation import do_generate_identifiers, open_identifier
from urne.authority.keys import PRIVATE_FILE, read_private_key, write_key_pair
from urne.authority.models import SealedIdentifier
from urne.backoffice.models import StaffScope
from urne.campaign.apps import ORGANIZERS_GROUP
from urne.campaign.models import Academy, Campaign, Civilite, Elector, RollEntry, Scrutin
from urne.candidacies.apps import DELEGATES_GROUP
from urne.candidacies.models import Candidate, CandidateList, Union
from urne.counting.apps import MEMBERS_GROUP
from urne.counting.models import Bureau, BureauMember
from urne.demo import data
from urne.demo.professions_de_foi import CandidateLine, ProfessionDeFoi, render_profession_de_foi
from urne.sealing.services import do_seal_campaign, latest_seal
from urne.support import roles
from urne.support.faq import seed_default_faq
from urne.voting import setup
from urne.voting.turnout import OBSERVERS_GROUP

DEMO_NAME: Final = "Élections professionnelles 2014"
DEMO_YEAR: Final = 2014
DEMO_SEED: Final = 2014
ELECTORS_PER_ACADEMY: Final = 120
BUREAU_NAME: Final = "Bureau de vote électronique"

# Public on purpose: printed by `urne demo`, which production refuses to run.
ELECTOR_PASSWORD: Final = "Electeur2014"  # noqa: S105
STAFF_EMAIL: Final = "gestion@urne.example"
STAFF_PASSWORD: Final = "Gestion2014demo"  # noqa: S105
HELPDESK_EMAIL: Final = "assistance.dijon@urne.example"
HELPDESK_PASSWORD: Final = "Assistance2014demo"  # noqa: S105
HELPDESK_ACADEMY: Final = "dijon"


@dataclass(frozen=True)
class RoleAccount:
    """A back-office account of the demonstration holding one role (a group made by migrate)
    over one perimeter: the whole campaign, an academy (its code) or a union (its acronym)."""

    email: str
    password: str
    group: str
    role: str
    """What the account is for, as `urne demo` prints it."""
    academy: str = ""
    union: str = ""


ROLE_ACCOUNTS: Final = (
    RoleAccount(
        "organisation@urne.example",
        "Organisation2014demo",
        ORGANIZERS_GROUP,
        "organisateur : paramétrage, listes électorales, candidatures, envois, journal",
    ),
    RoleAccount(
        "gestion.dijon@urne.example",
        "GestionDijon2014demo",
        roles.ACADEMY_MANAGERS_GROUP,
        "gestionnaire de l'académie de Dijon : demandes de mise à jour du profil",
        academy="dijon",
    ),
    RoleAccount(
        "delegue.uepl@urne.example",
        "DelegueUepl2014demo",
        DELEGATES_GROUP,
        "délégué syndical de l'UEPL : dépôt des listes",
        union="UEPL",
    ),
    RoleAccount(
        "observation@urne.example",
        "Observation2014demo",
        OBSERVERS_GROUP,
        "observateur : lecture seule (listes électorales, candidatures, participation)",
    ),
)


@dataclass(frozen=True)
class BureauAccount:
    """A member of the demo's bureau de vote électronique: a staff account of the bureau members'
    role (`urne.counting.apps.MEMBERS_GROUP`), their role in the bureau, their union."""

    email: str
    password: str
    role: str
    """`urne.counting.models.BureauMember.Role`'s value."""
    union: str = ""
    description: str = ""


BUREAU_ACCOUNTS: Final = (
    BureauAccount(
        "presidence.bve@urne.example",
        "Presidence2014demo",
        "president",
        description="président du bureau de vote électronique",
    ),
    BureauAccount(
        "secretariat.bve@urne.example",
        "Secretariat2014demo",
        "secretary",
        description="secrétaire du bureau de vote électronique",
    ),
    BureauAccount(
        "delegue.uepl@urne.example",
        "DelegueUepl2014demo",
        "delegate",
        union="UEPL",
        description="délégué de l'UEPL au bureau de vote électronique",
    ),
    BureauAccount(
        "bve.sape@urne.example",
        "BveSape2014demo",
        "delegate",
        union="SAPE",
        description="délégué du SAPE au bureau de vote électronique",
    ),
    BureauAccount(
        "bve.cme@urne.example",
        "BveCme2014demo",
        "delegate",
        union="CME",
        description="délégué du CME au bureau de vote électronique",
    ),
)
"""The UEPL's delegate is also the role account `delegue.uepl@urne.example` (its lists)."""


@dataclass(frozen=True)
class Featured:
    """An elector the demonstration names, so that the person trying it knows whom to be."""

    civilite: str
    first_name: str
    last_name: str
    academy: str
    corps: str
    grade: str
    establishment: str
    has_account: bool

    @property
    def email(self) -> str:
        academy = next(a for a in data.ACADEMIES if a.code == self.academy)
        return f"{_mail_part(self.first_name)}.{_mail_part(self.last_name)}@{academy.mail_domain}"


FEATURED: Final = (
    Featured(
        Civilite.MME,
        "Claire",
        "Bernard",
        "dijon",
        "certifie",
        "Classe normale",
        "Lycée Simone-Veil, Dijon",
        has_account=True,
    ),
    Featured(
        Civilite.M,
        "Karim",
        "Haddad",
        "lyon",
        "ecoles",
        "Classe normale",
        "École élémentaire Jean-Macé, Villeurbanne",
        has_account=True,
    ),
    Featured(
        Civilite.MME,
        "Sophie",
        "Lefèvre",
        "versailles",
        "cpe",
        "Hors classe",
        "Collège Jean-Moulin, Versailles",
        has_account=True,
    ),
    Featured(
        Civilite.M,
        "Thomas",
        "Girard",
        "dijon",
        "agrege",
        "Classe normale",
        "Lycée Gustave-Eiffel, Dijon",
        has_account=False,
    ),
)


@dataclass
class DemoSummary:
    """What `urne demo` prints: who to log in as, and what was there already."""

    campaign: Campaign
    created: bool
    ready_accounts: list[tuple[str, str]] = field(default_factory=list)  # (email, description)
    without_account: str = ""
    electors: int = 0
    scrutins: int = 0
    lists: int = 0


def _mail_part(name: str) -> str:
    """« Lefèvre » → lefevre, « Le Gall » → le-gall: how academies build addresses."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return ascii_only.replace(" ", "-").replace("'", "")


def demo_calendar(now: datetime) -> dict[str, datetime]:
    """Dates around `now` such that every step has come and the vote is open from `now` (to the
    second) until a week later; the profile corrections closed the day before."""
    today = timezone.localtime(now).date()
    tz = timezone.get_current_timezone()

    def at(days: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute, second), tz)

    return {
        "accounts_open_at": at(-30, 9),
        "rolls_published_at": at(-20, 9),
        "candidacies_published_at": at(-10, 9),
        "identifiers_available_at": at(-3, 9),
        "corrections_deadline": at(-1, 23, 59, 59),
        "vote_opens_at": now.replace(microsecond=0),
        "vote_closes_at": at(7, 17),
    }


def find_demo_campaign() -> Campaign | None:
    return Campaign.objects.filter(name=DEMO_NAME, year=DEMO_YEAR).order_by("pk").first()


def load_demo(seed: int = DEMO_SEED) -> DemoSummary:
    """Create the demonstration campaign if it is not there, or move its calendar to today.

    Also (re)sets the demonstration's accounts to the passwords it prints. Never use this
    outside a demonstration: it creates a superuser whose password is public.
    """
    now = clock.now()
    with transaction.atomic():
        campaign = find_demo_campaign()
        created = campaign is None
        if campaign is None:
            campaign = _build(random.Random(seed), now)  # noqa: S311 - fictional data
        else:
            Campaign.objects.filter(pk=campaign.pk).update(**demo_calendar(now))
            campaign.refresh_from_db()
        open_the_vote(campaign, now)
        summary = DemoSummary(campaign=campaign, created=created)
        _ensure_accounts(campaign, summary, now)
        _ensure_staff(campaign)
        seed_default_faq(campaign)
        summary.electors = campaign.electors.count()
        summary.scrutins = campaign.scrutins.count()
        summary.lists = CandidateList.objects.filter(scrutin__campaign=campaign).count()
    return summary


def _build(rng: random.Random, now: datetime) -> Campaign:
    campaign = Campaign.objects.create(
        name=DEMO_NAME,
        year=DEMO_YEAR,
        organizer="Ministère de l'Éducation nationale (démonstration)",
        **demo_calendar(now),
    )
    academies = {
        a.code: Academy.objects.create(
            campaign=campaign,
            code=a.code,
            name=a.name,
            mail_domain=a.mail_domain,
            assistance_email=a.assistance_email,
            assistance_phone=a.assistance_phone,
        )
        for a in data.ACADEMIES
    }
    scrutins = _create_scrutins(campaign, academies)
    _create_electors(campaign, academies, scrutins, rng)
    _create_candidacies(campaign, scrutins, rng)
    return campaign


def _scrutin(
    campaign: Campaign,
    code: str,
    name: str,
    level: str,
    kind: str,
    seats: int,
    academy: Academy | None = None,
) -> Scrutin:
    return Scrutin.objects.create(
        campaign=campaign,
        code=code,
        name=name,
        level=level,
        kind=kind,
        seats=seats,
        substitute_seats=seats,
        academy=academy,
    )


def _create_scrutins(campaign: Campaign, academies: dict[str, Academy]) -> dict[str, Scrutin]:
    national, academic, departmental = (
        Scrutin.Level.NATIONAL,
        Scrutin.Level.ACADEMIC,
        Scrutin.Level.DEPARTMENTAL,
    )
    csa, cap = Scrutin.Kind.CSA, Scrutin.Kind.CAP
    scrutins = {
        "csa-ministeriel": _scrutin(
            campaign,
            "csa-ministeriel",
            "CSA ministériel de l'éducation nationale",
            national,
            csa,
            15,
        ),
        "capn-certifies": _scrutin(
            campaign, "capn-certifies", "CAPN des professeurs certifiés", national, cap, 10
        ),
        "capn-agreges": _scrutin(
            campaign, "capn-agreges", "CAPN des professeurs agrégés", national, cap, 8
        ),
    }
    for info in data.ACADEMIES:
        academy = academies[info.code]
        for code, name, level, kind, seats in (
            (f"csa-academique-{info.code}", f"CSA académique de {info.name}", academic, csa, 10),
            (
                f"capa-certifies-{info.code}",
                f"CAPA des professeurs certifiés de l'académie de {info.name}",
                academic,
                cap,
                6,
            ),
            (
                f"capd-ecoles-{info.department_code}",
                f"CAPD des professeurs des écoles {info.department}",
                departmental,
                cap,
                5,
            ),
        ):
            scrutins[code] = _scrutin(campaign, code, name, level, kind, seats, academy)
    return scrutins


def _roll_codes(corps_key: str, academy: data.AcademyData) -> list[str]:
    codes = ["csa-ministeriel", f"csa-academique-{academy.code}"]
    if corps_key == "certifie":
        codes += ["capn-certifies", f"capa-certifies-{academy.code}"]
    elif corps_key == "agrege":
        codes.append("capn-agreges")
    elif corps_key == "ecoles":
        codes.append(f"capd-ecoles-{academy.department_code}")
    return codes


def _establishment(corps: data.CorpsData, academy: data.AcademyData, rng: random.Random) -> str:
    kind = rng.choice(corps.workplaces)
    # Schools are run by the department: their teachers vote in its CAPD.
    towns = academy.department_towns if kind.startswith("ecole") else academy.towns
    return data.ESTABLISHMENT_KINDS[kind].format(
        patron=rng.choice(data.PATRONS), town=rng.choice(towns), academy=academy.name
    )


def _create_electors(
    campaign: Campaign,
    academies: dict[str, Academy],
    scrutins: dict[str, Scrutin],
    rng: random.Random,
) -> None:
    corps_by_key = {c.key: c for c in data.CORPS}
    electors: list[tuple[Elector, list[str]]] = []
    used: set[str] = set()

    for person in FEATURED:
        info = next(a for a in data.ACADEMIES if a.code == person.academy)
        elector = Elector(
            campaign=campaign,
            civilite=person.civilite,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            corps=corps_by_key[person.corps].corps,
            grade=person.grade,
            establishment=person.establishment,
            academy=academies[person.academy],
        )
        used.add(elector.email)
        electors.append((elector, _roll_codes(person.corps, info)))

    for info in data.ACADEMIES:
        for _ in range(ELECTORS_PER_ACADEMY):
            corps = rng.choices(data.CORPS, weights=[c.weight for c in data.CORPS])[0]
            # Two thirds of the ministry's staff are women.
            woman = rng.random() < 0.66
            first = rng.choice(data.WOMEN if woman else data.MEN)
            last = rng.choice(data.SURNAMES)
            local = f"{_mail_part(first)}.{_mail_part(last)}"
            email, n = f"{local}@{info.mail_domain}", 1
            while email in used:  # homonyms get a number, as academies do
                n += 1
                email = f"{local}{n}@{info.mail_domain}"
            used.add(email)
            elector = Elector(
                campaign=campaign,
                civilite=Civilite.MME if woman else Civilite.M,
                first_name=first,
                last_name=last,
                email=email,
                corps=corps.corps,
                grade=rng.choice(corps.grades),
                establishment=_establishment(corps, info, rng),
                academy=academies[info.code],
            )
            electors.append((elector, _roll_codes(corps.key, info)))

    Elector.objects.bulk_create([e for e, _ in electors])
    saved = dict(
        Elector.objects.filter(campaign=campaign).values_list("email", "id")
    )  # keys, whatever the database returns from a bulk insert
    RollEntry.objects.bulk_create(
        RollEntry(elector_id=saved[elector.email], scrutin=scrutins[code])
        for elector, codes in electors
        for code in codes
    )


# Which unions file a list for which scrutin; one joint list on the ministry's CSA.
_LISTS: Final = {
    "csa-ministeriel": (("UEPL",), ("SAPE",), ("CME",), ("RÉSO", "APAE")),
    "csa-academique": (("UEPL",), ("SAPE",), ("CME",), ("RÉSO",), ("APAE",)),
    "capn-certifies": (("UEPL",), ("SAPE",), ("CME",), ("RÉSO",)),
    "capn-agreges": (("SAPE",), ("UEPL",), ("CME",)),
    "capa-certifies": (("UEPL",), ("SAPE",), ("CME",), ("RÉSO",)),
    "capd-ecoles": (("UEPL",), ("RÉSO",), ("CME",)),
}
_CAP_CORPS: Final = {
    "capn-certifies": "certifie",
    "capa-certifies": "certifie",
    "capn-agreges": "agrege",
    "capd-ecoles": "ecoles",
}


def _family(code: str) -> str:
    """« capa-certifies-dijon » → capa-certifies; « capd-ecoles-21 » → capd-ecoles."""
    for family in _LISTS:
        if code == family or code.startswith(family + "-"):
            return family
    raise KeyError(code)


def _create_candidacies(
    campaign: Campaign, scrutins: dict[str, Scrutin], rng: random.Random
) -> None:
    unions_data = {u.acronym: u for u in data.UNIONS}
    unions = {
        u.acronym: Union.objects.create(campaign=campaign, acronym=u.acronym, name=u.name)
        for u in data.UNIONS
    }
    corps_by_key = {c.key: c for c in data.CORPS}
    academies = {a.code: a for a in data.ACADEMIES}
    for code, scrutin in scrutins.items():
        family = _family(code)
        filers = list(_LISTS[family])
        if family in ("csa-academique", "capa-certifies") and len(filers) > 3:
            filers.remove(rng.choice(filers))  # not every union stands everywhere
        rng.shuffle(filers)  # the official order is drawn by lot
        academy_codes = (
            [a.code for a in data.ACADEMIES] if scrutin.academy is None else [scrutin.academy.code]
        )
        for position, acronyms in enumerate(filers, start=1):
            first = unions_data[acronyms[0]]
            if len(acronyms) == 1:
                title = f"{first.acronym} — {first.slogan}"
                programme = first.programme
            else:
                title = f"Liste commune {' – '.join(acronyms)} : {data.JOINT_SLOGAN}"
                programme = (
                    *(unions_data[a].programme[0] for a in acronyms),
                    unions_data[acronyms[-1]].programme[1],
                )
            candidate_list = CandidateList.objects.create(
                status="validated", scrutin=scrutin, position=position, title=title
            )
            candidate_list.unions.add(*(unions[a] for a in acronyms))
            candidates = _candidates(
                candidate_list,
                scrutin,
                [academies[c] for c in academy_codes],
                corps_by_key.get(_CAP_CORPS.get(family, "")),
                rng,
            )
            Candidate.objects.bulk_create(candidates)
            pdf = render_profession_de_foi(
                ProfessionDeFoi(
                    campaign=campaign.name,
                    scrutin=scrutin.name,
                    title=title,
                    unions=tuple(f"{unions_data[a].name} ({a})" for a in acronyms),
                    programme=(
                        f"Pour le scrutin « {scrutin.name} », voici nos engagements.",
                        *programme,
                    ),
                    candidates=tuple(
                        CandidateLine(c.position, str(c), c.corps_grade, c.affectation)
                        for c in candidates
                    ),
                    colour=first.colour,
                )
            )
            candidate_list.profession_de_foi.save(
                "profession-de-foi.pdf", ContentFile(pdf), save=True
            )


def _candidates(
    candidate_list: CandidateList,
    scrutin: Scrutin,
    academies: Iterable[data.AcademyData],
    corps: data.CorpsData | None,
    rng: random.Random,
) -> list[Candidate]:
    """Titulaires and suppléants: between the seats and twice the seats, alternating women and
    men as lists must reflect the staff they represent."""
    places = list(academies)
    count = rng.randint(scrutin.seats, 2 * scrutin.seats)
    woman_first = rng.random() < 0.66
    people = []
    for rank in range(1, count + 1):
        woman = (rank % 2 == 1) == woman_first
        member = corps or rng.choice(data.CORPS)
        place = rng.choice(places)
        people.append(
            Candidate(
                candidate_list=candidate_list,
                position=rank,
                civilite=Civilite.MME if woman else Civilite.M,
                first_name=rng.choice(data.WOMEN if woman else data.MEN),
                last_name=rng.choice(data.SURNAMES),
                corps_grade=f"{member.corps}, {rng.choice(member.grades).lower()}",
                affectation=_establishment(member, place, rng),
            )
        )
    return people


def _ensure_accounts(campaign: Campaign, summary: DemoSummary, now: datetime) -> None:
    for person in FEATURED:
        if not person.has_account:
            continue
        elector = Elector.objects.get(campaign=campaign, email=person.email)
        user = User.objects.filter(email=person.email).first() or User(email=person.email)
        user.elector = elector
        user.is_active = True
        user.confirmed_at = user.confirmed_at or now
        validate_password(ELECTOR_PASSWORD, user)
        user.set_password(ELECTOR_PASSWORD)
        user.save()
        scrutins = elector.scrutins.count()
        summary.ready_accounts.append(
            (
                person.email,
                f"{elector.salutation}, {elector.corps.lower()}, académie de "
                f"{elector.academy.name} ({scrutins} scrutins)",
            )
        )
    # The address to try account creation with: the one named, or (if a previous try created
    # its account) another elector of Dijon who has none yet.
    named = next(p for p in FEATURED if not p.has_account)
    candidates = Elector.objects.filter(campaign=campaign, account__isnull=True)
    available = (
        candidates.filter(email=named.email).first()
        or candidates.filter(academy__code="dijon").order_by("last_name", "first_name").first()
    )
    summary.without_account = available.email if available else ""


def _ensure_staff(campaign: Campaign) -> None:
    """The back-office accounts: all rights; the helpdesk of Dijon, which reaches only Dijon's
    electors, rolls and requests (a StaffScope on the academy); one account per role
    (`ROLE_ACCOUNTS`)."""
    for email, password, superuser in (
        (STAFF_EMAIL, STAFF_PASSWORD, True),
        (HELPDESK_EMAIL, HELPDESK_PASSWORD, False),
    ):
        user = User.objects.filter(email=email).first() or User(email=email)
        user.is_active = user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        if not superuser:
            # The helpdesk's role in the back office's own pages (a group made by migrate).
            user.groups.add(*Group.objects.filter(name=roles.HELPDESK_GROUP))
            StaffScope.objects.get_or_create(
                user=user, academy=campaign.academies.get(code=HELPDESK_ACADEMY)
            )
    for account in ROLE_ACCOUNTS:
        user = User.objects.filter(email=account.email).first() or User(email=account.email)
        user.is_active = user.is_staff = True
        user.is_superuser = False
        user.set_password(account.password)
        user.save()
        user.groups.add(*Group.objects.filter(name=account.group))
        if account.academy:
            StaffScope.objects.get_or_create(
                user=user, academy=campaign.academies.get(code=account.academy)
            )
        elif account.union:
            StaffScope.objects.get_or_create(
                user=user, union=Union.objects.get(campaign=campaign, acronym=account.union)
            )
        else:
            StaffScope.objects.get_or_create(user=user, campaign=campaign)


# --- the vote: sealed elections, the bureau's keys, the identifiers ------------------------------


def demo_folder() -> Path:
    """Where the demonstration keeps what never goes in the database: ``var/demo/``."""
    return Path(settings.DATA_DIR) / "demo"


def bureau_folder() -> Path:
    """The bureau members' key files, one folder per member (their address): ``ID.key`` and
    ``ID.voutput`` (0600), ``ID.cert``, as belenios-tool names them."""
    return demo_folder() / "bureau"


def identifiers_file() -> Path:
    """The demo electors' voting identifiers (email;identifier), mode 0600."""
    return demo_folder() / "identifiants.csv"


def open_the_vote(campaign: Campaign, now: datetime) -> None:
    """Make each scrutin a sealed election, if it is not yet, seal the campaign (urne.sealing),
    then let the calendar open it.

    The setup is done before the vote opens, as in a real campaign: while it runs, the
    calendar puts the vote an hour ahead (the setup module refuses to change an open vote);
    the demo calendar comes back at the end. Call inside `transaction.atomic`."""
    waiting = campaign.scrutins.exclude(election__sealed_at__isnull=False)
    if not waiting.exists() and latest_seal(campaign) is not None:
        return
    opens_at = campaign.vote_opens_at
    Campaign.objects.filter(pk=campaign.pk).update(vote_opens_at=now + timedelta(hours=1))
    campaign.refresh_from_db()
    if waiting.exists():
        setup.do_prepare_elections(campaign)
        _bureau_ceremony(campaign, waiting)
        _give_identifiers(campaign)
        for scrutin in waiting.order_by("code"):
            setup.do_seal_election(scrutin)
    # The campaign's seal (urne.sealing), the last step before the opening: without it the
    # ballot box takes no ballot.
    do_seal_campaign(None, campaign)
    Campaign.objects.filter(pk=campaign.pk).update(vote_opens_at=opens_at)
    campaign.refresh_from_db()


def _bureau_members(campaign: Campaign) -> list[tuple[BureauAccount, User]]:
    """The bureau's staff accounts, with the passwords `urne demo` prints, in the members'
    role (their own bureau page and the seal's reading, nothing else)."""
    made = []
    group = Group.objects.filter(name=MEMBERS_GROUP)
    for account in BUREAU_ACCOUNTS:
        user = User.objects.filter(email=account.email).first() or User(email=account.email)
        user.is_active = user.is_staff = True
        user.is_superuser = False
        user.set_password(account.password)
        user.save()
        user.groups.add(*group)
        made.append((account, user))
    return made


def _bureau_ceremony(campaign: Campaign, waiting: Iterable[Scrutin]) -> None:
    """The demo's bureau covers every scrutin not sealed yet; its key ceremony is played by
    `urne bureau_rehearsal` (every member's steps, through the real verbs), which sets the
    bureau's trustees on each scrutin covered and keeps each member's files in
    `bureau_folder`. Whoever runs it holds every member's key: a demonstration only."""
    from django.core.management import call_command

    from urne.counting import ceremony

    bureau = Bureau.objects.filter(campaign=campaign, name=BUREAU_NAME).first()
    if bureau is None:
        bureau = ceremony.do_create_bureau(None, campaign, BUREAU_NAME)
    if bureau.step == Bureau.Step.COMPOSING:
        covered = set(bureau.scrutins.values_list("pk", flat=True))
        for scrutin in waiting:
            if scrutin.pk not in covered:
                ceremony.do_add_scrutin(None, bureau, scrutin)
        members = set(bureau.members.values_list("user_id", flat=True))
        for account, user in _bureau_members(campaign):
            if user.pk in members:
                continue
            union = (
                Union.objects.get(campaign=campaign, acronym=account.union)
                if account.union
                else None
            )
            ceremony.do_add_member(None, bureau, user, account.role, union)
    devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    with devnull:
        call_command(
            "bureau_rehearsal",
            "--campaign",
            str(campaign.pk),
            "--bureau",
            BUREAU_NAME,
            "--keys",
            str(bureau_folder()),
            stdout=devnull,
        )


def demo_bureau(campaign: Campaign) -> Bureau | None:
    return Bureau.objects.filter(campaign=campaign, name=BUREAU_NAME).first()


def demo_bureau_member(campaign: Campaign, email: str) -> BureauMember:
    return BureauMember.objects.select_related("user", "union", "bureau").get(
        bureau__campaign=campaign, bureau__name=BUREAU_NAME, user__email=email
    )


def authority_folder() -> Path:
    """The demo credential authority's key pair (the private key 0600): in a real campaign it
    lives on the authority's own host only (docs/credential-authority.md)."""
    return demo_folder() / "authority"


def _authority_keys() -> tuple[X25519PublicKey, X25519PrivateKey]:
    folder = authority_folder()
    if not (folder / PRIVATE_FILE).exists():
        write_key_pair(folder)
    private_key = read_private_key(folder / PRIVATE_FILE)
    return private_key.public_key(), private_key


def _give_identifiers(campaign: Campaign) -> None:
    """The credential authority's work, done by its own code with the demo's key pair: one
    voting identifier per elector (stored sealed only) and the public credentials of every
    scrutin. For the demo's convenience, the identifiers are also written, opened, to
    `identifiers_file` (0600, in the data folder, never the database)."""
    public_key, private_key = _authority_keys()
    do_generate_identifiers(campaign, public_key, private_key)
    emails = dict(campaign.electors.values_list("pk", "email"))
    sealed = SealedIdentifier.objects.filter(elector__campaign=campaign).order_by("elector")
    lines = [
        f"{emails[row.elector_id]};{open_identifier(private_key, row, campaign.pk)}\n"
        for row in sealed
    ]
    demo_folder().mkdir(parents=True, exist_ok=True)
    descriptor = os.open(identifiers_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write("email;identifiant\n" + "".join(lines))


def demo_identifier(email: str) -> str | None:
    """The voting identifier the demonstration gave `email`, from `identifiers_file`."""
    path = identifiers_file()
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        address, _, identifier = line.partition(";")
        if address == email:
            return identifier
    return None
