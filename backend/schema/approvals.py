"""Approvals (« Approbations »): requests to join a structure or to change one's habilitations, and the
managers' decisions."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from backend import models
from backend.auth.requirements import (
    CANCEL_APPROVAL,
    COMMENT_APPROVAL,
    DECIDE_APPROVAL,
    REQUEST_ATTACHMENT,
    REQUEST_HABILITATION_CHANGE,
)
from backend.schema.context import Info
from backend.schema.enums import ApprovalKind, ApprovalState
from backend.schema.errors import UserError
from backend.schema.memberships import _ids, _optional_id, _service, _structure, _user
from backend.schema.mutations import mutation
from backend.schema.node import NOT_VISIBLE, decode_id, register_node, require_viewer
from backend.schema.pagination import After, Connection, First, paginate
from backend.schema.payloads import ERRORS_DESCRIPTION, attempt
from backend.schema.permissions import Public, guarded
from backend.schema.reference import ProfileType
from backend.schema.structures import ServiceType, StructureType
from backend.services import approvals as approval_service
from backend.services import subscriptions
from backend.services.errors import Forbidden

if TYPE_CHECKING:
    from backend.schema.accounts import UserType

UserRef = Annotated["UserType", strawberry.lazy("backend.schema.accounts")]
READERS = Public("whoever may see the approval: its requester; Organisation modification on its structure")


@strawberry.type(name="Comment", description="A comment in an approval's history.")
class CommentType:
    id: strawberry.ID = strawberry.field(description="Identifier of the comment.")
    row: strawberry.Private[Any]

    @strawberry.field(description="Who wrote it (null if the account was deleted).")
    async def author(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.author_id)

    @strawberry.field(description="The text.")
    def body(self) -> str:
        return self.row.body

    @strawberry.field(description="When it was written.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @classmethod
    def from_row(cls, row: Any) -> CommentType:
        return cls(id=strawberry.ID(str(relay.GlobalID("Comment", str(row.id)))), row=row)


@register_node
@strawberry.type(
    name="Approval",
    description="A request a structure's managers decide on: attachment to a structure or service, or "
    "habilitation change.",
)
class ApprovalType(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Any]

    @guarded(READERS, description="e.g. RITM0014709")
    def number(self) -> str:
        return self.row.number

    @guarded(READERS, description="Attachment or habilitation change.")
    def kind(self) -> ApprovalKind:
        return self.row.kind

    @guarded(READERS, description="Requested, approved, refused or cancelled.")
    def state(self) -> ApprovalState:
        return self.row.state

    @guarded(READERS, description="What is asked, in French.")
    def description(self) -> str:
        return self.row.description

    @guarded(READERS, description="Who asked.")
    async def requester(self, info: Info) -> UserRef:
        return await _user(info, self.row.requester_id)

    @guarded(
        READERS,
        description="The structure's principal manager when the request was made (shown as « Approbateur »); "
        "any holder of Organisation modification on the structure may decide.",
    )
    async def approver(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.approver_id)

    @guarded(READERS, description="The structure.")
    async def structure(self, info: Info) -> StructureType:
        return await _structure(info, self.row.structure_id)

    @guarded(READERS, description="The service, for a request at service level.")
    async def service(self, info: Info) -> ServiceType | None:
        return await _service(info, self.row.service_id)

    async def _profiles(self, info: Info, change: models.ProfileChangeKind) -> list[ProfileType]:
        rows = await info.context.loaders.children(models.ApprovalProfileChange, "approval_id").load(
            self.row.id
        )
        ids = [r.profile_id for r in rows if r.change == change]
        profiles = await info.context.loaders.by_id(models.Profile).load_many(ids)
        return [ProfileType.from_row(p) for p in profiles if p is not None]

    @guarded(READERS, description="Profiles to add (HABILITATION_CHANGE).")
    async def profiles_to_add(self, info: Info) -> list[ProfileType]:
        return await self._profiles(info, models.ProfileChangeKind.ADD)

    @guarded(READERS, description="Profiles to remove (HABILITATION_CHANGE).")
    async def profiles_to_remove(self, info: Info) -> list[ProfileType]:
        return await self._profiles(info, models.ProfileChangeKind.REMOVE)

    @guarded(READERS, description="The comment history, oldest first.")
    async def comments(self, info: Info) -> list[CommentType]:
        rows = await info.context.loaders.children(
            models.ApprovalComment, "approval_id", order_by=("created_at", "id")
        ).load(self.row.id)
        return [CommentType.from_row(row) for row in rows]

    @guarded(READERS, description="Who decided (null while requested, and when the system applied it).")
    async def decided_by(self, info: Info) -> UserRef | None:
        return await _user(info, self.row.decided_by_id)

    @guarded(READERS, description="The reason of a refusal (or of a decision by the system).")
    def decision_reason(self) -> str | None:
        return self.row.decision_reason

    @guarded(READERS, description="When it was requested.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @guarded(READERS, description="When it was decided or cancelled.")
    def decided_at(self) -> datetime | None:
        return self.row.decided_at

    @guarded(READERS, description="True when the viewer may approve or refuse it now.")
    async def viewer_can_decide(self, info: Info) -> bool:
        grants = await info.context.grants()
        return self.row.state == models.ApprovalState.REQUESTED and approval_service.may_decide(
            grants, self.row
        )

    @guarded(
        READERS, description="True when the viewer may cancel it now (their own request, still requested)."
    )
    async def viewer_can_cancel(self, info: Info) -> bool:
        grants = await info.context.grants()
        return self.row.state == models.ApprovalState.REQUESTED and self.row.requester_id == grants.user_id

    @classmethod
    def from_row(cls, row: Any) -> ApprovalType:
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> ApprovalType | None:
        row = await models.Approval.get_or_none(id=pk)
        if row is None or not approval_service.is_visible(await info.context.grants(), row):
            return None
        return cls.from_row(row)


# ---------------------------------------------------------------------------------------- inputs, payloads


@strawberry.input(description="« Demander un rattachement » to a structure or one of its services.")
class RequestAttachmentInput:
    structure_id: strawberry.ID = strawberry.field(description="The structure (from the public directory).")
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="A service of it, to join only that service."
    )
    comment: str | None = strawberry.field(default=None, description="A word for the manager.")


@strawberry.input(
    description="« Gérer mes habilitations »: profiles to add and to remove on a structure (or service)."
)
class RequestHabilitationChangeInput:
    structure_id: strawberry.ID = strawberry.field(description="The structure.")
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service, at service level."
    )
    add: list[strawberry.ID] | None = strawberry.field(default=None, description="Profiles to add.")
    remove: list[strawberry.ID] | None = strawberry.field(default=None, description="Profiles to remove.")
    comment: str | None = strawberry.field(default=None, description="Why.")


@strawberry.type(description="The answer of a request or a decision.")
class ApprovalPayload:
    approval: ApprovalType | None = strawberry.field(
        default=None, description="The approval; null on failure."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type(description="The answer of a decision on several approvals at once.")
class ApprovalsPayload:
    approvals: list[ApprovalType] = strawberry.field(
        default_factory=list, description="The approvals decided (empty on failure)."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION)


def _payload(done: Any, errors: list[UserError]) -> ApprovalPayload:
    return ApprovalPayload(approval=ApprovalType.from_row(done) if done is not None else None, errors=errors)


# ---------------------------------------------------------------------------------------- operations


@strawberry.type
class ApprovalQuery:
    @strawberry.field(
        description="Approvals the viewer may see (their own requests, and those they may decide), newest "
        "first, 20 a page; without `state`, all states. `search`: number, description, requester or structure; "
        "`toDecide`: only the REQUESTED ones the viewer may decide."
    )
    async def approvals(
        self,
        info: Info,
        state: Annotated[
            ApprovalState | None,
            strawberry.argument(description="Only the approvals in this state (all by default)."),
        ] = None,
        structure_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the approvals of this structure.")
        ] = None,
        kind: Annotated[
            ApprovalKind | None,
            strawberry.argument(description="Only attachment requests, or only habilitation changes."),
        ] = None,
        first: First = None,
        after: After = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Words of the number, description, requester or structure."),
        ] = None,
        to_decide: Annotated[
            bool | None,
            strawberry.argument(description="True: only the REQUESTED approvals the viewer may decide."),
        ] = None,
    ) -> Connection[ApprovalType]:
        require_viewer(info)
        query = approval_service.search_approvals(
            await info.context.grants(),
            state=state,
            structure_id=_optional_id(structure_id, "Structure", ["structureId"]),
            kind=kind,
            search=search,
            to_decide=bool(to_decide),
        )
        return await paginate(query, first=first, after=after, default=20, to_node=ApprovalType.from_row)

    @strawberry.field(description="One approval, if the viewer may see it.")
    async def approval(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The approval's global ID.")],
    ) -> ApprovalType | None:
        pk = decode_id(id, "Approval", ["id"])
        require_viewer(info)
        found = await ApprovalType.resolve_visible(info, pk)
        if found is None:
            raise Forbidden(NOT_VISIBLE)
        return found


@strawberry.type
class ApprovalMutation:
    @mutation(
        requires=REQUEST_ATTACHMENT,
        description="Ask to be attached to a structure or one of its services: a PENDING membership and an "
        "approval for its managers.",
    )
    async def request_attachment(
        self,
        info: Info,
        input: Annotated[
            RequestAttachmentInput, strawberry.argument(description="Where to be attached, and why.")
        ],
    ) -> ApprovalPayload:
        async def work() -> Any:
            return await approval_service.request_attachment(
                info.context.viewer,
                decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                _optional_id(input.service_id, "Service", ["input", "serviceId"]),
                input.comment,
            )

        return _payload(*await attempt(work()))

    @mutation(
        requires=REQUEST_HABILITATION_CHANGE,
        description="Ask for profiles to add and to remove. « Factures émises » on oneself applies at once "
        "(an APPROVED approval decided by the system); the rest becomes a REQUESTED approval, which is "
        "returned when there is one.",
    )
    async def request_habilitation_change(
        self,
        info: Info,
        input: Annotated[
            RequestHabilitationChangeInput,
            strawberry.argument(description="Where, the profiles to add or remove, and why."),
        ],
    ) -> ApprovalPayload:
        async def work() -> Any:
            return await approval_service.request_habilitation_change(
                info.context.viewer,
                decode_id(input.structure_id, "Structure", ["input", "structureId"]),
                _optional_id(input.service_id, "Service", ["input", "serviceId"]),
                _ids(input.add, "Profile", ["input", "add"]),
                _ids(input.remove, "Profile", ["input", "remove"]),
                input.comment,
            )

        return _payload(*await attempt(work()))

    @mutation(
        requires=DECIDE_APPROVAL,
        description="Approve: the change applies at once; the requester is told by e-mail.",
    )
    async def approve(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The approval.")],
        comment: Annotated[
            str | None, strawberry.argument(description="A comment for the requester.")
        ] = None,
    ) -> ApprovalPayload:
        async def work() -> Any:
            done = await approval_service.decide(
                info.context.viewer,
                [decode_id(id, "Approval", ["id"])],
                approval_service.Decision(approve=True, text=comment),
                settings=info.context.settings,
                mailer=info.context.mailer,
                ids_field=("id",),
                single=True,
            )
            return done[0]

        return _payload(*await attempt(work()))

    @mutation(
        requires=DECIDE_APPROVAL,
        description="Refuse, with a mandatory reason; the requester is told by e-mail.",
    )
    async def refuse(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The approval.")],
        reason: Annotated[str, strawberry.argument(description="Why (mandatory, sent to the requester).")],
    ) -> ApprovalPayload:
        async def work() -> Any:
            done = await approval_service.decide(
                info.context.viewer,
                [decode_id(id, "Approval", ["id"])],
                approval_service.Decision(approve=False, text=reason),
                settings=info.context.settings,
                mailer=info.context.mailer,
                ids_field=("id",),
                single=True,
            )
            return done[0]

        return _payload(*await attempt(work()))

    @mutation(requires=DECIDE_APPROVAL, description="Approve several approvals at once (all or nothing).")
    async def approve_approvals(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="The approvals.")],
        comment: Annotated[
            str | None, strawberry.argument(description="A comment for the requesters.")
        ] = None,
    ) -> ApprovalsPayload:
        async def work() -> Any:
            return await approval_service.decide(
                info.context.viewer,
                _ids(ids, "Approval", ["ids"]),
                approval_service.Decision(approve=True, text=comment),
                settings=info.context.settings,
                mailer=info.context.mailer,
            )

        done, errors = await attempt(work())
        return ApprovalsPayload(approvals=[ApprovalType.from_row(r) for r in done or []], errors=errors)

    @mutation(
        requires=DECIDE_APPROVAL,
        description="Refuse several approvals at once with one reason (all or nothing).",
    )
    async def refuse_approvals(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="The approvals.")],
        reason: Annotated[str, strawberry.argument(description="Why (mandatory, sent to the requesters).")],
    ) -> ApprovalsPayload:
        async def work() -> Any:
            return await approval_service.decide(
                info.context.viewer,
                _ids(ids, "Approval", ["ids"]),
                approval_service.Decision(approve=False, text=reason),
                settings=info.context.settings,
                mailer=info.context.mailer,
            )

        done, errors = await attempt(work())
        return ApprovalsPayload(approvals=[ApprovalType.from_row(r) for r in done or []], errors=errors)

    @mutation(requires=COMMENT_APPROVAL, description="Add a comment to the approval's history.")
    async def comment_approval(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The approval.")],
        body: Annotated[str, strawberry.argument(description="The comment (mandatory).")],
    ) -> ApprovalPayload:
        async def work() -> Any:
            return await approval_service.comment_approval(
                info.context.viewer, decode_id(id, "Approval", ["id"]), body
            )

        return _payload(*await attempt(work()))

    @mutation(
        requires=CANCEL_APPROVAL,
        description="Withdraw one's own request while REQUESTED; a request to join takes its pending membership along.",
    )
    async def cancel_approval(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The approval.")]
    ) -> ApprovalPayload:
        async def work() -> Any:
            return await approval_service.cancel_approval(
                info.context.viewer, decode_id(id, "Approval", ["id"])
            )

        return _payload(*await attempt(work()))


@strawberry.type
class ApprovalSubscription:
    @strawberry.subscription(
        description="The viewer's pending approval count (approvals they may decide), sent at once and on "
        "every change: a request, a decision, a cancellation, a change of the viewer's habilitations."
    )
    async def pending_approval_count(self, info: Info) -> AsyncGenerator[int, None]:
        viewer = require_viewer(info)
        counts = subscriptions.pending_approval_counts(
            viewer, recheck=info.context.settings.live_recheck_seconds
        )
        async with aclosing(counts):
            async for count in counts:
                yield count
