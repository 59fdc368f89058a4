"""The directory search over a structure's identifier, name, label, city and postal code, through
trigram indexes.

One function, :func:`search_structures`, narrows any structure queryset; the same
search finds the same structures on both databases, and the same ones as the
plain filter :func:`matches` did before the indexes:

- the whole search, trimmed, is one piece of text (« Martin et Fils » is not
  « Martin » and « Fils »); a structure matches when it occurs, in any case
  (on SQLite, like ``LIKE``, of ASCII letters only: « école » does not find
  « ÉCOLE »), in its identifier, its name or its label, when its postal code starts with
  it, or when it occurs in its city, unless the structure is one of INSEE's
  non-diffusible establishments and the viewer is not one of its members;
- a trigram index needs three characters: a shorter search (« 75 », « SA »)
  is the plain filter alone, read over every structure. Such searches are rare
  and their result is right, only slower.

How the index narrows first, then :func:`matches` decides on the few rows left
(the candidates are a superset: the index knows neither which field matched
nor the city rule):

- SQLite: the FTS5 table ``structure_search`` (trigram tokenizer, kept in sync
  with ``structure`` by triggers) answers ``MATCH`` on the search as one quoted
  phrase, which is a substring search;
- PostgreSQL: a GIN ``gin_trgm_ops`` index (pg_trgm) on :data:`PG_DOCUMENT`
  answers ``ILIKE '%search%'``, written in the query's own ``WHERE`` (an
  annotation filtered on): as ``id IN (SELECT ...)`` the planner, which
  thinks the plain filter very selective, scans the table and probes the
  subquery row by row instead.

Both created by ``backend/migrations/0004_structure_search.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.expressions import Q, RawSQL

from backend.services import trigram

#: The shortest search a trigram index can look up.
MIN_TERM_LENGTH = 3
#: The indexed expression on PostgreSQL (migration 0004 indexes it with bare column names; the
#: table is named here because the search sits in queries that join tables with columns of the same
#: names, and PostgreSQL matches it with the index all the same).
PG_DOCUMENT = (
    '("structure"."identifier" || \' \' || "structure"."name" || \' \' || COALESCE("structure"."label", \'\') '
    '|| \' \' || "structure"."city" || \' \' || "structure"."postal_code")'
)
#: The FTS5 table on SQLite.
FTS_TABLE = "structure_search"


def term_of(search: str | None) -> str:
    """What is looked for: the search trimmed (NUL characters removed)."""
    return (search or "").replace("\x00", "").strip()


def uses_index(search: str | None) -> bool:
    """Whether :func:`search_structures` looks ``search`` up in the trigram index."""
    return len(term_of(search)) >= MIN_TERM_LENGTH


def matches(term: str, members: Iterable[int]) -> Q:
    """The directory's rule as a plain filter; ``members``: the structures the viewer is a member of."""
    return (
        Q(identifier__icontains=term)
        | Q(name__icontains=term)
        | Q(label__icontains=term)
        | Q(postal_code__startswith=term)
        | (Q(city__icontains=term) & (Q(non_diffusible_insee=False) | Q(id__in=sorted(members) or [0])))
    )


def search_structures(queryset: Any, search: str | None, members: Iterable[int]) -> Any:
    """``queryset`` narrowed to the structures that match ``search`` (unchanged for a blank search)."""
    term = term_of(search)
    if not term:
        return queryset
    rule = matches(term, members)
    if not uses_index(term):
        return queryset.filter(rule)
    # The search is inlined as an escaped SQL literal: Tortoise's RawSQL takes no parameters.
    dialect = queryset.model._meta.db.capabilities.dialect
    if dialect == "postgres":
        # ``… WHERE (document ILIKE …) = true``: PostgreSQL reads it as the indexed condition itself.
        return queryset.annotate(search_match=RawSQL(trigram.pg_contains_all(PG_DOCUMENT, [term]))).filter(
            rule, search_match=True
        )
    if dialect == "sqlite":
        return queryset.filter(Q(id__in=RawSQL(trigram.fts_rowids(FTS_TABLE, [term]))) & rule)
    raise NotImplementedError(f"directory search is not available on {dialect}")  # pragma: no cover
