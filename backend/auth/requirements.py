"""What a use case requires of its caller, declared once.

The GraphQL mutation names its ``Requirement`` (which also feeds the
generated permission matrix); the generic parts (signed in, not a read-only
token, a browser session) are enforced before the resolver runs, and the
service checks ``need`` on the object it loads, with the same constant.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.auth.grants import ORGANISATION, SOLLICITATIONS_EMISES, SOLLICITATIONS_RECUES, Need


@dataclass(frozen=True)
class Requirement:
    description: str
    need: Need | None = None
    anonymous: bool = False
    session_only: bool = False

    def describe(self) -> str:
        parts = [self.description]
        if self.session_only:
            parts.append("(browser session only, not an API token)")
        return " ".join(parts)


ANYONE = Requirement("anyone, signed in or not", anonymous=True)
SIGNED_IN = Requirement("signed in")
SIGNED_IN_SESSION = Requirement("signed in", session_only=True)

# Bank details and documents of a structure (issue 4): Organisation modification on the structure.
MANAGE_BANK_ACCOUNTS = Requirement(
    "Organisation modification on the structure", need=ORGANISATION.modification
)
MANAGE_STRUCTURE_DOCUMENTS = Requirement(
    "Organisation modification on the structure", need=ORGANISATION.modification
)

# Users, habilitations, approvals (backend.services.memberships, habilitations, approvals).
ATTACH_USER = Requirement(
    "Organisation modification on the structure (or on the service, for a service-level attachment)",
    need=ORGANISATION.modification,
)
REVOKE_INVITATION = Requirement(
    "Organisation modification on the invitation's structure", need=ORGANISATION.modification
)
DETACH_USER = Requirement(
    "Organisation modification on the structure (or the service); never the principal manager",
    need=ORGANISATION.modification,
)
MANAGE_HABILITATIONS = Requirement(
    "Organisation modification on the structure (or the service); the principal manager's Organisation "
    "modification cannot be removed",
    need=ORGANISATION.modification,
)
REQUEST_ATTACHMENT = Requirement("signed in; the structure active; not already attached or pending")
REQUEST_HABILITATION_CHANGE = Requirement(
    "an active membership on the structure (or the service); « Factures émises » on oneself applies at once"
)
DECIDE_APPROVAL = Requirement(
    "Organisation modification on the approval's structure (or its service); not one's own request",
    need=ORGANISATION.modification,
)
COMMENT_APPROVAL = Requirement("the requester, or Organisation modification on the approval's structure")
CANCEL_APPROVAL = Requirement("the requester, while REQUESTED")

# Support tickets (backend.services.tickets): the issuer side, the recipient side, or either.
_TICKET_ISSUER = "Sollicitations émises modification on the issuer structure (or service)"
_TICKET_RECIPIENT = (
    "Sollicitations reçues modification on the recipient structure (or service); support agents for "
    "tickets addressed to the platform support"
)
SAVE_TICKET_DRAFT = Requirement(
    f"{_TICKET_ISSUER}; an existing draft: its author only", need=SOLLICITATIONS_EMISES.modification
)
SUBMIT_TICKET = Requirement(
    f"{_TICKET_ISSUER}; an existing draft: its author only", need=SOLLICITATIONS_EMISES.modification
)
DELETE_TICKET_DRAFT = Requirement("the draft's author", need=SOLLICITATIONS_EMISES.modification)
PROVIDE_TICKET_INFORMATION = Requirement(_TICKET_ISSUER, need=SOLLICITATIONS_EMISES.modification)
CLOSE_TICKET = Requirement(_TICKET_ISSUER, need=SOLLICITATIONS_EMISES.modification)
ACCEPT_TICKET_SOLUTION = Requirement(_TICKET_ISSUER, need=SOLLICITATIONS_EMISES.modification)
REOPEN_TICKET = Requirement(_TICKET_ISSUER, need=SOLLICITATIONS_EMISES.modification)
ASSIGN_TICKET = Requirement(_TICKET_RECIPIENT, need=SOLLICITATIONS_RECUES.modification)
REQUEST_TICKET_INFORMATION = Requirement(_TICKET_RECIPIENT, need=SOLLICITATIONS_RECUES.modification)
RESOLVE_TICKET = Requirement(_TICKET_RECIPIENT, need=SOLLICITATIONS_RECUES.modification)
TRANSFER_TICKET_TO_SUPPORT = Requirement(_TICKET_RECIPIENT, need=SOLLICITATIONS_RECUES.modification)
COMMENT_TICKET = Requirement(
    "either side's modification profile: Sollicitations émises on the issuer structure (or service), "
    "Sollicitations reçues on the recipient structure (or service), support agents for support tickets"
)
