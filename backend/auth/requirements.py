"""What a use case requires of its caller, declared once.

The GraphQL mutation names its ``Requirement`` (which also feeds the
generated permission matrix); the generic parts (signed in, not a read-only
token, a browser session) are enforced before the resolver runs, and the
service checks ``need`` on the object it loads, with the same constant.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.auth.grants import Need


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
