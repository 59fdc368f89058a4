"""IBAN and BIC rules (backend.validation.bank), without a database."""

from __future__ import annotations

import pytest

from backend.services.errors import DomainError, Invalid, Required, ValidationFailed
from backend.validation import bank

FR_IBAN = "FR7630006000011234567890189"
FR_BBAN = "30006000011234567890189"


def check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits, computed independently of schwifty."""
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{98 - number % 97:02d}"


def errors_of(error: DomainError) -> list[tuple[str, list[str]]]:
    found = error.errors if isinstance(error, Invalid) else [error]
    return [(e.code, e.field) for e in found]


def details(**kwargs: str | None) -> bank.BankDetails:
    values: dict[str, str | None] = {
        "iban_value": None,
        "country": None,
        "bban": None,
        "iban_key": None,
        "bic_value": None,
    }
    values.update(kwargs)
    return bank.bank_details(field=["input"], **values)  # type: ignore[arg-type]


def test_a_french_iban_printed_with_spaces_is_stored_compact() -> None:
    checked = details(iban_value="fr76 3000 6000 0112 3456 7890 189", bic_value="agri fr pp")
    assert checked == bank.BankDetails(iban=FR_IBAN, country="FR", bic="AGRIFRPP")


def test_the_iban_may_be_given_as_country_bban_and_key() -> None:
    checked = details(country="FR", bban=FR_BBAN, iban_key="76")
    assert checked.iban == FR_IBAN and checked.country == "FR" and checked.bic is None


@pytest.mark.parametrize(
    ("iban", "fragment"),
    [
        ("FR7630006000011234567890188", "clé de l'IBAN"),  # wrong check digits
        ("FR763000600001123456789018", "27 caractères"),  # one character short for France
        ("FR76300060000112345678901AB", "format FR"),  # letters where the RIB key's digits go
        ("XX7630006000011234567890189", "« XX »"),  # no such country
        ("US12345678901234", "« US »"),  # a country without IBANs
        ("FR76-3000-6000-0112-3456-7890-18é", "lettres et des chiffres"),
        ("7630006000011234567890189", "commence par le code du pays"),
    ],
)
def test_a_bad_iban_is_refused_with_a_clear_message(iban: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        bank.iban(iban, ["input", "iban"])
    assert fragment in caught.value.message
    assert caught.value.field == ["input", "iban"]


def test_the_french_rib_key_inside_the_bban_is_checked_too() -> None:
    wrong_rib_key = "30006000011234567890188"
    iban = f"FR{check_digits('FR', wrong_rib_key)}{wrong_rib_key}"
    with pytest.raises(ValidationFailed, match="clé RIB"):
        bank.iban(iban, ["input", "iban"])


def test_other_countries_use_their_own_format() -> None:
    assert bank.iban("DE89 3704 0044 0532 0130 00", ["iban"]).country_code == "DE"
    assert bank.iban("MC58 1122 2000 0101 2345 6789 030", ["iban"]).country_code == "MC"
    with pytest.raises(ValidationFailed, match="22 caractères"):
        bank.iban("DE8937040044053201300", ["iban"])


def test_parts_point_at_the_part_at_fault() -> None:
    with pytest.raises(DomainError) as caught:
        details(country="FR", bban=FR_BBAN, iban_key="77")
    assert errors_of(caught.value) == [("VALIDATION", ["input", "ibanKey"])]
    with pytest.raises(DomainError) as caught:
        details(country="FR", bban=FR_BBAN[:-1], iban_key="76")
    assert errors_of(caught.value) == [("VALIDATION", ["input", "bban"])]
    with pytest.raises(DomainError) as caught:
        details(country="QQ", bban=FR_BBAN, iban_key="76")
    assert errors_of(caught.value) == [("VALIDATION", ["input", "country"])]
    with pytest.raises(DomainError) as caught:
        details(country="FR", bban=None, iban_key="7")
    assert errors_of(caught.value) == [("REQUIRED", ["input", "bban"]), ("VALIDATION", ["input", "ibanKey"])]


def test_nothing_given_is_required_and_both_forms_at_once_are_refused() -> None:
    with pytest.raises(Required) as caught:
        details()
    assert caught.value.field == ["input", "iban"]
    with pytest.raises(ValidationFailed, match="pas les deux"):
        details(iban_value=FR_IBAN, bban=FR_BBAN, iban_key="76")
    with pytest.raises(ValidationFailed, match="ne correspond pas à celui de l'IBAN"):
        details(iban_value=FR_IBAN, country="BE")


@pytest.mark.parametrize(
    ("bic", "fragment"),
    [
        ("BNPA", "8 ou 11 caractères"),
        ("BNPAFRPPX", "8 ou 11 caractères"),
        ("BNPAF1PP", "pas au bon format"),
        ("BNPAXQPP", "pays qui n'existe pas"),
        ("BNPA FR PP !", "lettres et des chiffres"),
    ],
)
def test_a_malformed_bic_is_refused(bic: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        bank.bic(bic, ["input", "bic"])
    assert fragment in caught.value.message
    assert caught.value.field == ["input", "bic"]


def test_a_blank_bic_is_none() -> None:
    assert bank.bic("  ", ["bic"]) is None
    assert bank.bic(None, ["bic"]) is None
    assert bank.bic("bnpafrppxxx", ["bic"]) == "BNPAFRPPXXX"


def test_the_bic_country_must_be_the_iban_country() -> None:
    with pytest.raises(DomainError) as caught:
        details(iban_value=FR_IBAN, bic_value="DEUTDEFF")
    assert errors_of(caught.value) == [("VALIDATION", ["input", "bic"])]
    assert "« DE »" in caught.value.message and "« FR »" in caught.value.message
    assert details(iban_value="DE89370400440532013000", bic_value="DEUTDEFF").bic == "DEUTDEFF"


@pytest.mark.parametrize("territory", sorted(bank.FR_IBAN_BIC_COUNTRIES))
def test_overseas_territories_and_monaco_use_french_ibans(territory: str) -> None:
    assert details(iban_value=FR_IBAN, bic_value=f"BNPA{territory}RX").bic == f"BNPA{territory}RX"


def test_an_overseas_bic_does_not_go_with_a_foreign_iban() -> None:
    with pytest.raises(ValidationFailed):
        details(iban_value="DE89370400440532013000", bic_value="BNPARERX")


def test_every_error_of_the_input_comes_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        details(iban_value="FR7630006000011234567890188", bic_value="BNPA")
    assert errors_of(caught.value) == [("VALIDATION", ["input", "iban"]), ("VALIDATION", ["input", "bic"])]
