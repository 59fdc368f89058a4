"""The fixed list of operations the load runs play, shared by run.py, baseline.py and the tests.

Each operation is one GraphQL request as the SPA sends it, signed in with a demo account's API
token (``bench/generate.py`` creates them):

==================  ======  ===========================================================================
name                kind    what
==================  ======  ===========================================================================
directory_search    list    ``structures(search:, first: 20)``: the public directory, flat fields
structure_page      single  ``structure(id:)`` of the big structure, with address and principal manager
members_page        list    ``memberships(structureId:, first: 50)`` of the big structure (thousands of
                            members), each with user, service and habilitations (profile, application)
pending_count       count   ``viewer { pendingApprovalCount }`` of the manager of many structures
tickets_<tab>       list    ``tickets(tab:, first: 10)`` for ACTION_REQUIRED, IN_PROGRESS, CLOSED, DRAFTS
support_queue       list    ``receivedTickets(first: 10)`` of the support agent: the platform support's
                            queue (two thirds of all tickets) and their structure's
keyword_search      list    ``tickets(tab: IN_PROGRESS, filter: {search: two words}, first: 10)``
ticket_page         single  ``ticket(number:)`` with its activities and their authors
submitTicket        write   a platform-support ticket from the big structure
addHabilitation     write   a profile the member does not hold yet, on the big structure
updateStructure     write   a new phone number on one of the manager's structures (version tracked)
==================  ======  ===========================================================================
"""

from __future__ import annotations

import base64
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

DIRECTORY_SEARCH = """query Directory($q: String!) {
  structures(search: $q, first: 20) {
    totalCount
    edges { node { id identifierType identifier name kind status city } }
  }
}"""

STRUCTURE_PAGE = """query StructurePage($id: ID!) {
  structure(id: $id) {
    id identifierType identifier name label kind status email phone city version
    address { line1 line2 postalCode city country }
    principalManager { id firstName lastName }
  }
}"""

MEMBERS_PAGE = """query Members($id: ID!) {
  memberships(structureId: $id, first: 50) {
    totalCount
    edges { node {
      id status isPrincipalManager
      user { id firstName lastName email }
      service { id code name }
      habilitations { id profile { id name level application { code } } }
    } }
  }
}"""

PENDING_COUNT = "query Pending { viewer { pendingApprovalCount } }"

#: A ticket list's rows as « Mes tickets » and « Tickets reçus » show them.
TICKET_ROWS = """totalCount
    edges { node {
      id number title status objectNumber
      subcategory { name }
      issuerStructure { id name }
      recipientStructure { id name }
    } }"""

MY_TICKETS = (
    """query MyTickets($tab: TicketTab!) {
  tickets(tab: $tab, first: 10) {
    """
    + TICKET_ROWS
    + """
  }
}"""
)

KEYWORD_SEARCH = """query Search($q: String!) {
  tickets(tab: IN_PROGRESS, filter: {search: $q}, first: 10) {
    totalCount
    edges { node { id number title status issuerStructure { id name } } }
  }
}"""

TICKET_PAGE = """query TicketPage($number: String!) {
  ticket(number: $number) {
    id number title description status objectType objectNumber contactEmail
    category { name } subcategory { name }
    issuerStructure { id name } recipientStructure { id name }
    createdBy { id firstName lastName }
    activities { id kind body fromStatus toStatus author { id firstName lastName } }
  }
}"""

SUBMIT_TICKET = """mutation Submit($input: TicketInput!) {
  submitTicket(input: $input) { ticket { id number } errors { code message } }
}"""

ADD_HABILITATION = """mutation Add($input: AddHabilitationInput!) {
  addHabilitation(input: $input) { habilitation { id } errors { code message } }
}"""

UPDATE_STRUCTURE = """mutation Update($id: ID!, $version: Int!, $input: UpdateStructureInput!) {
  updateStructure(id: $id, version: $version, input: $input) {
    structure { id version phone } errors { code message }
  }
}"""

SUPPORT_QUEUE = (
    """query SupportQueue {
  receivedTickets(first: 10) {
    """
    + TICKET_ROWS
    + """
  }
}"""
)

TABS = ("ACTION_REQUIRED", "IN_PROGRESS", "CLOSED", "DRAFTS")


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@dataclass
class Operation:
    name: str
    kind: str  # single | count | list | write
    query: str
    viewer: str  # demo account email
    variables: Any  # callable(state) -> dict
    check: Any = None  # callable(state, data) -> str | None (an error)


