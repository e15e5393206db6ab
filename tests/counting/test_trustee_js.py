"""The bureau member's in-browser modules (src/urne/static/urne/counting/), run in Node and
checked against urne's Python core: AES-CCM against Python cryptography's AESCCM, the member's
key share opened from their seed and voutput, and their partial decryption — the same factors
as Python computes, proofs that Python verifies, and accepted by the server's upload."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from tests.counting.conftest import Bureau, run_vote
from tests.counting.test_count import CHOICES, close_and_tally
from tests.counting.trustee_js import Ceremony, make_ceremony, run_trustee_js
from tests.crypto.belenios_tool import run_tool
from urne.campaign.models import Academy, Scrutin
from urne.counting import closing, decryption
from urne.crypto import pedersen
from urne.crypto.group import BELENIOS_2048, Exponent
from urne.crypto.hashing import hash_json, sha256_hex
from urne.crypto.jsonio import dumps, loads
from urne.crypto.proofs import verify_decryption_proof
from urne.crypto.tally import PartialDecryption
from urne.crypto.trustees import PedersenTrustees, private_key_to_json

GROUP = BELENIOS_2048
TOOL = ("setup", "generate-trustee-key-threshold", "--group", "BELENIOS-2048")
Travel = Callable[[datetime], None]


# --- AES-CCM ------------------------------------------------------------------------------------


def test_ccm_matches_python_cryptography_both_ways() -> None:
    cases = []
    for length in (0, 1, 15, 16, 17, 31, 32, 33, 200, 1500):
        key, nonce = secrets.token_bytes(32), secrets.token_bytes(13)
        plain = secrets.token_bytes(length)
        cases.append((key, nonce, plain, AESCCM(key, tag_length=8).encrypt(nonce, plain, None)))
    requests = [
        {"op": "ccm-encrypt", "key": k.hex(), "nonce": n.hex(), "data": p.hex()}
        for k, n, p, _ in cases
    ] + [
        {"op": "ccm-decrypt", "key": k.hex(), "nonce": n.hex(), "data": c.hex()}
        for k, n, _, c in cases
    ]
    answers = run_trustee_js(requests)
    for (_, _, plain, sealed), encrypted, decrypted in zip(
        cases, answers[: len(cases)], answers[len(cases) :], strict=True
    ):
        assert encrypted == {"data": sealed.hex()}
        assert decrypted == {"data": plain.hex()}


def test_ccm_refuses_an_altered_message_or_another_key() -> None:
    key, nonce = secrets.token_bytes(32), secrets.token_bytes(13)
    sealed = bytearray(AESCCM(key, tag_length=8).encrypt(nonce, b"decryption key", None))
    sealed[3] ^= 1
    other = secrets.token_bytes(32)
    good = AESCCM(key, tag_length=8).encrypt(nonce, b"decryption key", None)
    answers = run_trustee_js(
        [
            {"op": "ccm-decrypt", "key": key.hex(), "nonce": nonce.hex(), "data": sealed.hex()},
            {"op": "ccm-decrypt", "key": other.hex(), "nonce": nonce.hex(), "data": good.hex()},
        ]
    )
    assert [answer["error"] for answer in answers] == ["CcmError", "CcmError"]


# --- a ceremony made by the Python core ----------------------------------------------------------


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    return make_ceremony()


ELECTION = '{"version":1,"description":"Un scrutin","name":"CSA","group":"BELENIOS-2048"}'


def random_tally(rows: tuple[int, ...]) -> str:
    def element() -> str:
        return str(GROUP.pow_g(GROUP.random_exponent()))

    return dumps([[{"alpha": element(), "beta": element()} for _ in range(n)] for n in rows])


def check_partial(answer: dict[str, object], tally: str, x: Exponent, owner: int) -> None:
    """The JS partial decryption has Python's factors, proofs Python verifies, and its owned
    line names `owner` and the first line's hash."""
    partial_text, owned = str(answer["partial"]), str(answer["owned"])
    assert loads(owned) == {"owner": owner, "payload": sha256_hex(partial_text)}
    partial = PartialDecryption.from_json(GROUP, loads(partial_text))
    assert dumps(partial.to_json()) == partial_text
    public = GROUP.pow_g(x)
    fingerprint = hash_json(ELECTION)
    for row, factors, proofs in zip(
        loads(tally), partial.decryption_factors, partial.decryption_proofs, strict=True
    ):
        assert len(row) == len(factors) == len(proofs)
        for ciphertext, factor, proof in zip(row, factors, proofs, strict=True):
            alpha = GROUP.read_element(ciphertext["alpha"], "alpha")
            assert factor == GROUP.pow(alpha, x)
            verify_decryption_proof(GROUP, fingerprint, public, alpha, factor, proof)


