"""SQL for trigram lookups, shared by the ticket and directory searches: the FTS5 trigram tables on
SQLite, ``ILIKE`` over a pg_trgm GIN index on PostgreSQL.

Terms are inlined as escaped SQL literals (Tortoise's RawSQL takes no parameters); nothing in a
term is read as an FTS5 operator or a LIKE wildcard.
"""

from __future__ import annotations

from collections.abc import Iterable


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fts_rowids(table: str, terms: Iterable[str]) -> str:
    """The rowids of ``table`` (FTS5) holding every term: each term one phrase (double quotes
    doubled inside), phrases side by side are ANDed."""
    query = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    return f'(SELECT "rowid" FROM "{table}" WHERE "{table}" MATCH {sql_literal(query)})'


def pg_contains_all(document: str, terms: Iterable[str]) -> str:
    """``document`` holds every term, in any case (the indexed expression, spelled the same way)."""
    tests = []
    for term in terms:
        escaped = term.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        tests.append(f"{document} ILIKE {sql_literal(f'%{escaped}%')} ESCAPE '!'")
    return "(" + " AND ".join(tests) + ")"
