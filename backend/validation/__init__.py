"""Checks of user input shared by the services.

Each check receives the raw value and the ``field`` path of the input as the
client sent it (``["input", "address", "postalCode"]``), returns the clean
value, or raises :class:`ValidationFailed` / :class:`Required` with a French
message. :class:`FieldErrors` gathers independent errors so that a form gets
them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from backend.services.errors import DomainError, Invalid, Required, ValidationFailed

Field = Sequence[str]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()\-]{3,30}$")
FRENCH_POSTAL_CODE_RE = re.compile(r"^\d{5}$")
POSTAL_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z \-]{0,15}$")

#: ISO 3166-1 alpha-2 codes (officially assigned), plus XK (Kosovo, user-assigned but used by the EU).
COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
    ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
    HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
    LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
    NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
    SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
    UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
    """.split()
)


class FieldErrors:
    """Collects independent field errors; ``raise_if_any()`` reports them all at once."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        """``with errors.check(): value = text(...)`` keeps going after a failed check."""
        try:
            yield
        except Invalid as error:
            self.errors.extend(error.errors)
        except (ValidationFailed, Required) as error:
            self.errors.append(error)

    def add(self, error: DomainError) -> None:
        self.errors.append(error)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise Invalid(self.errors)


def text(
    value: str | None, field: Field, *, label: str, max_length: int, required: bool = False
) -> str | None:
    """Trimmed text; blank is None (or REQUIRED); longer than ``max_length`` is refused."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise Required(f"{label} est obligatoire.", field=field)
        return None
    if len(cleaned) > max_length:
        raise ValidationFailed(f"{label} ne peut pas dépasser {max_length} caractères.", field=field)
    return cleaned


def email(value: str | None, field: Field) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > 254 or not EMAIL_RE.match(cleaned):
        raise ValidationFailed("L'adresse électronique n'est pas valide.", field=field)
    return cleaned.lower()


def phone(value: str | None, field: Field) -> str | None:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        return None
    if len(cleaned) > 32 or not PHONE_RE.match(cleaned):
        raise ValidationFailed(
            "Le numéro de téléphone n'est pas valide : chiffres, espaces, points, tirets et « + » initial.",
            field=field,
        )
    return cleaned


def country(value: str | None, field: Field) -> str:
    cleaned = (value or "").strip().upper()
    if not cleaned:
        raise Required("Le pays est obligatoire.", field=field)
    if cleaned not in COUNTRIES:
        raise ValidationFailed(
            "Le pays doit être un code ISO 3166-1 à deux lettres (par exemple FR).", field=field
        )
    return cleaned


@dataclass(frozen=True)
class AddressValue:
    """A postal address as plain values (the API's ``AddressInput``)."""

    line1: str | None
    line2: str | None = None
    line3: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = "FR"

    def columns(self) -> dict[str, str | None]:
        """The model columns it fills (``address_line1``…)."""
        return {
            "address_line1": self.line1,
            "address_line2": self.line2,
            "address_line3": self.line3,
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
        }


def address(value: AddressValue, field: Field) -> AddressValue:
    """Every part checked, all errors at once; French postal codes are 5 digits."""
    errors = FieldErrors()
    line1 = line2 = line3 = postal_code = city = None
    code: str | None = None
    with errors.check():
        line1 = text(value.line1, [*field, "line1"], label="L'adresse", max_length=255, required=True)
    with errors.check():
        line2 = text(value.line2, [*field, "line2"], label="Le complément d'adresse 1", max_length=255)
    with errors.check():
        line3 = text(value.line3, [*field, "line3"], label="Le complément d'adresse 2", max_length=255)
    with errors.check():
        city = text(value.city, [*field, "city"], label="La ville", max_length=100, required=True)
    with errors.check():
        code = country(value.country, [*field, "country"])
    with errors.check():
        postal_code = text(
            value.postal_code, [*field, "postalCode"], label="Le code postal", max_length=16, required=True
        )
        if postal_code is not None and code is not None:
            pattern = FRENCH_POSTAL_CODE_RE if code == "FR" else POSTAL_CODE_RE
            if not pattern.match(postal_code):
                message = (
                    "Le code postal français comporte 5 chiffres."
                    if code == "FR"
                    else "Le code postal n'est pas valide : lettres, chiffres, espaces et tirets."
                )
                raise ValidationFailed(message, field=[*field, "postalCode"])
    errors.raise_if_any()
    return AddressValue(
        line1=line1, line2=line2, line3=line3, postal_code=postal_code, city=city, country=code
    )


def date_range(valid_from: date | None, valid_until: date | None, field: Field) -> None:
    """A validity period: the end is not before the start."""
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(
            "La date de fin de validité ne peut pas précéder la date de début.", field=field
        )
