"""The bureau de vote électronique and its key ceremony: the verbs (docs/bureau.md).

Staff (organizers, over the whole campaign) compose a bureau: `do_create_bureau`,
`do_add_scrutin`, `do_add_member`, `do_remove_member`, then `do_open_ceremony`, which checks the
composition (`urne.counting.composition`) and gives each member their fragments.

Then each member runs their steps offline (`urne trustee threshold-*` or belenios-tool ``setup
generate-trustee-key-threshold``) and uploads what the step writes, fragment by fragment:

1. `do_submit_cert`: the certificate (``ID.cert``, step 1); once every fragment has one, the
   ceremony moves on;
2. `do_submit_polynomial`: the polynomial (step 3's output) made with the group's ``certs.jsons``
   (`certs_jsons`); once all are in, the server routes them (`pedersen.make_vinputs`, step 4);
3. `do_submit_voutput`: the voutput (step 5's output) made from the fragment's vinput; once all
   are in, the server checks them (`pedersen.make_threshold_parameters`, step 6), builds
   trustees.json with the two groups and sets it on every scrutin the bureau covers, through
   `urne.voting.setup.do_set_trustees`.

Each message is checked as it arrives; a refusal (`CeremonyRefused`, a French message) changes
nothing. Each call runs in a transaction holding the bureau's row lock, and writes its audit
entry. The server only ever holds public messages and messages encrypted for a member.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urne.accounts.models import User
from urne.audit import services as audit
from urne.backoffice import access
from urne.campaign.models import Campaign, Scrutin
from urne.candidacies.models import Union
from urne.counting.apps import MEMBERS_GROUP
from urne.counting.composition import (
    THRESHOLDS,
    CompositionRefused,
    KeyGroup,
    Plan,
    members_from,
    plan_fragments,
)
from urne.counting.models import Bureau, BureauMember, BureauScrutin, KeyFragment
from urne.crypto import pedersen
from urne.crypto.errors import CryptoError
from urne.crypto.group import Element
from urne.crypto.jsonio import dumps, loads, read_object
from urne.crypto.trustees import (
    PedersenTrustees,
    SignedMessage,
    trustees_to_json,
    verify_trustees,
)
from urne.voting import setup
from urne.voting.models import ScrutinElection
from urne.web.errors import NotFound, VisitorError

GROUP = setup.GROUP
MAX_MESSAGE = 2_000_000
"""Far above any real message (a polynomial for 20 trustees is about 40 kB)."""


class CeremonyRefused(VisitorError):
    """A ceremony step refused; the message says why; nothing was changed."""


Who = Any  # a request or a user, as urne.audit.record takes them


# --- staff: reach ---------------------------------------------------------------------------------


def staff_campaigns(user: access.Staff, *, for_change: bool) -> Any:
    return access.scoped(Campaign.objects.all(), user, for_change=for_change)


def bureaus_for_staff(user: access.Staff) -> list[Bureau]:
    """The bureaus of the campaigns `user` sets up."""
    return list(
        Bureau.objects.filter(campaign__in=staff_campaigns(user, for_change=True))
        .select_related("campaign")
        .order_by("campaign__name", "name")
    )


def access_bureau_for_staff(user: access.Staff, bureau_id: Any) -> Bureau:
    """The bureau `bureau_id` if `user` sets up its campaign; a 404 otherwise."""
    try:
        return Bureau.objects.select_related("campaign").get(
            pk=int(bureau_id), campaign__in=staff_campaigns(user, for_change=True)
        )
    except (Bureau.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def access_member_bureau(user: access.Staff, bureau_id: Any) -> tuple[Bureau, BureauMember]:
    """The bureau `bureau_id` and `user`'s place in it; a 404 if they are not a member."""
    if user.pk is None:
        raise NotFound
    try:
        member = BureauMember.objects.select_related("bureau", "bureau__campaign", "union").get(
            bureau_id=int(bureau_id), user_id=user.pk
        )
    except (BureauMember.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
    return member.bureau, member


def memberships(user: access.Staff) -> list[BureauMember]:
    if user.pk is None:
        return []
    return list(
        BureauMember.objects.filter(user_id=user.pk)
        .select_related("bureau", "bureau__campaign")
        .order_by("bureau__name")
    )


# --- staff: composing -----------------------------------------------------------------------------


def _lock(bureau: Bureau) -> Bureau:
    return Bureau.objects.select_for_update().select_related("campaign").get(pk=bureau.pk)


def check_composing(bureau: Bureau) -> None:
    if bureau.step != Bureau.Step.COMPOSING:
        raise CeremonyRefused(
            _(
                "La cérémonie des clés du bureau « %(bureau)s » est ouverte : sa composition ne "
                "change plus."
            )
            % {"bureau": bureau.name}
        )


def do_create_bureau(who: Who, campaign: Campaign, name: str) -> Bureau:
    name = name.strip()
    if not name:
        raise CeremonyRefused(_("Donnez un nom au bureau de vote."))
    with transaction.atomic():
        if Bureau.objects.filter(campaign=campaign, name=name).exists():
            raise CeremonyRefused(
                _("Un bureau de vote « %(name)s » existe déjà dans cette campagne.")
                % {"name": name}
            )
        bureau = Bureau.objects.create(campaign=campaign, name=name)
        audit.record(who, "bureau.create", bureau, campaign=campaign.pk, name=name)
    return bureau


def do_add_scrutin(who: Who, bureau: Bureau, scrutin: Scrutin) -> None:
    """`bureau` covers `scrutin` (one bureau per scrutin), until its ceremony opens."""
    with transaction.atomic():
        bureau = _lock(bureau)
        check_composing(bureau)
        if scrutin.campaign_id != bureau.campaign_id:
            raise CeremonyRefused(_("Ce scrutin n'appartient pas à la campagne du bureau."))
        other = BureauScrutin.objects.filter(scrutin=scrutin).select_related("bureau").first()
        if other is not None:
            raise CeremonyRefused(
                _("Le scrutin « %(scrutin)s » est déjà couvert par le bureau « %(bureau)s ».")
                % {"scrutin": scrutin.code, "bureau": other.bureau.name}
            )
        BureauScrutin.objects.create(bureau=bureau, scrutin=scrutin)
        audit.record(
            who, "bureau.add_scrutin", bureau, campaign=bureau.campaign_id, scrutin=scrutin.code
        )


def do_remove_scrutin(who: Who, bureau: Bureau, scrutin: Scrutin) -> None:
    with transaction.atomic():
        bureau = _lock(bureau)
        check_composing(bureau)
        BureauScrutin.objects.filter(bureau=bureau, scrutin=scrutin).delete()
        audit.record(
            who, "bureau.remove_scrutin", bureau, campaign=bureau.campaign_id, scrutin=scrutin.code
        )


def do_add_member(
    who: Who, bureau: Bureau, user: User, role: str, union: Union | None
) -> BureauMember:
    """Add a staff account to the bureau (and to the members' role), until the ceremony opens.
    The composition rule is checked as a whole when the ceremony opens (`do_open_ceremony`);
    here, only what no bureau may ever have."""
    if not (user.is_staff and user.is_active):
        raise CeremonyRefused(
            _(
                "Un membre du bureau se connecte à l'espace de gestion : son compte doit être un "
                "compte de gestion actif."
            )
        )
    if role not in BureauMember.Role.values:
        raise CeremonyRefused(_("Choisissez le rôle du membre dans le bureau."))
    if role == BureauMember.Role.DELEGATE and union is None:
        raise CeremonyRefused(_("Un délégué syndical représente une organisation syndicale."))
    if role != BureauMember.Role.DELEGATE:
        union = None
    with transaction.atomic():
        bureau = _lock(bureau)
        check_composing(bureau)
        if union is not None and union.campaign_id != bureau.campaign_id:
            raise CeremonyRefused(_("Cette organisation syndicale n'est pas de la campagne."))
        if bureau.members.filter(user=user).exists():
            raise CeremonyRefused(_("Cette personne est déjà membre du bureau."))
        if role != BureauMember.Role.DELEGATE and bureau.members.filter(role=role).exists():
            raise CeremonyRefused(_("Le bureau a déjà un membre de ce rôle : retirez-le d'abord."))
        if union is not None and bureau.members.filter(union=union).exists():
            raise CeremonyRefused(
                _(
                    "L'organisation « %(union)s » a déjà son délégué dans le bureau : un seul "
                    "délégué par organisation détient ses fragments de clé."
                )
                % {"union": union.acronym}
            )
        member = BureauMember.objects.create(bureau=bureau, user=user, role=role, union=union)
        group, _created = Group.objects.get_or_create(name=MEMBERS_GROUP)
        user.groups.add(group)
        audit.record(
            who,
            "bureau.add_member",
            bureau,
            campaign=bureau.campaign_id,
            member=user.get_username(),
            role=role,
            union=union.acronym if union else "",
        )
    return member


def do_remove_member(who: Who, bureau: Bureau, member_id: Any) -> None:
    with transaction.atomic():
        bureau = _lock(bureau)
        check_composing(bureau)
        member = bureau.members.filter(pk=member_id).select_related("user").first()
        if member is None:
            raise CeremonyRefused(_("Ce membre n'est pas (ou plus) dans le bureau."))
        member.delete()
        audit.record(
            who,
            "bureau.remove_member",
            bureau,
            campaign=bureau.campaign_id,
            member=member.user.get_username(),
        )


def bureau_plan(bureau: Bureau) -> Plan:
    """The fragments the bureau's members receive; raises `CompositionRefused` (a
    `VisitorError`) naming the clause the composition breaks."""
    rows = bureau.members.order_by("pk").values_list("pk", "role", "union_id")
    return plan_fragments(members_from(rows))


def check_ceremony_may_open(bureau: Bureau) -> Plan:
    check_composing(bureau)
    plan = bureau_plan(bureau)
    scrutins = list(bureau.scrutins.order_by("code"))
    if not scrutins:
        raise CeremonyRefused(_("Le bureau ne couvre encore aucun scrutin."))
    for scrutin in scrutins:
        election = ScrutinElection.objects.filter(scrutin=scrutin).first()
        if election is None:
            raise CeremonyRefused(
                _(
                    "Le scrutin « %(scrutin)s » n'a pas encore d'élection : préparez les "
                    "élections d'abord."
                )
                % {"scrutin": scrutin.code}
            )
        try:
            setup.check_setup_editable(election)
        except setup.SetupRefused as refused:
            raise CeremonyRefused(refused.message) from None
    return plan


def do_open_ceremony(who: Who, bureau: Bureau) -> Bureau:
    """Check the composition and the scrutins, give each member their fragments, and open the
    first step (the certificates)."""
    with transaction.atomic():
        bureau = _lock(bureau)
        plan = check_ceremony_may_open(bureau)
        KeyFragment.objects.bulk_create(
            KeyFragment(
                bureau=bureau,
                member_id=fragment.member,
                group=fragment.group.value,
                position=fragment.position,
            )
            for fragment in plan.fragments
        )
        bureau.step = Bureau.Step.CERTIFICATES
        bureau.save(update_fields=["step"])
        audit.record(
            who,
            "bureau.ceremony_open",
            bureau,
            campaign=bureau.campaign_id,
            members=len(plan.members),
            fragments=len(plan.fragments),
        )
    return bureau


def do_restart_ceremony(who: Who, bureau: Bureau) -> Bureau:
    """Throw away an unfinished ceremony (a member lost their key, a member's value did not
    check on another's machine): every fragment and message goes, the bureau is composing again
    and a new ceremony starts from the certificates. A complete ceremony is never restarted
    here: its keys may already seal scrutins."""
    with transaction.atomic():
        bureau = _lock(bureau)
        if bureau.step in (Bureau.Step.COMPOSING, Bureau.Step.COMPLETE):
            raise CeremonyRefused(
                _("Seule une cérémonie ouverte et non terminée peut être recommencée.")
            )
        was = bureau.step
        count, _deleted = bureau.fragments.all().delete()
        bureau.step = Bureau.Step.COMPOSING
        bureau.save(update_fields=["step"])
        audit.record(
            who, "bureau.ceremony_restart", bureau, campaign=bureau.campaign_id, step=was,
            fragments=count,
        )  # fmt: skip
    return bureau


# --- members: their steps -------------------------------------------------------------------------


def _fragment(bureau: Bureau, member: BureauMember, fragment_id: Any) -> KeyFragment:
    try:
        return KeyFragment.objects.select_for_update().get(
            pk=int(fragment_id), bureau=bureau, member=member
        )
    except (KeyFragment.DoesNotExist, ValueError, TypeError):
        raise CeremonyRefused(
            _("Ce fragment de clé n'est pas l'un des vôtres : rien n'a été enregistré.")
        ) from None


def _check_step(bureau: Bureau, step: str) -> None:
    if bureau.step != step:
        raise CeremonyRefused(
            _(
                "Ce n'est pas l'étape de la cérémonie : le bureau en est à l'étape « %(step)s »."
                " Rien n'a été enregistré."
            )
            % {"step": bureau.get_step_display()}
        )


def _parse(text: str, what: str) -> object:
    if len(text) > MAX_MESSAGE:
        raise CeremonyRefused(
            _("Ce fichier est bien trop gros pour être un %(what)s.") % {"what": what}
        )
    try:
        return loads(text.strip())
    except CryptoError:
        raise CeremonyRefused(
            _("Ce fichier n'est pas un %(what)s : ce n'est pas du JSON.") % {"what": what}
        ) from None


def _refused(what: str, error: Exception) -> CeremonyRefused:
    # The crypto core's messages are in English and name the field at fault: shown as they are,
    # after a French sentence, for whoever checks with the tool.
    return CeremonyRefused(
        _("%(what)s refusé : il ne se vérifie pas (%(error)s). Rien n'a été enregistré.")
        % {"what": what, "error": error}
    )


def cert_keys(cert: SignedMessage) -> tuple[Element, Element]:
    """(verification, encryption) keys of a certificate, its signature checked."""
    fields = read_object(loads(cert.message), "cert.message", ("verification", "encryption"))
    verification = GROUP.read_element(fields["verification"], "verification")
    encryption = GROUP.read_element(fields["encryption"], "encryption")
    cert.verify(GROUP, verification)
    return verification, encryption


def _group_fragments(bureau: Bureau, group: str) -> list[KeyFragment]:
    return list(bureau.fragments.filter(group=group).order_by("position"))


def _read_certs(fragments: Sequence[KeyFragment]) -> list[SignedMessage]:
    return [pedersen.read_cert(GROUP, loads(fragment.cert)) for fragment in fragments]


def do_submit_cert(
    who: Who, bureau: Bureau, member: BureauMember, fragment_id: Any, text: str
) -> KeyFragment:
    what = _("Certificat")
    value = _parse(text, _("certificat"))
    with transaction.atomic():
        bureau = _lock(bureau)
        _check_step(bureau, Bureau.Step.CERTIFICATES)
        fragment = _fragment(bureau, member, fragment_id)
        if fragment.cert:
            raise CeremonyRefused(
                _("Le certificat de ce fragment est déjà déposé : il ne se remplace pas.")
            )
        try:
            cert = pedersen.read_cert(GROUP, value)
            keys = cert_keys(cert)
        except CryptoError as error:
            raise _refused(what, error) from None
        name = pedersen.cert_name(cert)
        for other in bureau.fragments.exclude(pk=fragment.pk).exclude(cert=""):
            other_cert = pedersen.read_cert(GROUP, loads(other.cert))
            if other.cert_name == name or set(cert_keys(other_cert)) & set(keys):
                raise CeremonyRefused(
                    _(
                        "Ce certificat (ou l'une de ses clés) est déjà déposé pour un autre "
                        "fragment : chaque fragment a sa propre clé. Rien n'a été enregistré."
                    )
                )
        fragment.cert = dumps(cert.to_json())
        fragment.cert_name = name
        fragment.save(update_fields=["cert", "cert_name"])
        audit.record(
            who,
            "bureau.ceremony_cert",
            bureau,
            campaign=bureau.campaign_id,
            fragment=str(fragment),
            cert_name=name,
        )
        if not bureau.fragments.filter(cert="").exists():
            for group in KeyGroup:
                try:
                    pedersen.verify_certs(GROUP, _read_certs(_group_fragments(bureau, group)))
                except CryptoError as error:
                    raise _refused(what, error) from None
            _advance(who, bureau, Bureau.Step.POLYNOMIALS)
    return fragment


def certs_jsons(bureau: Bureau, group: str) -> str:
    """The group's ``certs.jsons`` (one certificate a line, in the order of the positions), once
    every certificate is in."""
    fragments = _group_fragments(bureau, group)
    if any(not fragment.cert for fragment in fragments):
        raise CeremonyRefused(_("Tous les certificats ne sont pas encore déposés."))
    return "".join(fragment.cert + "\n" for fragment in fragments)


def do_submit_polynomial(
    who: Who, bureau: Bureau, member: BureauMember, fragment_id: Any, text: str
) -> KeyFragment:
    what = _("Polynôme")
    value = _parse(text, _("polynôme"))
    with transaction.atomic():
        bureau = _lock(bureau)
        _check_step(bureau, Bureau.Step.POLYNOMIALS)
        fragment = _fragment(bureau, member, fragment_id)
        if fragment.polynomial:
            raise CeremonyRefused(
                _("Le polynôme de ce fragment est déjà déposé : il ne se remplace pas.")
            )
        fragments = _group_fragments(bureau, fragment.group)
        threshold = THRESHOLDS[KeyGroup(fragment.group)]
        try:
            polynomial = pedersen.Polynomial.from_json(GROUP, value)
            verification, _encryption = cert_keys(pedersen.read_cert(GROUP, loads(fragment.cert)))
            polynomial.coefexps.verify(GROUP, verification)
            committed = PedersenTrustees(
                threshold=threshold,
                certs=(),
                coefexps=(polynomial.coefexps,),
                verification_keys=(),
            ).coefficient_commitments(GROUP)
        except CryptoError as error:
            raise _refused(what, error) from None
        if len(committed[0]) != threshold or len(polynomial.secrets) != len(fragments):
            raise CeremonyRefused(
                _(
                    "Polynôme refusé : il doit être fait avec le fichier certs.jsons du groupe "
                    "(%(count)d certificats) et le seuil %(threshold)d. Rien n'a été enregistré."
                )
                % {"count": len(fragments), "threshold": threshold}
            )
        fragment.polynomial = dumps(polynomial.to_json())
        fragment.save(update_fields=["polynomial"])
        audit.record(
            who,
            "bureau.ceremony_polynomial",
            bureau,
            campaign=bureau.campaign_id,
            fragment=str(fragment),
        )
        if not bureau.fragments.filter(polynomial="").exists():
            for group in KeyGroup:
                group_fragments = _group_fragments(bureau, group)
                try:
                    vinputs = pedersen.make_vinputs(
                        GROUP,
                        _read_certs(group_fragments),
                        [_polynomial(item) for item in group_fragments],
                    )
                except CryptoError as error:
                    raise _refused(what, error) from None
                for item, vinput in zip(group_fragments, vinputs, strict=True):
                    item.vinput = dumps(vinput.to_json())
                    item.save(update_fields=["vinput"])
            _advance(who, bureau, Bureau.Step.VOUTPUTS)
    return fragment


def _polynomial(fragment: KeyFragment) -> pedersen.Polynomial:
    return pedersen.Polynomial.from_json(GROUP, loads(fragment.polynomial))


def do_submit_voutput(
    who: Who, bureau: Bureau, member: BureauMember, fragment_id: Any, text: str
) -> KeyFragment:
    what = _("Voutput")
    value = _parse(text, _("voutput"))
    with transaction.atomic():
        bureau = _lock(bureau)
        _check_step(bureau, Bureau.Step.VOUTPUTS)
        fragment = _fragment(bureau, member, fragment_id)
        if fragment.voutput:
            raise CeremonyRefused(
                _("La part de clé de ce fragment est déjà déposée : elle ne se remplace pas.")
            )
        fragments = _group_fragments(bureau, fragment.group)
        try:
            voutput = pedersen.Voutput.from_json(GROUP, value)
            rows = PedersenTrustees(
                threshold=THRESHOLDS[KeyGroup(fragment.group)],
                certs=(),
                coefexps=tuple(_polynomial(item).coefexps for item in fragments),
                verification_keys=(),
            ).coefficient_commitments(GROUP)
            j = fragment.position
            expected = GROUP.prod(
                GROUP.pow(coefficient, j**k) for row in rows for k, coefficient in enumerate(row)
            )
            if voutput.public_key.public_key != expected:
                raise CeremonyRefused(
                    _(
                        "Voutput refusé : sa clé publique n'est pas celle que les polynômes "
                        "donnent à ce fragment (un voutput d'un autre fragment ou d'une autre "
                        "cérémonie ?). Rien n'a été enregistré."
                    )
                )
            voutput.public_key.verify(GROUP)
            pedersen.EncryptedMessage.from_json(GROUP, loads(voutput.private_key), "private_key")
        except CryptoError as error:
            raise _refused(what, error) from None
        fragment.voutput = dumps(voutput.to_json())
        fragment.save(update_fields=["voutput"])
        audit.record(
            who,
            "bureau.ceremony_voutput",
            bureau,
            campaign=bureau.campaign_id,
            fragment=str(fragment),
        )
        if not bureau.fragments.filter(voutput="").exists():
            _complete(who, bureau)
    return fragment


def _complete(who: Who, bureau: Bureau) -> None:
    """Step 6 for each group, trustees.json of both, set on every scrutin covered."""
    items = []
    for group in KeyGroup:
        fragments = _group_fragments(bureau, group)
        try:
            items.append(
                pedersen.make_threshold_parameters(
                    GROUP,
                    _read_certs(fragments),
                    [_polynomial(item) for item in fragments],
                    [pedersen.Voutput.from_json(GROUP, loads(item.voutput)) for item in fragments],
                )
            )
        except CryptoError as error:
            raise _refused(_("Voutput"), error) from None
    verify_trustees(GROUP, items)
    text = dumps(trustees_to_json(items))
    bureau.trustees = text
    bureau.completed_at = timezone.now()
    bureau.save(update_fields=["trustees", "completed_at"])
    for scrutin in bureau.scrutins.order_by("code"):
        try:
            setup.do_set_trustees(scrutin, text)
        except setup.SetupRefused as refused:
            raise CeremonyRefused(refused.message) from None
    _advance(who, bureau, Bureau.Step.COMPLETE)


def _advance(who: Who, bureau: Bureau, step: str) -> None:
    bureau.step = step
    bureau.save(update_fields=["step"])
    audit.record(who, "bureau.ceremony_step", bureau, campaign=bureau.campaign_id, step=step)


def record_refusal(who: Who, bureau: Bureau, step: str, refusal: VisitorError) -> None:
    """A refused upload is recorded too (after the refused transaction rolled back)."""
    audit.record(
        who,
        "bureau.ceremony_refused",
        bureau,
        campaign=bureau.campaign_id,
        step=step,
        reason=str(refusal.message)[:300],
    )


# --- what the pages show --------------------------------------------------------------------------


def progress(bureau: Bureau) -> list[dict[str, Any]]:
    """Each fragment and what it has sent so far (for staff and members)."""
    rows = []
    for fragment in bureau.fragments.select_related("member", "member__user", "member__union"):
        rows.append(
            {
                "fragment": fragment,
                "member": fragment.member,
                "cert": bool(fragment.cert),
                "polynomial": bool(fragment.polynomial),
                "voutput": bool(fragment.voutput),
            }
        )
    return rows


def composition_problem(bureau: Bureau) -> str | None:
    """Why the bureau's composition breaks the rule, or None."""
    try:
        bureau_plan(bureau)
    except CompositionRefused as refused:
        return str(refused.message)
    return None


def trustee_number(fragment: KeyFragment) -> int:
    """The fragment's trustee number across trustees.json (the archive's ``owner`` of its partial
    decryption, belenios-tool's ``--trustee-id``): the presidency's trustees come first (1, 2),
    then the unions' (3, 4, ...), as `urne.crypto.trustees.decryption_slots` numbers them."""
    if fragment.group == KeyGroup.PRESIDENCY:
        return fragment.position
    presidency = KeyFragment.objects.filter(
        bureau_id=fragment.bureau_id, group=KeyGroup.PRESIDENCY
    ).count()
    return presidency + fragment.position


def scrutin_bureau(scrutin: Scrutin) -> Bureau | None:
    link = BureauScrutin.objects.filter(scrutin=scrutin).select_related("bureau").first()
    return link.bureau if link else None
