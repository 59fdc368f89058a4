"""Bank details: IBAN and BIC, checked with schwifty.

- An IBAN is given whole (``iban``), or as its parts: the country, the
  national account number (BBAN) and the two check digits (``ibanKey``).
- schwifty checks the country (it must have an IBAN format), the BBAN's
  country-specific length and format (23 alphanumerics for France) and the
  check digits (ISO 7064 mod 97-10). For France and Monaco the RIB key
  inside the BBAN is checked too (the last two digits); other countries'
  national keys are not (schwifty cannot check them all reliably).
- A BIC has 8 or 11 characters: 4 for the bank, 2 letters of an existing
  country, 2 for the location, optionally 3 for the branch. Its country
  must be the IBAN's, except that the French overseas territories with an
  ISO code of their own and Monaco use French IBANs (reference-data.md).

Every check raises :class:`ValidationFailed` (or :class:`Required`) with a
French message and the ``field`` path of the input at fault.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

from backend.services.errors import Required, ValidationFailed
from backend.validation import Field, FieldErrors

#: BIC countries whose banks use French (FR) IBANs.
FR_IBAN_BIC_COUNTRIES = frozenset({"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF", "MC"})
#: Countries whose national key (clé RIB) is checked inside the BBAN.
NATIONAL_KEY_CHECKED = frozenset({"FR", "MC"})

_SEPARATORS = re.compile(r"[\s\-.]+")


def compact(value: str | None) -> str:
    """Upper case, without the spaces, dashes and dots people type in IBANs and BICs."""
    return _SEPARATORS.sub("", value or "").upper()


def _iban_error(error: schwifty_errors.SchwiftyException, value: str) -> str:
    country = value[:2]
    if isinstance(error, schwifty_errors.InvalidCountryCode):
        return f"Le pays « {country} » n'a pas de format d'IBAN connu."
    if isinstance(error, schwifty_errors.InvalidLength):
        try:
            expected = IBAN(value, allow_invalid=True).spec.iban_length
        except (schwifty_errors.SchwiftyException, AttributeError):
            expected = None
        if expected:
            return (
                f"Un IBAN {country} compte {expected} caractères (BBAN de {expected - 4}) ; "
                f"celui-ci en compte {len(value)}."
            )
        return "La longueur de l'IBAN ne correspond pas à son pays."
    if isinstance(error, schwifty_errors.InvalidStructure):
        return (
            f"Le numéro de compte (BBAN) ne respecte pas le format {country} : "
            "vérifiez les chiffres et les lettres saisis."
        )
    if isinstance(error, schwifty_errors.InvalidChecksumDigits):
        return "La clé de l'IBAN (les deux chiffres après le pays) est fausse : vérifiez la saisie."
    if isinstance(error, schwifty_errors.InvalidBBANChecksum):
        return "La clé RIB (les deux derniers chiffres du numéro de compte) est fausse : vérifiez la saisie."
    return "L'IBAN n'est pas valide."


def iban(value: str | None, field: Field) -> IBAN:
    """A whole IBAN, in electronic format or printed with spaces."""
    cleaned = compact(value)
    if not cleaned:
        raise Required("Indiquez l'IBAN.", field=field)
    if not cleaned.isalnum() or not cleaned.isascii():
        raise ValidationFailed("Un IBAN ne contient que des lettres et des chiffres.", field=field)
    if len(cleaned) < 5 or not cleaned[:2].isalpha():
        raise ValidationFailed("L'IBAN commence par le code du pays, par exemple FR76.", field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = IBAN(cleaned)
            if parsed.country_code in NATIONAL_KEY_CHECKED:
                parsed.validate(validate_bban=True)
    except schwifty_errors.SchwiftyException as error:
        raise ValidationFailed(_iban_error(error, cleaned), field=field) from error
    return parsed


def iban_from_parts(
    country: str | None,
    bban: str | None,
    key: str | None,
    *,
    country_field: Field,
    bban_field: Field,
    key_field: Field,
) -> IBAN:
    """The IBAN made of its country, national account number (BBAN) and check digits."""
    errors = FieldErrors()
    country_code, account, digits = compact(country), compact(bban), compact(key)
    if not country_code:
        errors.add(Required("Indiquez le pays du compte.", field=country_field))
    elif len(country_code) != 2 or not country_code.isalpha() or not country_code.isascii():
        errors.add(
            ValidationFailed("Le pays est un code à deux lettres, par exemple FR.", field=country_field)
        )
    if not account:
        errors.add(Required("Indiquez le numéro de compte (BBAN).", field=bban_field))
    elif not account.isalnum() or not account.isascii():
        errors.add(
            ValidationFailed(
                "Le numéro de compte ne contient que des lettres et des chiffres.", field=bban_field
            )
        )
    if not digits:
        errors.add(Required("Indiquez la clé de l'IBAN (deux chiffres).", field=key_field))
    elif len(digits) != 2 or not digits.isdigit():
        errors.add(ValidationFailed("La clé de l'IBAN est faite de deux chiffres.", field=key_field))
    errors.raise_if_any()
    value = f"{country_code}{digits}{account}"
    try:
        return iban(value, bban_field)
    except ValidationFailed as error:
        cause = error.__cause__
        if isinstance(cause, schwifty_errors.InvalidCountryCode):
            error.field = list(country_field)
        elif isinstance(cause, schwifty_errors.InvalidChecksumDigits):
            error.field = list(key_field)
        raise


def bic(value: str | None, field: Field) -> str | None:
    """A BIC (SWIFT code), or None when left blank."""
    cleaned = compact(value)
    if not cleaned:
        return None
    if not cleaned.isalnum() or not cleaned.isascii():
        raise ValidationFailed("Un BIC ne contient que des lettres et des chiffres.", field=field)
    try:
        BIC(cleaned)
    except schwifty_errors.InvalidLength as error:
        raise ValidationFailed(
            f"Un BIC compte 8 ou 11 caractères ; celui-ci en compte {len(cleaned)}.", field=field
        ) from error
    except schwifty_errors.InvalidCountryCode as error:
        raise ValidationFailed(
            f"Le BIC désigne un pays qui n'existe pas (« {cleaned[4:6]} », 5e et 6e caractères).", field=field
        ) from error
    except schwifty_errors.SchwiftyException as error:
        raise ValidationFailed(
            "Le BIC n'est pas au bon format : 4 caractères pour la banque, 2 lettres pour le pays, "
            "2 pour la localité et éventuellement 3 pour l'agence.",
            field=field,
        ) from error
    return cleaned


def bic_matches_iban(bic_code: str, iban_country: str) -> bool:
    bic_country = bic_code[4:6]
    return bic_country == iban_country or (iban_country == "FR" and bic_country in FR_IBAN_BIC_COUNTRIES)


def bic_country(bic_code: str | None, iban_country: str, field: Field) -> None:
    """The BIC's country is the IBAN's (French overseas territories and Monaco: French IBANs)."""
    if bic_code and not bic_matches_iban(bic_code, iban_country):
        raise ValidationFailed(
            f"Le BIC est celui d'une banque du pays « {bic_code[4:6]} » alors que l'IBAN est du pays "
            f"« {iban_country} » : ils doivent correspondre.",
            field=field,
        )


@dataclass(frozen=True)
class BankDetails:
    iban: str  # electronic format
    country: str
    bic: str | None


def bank_details(
    *,
    iban_value: str | None,
    country: str | None,
    bban: str | None,
    iban_key: str | None,
    bic_value: str | None,
    field: Field,
) -> BankDetails:
    """The IBAN (whole, or country + BBAN + key) and the BIC of an input at ``field``; all errors at once."""
    errors = FieldErrors()
    parsed: IBAN | None = None
    has_parts = any(compact(v) for v in (bban, iban_key))
    if compact(iban_value):
        if has_parts:
            errors.add(
                ValidationFailed(
                    "Donnez soit l'IBAN complet, soit le pays, le numéro de compte (BBAN) et la clé, pas les deux.",
                    field=[*field, "iban"],
                )
            )
        else:
            with errors.check():
                parsed = iban(iban_value, [*field, "iban"])
            if parsed is not None and compact(country) and compact(country) != parsed.country_code:
                errors.add(
                    ValidationFailed(
                        f"Le pays indiqué ne correspond pas à celui de l'IBAN ({parsed.country_code}).",
                        field=[*field, "country"],
                    )
                )
    elif has_parts or compact(country):
        with errors.check():
            parsed = iban_from_parts(
                country,
                bban,
                iban_key,
                country_field=[*field, "country"],
                bban_field=[*field, "bban"],
                key_field=[*field, "ibanKey"],
            )
    else:
        errors.add(
            Required(
                "Indiquez l'IBAN, ou le pays, le numéro de compte (BBAN) et la clé.", field=[*field, "iban"]
            )
        )
    checked_bic: str | None = None
    with errors.check():
        checked_bic = bic(bic_value, [*field, "bic"])
        if parsed is not None:
            bic_country(checked_bic, parsed.country_code, [*field, "bic"])
    errors.raise_if_any()
    assert parsed is not None
    return BankDetails(iban=str(parsed.compact), country=parsed.country_code, bic=checked_bic)
