"""What differs between a seal's recorded components and the same components recomputed now,
in words (French): which files, which versions, which settings, which part of a scrutin's
setup, which ballots or émargements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne.sealing.fingerprint import (
    BOOTH,
    BOX,
    CODE,
    DISTRIBUTIONS,
    SCRUTIN_PREFIX,
    SETTINGS,
    Component,
)

MAX_NAMED = 20
"""Files or lines named in one message at most (the rest are counted)."""


@dataclass(frozen=True)
class Change:
    component: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"component": self.component, "message": self.message}


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    if len(names) > MAX_NAMED:
        shown += " " + _("et %(count)d autre(s)") % {"count": len(names) - MAX_NAMED}
    return shown


def _files_change(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    parts = []
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(name for name in set(before) & set(after) if before[name] != after[name])
    if added:
        parts.append(_("fichier(s) ajouté(s) : %(files)s") % {"files": _names(added)})
    if changed:
        parts.append(_("fichier(s) modifié(s) : %(files)s") % {"files": _names(changed)})
    if removed:
        parts.append(_("fichier(s) supprimé(s) : %(files)s") % {"files": _names(removed)})
    return parts


def _code(before: Component, after: Component) -> str:
    parts = _files_change(before.data["files"], after.data["files"])
    return _("Code déployé : %(what)s.") % {"what": " ; ".join(parts)}


def _booth(before: Component, after: Component) -> str:
    parts = _files_change(before.data["files"], after.data["files"])
    return _("JavaScript de l'isoloir tel que servi : %(what)s.") % {"what": " ; ".join(parts)}


def _versions(lines: list[str]) -> dict[str, str]:
    return dict(line.split("==", 1) for line in lines if "==" in line)


def _distributions(before: Component, after: Component) -> str:
    old, new = _versions(before.data), _versions(after.data)
    parts = []
    changed = [
        f"{name} {old[name]} → {new[name]}"
        for name in sorted(set(old) & set(new))
        if old[name] != new[name]
    ]
    added = [f"{name} {new[name]}" for name in sorted(set(new) - set(old))]
    removed = [f"{name} {old[name]}" for name in sorted(set(old) - set(new))]
    if changed:
        parts.append(_("version(s) changée(s) : %(names)s") % {"names": _names(changed)})
    if added:
        parts.append(_("ajoutée(s) : %(names)s") % {"names": _names(added)})
    if removed:
        parts.append(_("retirée(s) : %(names)s") % {"names": _names(removed)})
    return _("Distributions Python installées : %(what)s.") % {"what": " ; ".join(parts)}


def _shown(value: Any) -> str:
    return repr(value)


def _settings(before: Component, after: Component) -> str:
    parts = []
    old, new = before.data["values"], after.data["values"]
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            parts.append(
                _("%(name)s : %(old)s → %(new)s")
                % {"name": name, "old": _shown(old.get(name)), "new": _shown(new.get(name))}
            )
    old_secrets, new_secrets = before.data["secrets"], after.data["secrets"]
    for name in sorted(set(old_secrets) | set(new_secrets)):
        if old_secrets.get(name) != new_secrets.get(name):
            # Presences and key check values only: never a secret.
            parts.append(
                _("secret %(name)s : %(old)s → %(new)s")
                % {"name": name, "old": old_secrets.get(name), "new": new_secrets.get(name)}
            )
    return _("Réglage(s) modifié(s) : %(what)s.") % {"what": " ; ".join(parts)}


SCRUTIN_PARTS = {
    "uuid": gettext_lazy("l'identifiant (uuid) de l'élection"),
    "sealed": gettext_lazy("le scellement de l'élection"),
    "fingerprint": gettext_lazy("l'empreinte de l'élection"),
    "election_sha256": gettext_lazy("le texte de l'élection"),
    "trustees_sha256": gettext_lazy("les clés publiques des autorités de déchiffrement"),
    "credential_list_sha256": gettext_lazy("la liste des certificats publics"),
    "credential_count": gettext_lazy("le nombre de certificats publics"),
    "board_setup_sha256": gettext_lazy("le début du tableau public (mise en place)"),
}


def _scrutin(before: Component, after: Component) -> str:
    code = before.name.removeprefix(SCRUTIN_PREFIX)
    parts = []
    old, new = before.data, after.data
    for key in ("name", "kind"):
        if old.get(key) != new.get(key):
            parts.append(_("son nom ou son type"))
            break
    if old.get("counting") != new.get("counting"):
        parts.append(_("ses sièges ou ses règles de répartition"))
    old_election, new_election = old.get("election"), new.get("election")
    if (old_election is None) != (new_election is None):
        parts.append(_("son élection (créée ou retirée)"))
    elif old_election is not None and new_election is not None:
        for key, label in SCRUTIN_PARTS.items():
            if old_election.get(key) != new_election.get(key):
                parts.append(str(label))
    old_lists, new_lists = old.get("lists", []), new.get("lists", [])
    if [item["title"] for item in old_lists] != [item["title"] for item in new_lists]:
        parts.append(_("ses listes ou leur ordre officiel"))
    elif old_lists != new_lists:
        for old_list, new_list in zip(old_lists, new_lists, strict=True):
            if old_list != new_list:
                parts.append(
                    _("la liste « %(title)s » (candidats, organisations ou profession de foi)")
                    % {"title": new_list["title"]}
                )
    if not parts:
        parts.append(_("sa mise en place"))
    return _("Scrutin %(code)s : changé depuis le scellement : %(what)s.") % {
        "code": code,
        "what": " ; ".join(parts),
    }


def _box(before: Component, after: Component) -> str:
    parts = []
    old, new = before.data["scrutins"], after.data["scrutins"]
    for code in sorted(set(old) | set(new)):
        was, now = old.get(code), new.get(code)
        if was is None:
            parts.append(_("%(code)s : élection scellée après le scellement") % {"code": code})
        elif now is None:
            parts.append(_("%(code)s : élection absente maintenant") % {"code": code})
        elif was != now:
            parts.append(
                _(
                    "%(code)s : %(ballots)d bulletin(s) et %(emargements)d émargement(s) "
                    "antérieurs au scellement (enregistrés : %(was_ballots)d et "
                    "%(was_emargements)d)"
                )
                % {
                    "code": code,
                    "ballots": now["ballots"],
                    "emargements": now["emargements"],
                    "was_ballots": was["ballots"],
                    "was_emargements": was["emargements"],
                }
            )
    return _("Urne et émargement au scellement : %(what)s.") % {"what": " ; ".join(parts)}


_DESCRIBE = {CODE: _code, BOOTH: _booth, DISTRIBUTIONS: _distributions, SETTINGS: _settings}


def describe(before: Component, after: Component) -> str:
    if before.name in _DESCRIBE:
        return _DESCRIBE[before.name](before, after)
    if before.name == BOX:
        return _box(before, after)
    if before.name.startswith(SCRUTIN_PREFIX):
        return _scrutin(before, after)
    return _("Composante %(name)s : changée.") % {"name": before.name}  # pragma: no cover


def differences(recorded: list[Component], now: list[Component]) -> list[Change]:
    """Each component that differs, added or removed, in the components' order."""
    old = {component.name: component for component in recorded}
    new = {component.name: component for component in now}
    changes = []
    for name in sorted(set(old) | set(new), key=lambda name: name.encode("utf-8")):
        if name not in new:
            changes.append(Change(name, _("%(name)s : absente maintenant.") % {"name": name}))
        elif name not in old:
            changes.append(
                Change(name, _("%(name)s : apparue depuis le scellement.") % {"name": name})
            )
        elif old[name].hash != new[name].hash:
            changes.append(Change(name, describe(old[name], new[name])))
    return changes
