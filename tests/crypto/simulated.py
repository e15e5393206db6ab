"""Small elections run with `urne.crypto.simulate`, made once per test process and shared."""

from __future__ import annotations

import functools

from urne.crypto.simulate import SimulatedElection, SimulationSpec, simulate


@functools.cache
def simulated(
    voters: int = 6,
    lists: int = 3,
    blank: bool = True,
    trustees: int = 1,
    threshold: int | None = None,
    seed: int = 7,
) -> SimulatedElection:
    """A simulated election (the same object for the same parameters in one test process)."""
    spec = SimulationSpec(
        voters=voters,
        lists=lists,
        blank=blank,
        trustees=trustees,
        threshold=threshold,
        seed=seed,
    )
    return simulate(spec, jobs=1)
