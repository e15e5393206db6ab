"""PostgreSQL stores ballot texts out of line, uncompressed (migration voting 0003): pglz's
attempt on base-10 numbers costs the ballot box's locked section about a millisecond a ballot
for almost no gain."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_ballot_texts_are_never_compressed_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'voting_ballot'::regclass AND attname = 'text'"
        )
        (storage,) = cursor.fetchone()
    assert storage == "e"  # EXTERNAL: out of line, not compressed
