"""Compares our exported schema with the shared API contract (graphql-core's find_breaking_changes)."""

from __future__ import annotations

import re

from graphql import build_schema, find_breaking_changes

from backend.settings import PROJECT_ROOT

CONTRACT = PROJECT_ROOT.parent / "shared" / "contract" / "schema.graphql"
PENDING = PROJECT_ROOT / "tests" / "contract_pending.txt"

_PATTERNS = [
    (re.compile(r"^Field (\S+) was removed\.$"), r"\1"),
    (re.compile(r"^Standard scalar (\S+) was removed because .*$"), r"\1"),
    (re.compile(r"^(\S+) arg (\S+) was removed\.$"), r"\1(\2:)"),
    (re.compile(r"^(\S+) arg (\S+) has changed type from .*$"), r"\1(\2:)"),
    (re.compile(r"^A required arg (\S+) on (\S+) was added\.$"), r"\2(\1:) added as required"),
    (re.compile(r"^(\S+) was removed from enum type (\S+)\.$"), r"\2.\1"),
    (re.compile(r"^(\S+) was removed from union type (\S+)\.$"), r"\2|\1"),
    (re.compile(r"^(\S+) no longer implements interface (\S+)\.$"), r"\1 implements \2"),
    (re.compile(r"^(\S+) changed type from .*$"), r"\1"),
    (re.compile(r"^(\S+) was removed\.$"), r"\1"),
    (re.compile(r"^(\S+) changed from .*$"), r"\1 kind"),
]


def _path(description: str) -> str:
    for pattern, replacement in _PATTERNS:
        if pattern.match(description):
            return pattern.sub(replacement, description)
    return description


def missing_from_code(sdl: str) -> set[str]:
    """What the contract has and the code does not yet provide, one path each."""
    contract = build_schema(CONTRACT.read_text())
    ours = build_schema(sdl)
    return {_path(change.description) for change in find_breaking_changes(contract, ours)}


def pending_list() -> set[str]:
    if not PENDING.exists():
        return set()
    lines = (line.strip() for line in PENDING.read_text().splitlines())
    return {line for line in lines if line and not line.startswith("#")}
