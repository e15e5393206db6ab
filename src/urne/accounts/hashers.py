"""How passwords are hashed: Argon2id with the costs OWASP recommends, sized for the opening of
the vote (docs/accounts.md, « Password hashing »; bench/argon2_login.py measures them).

Django's own Argon2 costs (100 MiB of memory, 2 passes, 8 lanes) take about 144 ms and both
cores of our 2-core machine for every login: fewer than 10 logins a second per machine, while
the opening of the vote brings far more. OWASP's Password Storage Cheat Sheet gives, for
argon2id, 19 MiB of memory, 2 passes and 1 lane as its first configuration: about 22 ms on one
core here, so each core checks some 45 passwords a second and the two cores work for two
visitors at once.

The algorithm keeps Django's name ("argon2"), so hashes made with the old costs still verify;
Django's `must_update` notices their other costs and the password is hashed again with these
ones at the next successful login (User.check_password saves it), for voters and staff alike.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet, argon2id, first of its equivalent configurations.
MEMORY_KIB = 19 * 1024
PASSES = 2
LANES = 1


class SizedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2id hasher with OWASP's costs instead of Django's heavier defaults."""

    time_cost = PASSES
    memory_cost = MEMORY_KIB
    parallelism = LANES
