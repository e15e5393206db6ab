"""The credential authority: makes the voting identifiers, seals them, publishes the public
credentials and sends the identifiers to the electors, apart from the voting server.

- `keys`: the authority's own key pair (HPKE, X25519) and the sealed form of an identifier.
- `models`: `SealedIdentifier` (one per elector, sealed, never in clear) and
  `IdentifierDelivery` (each re-send asked in the espace, the destination masked).
- `generation`: `do_generate_identifiers(campaign, public_key)`, one identifier per elector and
  each scrutin's public credentials (`urne authority_generate`).
- `notices`: the printable notices, one PDF per establishment (`urne authority_notices`).
- `services`: the espace's « Recevoir mon identifiant de vote » (check_*/do_*), and the
  delivery that the authority's worker carries out (`tasks`).
- `sms`: the pluggable SMS sender (file and console backends).

docs/credential-authority.md describes the role, its keys, commands, flows and threat model.
"""
