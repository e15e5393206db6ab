"""A whole election on the demonstration campaign, after `urne demo` loaded it: `run_election`.

What `urne demo_election` does, in the order of a real election, each step through the verbs the
real pages call, so every check and audit entry is the real one:

1. **Vote.** On each scrutin, up to `voters` electors of its roll vote (a choice drawn from a
   fixed seed: a list, or blank), each ballot made as their browser would (`make_ballot` with
   their voting identifier from ``var/demo/identifiants.csv``) and cast through the ballot box's
   domain function (`urne.voting.ballot_box.do_cast_ballot`: the JSON API's one call, every
   check it makes). An elector who already voted (someone trying the demo) keeps their ballot.
2. **Closing.** The demonstration cannot wait a week: the campaign's closing time is moved to
   now (server time), then each box is closed (`urne.counting.closing.do_close_election`) and
   its encrypted tally computed.
3. **Decryption.** An allowed set of the demo bureau's members — the president and the delegates
   of two different unions (UEPL, SAPE) — each make, from their key files in
   ``var/demo/bureau/<address>/``, their partial decryptions
   (`urne.counting.rehearsal.member_partial_decryptions`) and upload them as themselves
   (`urne.counting.decryption.do_accept_partial_decryption`); the last one computes the result.
4. **Proclamation.** The president proclaims each scrutin
   (`urne.counting.proclamation.do_proclaim`): the results, seats and PV are public.

Demonstration only: whoever runs it holds every member's key (the keys the rehearsal made).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from django.utils.translation import gettext as _

from urne import clock
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.counting import closing, decryption, draws, proclamation, results
from urne.counting.closing import CountingRefused
from urne.counting.rehearsal import member_partial_decryptions
from urne.crypto.ballot import make_ballot
from urne.demo import generator
from urne.voting import setup
from urne.voting.ballot_box import BallotRefused, do_cast_ballot
from urne.voting.models import ScrutinElection

DECRYPTING: Final = ("presidence.bve@urne.example", "delegue.uepl@urne.example",
                     "bve.sape@urne.example")  # fmt: skip
"""The allowed set that opens the boxes: the president and two delegates of different unions."""
PROCLAIMING: Final = "presidence.bve@urne.example"
VOTERS: Final = 12
SEED: Final = 2014
BLANK_SHARE: Final = 0.08


@dataclass
class ScrutinDone:
    code: str
    name: str
    cast: int
    tallied: int
    counts: list[tuple[str, int]]
    blank: int


@dataclass
class ElectionDone:
    scrutins: list[ScrutinDone] = field(default_factory=list)


def _identifiers() -> dict[str, str]:
    path = generator.identifiers_file()
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.split(";", 1) for line in lines if ";" in line)


def check_ready(campaign: Campaign) -> None:
    """The demo's vote is open, its bureau's ceremony complete, nothing counted yet."""
    if generator.demo_bureau(campaign) is None:
        raise CountingRefused(
            _(
                "La démonstration n'a pas de bureau de vote électronique : elle a été chargée "
                "par une version plus ancienne. Effacez ses données (make clean-data) puis "
                "relancez « make demo »."
            )
        )
    counted = ScrutinElection.objects.filter(
        scrutin__campaign=campaign, counting_events__kind=closing.Kind.END_BALLOTS
    )
    if counted.exists():
        raise CountingRefused(
            _(
                "Le vote de démonstration est déjà clos et dépouillé : ses résultats sont "
                "publiés. Pour tout recommencer : make clean-data, puis make demo."
            )
        )
    if not campaign.vote_open(clock.now()):
        raise CountingRefused(
            _("Le vote de démonstration n'est pas ouvert : lancez d'abord « urne demo ».")
        )


def vote(
    campaign: Campaign, voters: int, rng: random.Random, report: Callable[[str], None]
) -> dict[str, int]:
    """Step 1; the ballots cast per scrutin."""
    identifiers = _identifiers()
    cast: dict[str, int] = {}
    elections = ScrutinElection.objects.filter(
        scrutin__campaign=campaign, sealed_at__isnull=False
    ).select_related("scrutin")
    for election in elections.order_by("scrutin__code"):
        sealed = setup.sealed_election(election)
        (question,) = sealed.questions
        lists = len(question.answers)
        electors = Elector.objects.filter(roll_entries__scrutin=election.scrutin).order_by("pk")
        done = 0
        for elector in electors:
            if done >= voters:
                break
            identifier = identifiers.get(elector.email)
            if identifier is None:
                continue
            choice = [0] * question.choice_count
            if lists == 0 or rng.random() < BLANK_SHARE:
                choice[0] = 1
            else:
                # Lists earlier in the order get a little more: a result with some contrast.
                weights = [lists - index + 1 for index in range(lists)]
                choice[1 + rng.choices(range(lists), weights)[0]] = 1
            ballot = make_ballot(sealed, identifier, [choice])
            try:
                do_cast_ballot(
                    elector, election.uuid, ballot.text, f"demo-{election.pk}-{elector.pk}"
                )
            except BallotRefused:
                continue  # already voted by someone trying the demo, or not on time
            done += 1
        cast[election.scrutin.code] = done
        report(
            _("Vote : %(count)d bulletins déposés dans « %(scrutin)s ».")
            % {"count": done, "scrutin": election.scrutin.code}
        )
    return cast


def close(campaign: Campaign, report: Callable[[str], None]) -> None:
    """Step 2: the closing time moved to now, each box closed, its encrypted tally computed."""
    Campaign.objects.filter(pk=campaign.pk).update(vote_closes_at=clock.now())
    for election in closing.due_elections():
        if election.scrutin.campaign_id != campaign.pk:
            continue
        closing.do_close_election(election)
    for election in ScrutinElection.objects.filter(
        scrutin__campaign=campaign, sealed_at__isnull=False
    ).select_related("scrutin__campaign"):
        if closing.encrypted_tally(election) is None:
            closing.do_compute_tally(election)
    report(_("Urnes closes ; dépouillements chiffrés calculés."))


def draw_ties(scrutin: Scrutin, president: User) -> None:
    """The demo's bureau draws lots between tied lists, as the bureau does before proclaiming
    (`urne.counting.draws`): a shuffle seeded by the scrutin's code, recorded by the president
    with its account. A grade-by-grade CAP may then wait for a second draw (the order in which
    tied lists choose their grades)."""
    for _round in range(2):
        figures = results.figures_of(scrutin)
        waiting = draws.pending(figures) if figures is not None else None
        if waiting is None:
            return
        order = list(waiting.lists)
        random.Random(scrutin.code).shuffle(order)  # noqa: S311 - the demo's lots, reproducible
        draws.do_record_draw(
            scrutin,
            president,
            order,
            _("Démonstration : tirage au sort fait par le générateur de la démonstration."),
        )


def decrypt_and_proclaim(campaign: Campaign, report: Callable[[str], None]) -> ElectionDone:
    """Steps 3 and 4."""
    members = [generator.demo_bureau_member(campaign, email) for email in DECRYPTING]
    president = generator.demo_bureau_member(campaign, PROCLAIMING)
    folder = generator.bureau_folder()
    done = ElectionDone()
    elections = ScrutinElection.objects.filter(
        scrutin__campaign=campaign, sealed_at__isnull=False
    ).select_related("scrutin__campaign")
    for election in elections.order_by("scrutin__code"):
        tally = closing.encrypted_tally(election)
        if tally is None:  # pragma: no cover - close() computed each
            raise CountingRefused(_("Un dépouillement chiffré manque."))
        for member in members:
            for text in member_partial_decryptions(election, tally, member, folder):
                # Three fragments of the unions' group open it: a delegate's second share
                # may come after the result, and is then not needed.
                if decryption.scrutin_result(election) is None:
                    decryption.do_accept_partial_decryption(election, text, member.user)
        draw_ties(election.scrutin, president.user)
        proclamation.do_proclaim(election.scrutin, president.user)
        found = decryption.scrutin_result(election)
        if found is None:  # pragma: no cover - the allowed set decrypts
            raise CountingRefused(_("Le résultat n'a pas été calculé."))
        done.scrutins.append(
            ScrutinDone(
                code=election.scrutin.code,
                name=election.scrutin.name,
                cast=election.ballot_count,
                tallied=found.tallied,
                counts=[(item.title, item.votes) for item in found.lists],
                blank=found.blank,
            )
        )
        report(
            _("« %(scrutin)s » : déchiffré par le bureau, résultats proclamés.")
            % {"scrutin": election.scrutin.code}
        )
    return done


def run_election(
    voters: int = VOTERS, seed: int = SEED, report: Callable[[str], None] = lambda line: None
) -> ElectionDone:
    """The whole election on the demonstration campaign (module docstring)."""
    campaign = generator.find_demo_campaign()
    if campaign is None:
        raise CountingRefused(
            _("La campagne de démonstration n'est pas chargée : lancez d'abord « urne demo ».")
        )
    check_ready(campaign)
    rng = random.Random(seed)  # noqa: S311 - fictional votes
    vote(campaign, voters, rng, report)
    campaign.refresh_from_db()
    close(campaign, report)
    return decrypt_and_proclaim(campaign, report)


__all__ = ["ElectionDone", "ScrutinDone", "run_election"]
