"""urne's own Prometheus metrics, and the registry a scrape reads (docs/supervision.md).

The requests and their latency per view come from django-prometheus's two middlewares
(settings.MIDDLEWARE). The campaign's events are counted here, each at the one place that
decides it:

- `urne_logins_total{step, outcome}`: `urne.accounts.services.check_login` (every password
  login, voter or staff) and `urne.staffauth.services` (the staff's second factor);
- `urne_ballots_total{outcome}`: `urne.voting.api.cast`, the one door of the ballot box, whose
  answers carry a stable code (docs/api.md): `accepted`, `replayed`, or the refusal's code;
- `urne_mail_sent_total{kind, outcome}`: the mailings (`urne.mailings.sending.send_one`) and the
  vote receipts (`urne.voting.receipts`).

Labels take their values from fixed lists (codes, steps, kinds): never an address, a name, an
identifier, a path or anything the visitor typed, so that no personal data reaches the metrics
and no visitor can grow their number.

With several worker processes (gunicorn), prometheus_client's multiprocess mode keeps each
process's counters in files of PROMETHEUS_MULTIPROC_DIR, which a scrape adds up
(`scrape_registry`); without it (the development server, the tests) the process's own registry
is read. Figures that are the same for every node, read from the broker and the database at the
moment of the scrape (the queues' depth, the receipts waiting), come from `CampaignCollector`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Final

from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

LOGINS: Final = Counter(
    "urne_logins",
    "Logins decided, by step (password, second_factor) and outcome.",
    ["step", "outcome"],
)
BALLOTS: Final = Counter(
    "urne_ballots",
    "Answers of the ballot box's API: accepted, replayed (a retry given its receipt again) or "
    "the refusal's stable code (docs/api.md).",
    ["outcome"],
)
MAIL_SENT: Final = Counter(
    "urne_mail_sent",
    "Messages handed to the mail relay, by kind (mailing, receipt) and outcome (sent, failed).",
    ["kind", "outcome"],
)

LOGIN_STEPS: Final = ("password", "second_factor")
LOGIN_OUTCOMES: Final = (
    "succeeded",
    "invalid",
    "rate_limited",
    "not_confirmed",
    "disabled",
    "other",
)
MAIL_KINDS: Final = ("mailing", "receipt")


def ballot_outcomes() -> tuple[str, ...]:
    """Every value of `urne_ballots_total`'s outcome: the ballot box's codes and the API's."""
    from urne.voting.api import API_ERRORS
    from urne.voting.ballot_box import REFUSALS

    codes = {*REFUSALS, *API_ERRORS, "malformed_request"}
    return ("accepted", "replayed", *sorted(codes))


def count_login(step: str, outcome: str) -> None:
    LOGINS.labels(step=step, outcome=outcome if outcome in LOGIN_OUTCOMES else "other").inc()


_LOGIN_REFUSALS: Final = {
    "InvalidLogin": "invalid",
    "InvalidCode": "invalid",
    "InvalidEnrolmentCode": "invalid",
    "AccountNotConfirmed": "not_confirmed",
    "AccountDisabled": "disabled",
    "TooManyAttempts": "rate_limited",
}


def count_login_refused(step: str, refusal: Exception) -> None:
    """A login refused at `step`, counted by the refusal's kind (its class, from a fixed list)."""
    count_login(step, _LOGIN_REFUSALS.get(type(refusal).__name__, "other"))


def count_ballot(outcome: str) -> None:
    """One answer of the ballot box's API; an unknown code is counted as `other` (a label's
    values stay a fixed list)."""
    BALLOTS.labels(outcome=outcome if outcome in _ballot_outcomes() else "other").inc()


def count_mail(kind: str, outcome: str, number: int = 1) -> None:
    if number:
        MAIL_SENT.labels(kind=kind, outcome=outcome).inc(number)


_known_ballot_outcomes: frozenset[str] = frozenset()


def _ballot_outcomes() -> frozenset[str]:
    global _known_ballot_outcomes
    if not _known_ballot_outcomes:
        _known_ballot_outcomes = frozenset(ballot_outcomes())
    return _known_ballot_outcomes


def multiprocess_mode() -> bool:
    """True when the counters live in PROMETHEUS_MULTIPROC_DIR (several worker processes)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class CampaignCollector(Collector):
    """Figures read at the moment of a scrape, the same from every node (take `max` across
    nodes in a query, not `sum`): the depth of each Celery queue on the broker and the vote
    receipts waiting to be sent."""

    def collect(self) -> Iterable[Metric]:
        from urne.operations import figures

        depth = GaugeMetricFamily(
            "urne_queue_depth",
            "Tasks waiting on the broker, by Celery queue (none without a broker).",
            labels=["queue"],
        )
        for queue, size in figures.queue_depths().items():
            if size is not None:
                depth.add_metric([queue], size)
        yield depth
        pending = figures.pending_receipts()
        if pending is not None:
            yield GaugeMetricFamily(
                "urne_receipts_pending",
                "Vote receipts recorded with their ballot and not sent yet.",
                value=pending,
            )


def scrape_registry() -> CollectorRegistry:
    """A registry holding every counter of this node's processes, and the campaign's figures."""
    from prometheus_client import REGISTRY

    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(CampaignCollector())
    return registry


class _Forward(Collector):
    """The process's own registry, read through another (which adds the campaign's figures)."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        yield from self.source.collect()


def exposition() -> bytes:
    return generate_latest(scrape_registry())


def counter_values(name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """This node's values of counter `name` (e.g. "urne_ballots"), by their labels: what the
    supervision page shows beside the database's figures."""
    values: dict[tuple[tuple[str, str], ...], float] = {}
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        metrics: Iterable[Metric] = registry.collect()
    else:
        from prometheus_client import REGISTRY

        metrics = REGISTRY.collect()
    for metric in metrics:
        if metric.name != name:
            continue
        for sample in metric.samples:
            if sample.name == f"{name}_total":
                key = tuple(sorted(sample.labels.items()))
                values[key] = values.get(key, 0.0) + sample.value
    return values
