"""Structure identifiers, by identifier type (``reference-data.md``).

The syntactic rule of each type comes from the reference data
(``backend/seed/identifier_types.json``, its ``pattern``), checked after the
value is normalised; SIRET and EU VAT numbers are then checked with
python-stdnum (Luhn with La Poste's exception; each member state's VAT
check digits). Nothing here reads the database: uniqueness and the SIRENE
register are the services' business.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

from backend.models import IdentifierType
from backend.seed.reference import identifier_type as reference_entry
from backend.services.errors import Required, ValidationFailed

Field = Sequence[str]

#: Letters (accented ones included), digits and spaces: HORS_UE and AUTRE.
FREE_IDENTIFIER_RE = re.compile(r"^[^\W_]+( [^\W_]+)*$")

MESSAGES = {
    IdentifierType.SIRET: "Le SIRET doit comporter 14 chiffres.",
    IdentifierType.UE_HORS_FRANCE: (
        "Le numéro de TVA intracommunautaire doit commencer par le code d'un État membre autre que la "
        "France, suivi du numéro (par exemple DE136695976)."
    ),
    IdentifierType.HORS_UE: (
        "L'identifiant d'une structure hors UE comporte de 1 à 80 caractères : lettres, chiffres et espaces."
    ),
    IdentifierType.RIDET: "Le RIDET comporte 10 chiffres : le RID sur 7 chiffres puis l'établissement sur 3.",
    IdentifierType.TAHITI: "Le numéro TAHITI comporte 9 caractères : 6 lettres ou chiffres puis 3 chiffres.",
    IdentifierType.AUTRE: (
        "L'identifiant en cours d'immatriculation comporte de 1 à 80 caractères : lettres, chiffres et espaces."
    ),
}
SIRET_CHECKSUM = "Ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas. Vérifiez les 14 chiffres."
FRENCH_VAT = (
    "Un numéro de TVA français ne peut pas identifier une structure européenne hors France : "
    "choisissez le type d'identifiant SIRET."
)
VAT_CHECKSUM = "Ce numéro de TVA intracommunautaire n'est pas valide : vérifiez-le."
PARTICULIER_GIVEN = "Pour un particulier, l'identifiant est attribué par le portail : laissez-le vide."
MISSING = "L'identifiant est obligatoire pour ce type d'identifiant."


def normalize(identifier_type: IdentifierType, value: str) -> str:
    """The stored form: no separators where the register has none, upper case where it is case-blind."""
    value = value.strip()
    if identifier_type is IdentifierType.SIRET:
        return re.sub(r"[\s.\-]", "", value)
    if identifier_type is IdentifierType.UE_HORS_FRANCE:
        try:
            return vat.compact(value)
        except StdnumError:  # not a member state's prefix: the checks below refuse it
            return re.sub(r"[\s.\-]", "", value).upper()
    if identifier_type is IdentifierType.RIDET:
        return re.sub(r"[\s.\-]", "", value)
    if identifier_type is IdentifierType.TAHITI:
        return re.sub(r"[\s.\-]", "", value).upper()
    return " ".join(value.split())


def _matches_reference_pattern(identifier_type: IdentifierType, value: str) -> bool:
    pattern = reference_entry(identifier_type).get("pattern")
    return pattern is None or re.fullmatch(pattern, value) is not None


def validate_siret(value: str, field: Field) -> str:
    """14 digits, Luhn (La Poste: digit sum multiple of 5)."""
    siret = normalize(IdentifierType.SIRET, value or "")
    if not siret:
        raise Required("Le SIRET est obligatoire.", field=field)
    if not _matches_reference_pattern(IdentifierType.SIRET, siret):
        raise ValidationFailed(MESSAGES[IdentifierType.SIRET], field=field)
    if not stdnum_siret.is_valid(siret):
        raise ValidationFailed(SIRET_CHECKSUM, field=field)
    return siret


def validate_identifier(identifier_type: IdentifierType, value: str | None, field: Field) -> str | None:
    """The normalised identifier, or None for PARTICULIER (the portal assigns one)."""
    given = (value or "").strip()
    if identifier_type is IdentifierType.PARTICULIER:
        if given:
            raise ValidationFailed(PARTICULIER_GIVEN, field=field)
        return None
    if not given:
        raise Required(MISSING, field=field)
    if identifier_type is IdentifierType.SIRET:
        return validate_siret(given, field)
    identifier = normalize(identifier_type, given)
    if identifier_type is IdentifierType.UE_HORS_FRANCE:
        if identifier.startswith("FR"):
            raise ValidationFailed(FRENCH_VAT, field=field)
        if not _matches_reference_pattern(identifier_type, identifier):
            raise ValidationFailed(MESSAGES[identifier_type], field=field)
        try:
            vat.validate(identifier)
        except StdnumError as error:
            raise ValidationFailed(VAT_CHECKSUM, field=field) from error
        return identifier
    if not _matches_reference_pattern(identifier_type, identifier):
        raise ValidationFailed(MESSAGES[identifier_type], field=field)
    if identifier_type in (IdentifierType.HORS_UE, IdentifierType.AUTRE) and (
        len(identifier) > 80 or not FREE_IDENTIFIER_RE.match(identifier)
    ):
        raise ValidationFailed(MESSAGES[identifier_type], field=field)
    return identifier
