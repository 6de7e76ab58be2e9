"""`pipelined()`: statements sent without waiting for their answers (PostgreSQL), errors still raised
as Django's, never outside a transaction."""
import pytest
from django.db import IntegrityError, connection, transaction

from agencies.models import Region
from search.index import pipelined


def _insert_region(code: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO agencies_region (code, name, name_zh, level, is_synthetic) "
                       "VALUES (%s, 'Test', '测试', 'province', true)", [code])


def test_a_failed_statement_is_raised_as_a_django_error_by_the_end_of_the_block(db):
    with pytest.raises(IntegrityError), transaction.atomic(), pipelined():
        _insert_region("990001")
        _insert_region("990001")  # same code: refused by the unique index
    assert not Region.objects.filter(code="990001").exists()  # the transaction was rolled back


def test_statements_sent_in_the_block_are_written_and_can_be_read_inside_it(db):
    with transaction.atomic(), pipelined():
        _insert_region("990002")
        _insert_region("990003")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM agencies_region WHERE code IN ('990002', '990003')")
            assert cursor.fetchone() == (2,)  # reading waits for the writes sent before it
    assert Region.objects.filter(code__in=["990002", "990003"]).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no pipeline: nothing to refuse")
def test_outside_a_transaction_it_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="transaction"), pipelined():
        _insert_region("990004")
    assert not Region.objects.filter(code="990004").exists()