@dataclass
class State:
    """What the operations need from the data set (dataset.json plus a few rows read at setup)."""

    dataset: dict[str, Any]
    ticket_number: str = ""
    search_words: str = "prefecture mairie"
    directory_word: str = "boulangerie"
    submit_subcategory: tuple[int, int] = (0, 0)  # (category id, sub-category id): platform support
    habilitation_candidates: list[tuple[int, int]] = field(default_factory=list)  # (user, profile)
    managed: list[int] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)
    written: dict[str, list[Any]] = field(
        default_factory=lambda: {"ticket": [], "habilitation": [], "phone": []}
    )
    costs: dict[str, Any] = field(
        default_factory=dict
    )  # the portal's extensions.cost, echoed by the baseline
    counter: itertools.count = field(default_factory=itertools.count)
    rnd: random.Random = field(default_factory=lambda: random.Random(7))


def _submit_vars(s: State) -> dict[str, Any]:
    n = next(s.counter)
    cat, sub = s.submit_subcategory
    return {
        "input": {
            "categoryId": gid("TicketCategory", cat),
            "subcategoryId": gid("TicketSubcategory", sub),
            "issuerStructureId": gid("Structure", s.dataset["big_structure_id"]),
            "title": f"Banc d'essai {n}",
            "description": f"Demande créée par le banc d'essai, numéro {n}.",
        }
    }


def _add_hab_vars(s: State) -> dict[str, Any]:
    user, profile = s.habilitation_candidates.pop()
    return {
        "input": {
            "userId": gid("User", user),
            "structureId": gid("Structure", s.dataset["big_structure_id"]),
            "profileId": gid("Profile", profile),
        }
    }


def _update_vars(s: State) -> dict[str, Any]:
    free = [sid for sid in s.managed if s.versions[sid] > 0]
    sid = free[next(s.counter) % len(free)]
    version = s.versions[sid]
    s.versions[sid] = -1  # taken: a concurrent client must pick another one
    return {
        "id": gid("Structure", sid),
        "version": version,
        "input": {"phone": f"01{next(s.counter) % 10**8:08d}"},
        "_sid": sid,
    }


def operations() -> list[Operation]:
    manager, member = "manager@bench.test", "member@bench.test"
    ops = [
        Operation("directory_search", "list", DIRECTORY_SEARCH, member, lambda s: {"q": s.directory_word}),
        Operation(
            "structure_page",
            "single",
            STRUCTURE_PAGE,
            manager,
            lambda s: {"id": gid("Structure", s.dataset["big_structure_id"])},
        ),
        Operation(
            "members_page",
            "list",
            MEMBERS_PAGE,
            manager,
            lambda s: {"id": gid("Structure", s.dataset["big_structure_id"])},
        ),
        Operation("pending_count", "count", PENDING_COUNT, manager, lambda s: {}),
    ]
    for tab in TABS:
        ops.append(
            Operation(f"tickets_{tab.lower()}", "list", MY_TICKETS, manager, lambda s, t=tab: {"tab": t})
        )
    ops += [
        Operation("support_queue", "list", SUPPORT_QUEUE, "support@bench.test", lambda s: {}),
        Operation("keyword_search", "list", KEYWORD_SEARCH, manager, lambda s: {"q": s.search_words}),
        Operation("ticket_page", "single", TICKET_PAGE, manager, lambda s: {"number": s.ticket_number}),
        Operation("submitTicket", "write", SUBMIT_TICKET, manager, _submit_vars),
        Operation("addHabilitation", "write", ADD_HABILITATION, manager, _add_hab_vars),
        Operation("updateStructure", "write", UPDATE_STRUCTURE, manager, _update_vars),
    ]
    return ops


def payload_errors(data: dict[str, Any] | None) -> list[Any]:
    """The business errors of a mutation's payload (empty for a query)."""
    if not data:
        return []
    errors: list[Any] = []
    for value in data.values():
        if isinstance(value, dict) and value.get("errors"):
            errors.extend(value["errors"])
    return errors


def resolved_fields(value: Any) -> int:
    """How many fields the executor resolved to produce ``value`` (each key of each object)."""
    if isinstance(value, dict):
        return sum(1 + resolved_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(resolved_fields(v) for v in value)
    return 0