def test_partial_decryptions_from_a_seed_and_voutput_and_from_a_privkey(
    ceremony: Ceremony,
) -> None:
    tally = random_tally((3, 2))
    base = {"op": "decrypt", "election": ELECTION, "trustees": ceremony.trustees, "tally": tally}
    requests = [
        {**base, "key": seed + "\n", "voutput": voutput}
        for seed, voutput in zip(ceremony.seeds, ceremony.voutputs, strict=True)
    ]
    # The voutput's private_key alone (belenios-tool's ID.dkey) opens as well.
    requests.append(
        {
            **base,
            "key": ceremony.seeds[2],
            "voutput": loads(ceremony.voutputs[2])["private_key"] + "\n",
        }
    )
    requests.append({**base, "key": ceremony.single[1] + "\n", "voutput": ""})
    answers = run_trustee_js(requests)
    for j, answer in enumerate(answers[:3]):
        check_partial(answer, tally, ceremony.shares[j], j + 2)
    check_partial(answers[3], tally, ceremony.shares[2], 4)
    check_partial(answers[4], tally, ceremony.single[0], 1)


def test_wrong_files_are_refused_by_name(ceremony: Ceremony) -> None:
    tally = random_tally((2,))
    base = {"op": "decrypt", "election": ELECTION, "trustees": ceremony.trustees, "tally": tally}
    stranger = pedersen.make_seed()
    answers = run_trustee_js(
        [
            # another member's voutput
            {**base, "key": ceremony.seeds[0], "voutput": ceremony.voutputs[1]},
            # a seed that is no trustee's
            {**base, "key": stranger, "voutput": ceremony.voutputs[0]},
            # not a seed
            {**base, "key": "pas une clé", "voutput": ceremony.voutputs[0]},
            # a private key of no trustee
            {**base, "key": private_key_to_json(GROUP.random_exponent()), "voutput": ""},
            # a voutput that is not JSON
            {**base, "key": ceremony.seeds[0], "voutput": "n'importe quoi"},
        ]
    )
    assert [answer.get("code") for answer in answers] == [
        "bad-voutput",
        "not-a-trustee",
        "bad-seed",
        "not-a-trustee",
        "bad-voutput",
    ]


# --- accepted by the server ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_server_accepts_the_browser_partial_decryptions_and_publishes_the_result(
    ceremony: Ceremony,
    csa_national: Scrutin,
    dijon: Academy,
    travel: Travel,
    tmp_path: Path,
) -> None:
    trustees = tmp_path / "trustees.json"
    trustees.write_text(ceremony.trustees + "\n", encoding="utf-8")
    election = run_vote(csa_national, dijon, Bureau(trustees, {}), CHOICES)
    election = close_and_tally(election, travel)
    tally = closing.encrypted_tally(election)
    assert tally is not None
    base = {
        "op": "decrypt",
        "election": election.election,
        "trustees": election.trustees,
        "tally": dumps(tally.to_json()),
    }
    answers = run_trustee_js(
        [
            {**base, "key": ceremony.single[1], "voutput": ""},
            {**base, "key": ceremony.seeds[1], "voutput": ceremony.voutputs[1]},
            {**base, "key": ceremony.seeds[2], "voutput": ceremony.voutputs[2]},
        ]
    )
    for answer in answers:
        event = decryption.do_accept_partial_decryption(
            election, f"{answer['partial']}\n{answer['owned']}\n", None
        )
        assert event.owner == answer["owner"]
    result = decryption.scrutin_result(election)
    assert result is not None
    assert result.tallied == len(CHOICES)


