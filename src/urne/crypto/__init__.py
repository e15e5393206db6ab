"""The Belenios 2.0 protocol, pure Python (gmpy2 for big numbers), with no Django in it.

Written from the specification (Belenios 2.0, as Debian's belenios-tool implements it) and checked
against elections made by that tool. Homomorphic questions only: an election with a
non-homomorphic (mixnet) question is refused with `UnsupportedElection`.

One module per concept:

- `errors`: the typed failures (`CryptoError` and below); checks raise, they never return None.
- `jsonio`: JSON exactly as belenios-tool writes it (`dumps`) and strict reading (`loads`,
  `read_*`).
- `hashing`: SHA256 helpers (`hash_json` = H_JSON, `hash_mod` for challenges).
- `group`: `Group` (`BELENIOS_2048`, `RFC_3526_2048`), `Element`, `Exponent`; membership checks on
  every element read; all exponentiations (`pow_g`, `fixed_base`, `pow`, `multi_exp`, `log_g`).
- `credentials`: voting identifiers (``XXX-XXX-XXX-XXX-XXX`` with checksum), their derivation into
  a secret and a public credential with the election uuid, public credential lists with weights.
- `election`: `Election` and `Question` (election.json), the fingerprint.
- `elgamal`: `Ciphertext`, encryption, homomorphic products.
- `proofs`: every zero-knowledge proof of the spec (`make_*` / `verify_*`).
- `trustees`: trustee keys ("Single" with proof of knowledge, "Pedersen" public parameters), the
  election public key they combine into.
- `ballot`: `Ballot`, `make_ballot`, `read_ballot`, `verify_ballot`, the smart ballot tracker.
- `tally`: encrypted tally, partial decryptions with proofs, their combination (Lagrange for
  threshold trustees), the result.

Beside these, `pedersen` (threshold key ceremony), `archive` (the `.bel` file), `verifier` (with
`ballot_pool`, its worker processes) and `simulate` build on the modules above. The commands
`urne verify` and `urne simulate` are outside the core, in `urne.cli.protocol`.

Importing any of these modules loads neither Django nor Celery (tests/crypto/test_imports.py).
"""
