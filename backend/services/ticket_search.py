"""Keyword search over a ticket's number, title and description, through trigram indexes.

One function, :func:`search_tickets`, narrows any ticket queryset; the same
words find the same tickets on both databases:

- SQLite: the FTS5 table ``ticket_search`` (trigram tokenizer, kept in sync
  with ``ticket`` by triggers) answers ``MATCH`` on each word;
- PostgreSQL: a GIN ``gin_trgm_ops`` index (pg_trgm) on
  :data:`PG_DOCUMENT` answers ``ILIKE '%word%'`` on each word.

Both created by ``backend/migrations/0002_ticket_search.py``.

The rules, whatever the database:

- the search is split into words on white space; a ticket matches when every
  word occurs, case-insensitively, as a substring of its number, its title or
  its description (words may sit in different fields: « facture CPROCS0000042 »);
- a trigram index needs three characters: words shorter than that are
  dropped when the search has longer ones (« la facture » looks for
  « facture »);
- a search made only of short words (« 42 », « CP ») is a prefix of a ticket
  number: « CP » finds every numbered ticket, « 42 » none. It reads the
  unique index on ``number`` (a range), never the table.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, RawSQL

from backend.services import trigram

#: The shortest word a trigram index can look up.
MIN_WORD_LENGTH = 3
#: At most this many words are looked up (the rest is ignored).
MAX_WORDS = 8
#: The indexed expression on PostgreSQL (migration 0002 indexes it with bare column names; the
#: table is named here because the search sits in queries that join tables with columns of the same
#: names, and PostgreSQL matches it with the index all the same).
PG_DOCUMENT = (
    '(COALESCE("ticket"."number", \'\') || \' \' || "ticket"."title" || \' \' || "ticket"."description")'
)
#: The FTS5 table on SQLite.
FTS_TABLE = "ticket_search"


def words(search: str | None) -> list[str]:
    """The words the index looks up (three characters or more), in order, without repeats."""
    found: list[str] = []
    for word in (search or "").replace("\x00", "").split():
        if len(word) >= MIN_WORD_LENGTH and word.casefold() not in (w.casefold() for w in found):
            found.append(word)
    return found[:MAX_WORDS]


def number_prefix(search: str | None) -> str:
    """What a search of short words only means: a prefix of the number, upper case, spaces removed."""
    return "".join((search or "").replace("\x00", "").split()).upper()


def _next_prefix(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix`` (for a range scan)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def search_tickets(queryset: Any, search: str | None) -> Any:
    """``queryset`` narrowed to the tickets that match ``search`` (unchanged for a blank search)."""
    if not search or not search.strip():
        return queryset
    terms = words(search)
    if not terms:
        prefix = number_prefix(search)
        return queryset.filter(Q(number__gte=prefix) & Q(number__lt=_next_prefix(prefix)))
    dialect = queryset.model._meta.db.capabilities.dialect
    # The words are inlined as escaped SQL literals: Tortoise's RawSQL takes no parameters.
    if dialect == "postgres":
        # In the query itself (``… WHERE (document ILIKE …) = true``), not as ``id IN (SELECT …)``,
        # which the planner answered by scanning the tickets and probing the subquery.
        return queryset.annotate(search_match=RawSQL(trigram.pg_contains_all(PG_DOCUMENT, terms))).filter(
            search_match=True
        )
    if dialect == "sqlite":
        return queryset.filter(id__in=RawSQL(trigram.fts_rowids(FTS_TABLE, terms)))
    raise NotImplementedError(f"ticket search is not available on {dialect}")  # pragma: no cover