# --- the key ceremony: a member's steps made by the JavaScript, among Python members -------------


def test_a_member_runs_the_ceremony_in_the_browser_among_python_members() -> None:
    python_keys = [pedersen.derive_keys(GROUP, pedersen.make_seed()) for _ in range(2)]
    (made,) = run_trustee_js([{"op": "cert"}])
    seed = made["seed"]
    assert pedersen.check_seed(seed) == seed
    js_cert = pedersen.read_cert(GROUP, loads(made["cert"]))
    assert made["cert"] == dumps(js_cert.to_json())
    assert made["name"] == pedersen.cert_name(js_cert)
    js_keys = pedersen.derive_keys(GROUP, seed)
    # The same seed gives the same certificate message (the signature is randomized).
    assert js_cert.message == pedersen.make_cert(GROUP, js_keys).message
    certs = [pedersen.make_cert(GROUP, python_keys[0]), js_cert]
    certs.append(pedersen.make_cert(GROUP, python_keys[1]))
    pedersen.verify_certs(GROUP, certs)
    certs_text = "".join(dumps(cert.to_json()) + "\n" for cert in certs)

    (answer,) = run_trustee_js(
        [{"op": "polynomial", "certs": certs_text, "seed": seed, "threshold": 2}]
    )
    js_polynomial = pedersen.Polynomial.from_json(GROUP, loads(answer["polynomial"]))
    assert answer["polynomial"] == dumps(js_polynomial.to_json())
    polynomials = [
        pedersen.make_polynomial(GROUP, certs, python_keys[0], 2),
        js_polynomial,
        pedersen.make_polynomial(GROUP, certs, python_keys[1], 2),
    ]
    vinputs = pedersen.make_vinputs(GROUP, certs, polynomials)
    # The Python members check and open the values the JavaScript sent them.
    first = pedersen.make_voutput(GROUP, certs, python_keys[0], vinputs[0])
    third = pedersen.make_voutput(GROUP, certs, python_keys[1], vinputs[2])

    (answer,) = run_trustee_js(
        [
            {
                "op": "voutput",
                "certs": certs_text,
                "seed": seed,
                "vinput": dumps(vinputs[1].to_json()),
            }
        ]
    )
    js_voutput = pedersen.Voutput.from_json(GROUP, loads(answer["voutput"]))
    assert answer["voutput"] == dumps(js_voutput.to_json())
    parameters = pedersen.make_threshold_parameters(
        GROUP, certs, polynomials, [first, js_voutput, third]
    )
    position, share = pedersen.read_decryption_key(
        GROUP, js_keys, parameters, js_voutput.private_key
    )
    assert position == 2
    assert GROUP.pow_g(share) == parameters.verification_keys[1].public_key


