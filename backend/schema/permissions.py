"""Field-level guards, declared next to the field they protect.

``guarded(rule, description=…)`` is ``strawberry.field`` plus a ``Guard``
extension. A guard reads the grants the context loaded once for the request
and never queries. Denied: the field resolves to null with one FORBIDDEN
error (UNAUTHENTICATED without a session or token), so guarded fields are
nullable. The same declarations feed ``portail permissions``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from backend.auth.grants import Grants, Need
from backend.auth.viewer import ANONYMOUS_GRANTS
from backend.services.errors import Forbidden, Unauthenticated


class Rule:
    """Who may read a field; ``describe()`` is its line in the generated matrix."""

    anonymous_ok = False

    def describe(self) -> str:
        raise NotImplementedError

    def allows(self, source: Any, grants: Grants) -> bool:
        raise NotImplementedError


class Public(Rule):
    """Readable by anyone who may read the object that holds the field."""

    def __init__(self, who: str = "whoever may read the object") -> None:
        self.who = who

    def describe(self) -> str:
        return self.who

    def allows(self, source: Any, grants: Grants) -> bool:
        return True


class OnStructure(Rule):
    """A profile held on the structure the object belongs to (``source.structure_id``)."""

    def __init__(self, need: Need, attr: str = "structure_id", service_attr: str | None = None) -> None:
        self.need = need
        self.attr = attr
        self.service_attr = service_attr

    def describe(self) -> str:
        scope = "its structure (or its service)" if self.service_attr else "the structure"
        return f"{self.need} on {scope}"

    def allows(self, source: Any, grants: Grants) -> bool:
        service_id = getattr(source, self.service_attr) if self.service_attr else None
        return grants.has(self.need, getattr(source, self.attr), service_id)


class Myself(Rule):
    """The user themself (``source.user_id``), or whatever ``otherwise`` allows."""

    def __init__(self, otherwise: Rule | None = None, attr: str = "user_id") -> None:
        self.otherwise = otherwise
        self.attr = attr

    def describe(self) -> str:
        return "the user themself" + (f"; {self.otherwise.describe()}" if self.otherwise else "")

    def allows(self, source: Any, grants: Grants) -> bool:
        if grants.user_id is not None and getattr(source, self.attr) == grants.user_id:
            return True
        return self.otherwise is not None and self.otherwise.allows(source, grants)


class Predicate(Rule):
    """A rule computed by the type itself (``source.<method>(grants)``), described in words."""

    def __init__(self, method: str, description: str) -> None:
        self.method = method
        self.description = description

    def describe(self) -> str:
        return self.description

    def allows(self, source: Any, grants: Grants) -> bool:
        return bool(getattr(source, self.method)(grants))


class Declared(FieldExtension):
    """A rule that needs no check at resolution: it only documents the field (e.g. Public)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule


class Guard(Declared):
    """Checks the rule before the field resolves.

    On a sync field, once the request's grants are loaded, the check runs synchronously and the
    field stays sync (no coroutine per guarded field: measured in bench/, it was most of the cost of
    long lists); before that, the first guard loads them and the field resolves asynchronously.
    """

    def resolve(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        context = info.context
        if context.viewer is None:
            if not self.rule.anonymous_ok:
                raise Unauthenticated()
            grants = ANONYMOUS_GRANTS
        else:
            grants = context.viewer.loaded_grants()
            if grants is None:
                return self.resolve_async(awaiting(next_), source, info, **kwargs)
        if not self.rule.allows(source, grants):
            raise Forbidden("Vous n'avez pas l'habilitation nécessaire pour lire ce champ.")
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        context = info.context
        if context.viewer is None and not self.rule.anonymous_ok:
            raise Unauthenticated()
        if not self.rule.allows(source, await context.grants()):
            raise Forbidden("Vous n'avez pas l'habilitation nécessaire pour lire ce champ.")
        return await next_(source, info, **kwargs)


def awaiting(next_: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        result = next_(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    return call


RULE = "portail.rule"


def guarded(rule: Rule, *, description: str, **kwargs: Any) -> Any:
    """``strawberry.field`` with its read rule; usable bare or as a resolver decorator.

    A public rule is only recorded in the field's metadata: a field extension, even one that does
    nothing, makes Strawberry wrap every resolution of the field (measured in bench/)."""
    extensions = [] if isinstance(rule, Public) else [Guard(rule)]
    return strawberry.field(description=description, extensions=extensions, metadata={RULE: rule}, **kwargs)


def is_checked(field: Any) -> bool:
    """True when the field's rule may deny (so the field must be nullable)."""
    return any(isinstance(e, Guard) for e in getattr(field, "extensions", None) or ())


def rule_of(field: Any) -> Rule | None:
    rule = (getattr(field, "metadata", None) or {}).get(RULE)
    if rule is not None:
        return rule
    for extension in getattr(field, "extensions", None) or ():
        if isinstance(extension, Declared):
            return extension.rule
    return None
