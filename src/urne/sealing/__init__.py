"""The campaign's seal (scellement): a fingerprint of the deployed code, the configuration,
each scrutin's election setup and the empty ballot box, recorded before the vote opens,
published on the board and recomputed by `urne seal verify` (docs/sealing.md)."""