def test_a_forged_value_or_a_foreign_seed_is_refused_naming_the_sender() -> None:
    keys = [pedersen.derive_keys(GROUP, pedersen.make_seed()) for _ in range(3)]
    certs = [pedersen.make_cert(GROUP, k) for k in keys]
    certs_text = "".join(dumps(cert.to_json()) + "\n" for cert in certs)
    polynomials = [pedersen.make_polynomial(GROUP, certs, k, 2) for k in keys]
    vinput = pedersen.make_vinputs(GROUP, certs, polynomials)[0].to_json()
    # Trustee 3 sends member 1 a value of its own polynomial at another point.
    forged = pedersen.send(
        GROUP, keys[2].signing_key, keys[0].encryption_key, dumps({"secret": "12345"})
    )
    vinput["secrets"][2] = forged
    answers = run_trustee_js(
        [
            {"op": "voutput", "certs": certs_text, "seed": keys[0].seed, "vinput": dumps(vinput)},
            {"op": "polynomial", "certs": certs_text, "seed": pedersen.make_seed(), "threshold": 2},
            {"op": "polynomial", "certs": certs_text, "seed": keys[0].seed, "threshold": 4},
        ]
    )
    assert (answers[0]["code"], answers[0]["trustee"]) == ("bad-value", 3)
    assert answers[1]["code"] == "not-in-certs"
    assert answers[2]["code"] == "bad-threshold"


@pytest.mark.belenios
def test_a_member_in_the_browser_takes_part_in_a_ceremony_run_by_belenios_tool(
    tmp_path: Path,
) -> None:
    """Two members use belenios-tool, one the browser's JavaScript: the tool runs the server's
    steps 2, 4 and 6 and accepts the JavaScript's certificate, polynomial and voutput; the
    JavaScript opens and checks the values the tool sent it (AES-CCM made by the tool)."""
    (made,) = run_trustee_js([{"op": "cert"}])
    ours = made["name"]
    (tmp_path / f"{ours}.cert").write_text(made["cert"] + "\n")
    run_tool(*TOOL, "--step", "1", cwd=tmp_path)
    run_tool(*TOOL, "--step", "1", cwd=tmp_path)
    names = sorted(path.stem for path in tmp_path.glob("*.cert"))
    certs_text = "".join((tmp_path / f"{name}.cert").read_text() for name in names)
    (tmp_path / "certs.jsons").write_text(certs_text)
    run_tool(*TOOL, "--certs", "certs.jsons", "--step", "2", cwd=tmp_path)

    lines = []
    for name in names:
        if name == ours:
            (answer,) = run_trustee_js(
                [{"op": "polynomial", "certs": certs_text, "seed": made["seed"], "threshold": 2}]
            )
            lines.append(answer["polynomial"] + "\n")
        else:
            done = run_tool(
                *TOOL,
                *("--certs", "certs.jsons", "--key", f"{name}.key", "--step", "3"),
                *("--threshold", "2"),
                cwd=tmp_path,
            )
            lines.append(done.stdout)
    (tmp_path / "polynomials.jsons").write_text("".join(lines))
    run_tool(
        *TOOL, "--certs", "certs.jsons", "--step", "4", "--polynomials", "polynomials.jsons",
        cwd=tmp_path,
    )  # fmt: skip

    voutputs = []
    for name in names:
        vinput = (tmp_path / f"{name}.vinput").read_text()
        if name == ours:
            (answer,) = run_trustee_js(
                [{"op": "voutput", "certs": certs_text, "seed": made["seed"], "vinput": vinput}]
            )
            assert "voutput" in answer, answer
            voutputs.append(answer["voutput"] + "\n")
        else:
            done = run_tool(
                *TOOL,
                *("--certs", "certs.jsons", "--key", f"{name}.key", "--step", "5"),
                cwd=tmp_path,
                stdin=vinput,
            )
            voutputs.append(done.stdout)
    done = run_tool(
        *TOOL, "--certs", "certs.jsons", "--step", "6", "--polynomials", "polynomials.jsons",
        cwd=tmp_path, stdin="".join(voutputs),
    )  # fmt: skip
    parameters = PedersenTrustees.from_json(GROUP, loads(done.stdout))
    parameters.verify(GROUP)
    keys = pedersen.derive_keys(GROUP, made["seed"])
    sealed = loads(voutputs[names.index(ours)])["private_key"]
    position, _share = pedersen.read_decryption_key(GROUP, keys, parameters, sealed)
    assert names[position - 1] == ours
