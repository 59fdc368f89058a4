"""Optional two-factor login with an authenticator app (TOTP)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from backend import models
from backend.auth.totp import current_code
from tests.conftest import LOG_IN, PASSWORD, GraphQLClient

START = "mutation { startTwoFactor { provisioningUri secret errors { code message } } }"
CONFIRM = "mutation($code: String!) { confirmTwoFactor(code: $code) { ok errors { code field message } } }"
DISABLE = "mutation($code: String!) { disableTwoFactor(code: $code) { ok errors { code field message } } }"
ENABLED = "{ viewer { twoFactorEnabled } }"


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


async def enable(browser: GraphQLClient) -> str:
    setup = (await browser.query(START))["startTwoFactor"]
    assert setup["errors"] == []
    confirmed = await browser.query(CONFIRM, {"code": current_code(setup["secret"])})
    assert confirmed["confirmTwoFactor"] == {"ok": True, "errors": []}
    return setup["secret"]


async def log_in(browser: GraphQLClient, password: str = PASSWORD, code: str | None = None) -> dict:
    data = await browser.query(LOG_IN, {"email": "alice@example.org", "password": password, "code": code})
    return data["logIn"]


async def test_starting_gives_a_secret_and_its_provisioning_uri_but_enables_nothing_yet(signed_in) -> None:
    setup = (await signed_in.query(START))["startTwoFactor"]
    uri = urlparse(setup["provisioningUri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert "alice%40example.org" in uri.path or "alice@example.org" in uri.path
    query = parse_qs(uri.query)
    assert query["secret"] == [setup["secret"]]
    assert query["issuer"] == ["Portail Organisation"]
    assert (await signed_in.query(ENABLED))["viewer"]["twoFactorEnabled"] is False


async def test_confirming_needs_the_right_code(signed_in) -> None:
    setup = (await signed_in.query(START))["startTwoFactor"]
    refused = (await signed_in.query(CONFIRM, {"code": wrong(current_code(setup["secret"]))}))[
        "confirmTwoFactor"
    ]
    assert codes(refused) == ["VALIDATION"] and refused["errors"][0]["field"] == ["code"]
    assert (await signed_in.query(ENABLED))["viewer"]["twoFactorEnabled"] is False
    accepted = await signed_in.query(CONFIRM, {"code": current_code(setup["secret"])})
    assert accepted["confirmTwoFactor"]["ok"] is True
    assert (await signed_in.query(ENABLED))["viewer"]["twoFactorEnabled"] is True
    again = (await signed_in.query(START))["startTwoFactor"]
    assert codes(again) == ["INVALID_STATE"]


async def test_confirming_without_starting_is_refused(signed_in) -> None:
    data = await signed_in.query(CONFIRM, {"code": "123456"})
    assert codes(data["confirmTwoFactor"]) == ["INVALID_STATE"]


async def test_with_two_factor_logging_in_needs_the_code_after_the_password(accounts, signed_in) -> None:
    secret = await enable(signed_in)
    browser = accounts.client()

    no_code = await log_in(browser)
    assert codes(no_code) == ["TWO_FACTOR_REQUIRED"] and no_code["viewer"] is None
    bad_code = await log_in(browser, code=wrong(current_code(secret)))
    assert codes(bad_code) == ["TWO_FACTOR_REQUIRED"]
    assert "portail_session" not in browser.http.cookies

    # Only the right password reaches the two-factor step.
    bad_password = await log_in(browser, password="Mauvais-Secret-2026", code=current_code(secret))
    assert codes(bad_password) == ["VALIDATION"]

    good = await log_in(browser, code=current_code(secret))
    assert good["errors"] == []
    assert "portail_session" in browser.http.cookies


async def test_codes_from_the_previous_period_are_accepted_for_clock_drift_but_not_older(
    accounts, signed_in, clock
) -> None:
    secret = await enable(signed_in)
    code = current_code(secret)
    browser = accounts.client()
    clock.advance(timedelta(seconds=30))
    assert (await log_in(browser, code=code))["errors"] == []
    clock.advance(timedelta(seconds=90))
    assert codes(await log_in(accounts.client(), code=code)) == ["TWO_FACTOR_REQUIRED"]


async def test_a_code_opens_one_session_only_the_next_one_opens_another(accounts, signed_in, clock) -> None:
    secret = await enable(signed_in)
    code = current_code(secret)
    assert (await log_in(accounts.client(), code=code))["errors"] == []
    # Seen over the shoulder, or replayed from a proxy log: refused while it is still "current".
    replayed = await log_in(accounts.client(), code=code)
    assert codes(replayed) == ["TWO_FACTOR_REQUIRED"]
    assert "déjà servi" in replayed["errors"][0]["message"]
    clock.advance(timedelta(seconds=30))
    assert (await log_in(accounts.client(), code=current_code(secret)))["errors"] == []
    # The code of the period before the last used one is refused too, even within the drift window.
    assert codes(await log_in(accounts.client(), code=code)) == ["TWO_FACTOR_REQUIRED"]


async def test_wrong_codes_count_as_failed_logins(accounts, signed_in) -> None:
    secret = await enable(signed_in)
    browser = accounts.client()
    for _ in range(5):
        assert codes(await log_in(browser, code=wrong(current_code(secret)))) == ["TWO_FACTOR_REQUIRED"]
    assert codes(await log_in(browser, code=current_code(secret))) == ["ACCOUNT_LOCKED"]


async def test_disabling_needs_a_current_code(accounts, signed_in) -> None:
    secret = await enable(signed_in)
    refused = (await signed_in.query(DISABLE, {"code": wrong(current_code(secret))}))["disableTwoFactor"]
    assert codes(refused) == ["VALIDATION"]
    done = (await signed_in.query(DISABLE, {"code": current_code(secret)}))["disableTwoFactor"]
    assert done == {"ok": True, "errors": []}
    assert (await signed_in.query(ENABLED))["viewer"]["twoFactorEnabled"] is False
    assert (await log_in(accounts.client()))["errors"] == []
    user = await models.User.get(email="alice@example.org")
    assert user.totp_secret is None and user.totp_enabled is False
    again = (await signed_in.query(DISABLE, {"code": "000000"}))["disableTwoFactor"]
    assert codes(again) == ["INVALID_STATE"]


async def test_two_factor_changes_are_audited_without_the_secret(signed_in) -> None:
    secret = await enable(signed_in)
    await signed_in.query(DISABLE, {"code": current_code(secret)})
    events = await models.AuditEvent.filter(action__startswith="two_factor.").order_by("id")
    assert [e.action for e in events] == ["two_factor.start", "two_factor.enable", "two_factor.disable"]
    assert all(secret not in (e.changes or "") for e in events)
