"""The small family of domain errors.

Each carries a stable code (the contract's ``ErrorCode``) and a French
message for the end user; ``field`` is the path of the input at fault as the
client sent it. The GraphQL layer maps them to ``UserError`` (mutations) or
to a top-level error with ``extensions.code`` (queries).
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    code = "VALIDATION"
    default_message = "La demande n'est pas valide."

    def __init__(self, message: str | None = None, field: Sequence[str] = ()) -> None:
        self.message = message or self.default_message
        self.field = list(field)
        super().__init__(self.message)


class ValidationFailed(DomainError):
    code = "VALIDATION"


class Required(DomainError):
    code = "REQUIRED"
    default_message = "Ce champ est obligatoire."


class NotFound(DomainError):
    code = "NOT_FOUND"
    default_message = "Élément introuvable."


class Forbidden(DomainError):
    code = "FORBIDDEN"
    default_message = "Vous n'avez pas les habilitations nécessaires pour cette action."


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    default_message = "Vous devez être connecté."


class Conflict(DomainError):
    code = "CONFLICT"
    default_message = "L'élément a été modifié entre-temps : rechargez-le."


class AlreadyExists(DomainError):
    code = "ALREADY_EXISTS"
    default_message = "Cet élément existe déjà."


class InvalidState(DomainError):
    code = "INVALID_STATE"
    default_message = "Cette action n'est pas possible dans l'état actuel."


class SireneClosed(DomainError):
    code = "SIRENE_CLOSED"
    default_message = "Cet établissement est fermé dans le répertoire SIRENE."


class SireneUnknown(DomainError):
    code = "SIRENE_UNKNOWN"
    default_message = "Ce SIRET est absent du répertoire SIRENE."


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    default_message = "Trop de tentatives : réessayez dans quelques minutes."


class AccountLocked(DomainError):
    code = "ACCOUNT_LOCKED"
    default_message = "Trop d'échecs de connexion : le compte est bloqué pendant une heure."


class TwoFactorRequired(DomainError):
    code = "TWO_FACTOR_REQUIRED"
    default_message = "Saisissez le code de votre application d'authentification."


class Invalid(DomainError):
    """Several independent field errors reported at once."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors[0].message if self.errors else None)
