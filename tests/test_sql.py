"""Values written for SQL statements (basewatch.lib.sql)."""

from __future__ import annotations

import pytest
from django.db import connection

from basewatch.lib.sql import id_array


@pytest.mark.django_db
def test_an_id_array_is_read_by_postgresql_as_the_ids_in_their_order():
    with connection.cursor() as cursor:
        for ids in ([], [7], [3, 1, 2, 9_007_199_254_740_993]):
            cursor.execute("SELECT %s::bigint[]", [id_array(ids)])
            assert cursor.fetchone()[0] == ids


def test_an_id_array_takes_integers_only():
    with pytest.raises(ValueError, match="invalid literal"):
        id_array([1, "2},{3"])
