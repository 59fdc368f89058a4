"""Structure identifiers: each identifier type's rule, with the message a user reads."""

from __future__ import annotations

import pytest

from backend.models import IdentifierType
from backend.services.errors import Required, ValidationFailed
from backend.validation import AddressValue, address, date_range
from backend.validation.identifiers import validate_identifier, validate_siret

FIELD = ["input", "identifier"]


@pytest.mark.parametrize(
    ("identifier_type", "given", "stored"),
    [
        (IdentifierType.SIRET, "81234567600017", "81234567600017"),
        (IdentifierType.SIRET, " 812 345 676 00017 ", "81234567600017"),
        # La Poste: no Luhn, the sum of the 14 digits is a multiple of 5
        (IdentifierType.SIRET, "35600000012341", "35600000012341"),
        (IdentifierType.SIRET, "35600000000048", "35600000000048"),
        (IdentifierType.UE_HORS_FRANCE, "DE136695976", "DE136695976"),
        (IdentifierType.UE_HORS_FRANCE, "de 136 695 976", "DE136695976"),
        (IdentifierType.UE_HORS_FRANCE, "ATU13585627", "ATU13585627"),
        (IdentifierType.UE_HORS_FRANCE, "EL094259216", "EL094259216"),
        (IdentifierType.HORS_UE, "  Société  Générale 42 ", "Société Générale 42"),
        (IdentifierType.HORS_UE, "X" * 80, "X" * 80),
        (IdentifierType.RIDET, "1234567001", "1234567001"),
        (IdentifierType.RIDET, "1234567.001", "1234567001"),
        (IdentifierType.TAHITI, "A12B34567", "A12B34567"),
        (IdentifierType.TAHITI, "a12b34 567", "A12B34567"),
        (IdentifierType.AUTRE, "EN COURS 2026", "EN COURS 2026"),
        (IdentifierType.PARTICULIER, None, None),
        (IdentifierType.PARTICULIER, "  ", None),
    ],
)
def test_a_valid_identifier_is_normalised(identifier_type: IdentifierType, given: str, stored: str) -> None:
    assert validate_identifier(identifier_type, given, FIELD) == stored


@pytest.mark.parametrize(
    ("identifier_type", "given", "message"),
    [
        (IdentifierType.SIRET, "8123456760001", "14 chiffres"),
        (IdentifierType.SIRET, "8123456760001A", "14 chiffres"),
        (IdentifierType.SIRET, "81234567600018", "clé de contrôle"),
        (
            IdentifierType.SIRET,
            "35600000012342",
            "clé de contrôle",
        ),  # La Poste, digit sum not a multiple of 5
        (IdentifierType.UE_HORS_FRANCE, "FR40303265045", "TVA français"),
        (IdentifierType.UE_HORS_FRANCE, "DE136695977", "n'est pas valide"),
        (IdentifierType.UE_HORS_FRANCE, "US123456789", "n'est pas valide"),
        (IdentifierType.UE_HORS_FRANCE, "123", "État membre"),
        (IdentifierType.HORS_UE, "ACME_CORP", "lettres, chiffres et espaces"),
        (IdentifierType.HORS_UE, "X" * 81, "1 à 80"),
        (IdentifierType.RIDET, "123456700", "10 chiffres"),
        (IdentifierType.RIDET, "12345670AB", "10 chiffres"),
        (IdentifierType.TAHITI, "A12B3456", "9 caractères"),
        (IdentifierType.TAHITI, "A12B345XY", "9 caractères"),
        (IdentifierType.AUTRE, "N°-42", "lettres, chiffres et espaces"),
        (IdentifierType.PARTICULIER, "PART0001", "attribué par le portail"),
    ],
)
def test_a_malformed_identifier_is_refused_in_french(
    identifier_type: IdentifierType, given: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        validate_identifier(identifier_type, given, FIELD)
    assert raised.value.code == "VALIDATION"
    assert message in raised.value.message
    assert raised.value.field == FIELD


@pytest.mark.parametrize(
    "identifier_type", [t for t in IdentifierType if t is not IdentifierType.PARTICULIER]
)
def test_an_identifier_is_required_except_for_a_private_individual(identifier_type: IdentifierType) -> None:
    with pytest.raises(Required) as raised:
        validate_identifier(identifier_type, "  ", FIELD)
    assert raised.value.code == "REQUIRED"


def test_validate_siret_alone_answers_with_the_field_given() -> None:
    assert validate_siret("84561237300017", ["siret"]) == "84561237300017"
    with pytest.raises(ValidationFailed) as raised:
        validate_siret("84561237300018", ["input", "newSiret"])
    assert raised.value.field == ["input", "newSiret"]


def test_an_address_reports_every_faulty_part_at_once() -> None:
    from backend.services.errors import Invalid

    with pytest.raises(Invalid) as raised:
        address(AddressValue(line1=" ", postal_code="7500", city="", country="France"), ["input", "address"])
    fields = sorted(tuple(e.field) for e in raised.value.errors)
    assert fields == [
        ("input", "address", "city"),
        ("input", "address", "country"),
        ("input", "address", "line1"),
    ]
    ok = address(AddressValue(line1=" 1 rue ", postal_code="SW1A 1AA", city="London", country="gb"), ["a"])
    assert (ok.line1, ok.country) == ("1 rue", "GB")
    with pytest.raises(ValidationFailed, match="5 chiffres"):
        address(AddressValue(line1="1 rue", postal_code="7500", city="Paris", country="FR"), ["a"])


def test_a_validity_period_ends_after_it_starts() -> None:
    from datetime import date

    date_range(date(2026, 1, 1), date(2026, 1, 1), ["x"])
    date_range(None, date(2020, 1, 1), ["x"])
    with pytest.raises(ValidationFailed, match="précéder"):
        date_range(date(2026, 2, 1), date(2026, 1, 31), ["input", "validUntil"])
