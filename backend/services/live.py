"""What a write announces for live updates (``backend.realtime``), inside its transaction.

Two places call it, each the one place its kind of write goes through:
:func:`backend.services.audit.audit` (every change records its audit event, so
every approval state change and every change of someone's habilitations passes
there) and the ticket service's ``_activity`` (every ticket activity).
"""

from __future__ import annotations

from backend.realtime import Event, announce

#: Approvals became REQUESTED, or stopped being, on a structure.
APPROVALS = "approvals"
#: Audit actions that change which approvals of a structure are REQUESTED.
APPROVAL_ACTIONS = frozenset(
    {"approval.request", "approval.approve", "approval.refuse", "approval.cancel", "membership.detach"}
)
#: Audit actions that may change what their subject user may decide (habilitations, role).
GRANT_ACTIONS = frozenset({"membership.attach", "membership.detach", "user.set_role", "user.deactivate"})


def user_topic(user_id: int) -> str:
    """Something about this user changed: their habilitations, their role."""
    return f"user:{user_id}"


def ticket_topic(ticket_id: int) -> str:
    """An activity was added to this ticket."""
    return f"ticket:{ticket_id}"


async def audited(action: str, *, structure_id: int | None, subject_user_id: int | None) -> None:
    """Announce what an audit event means for live updates (called by ``audit``, in its transaction)."""
    if structure_id is not None and action in APPROVAL_ACTIONS:
        await announce(Event(APPROVALS, {"structure": structure_id}))
    if subject_user_id is not None and (action.startswith("habilitation.") or action in GRANT_ACTIONS):
        await announce(Event(user_topic(subject_user_id)))


async def ticket_activity_added(ticket_id: int) -> None:
    await announce(Event(ticket_topic(ticket_id)))
