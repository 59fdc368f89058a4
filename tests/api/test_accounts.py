"""Accounts as a person meets them: sign up, verify the email, log in, change one's account,
forget one's password, deactivate and reactivate."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import httpx
import pytest

from backend import models
from backend.app import create_app
from tests.conftest import LOG_IN, PASSWORD, SIGN_UP, VERIFY_EMAIL, GraphQLClient, error_codes

VIEWER = """{ viewer { user { id firstName lastName email phone contactEmail status lastLoginAt }
  emailVerified twoFactorEnabled isPlatformAdmin isSupportAgent } }"""
UPDATE = """mutation($input: UpdateMyAccountInput!) {
  updateMyAccount(input: $input) { viewer { user { firstName lastName email phone contactEmail } }
    errors { code field message } }
}"""
CHANGE_PASSWORD = """mutation($current: String!, $new: String!) {
  changePassword(current: $current, new: $new) { ok errors { code field message } }
}"""
DEACTIVATE = """mutation($password: String!) {
  deactivateMyAccount(password: $password) { ok errors { code field message } }
}"""
REQUEST_RESET = (
    "mutation($email: String!) { requestPasswordReset(email: $email) { ok errors { code message } } }"
)
RESET = """mutation($token: String!, $password: String!) {
  resetPassword(token: $token, password: $password) { ok errors { code field message } }
}"""
LOG_OUT = "mutation { logOut { ok errors { code message } } }"
RESEND = "mutation { resendVerificationEmail { ok errors { code message } } }"
NEW_PASSWORD = "Nouveau-Secret-2027"


def alice(**changes: str) -> dict[str, dict[str, str]]:
    values = {"email": "alice@example.org", "password": PASSWORD, "firstName": "Alice", "lastName": "Durand"}
    return {"input": {**values, **changes}}


async def log_in(gql: GraphQLClient, email: str, password: str, code: str | None = None) -> dict:
    data = await gql.query(LOG_IN, {"email": email, "password": password, "code": code})
    return data["logIn"]


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


# ---------------------------------------------------------------------------------------- sign-up


async def test_signing_up_creates_an_account_and_mails_a_verification_link(gql, outbox, db) -> None:
    data = await gql.query(SIGN_UP, alice(email="  Alice@Example.org "))
    assert data["signUp"]["errors"] == []
    assert data["signUp"]["user"]["id"]
    user = await models.User.get(email="alice@example.org")
    assert user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash

    [mail] = await outbox.messages("alice@example.org")
    assert mail["Subject"] == "Confirmez votre adresse électronique"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Bonjour Alice" in text
    assert "http://127.0.0.1:8000/verifier-email?jeton=" in text
    assert "60 minutes" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert '<a href="http://127.0.0.1:8000/verifier-email?jeton=' in html

    token = await models.OneTimeToken.get(user_id=user.id)
    secret = await outbox.secret("alice@example.org", "/verifier-email")
    assert secret not in token.token_hash  # only a digest is stored
    assert token.kind == models.OneTimeTokenKind.VERIFY_EMAIL


async def test_sign_up_reports_every_invalid_field_at_once(gql) -> None:
    data = await gql.query(
        SIGN_UP, alice(email="pas-une-adresse", password="court", firstName="  ", lastName="")
    )
    errors = data["signUp"]["errors"]
    assert data["signUp"]["user"] is None
    assert {(e["code"], tuple(e["field"])) for e in errors} == {
        ("VALIDATION", ("input", "email")),
        ("VALIDATION", ("input", "password")),
        ("REQUIRED", ("input", "firstName")),
        ("REQUIRED", ("input", "lastName")),
    }
    assert await models.User.all().count() == 0


async def test_an_email_already_used_cannot_sign_up_again(gql) -> None:
    await gql.query(SIGN_UP, alice())
    data = await gql.query(SIGN_UP, alice(email="ALICE@example.org", firstName="Autre"))
    assert codes(data["signUp"]) == ["ALREADY_EXISTS"]
    assert data["signUp"]["errors"][0]["field"] == ["input", "email"]
    assert await models.User.all().count() == 1


async def test_sign_up_is_throttled_per_client_address(db, outbox) -> None:
    app = create_app(dataclasses.replace(db, signup_rate_per_hour=2), manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)
        for i in range(2):
            data = await gql.query(SIGN_UP, alice(email=f"personne{i}@example.org"))
            assert data["signUp"]["errors"] == []
        data = await gql.query(SIGN_UP, alice(email="encore@example.org"))
        assert codes(data["signUp"]) == ["RATE_LIMITED"]
    assert not await models.User.exists(email="encore@example.org")


# ---------------------------------------------------------------------------------------- email verification


async def test_the_mailed_link_verifies_the_email_once(gql, outbox, accounts) -> None:
    await accounts.sign_up("alice@example.org", verify=False)
    client = await accounts.log_in("alice@example.org")
    assert (await client.query(VIEWER))["viewer"]["emailVerified"] is False

    secret = await outbox.secret("alice@example.org", "/verifier-email")
    assert (await gql.query(VERIFY_EMAIL, {"token": secret}))["verifyEmail"] == {"ok": True, "errors": []}
    assert (await client.query(VIEWER))["viewer"]["emailVerified"] is True

    again = (await gql.query(VERIFY_EMAIL, {"token": secret}))["verifyEmail"]
    assert again["ok"] is False
    assert codes(again) == ["VALIDATION"]


async def test_a_verification_link_expires_after_60_minutes(gql, outbox, accounts, clock) -> None:
    await accounts.sign_up("alice@example.org", verify=False)
    secret = await outbox.secret("alice@example.org", "/verifier-email")
    clock.advance(timedelta(minutes=61))
    data = await gql.query(VERIFY_EMAIL, {"token": secret})
    assert codes(data["verifyEmail"]) == ["VALIDATION"]
    assert "demandez-en un nouveau" in data["verifyEmail"]["errors"][0]["message"]
    assert (await models.User.get(email="alice@example.org")).email_verified_at is None


async def test_a_new_verification_link_can_be_asked_for_and_replaces_the_old_one(outbox, accounts) -> None:
    await accounts.sign_up("alice@example.org", verify=False)
    first = await outbox.secret("alice@example.org", "/verifier-email")
    client = await accounts.log_in("alice@example.org")
    assert (await client.query(RESEND))["resendVerificationEmail"] == {"ok": True, "errors": []}
    second = await outbox.secret("alice@example.org", "/verifier-email")
    assert second != first
    assert codes((await client.query(VERIFY_EMAIL, {"token": first}))["verifyEmail"]) == ["VALIDATION"]
    assert (await client.query(VERIFY_EMAIL, {"token": second}))["verifyEmail"]["ok"] is True
    already = (await client.query(RESEND))["resendVerificationEmail"]
    assert codes(already) == ["INVALID_STATE"]


# ---------------------------------------------------------------------------------------- logging in


async def test_logging_in_opens_a_session_and_the_viewer_is_the_account(accounts) -> None:
    user_id = await accounts.sign_up("alice@example.org")
    browser = accounts.client()
    assert (await browser.query(VIEWER))["viewer"] is None
    payload = await log_in(browser, "Alice@Example.org ", PASSWORD)
    assert payload["errors"] == []
    assert payload["viewer"]["user"]["id"] == user_id
    viewer = (await browser.query(VIEWER))["viewer"]
    assert viewer["user"]["email"] == "alice@example.org"
    assert viewer["user"]["status"] == "ACTIVE"
    assert viewer["user"]["lastLoginAt"] is not None
    assert viewer["emailVerified"] is True
    assert viewer["twoFactorEnabled"] is False
    assert viewer["isPlatformAdmin"] is False


async def test_login_answers_the_same_for_an_unknown_email(accounts, monkeypatch) -> None:
    from backend.services import accounts as account_service

    checked: list[str] = []
    real_verify = account_service.verify_password

    def counting_verify(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(account_service, "verify_password", counting_verify)
    await accounts.sign_up("alice@example.org")
    browser = accounts.client()
    wrong_password = await log_in(browser, "alice@example.org", "Mauvais-Secret-2026")
    unknown_email = await log_in(browser, "personne@example.org", "Mauvais-Secret-2026")
    assert wrong_password == unknown_email
    assert wrong_password["viewer"] is None
    assert codes(wrong_password) == ["VALIDATION"]
    assert wrong_password["errors"][0]["message"] == "Adresse électronique ou mot de passe incorrect."
    # The same work: a password check against an Argon2id hash in both cases, a failure counted in both.
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)
    assert await models.LoginFailure.filter(email="alice@example.org").count() == 1
    assert await models.LoginFailure.filter(email="personne@example.org").count() == 1


async def test_five_failed_logins_lock_the_email_for_an_hour(accounts, clock) -> None:
    await accounts.sign_up("alice@example.org")
    browser = accounts.client()
    for _ in range(5):
        assert codes(await log_in(browser, "alice@example.org", "Mauvais-Secret-2026")) == ["VALIDATION"]
    locked = await log_in(browser, "alice@example.org", PASSWORD)  # even the right password
    assert codes(locked) == ["ACCOUNT_LOCKED"]
    assert "une heure" in locked["errors"][0]["message"]

    clock.advance(timedelta(minutes=59))
    assert codes(await log_in(browser, "alice@example.org", PASSWORD)) == ["ACCOUNT_LOCKED"]
    clock.advance(timedelta(minutes=2))
    assert (await log_in(browser, "alice@example.org", PASSWORD))["errors"] == []


async def test_failures_spread_over_more_than_an_hour_do_not_lock(accounts, clock) -> None:
    await accounts.sign_up("alice@example.org")
    browser = accounts.client()
    for _ in range(4):
        await log_in(browser, "alice@example.org", "Mauvais-Secret-2026")
    clock.advance(timedelta(minutes=61))
    assert codes(await log_in(browser, "alice@example.org", "Mauvais-Secret-2026")) == ["VALIDATION"]
    assert (await log_in(browser, "alice@example.org", PASSWORD))["errors"] == []


async def test_the_lock_counts_the_email_string_whether_or_not_an_account_exists(gql) -> None:
    for _ in range(5):
        await log_in(gql, "Personne@Example.org", "Mauvais-Secret-2026")
    assert codes(await log_in(gql, "personne@example.org", "Mauvais-Secret-2026")) == ["ACCOUNT_LOCKED"]


async def test_a_successful_login_forgets_the_earlier_failures(accounts) -> None:
    await accounts.sign_up("alice@example.org")
    browser = accounts.client()
    for _ in range(4):
        await log_in(browser, "alice@example.org", "Mauvais-Secret-2026")
    assert (await log_in(browser, "alice@example.org", PASSWORD))["errors"] == []
    for _ in range(4):
        await log_in(browser, "alice@example.org", "Mauvais-Secret-2026")
    assert (await log_in(browser, "alice@example.org", PASSWORD))["errors"] == []


async def test_a_burst_across_a_window_boundary_is_still_throttled(db, clock) -> None:
    app = create_app(dataclasses.replace(db, login_rate_per_minute=4), manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        seconds_left = 60 - clock.now().timestamp() % 60
        clock.advance(timedelta(seconds=seconds_left - 1))  # one second before a minute starts
        for i in range(4):
            assert codes(await log_in(gql, f"b{i}@example.org", "Mauvais-Secret-2026")) == ["VALIDATION"]
        clock.advance(timedelta(seconds=2))  # a new fixed window: the four still count
        assert codes(await log_in(gql, "c@example.org", "Mauvais-Secret-2026")) == ["RATE_LIMITED"]
        clock.advance(timedelta(minutes=2))  # once the window has slid past them, welcome again
        assert codes(await log_in(gql, "d@example.org", "Mauvais-Secret-2026")) == ["VALIDATION"]


async def test_login_is_throttled_per_client_address(db, clock) -> None:
    app = create_app(dataclasses.replace(db, login_rate_per_minute=3), manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        for i in range(3):
            assert codes(await log_in(gql, f"x{i}@example.org", "Mauvais-Secret-2026")) == ["VALIDATION"]
        assert codes(await log_in(gql, "y@example.org", "Mauvais-Secret-2026")) == ["RATE_LIMITED"]
        other = httpx.ASGITransport(app=app, client=("198.51.100.9", 4000))
        async with httpx.AsyncClient(transport=other, base_url="http://testserver") as other_http:
            assert codes(await log_in(GraphQLClient(other_http), "y@example.org", "Mauvais-2026-Aa")) == [
                "VALIDATION"
            ]
        # The window slides: once a whole minute has passed over the attempts, they no longer count.
        clock.advance(timedelta(minutes=2))
        assert codes(await log_in(gql, "y@example.org", "Mauvais-Secret-2026")) == ["VALIDATION"]


async def test_logging_out_ends_the_session(accounts) -> None:
    browser = await accounts.signed_in("alice@example.org")
    cookie = browser.http.cookies["portail_session"]
    data = await browser.query(LOG_OUT)
    assert data["logOut"] == {"ok": True, "errors": []}
    assert (await browser.query(VIEWER))["viewer"] is None
    # The old cookie value opens nothing any more.
    replay = accounts.client(cookies={"portail_session": cookie})
    assert (await replay.query(VIEWER))["viewer"] is None


# ---------------------------------------------------------------------------------------- one's account


async def test_updating_my_account_changes_names_phone_and_contact_email_but_never_the_login_email(
    signed_in,
) -> None:
    data = await signed_in.query(
        UPDATE,
        {
            "input": {
                "firstName": " Alicia ",
                "phone": "+33 6 12 34 56 78",
                "contactEmail": "Compta@Example.org",
            }
        },
    )
    assert data["updateMyAccount"]["errors"] == []
    assert data["updateMyAccount"]["viewer"]["user"] == {
        "firstName": "Alicia",
        "lastName": "Durand",
        "email": "alice@example.org",
        "phone": "+33 6 12 34 56 78",
        "contactEmail": "compta@example.org",
    }
    body = await signed_in.post(
        'mutation { updateMyAccount(input: {email: "autre@example.org"}) { errors { code } } }'
    )
    assert "email" in body["errors"][0]["message"]  # there is no such field: the login email never changes

    cleared = await signed_in.query(UPDATE, {"input": {"phone": None, "contactEmail": ""}})
    assert cleared["updateMyAccount"]["viewer"]["user"]["phone"] is None
    assert cleared["updateMyAccount"]["viewer"]["user"]["contactEmail"] is None


async def test_updating_my_account_reports_every_invalid_field(signed_in) -> None:
    data = await signed_in.query(UPDATE, {"input": {"lastName": "", "phone": "abc", "contactEmail": "x@"}})
    assert {(e["code"], tuple(e["field"])) for e in data["updateMyAccount"]["errors"]} == {
        ("REQUIRED", ("input", "lastName")),
        ("VALIDATION", ("input", "phone")),
        ("VALIDATION", ("input", "contactEmail")),
    }
    assert (await models.User.get(email="alice@example.org")).last_name == "Durand"


async def test_changing_the_password_needs_the_current_one_and_follows_the_policy(signed_in) -> None:
    wrong = await signed_in.query(CHANGE_PASSWORD, {"current": "Mauvais-2026-x", "new": NEW_PASSWORD})
    assert codes(wrong["changePassword"]) == ["VALIDATION"]
    assert wrong["changePassword"]["errors"][0]["field"] == ["current"]
    weak = await signed_in.query(CHANGE_PASSWORD, {"current": PASSWORD, "new": "faible"})
    assert weak["changePassword"]["errors"][0]["field"] == ["new"]
    ok = await signed_in.query(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})
    assert ok["changePassword"] == {"ok": True, "errors": []}
    browser = GraphQLClient(signed_in.http)
    assert codes(await log_in(browser, "alice@example.org", PASSWORD)) == ["VALIDATION"]
    assert (await log_in(browser, "alice@example.org", NEW_PASSWORD))["errors"] == []


async def test_changing_the_password_ends_the_other_sessions(accounts) -> None:
    laptop = await accounts.signed_in("alice@example.org")
    phone = await accounts.log_in("alice@example.org")
    data = await laptop.query(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})
    assert data["changePassword"]["ok"] is True
    assert (await laptop.query(VIEWER))["viewer"] is not None
    assert (await phone.query(VIEWER))["viewer"] is None


# ---------------------------------------------------------------------------------------- password reset


async def test_a_reset_request_answers_ok_and_reveals_nothing(gql, outbox, accounts) -> None:
    await accounts.sign_up("alice@example.org")
    known = await gql.query(REQUEST_RESET, {"email": "alice@example.org"})
    unknown = await gql.query(REQUEST_RESET, {"email": "personne@example.org"})
    assert known == unknown == {"requestPasswordReset": {"ok": True, "errors": []}}
    assert await outbox.messages("personne@example.org") == []
    [mail] = [m for m in await outbox.messages("alice@example.org") if "Réinitialisation" in m["Subject"]]
    assert "/reinitialiser-mot-de-passe?jeton=" in mail.get_body(preferencelist=("plain",)).get_content()


async def test_resetting_the_password_through_the_link_ends_every_session(gql, outbox, accounts) -> None:
    browser = await accounts.signed_in("alice@example.org")
    await gql.query(REQUEST_RESET, {"email": "alice@example.org"})
    secret = await outbox.secret("alice@example.org", "/reinitialiser-mot-de-passe")

    weak = await gql.query(RESET, {"token": secret, "password": "faible"})
    assert codes(weak["resetPassword"]) == ["VALIDATION"]
    assert weak["resetPassword"]["errors"][0]["field"] == ["password"]

    data = await gql.query(RESET, {"token": secret, "password": NEW_PASSWORD})
    assert data["resetPassword"] == {"ok": True, "errors": []}
    assert (await browser.query(VIEWER))["viewer"] is None
    assert (await log_in(gql, "alice@example.org", NEW_PASSWORD))["errors"] == []

    used = await gql.query(RESET, {"token": secret, "password": "Encore-Autre-2028"})
    assert codes(used["resetPassword"]) == ["VALIDATION"]
    assert used["resetPassword"]["errors"][0]["field"] == ["token"]


async def test_a_reset_link_expires_after_60_minutes(gql, outbox, accounts, clock) -> None:
    await accounts.sign_up("alice@example.org")
    await gql.query(REQUEST_RESET, {"email": "alice@example.org"})
    secret = await outbox.secret("alice@example.org", "/reinitialiser-mot-de-passe")
    clock.advance(timedelta(minutes=61))
    data = await gql.query(RESET, {"token": secret, "password": NEW_PASSWORD})
    assert codes(data["resetPassword"]) == ["VALIDATION"]
    assert (await log_in(gql, "alice@example.org", PASSWORD))["errors"] == []


async def test_password_reset_requests_are_throttled_per_client(db) -> None:
    app = create_app(dataclasses.replace(db, password_reset_rate_per_hour=1), manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)
        assert (await gql.query(REQUEST_RESET, {"email": "a@example.org"}))["requestPasswordReset"]["ok"]
        data = await gql.query(REQUEST_RESET, {"email": "b@example.org"})
        assert codes(data["requestPasswordReset"]) == ["RATE_LIMITED"]


# ---------------------------------------------------------------------------------------- deactivation


async def make_structure(manager_id: int, identifier: str) -> models.Structure:
    return await models.Structure.create(
        identifier_type=models.IdentifierType.SIRET,
        identifier=identifier,
        name=f"Structure {identifier}",
        address_line1="1 rue de la Paix",
        postal_code="75002",
        city="Paris",
        principal_manager_id=manager_id,
    )


async def test_deactivating_my_account_while_principal_manager_leaves_the_structures_without_one(
    accounts,
) -> None:
    browser = await accounts.signed_in("alice@example.org")
    other_device = await accounts.log_in("alice@example.org")
    user = await models.User.get(email="alice@example.org")
    first = await make_structure(user.id, "35600000000048")
    second = await make_structure(user.id, "73282932000074")

    wrong = await browser.query(DEACTIVATE, {"password": "Mauvais-Secret-2026"})
    assert codes(wrong["deactivateMyAccount"]) == ["VALIDATION"]
    assert (await models.User.get(id=user.id)).status == models.AccountStatus.ACTIVE

    data = await browser.query(DEACTIVATE, {"password": PASSWORD})
    assert data["deactivateMyAccount"] == {"ok": True, "errors": []}
    assert (await models.User.get(id=user.id)).status == models.AccountStatus.INACTIVE
    for structure in (first, second):
        refreshed = await models.Structure.get(id=structure.id)
        assert refreshed.principal_manager_id is None
        assert refreshed.version == structure.version + 1
    assert (await browser.query(VIEWER))["viewer"] is None
    assert (await other_device.query(VIEWER))["viewer"] is None
    cleared = await models.AuditEvent.filter(action="structure.clear_principal_manager").values_list(
        "structure_id", flat=True
    )
    assert sorted(cleared) == sorted([first.id, second.id])


async def test_logging_in_to_a_deactivated_account_explains_how_to_reactivate(gql, outbox, accounts) -> None:
    browser = await accounts.signed_in("alice@example.org")
    await browser.query(DEACTIVATE, {"password": PASSWORD})

    wrong = await log_in(gql, "alice@example.org", "Mauvais-Secret-2026")
    assert wrong["errors"][0]["message"] == "Adresse électronique ou mot de passe incorrect."
    right = await log_in(gql, "alice@example.org", PASSWORD)
    assert codes(right) == ["VALIDATION"]
    assert "Mot de passe oublié" in right["errors"][0]["message"]
    assert "réactive" in right["errors"][0]["message"]

    # Reactivation: the reset link mailed to the login address.
    await gql.query(REQUEST_RESET, {"email": "alice@example.org"})
    [mail] = [m for m in await outbox.messages("alice@example.org") if "Réinitialisation" in m["Subject"]]
    assert "réactivera" in mail.get_body(preferencelist=("plain",)).get_content()
    secret = await outbox.secret("alice@example.org", "/reinitialiser-mot-de-passe")
    assert (await gql.query(RESET, {"token": secret, "password": NEW_PASSWORD}))["resetPassword"]["ok"]
    assert (await log_in(gql, "alice@example.org", NEW_PASSWORD))["errors"] == []
    assert (await models.User.get(email="alice@example.org")).status == models.AccountStatus.ACTIVE


# ---------------------------------------------------------------------------------------- visibility and audit


async def test_a_user_sees_their_own_email_and_phone_and_nobody_else_can_probe_them(accounts) -> None:
    alice_id = await accounts.sign_up("alice@example.org")
    bob = await accounts.signed_in("bob@example.org", first_name="Bob")
    alice = await accounts.log_in("alice@example.org")
    node = "query($id: ID!) { node(id: $id) { ... on User { firstName email } } }"
    mine = await alice.query(node, {"id": alice_id})
    assert mine["node"] == {"firstName": "Alice", "email": "alice@example.org"}
    theirs = await bob.post(node, {"id": alice_id})
    assert theirs["data"]["node"] is None
    assert error_codes(theirs) == ["FORBIDDEN"]


async def test_anonymous_visitors_have_no_viewer_and_account_mutations_need_a_session(gql) -> None:
    assert (await gql.query(VIEWER))["viewer"] is None
    data = await gql.query(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})
    assert codes(data["changePassword"]) == ["UNAUTHENTICATED"]
    assert data["changePassword"]["ok"] is False


async def test_every_account_write_is_audited_with_secrets_masked(gql, outbox, accounts) -> None:
    browser = await accounts.signed_in("alice@example.org")
    await browser.query(UPDATE, {"input": {"phone": "01 23 45 67 89"}})
    await browser.query(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})
    await gql.query(REQUEST_RESET, {"email": "alice@example.org"})
    secret = await outbox.secret("alice@example.org", "/reinitialiser-mot-de-passe")
    await gql.query(RESET, {"token": secret, "password": "Troisieme-Secret-2028"})
    await browser.query(LOG_OUT)

    events = await models.AuditEvent.all().order_by("id")
    actions = [event.action for event in events]
    assert actions[:3] == ["user.sign_up", "user.verify_email", "user.log_in"]
    for action in (
        "user.update",
        "user.change_password",
        "user.request_password_reset",
        "user.reset_password",
    ):
        assert action in actions
    user = await models.User.get(email="alice@example.org")
    assert all(event.subject_user_id == user.id for event in events)
    everything = " ".join(event.changes or "" for event in events)
    for secret_text in (PASSWORD, NEW_PASSWORD, "Troisieme-Secret-2028", secret, user.password_hash):
        assert secret_text not in everything
    change = next(e for e in events if e.action == "user.change_password")
    assert json.loads(change.changes)["password"] == ["***", "***"]
    update = next(e for e in events if e.action == "user.update")
    assert json.loads(update.changes) == {"phone": [None, "01 23 45 67 89"]}


@pytest.mark.parametrize("role", ["admin", "support"])
async def test_roles_show_on_the_viewer(accounts, role) -> None:
    from backend.services.accounts import set_role

    browser = await accounts.signed_in("alice@example.org")
    await set_role("alice@example.org", role)
    viewer = (await browser.query(VIEWER))["viewer"]
    assert viewer["isPlatformAdmin"] is (role == "admin")
    assert viewer["isSupportAgent"] is (role == "support")
