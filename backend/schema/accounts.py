"""Accounts: the viewer and users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from backend import models
from backend.schema.context import Info
from backend.schema.node import register_node

AccountStatus = strawberry.enum(
    models.AccountStatus,
    name="AccountStatus",
    description="ACTIVE accounts may log in; INACTIVE ones were deactivated; LOCKED ones are blocked.",
)


@register_node
@strawberry.type(name="User", description="A person's account, identified by their login email.")
class UserType(relay.Node):
    id: relay.NodeID[int]
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    status: AccountStatus = strawberry.field(description="Account status.")
    created_at: datetime = strawberry.field(description="When the account was created.")
    last_login_at: datetime | None = strawberry.field(description="Last successful login.")

    @classmethod
    def from_row(cls, row: Any) -> UserType:
        return cls(
            id=row.id,
            first_name=row.first_name,
            last_name=row.last_name,
            status=row.status,
            created_at=row.created_at,
            last_login_at=row.last_login_at,
        )

    @classmethod
    async def resolve_visible(cls, info: Info, pk: int) -> UserType | None:
        viewer = info.context.viewer
        # Until memberships exist, a user is visible to themself only.
        if viewer is None or viewer.user.id != pk:
            return None
        return cls.from_row(viewer.user)


@strawberry.type(name="Viewer", description="The signed-in account and what it may do.")
class ViewerType:
    user_row: strawberry.Private[Any]

    @strawberry.field(description="The signed-in user.")
    def user(self) -> UserType:
        return UserType.from_row(self.user_row)

    @strawberry.field(description="True for platform administrators.")
    def is_platform_admin(self) -> bool:
        return bool(self.user_row.is_platform_admin)

    @strawberry.field(description="True for support agents.")
    def is_support_agent(self) -> bool:
        return bool(self.user_row.is_support_agent)


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in account; null when not signed in.")
    def viewer(self, info: Info) -> ViewerType | None:
        viewer = info.context.viewer
        return ViewerType(user_row=viewer.user) if viewer is not None else None
