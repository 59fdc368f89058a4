"""Shared by the tests of users, habilitations, approvals, their exports and the audit events.

The world (tests/world.py) is built with the models; every action under test goes through GraphQL
over HTTP, signed in through ``logIn``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from strawberry import relay
from tortoise.expressions import Q

from backend import models
from backend.settings import Settings
from tests.conftest import Accounts, GraphQLClient
from tests.world import PASSWORD, World

PROFILE_HELD = "L'utilisateur a déjà l'abonnement sélectionné."


def gid(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def pk_of(global_id: str) -> int:
    return int(relay.GlobalID.from_id(global_id).node_id)


async def log_in(accounts: Accounts, world: World, role: str) -> GraphQLClient:
    return await accounts.log_in(world.email(role), PASSWORD)


async def profile(code: str) -> models.Profile:
    return await models.Profile.get(code=code)


async def profile_id(code: str) -> str:
    return gid("Profile", (await profile(code)).id)


async def codes_at(
    user: models.User, structure: models.Structure, service: models.Service | None = None
) -> set[str]:
    """What the user holds at that scope, read from the database."""
    query = models.Habilitation.filter(user_id=user.id, structure_id=structure.id)
    query = query.filter(service_id=service.id) if service else query.filter(service_id__isnull=True)
    return set(await query.values_list("profile__code", flat=True))


async def snapshot() -> dict[str, Any]:
    """Everything the use cases of this issue write: to check that a refusal wrote nothing."""
    return {
        "memberships": sorted(
            await models.Membership.all().values_list("id", "user_id", "structure_id", "service_id", "status")
        ),
        "habilitations": sorted(
            await models.Habilitation.all().values_list(
                "id", "user_id", "structure_id", "service_id", "profile_id"
            )
        ),
        "approvals": sorted(await models.Approval.all().values_list("id", "state", "decided_by_id")),
        "changes": await models.ApprovalProfileChange.all().count(),
        "comments": await models.ApprovalComment.all().count(),
        "invitations": sorted(await models.Invitation.all().values_list("id", "revoked_at", "accepted_at")),
        # logging in writes its own events: count those of this use cases
        "audit": await models.AuditEvent.filter(
            Q(action__startswith="membership.")
            | Q(action__startswith="invitation.")
            | Q(action__startswith="habilitation.")
            | Q(action__startswith="approval.")
        ).count(),
    }


def assert_error(
    payload: dict[str, Any], code: str, field: list[str] | None = None, contains: str = ""
) -> None:
    """One error of ``code``, with a French sentence; the payload's object is null."""
    errors = payload["errors"]
    assert errors, payload
    assert [e["code"] for e in errors] == [code], errors
    if field is not None:
        assert errors[0]["field"] == field, errors
    message = errors[0]["message"]
    assert message and message[0].isupper() and message.rstrip().endswith((".", "»", ")")), message
    assert contains in message, message


# ---------------------------------------------------------------------------------------- GraphQL documents

ERRORS = "errors { code field message }"

ATTACH = f"""mutation($input: AttachUserInput!) {{
  attachUser(input: $input) {{
    membership {{ id status user {{ id email }} service {{ code }} habilitations {{ profile {{ code }} }} }}
    invitation {{ id email expiresAt structure {{ name }} }}
    {ERRORS}
  }}
}}"""

DETACH = f"""mutation($input: DetachUserInput!) {{
  detachUser(input: $input) {{ membership {{ id status detachComment habilitations {{ id }} }} {ERRORS} }}
}}"""

REQUEST_ATTACHMENT = f"""mutation($input: RequestAttachmentInput!) {{
  requestAttachment(input: $input) {{
    approval {{ id number kind state description requester {{ id }} approver {{ id }} comments {{ body }} }}
    {ERRORS}
  }}
}}"""

REQUEST_CHANGE = f"""mutation($input: RequestHabilitationChangeInput!) {{
  requestHabilitationChange(input: $input) {{
    approval {{
      id number kind state decidedBy {{ id }} decisionReason
      profilesToAdd {{ code }} profilesToRemove {{ code }} comments {{ body author {{ id }} }}
    }}
    {ERRORS}
  }}
}}"""

APPROVAL_FIELDS = "id number kind state description decisionReason decidedAt decidedBy { id } viewerCanDecide"
APPROVE = f"""mutation($id: ID!, $comment: String) {{
  approve(id: $id, comment: $comment) {{ approval {{ {APPROVAL_FIELDS} }} {ERRORS} }}
}}"""
REFUSE = f"""mutation($id: ID!, $reason: String!) {{
  refuse(id: $id, reason: $reason) {{ approval {{ {APPROVAL_FIELDS} }} {ERRORS} }}
}}"""


# ---------------------------------------------------------------------------------------- a real SMTP server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Sink, int]]:
    """A real SMTP server on a free local port: ``with smtp_server() as (sink, port): …``."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def with_smtp(settings: Settings, port: int) -> Settings:
    return dataclasses.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_user="",
        smtp_password="",
        smtp_starttls=False,
        public_url="https://portail.example.gouv.fr",
    )


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
