"""The live reads behind GraphQL subscriptions: the state now, then again each time a write
announces a change that may concern the viewer (``backend.services.live``).

Announcements are hints: each watcher reads the database again with the viewer's
rights of the moment. A slow re-check (``settings.live_recheck_seconds``) also
reloads the viewer's habilitations and checks that their session or token still
works, which catches whatever an announcement missed; a viewer signed out
meanwhile sees the stream end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from tortoise.expressions import Q

from backend import clock, models
from backend.auth.grants import ORGANISATION, Grants
from backend.auth.viewer import Viewer
from backend.models import AccountStatus
from backend.realtime import Event, hub
from backend.services import approvals, tickets
from backend.services.access import NOT_ALLOWED, signed_in
from backend.services.errors import Forbidden
from backend.services.live import APPROVALS, ticket_topic, user_topic


async def still_signed_in(viewer: Viewer) -> Viewer | None:
    """The viewer again, if their session (or API token) and their account still work."""
    now = clock.now()
    if viewer.session is not None:
        alive = await models.Session.filter(
            id=viewer.session.id, revoked_at=None, expires_at__gt=now
        ).exists()
    elif viewer.token is not None:
        alive = await models.ApiToken.filter(
            Q(expires_at=None) | Q(expires_at__gt=now), id=viewer.token.id, revoked_at=None
        ).exists()
    else:
        alive = True  # not tied to a session or a token (the command line): the account decides
    user = await models.User.get_or_none(id=viewer.user.id, status=AccountStatus.ACTIVE) if alive else None
    return Viewer(user=user, session=viewer.session, token=viewer.token) if user is not None else None


async def pending_approval_counts(viewer: Viewer | None, *, recheck: float) -> AsyncIterator[int]:
    """The viewer's count of approvals to decide now, then each new value."""
    viewer = signed_in(viewer)
    grants = Grants(user_id=viewer.user.id)

    def concerns(event: Event) -> bool:
        if event.topic != APPROVALS:
            return True  # the viewer's own habilitations changed
        structure = event.data.get("structure")
        return grants.is_platform_admin or (
            isinstance(structure, int) and grants.has_somewhere_in(ORGANISATION.modification, structure)
        )

    with hub.watch([APPROVALS, user_topic(viewer.user.id)], concerns) as watch:
        grants = await Grants.load(viewer.user)
        last: int | None = None
        while True:
            count = await approvals.pending_count(grants)
            if count != last:
                last = count
                yield count
            events = await watch.wait(recheck)
            if events is None or any(event.topic != APPROVALS for event in events):
                refreshed = await still_signed_in(viewer)
                if refreshed is None:
                    return
                viewer = refreshed
                grants = await Grants.load(viewer.user)


async def ticket_activities(
    viewer: Viewer | None, ticket_id: int, *, recheck: float
) -> AsyncIterator[models.TicketActivity]:
    """Activities added to the ticket from now on, oldest first; FORBIDDEN (like a missing ticket)
    when the viewer may not read it. The stream ends if they lose the right."""
    viewer = signed_in(viewer)
    if await tickets.readable_ticket(await Grants.load(viewer.user), ticket_id) is None:
        raise Forbidden(NOT_ALLOWED)
    return _activities_after_now(viewer, ticket_id, recheck)


async def _activities_after_now(
    viewer: Viewer, ticket_id: int, recheck: float
) -> AsyncIterator[models.TicketActivity]:
    with hub.watch([ticket_topic(ticket_id)]) as watch:
        latest = await models.TicketActivity.filter(ticket_id=ticket_id).order_by("-id").first()
        floor = latest.id if latest is not None else 0
        # On PostgreSQL ids are taken before commit: a later id may commit first, so an id is sent
        # when it shows up, not because it is the next one.
        sent: set[int] = set()
        while True:
            if await watch.wait(recheck) is None:
                refreshed = await still_signed_in(viewer)
                if refreshed is None:
                    return
                viewer = refreshed
                if await tickets.readable_ticket(await Grants.load(viewer.user), ticket_id) is None:
                    return
            rows = (
                await models.TicketActivity.filter(ticket_id=ticket_id, id__gt=floor)
                .exclude(id__in=sorted(sent) or [0])
                .order_by("created_at", "id")
            )
            for row in rows:
                sent.add(row.id)
                yield row
