"""Simultaneous appends never fork the chain: each waits for the head the one before left."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from urne.audit.models import AuditEntry
from urne.audit.services import record, verify_chain

THREADS = 6
EACH = 5


@pytest.mark.django_db(transaction=True)
def test_simultaneous_appends_make_one_unbroken_chain() -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(EACH):
                record(None, "import.start", description=f"worker {worker}", n=n)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(AuditEntry.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, THREADS * EACH + 1))
    report = verify_chain()
    assert report.problem is None
    assert report.entries == THREADS * EACH
