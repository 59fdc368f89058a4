"""Every setting from the environment, with safe defaults.

Read once per process with :func:`get_settings`; tests build their own
:class:`Settings` and pass it to :func:`backend.app.create_app`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    return int(value) if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    documents_dir: Path = PROJECT_ROOT / "var" / "documents"
    frontend_dist: Path = PROJECT_ROOT / "frontend" / "dist"
    # Production mode hides field suggestions ("Did you mean …?") and debugging aids from clients.
    production: bool = False
    # Schema introspection (__schema, __type; GraphiQL's documentation needs it). False refuses it
    # with QUERY_REFUSED; __typename stays allowed.
    introspection: bool = True
    # Query limits, checked before execution (QUERY_REFUSED, no resolver runs).
    max_query_depth: int = 12
    max_query_tokens: int = 5000
    max_aliases: int = 30
    max_query_bytes: int = 20_000
    max_page_size: int = 100
    max_directives: int = 10
    # How many times one response key may be asked for in one object (fragments included).
    max_field_repeats: int = 10
    # Estimated cost: each field counts 1, multiplied by the page size (`first`, else 20) of every
    # connection that encloses it. Reported in each response's extensions.cost.
    max_query_cost: int = 50_000
    # Request bodies over these sizes are refused unread with 413: without a file (JSON), and
    # multipart uploads (ten 10 MB attachments and their envelope).
    max_request_bytes: int = 1024 * 1024
    max_upload_request_bytes: int = 101 * 1024 * 1024
    # Links in e-mails point to the SPA served at this address.
    public_url: str = "http://127.0.0.1:8000"
    # Accounts: browser sessions slide (each use extends them) and expire after this many idle days.
    session_days: int = 14
    # Throttling per client address (0 disables a limit): login attempts per minute, sign-ups and
    # password-reset requests per hour. Counted in the database, so they hold across workers.
    login_rate_per_minute: int = 30
    signup_rate_per_hour: int = 20
    password_reset_rate_per_hour: int = 20
    # Mail: SMTP when smtp_host is set, else .eml files in var/outbox/.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_tls: bool = False
    mail_from: str = "Portail Organisation <ne-pas-repondre@portail.localhost>"
    # INSEE's Sirene API, asked for a SIRET missing from the imported stock file (both set: enabled).
    sirene_api_url: str = ""
    sirene_api_key: str = ""
    sirene_api_timeout: float = 3.0
    # Live updates (GraphQL subscriptions over WebSocket, graphql-transport-ws). A browser page on
    # another origin may not open one with the session cookie, unless its origin is listed here
    # (the server's own origin, public_url's or the Host's, always may).
    ws_allowed_origins: tuple[str, ...] = ()
    # Subscriptions (and operations) running at once on one WebSocket connection.
    ws_max_subscriptions: int = 10
    # Each subscription re-reads its state and re-checks the viewer's session this often (seconds)
    # even when no change was announced: a safety net for a missed notification.
    live_recheck_seconds: float = 60.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def outbox_dir(self) -> Path:
        """Where mails go when no SMTP server is configured, and mails that could not be sent."""
        return self.var_dir / "outbox"


def _read_or_create_secret(var_dir: Path) -> str:
    """The secret key lives in var/ so that sessions survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    var_dir = Path(env.get("PORTAIL_VAR_DIR") or PROJECT_ROOT / "var").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite://{var_dir / 'portail.sqlite3'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgres://" + database_url.removeprefix("postgresql://")
    secret_key = env.get("PORTAIL_SECRET_KEY") or _read_or_create_secret(var_dir)
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        secret_key=secret_key,
        host=env.get("PORTAIL_HOST", "127.0.0.1"),
        port=_int(env.get("PORTAIL_PORT"), 8000),
        documents_dir=Path(env.get("PORTAIL_DOCUMENTS_DIR") or var_dir / "documents").resolve(),
        frontend_dist=Path(env.get("PORTAIL_FRONTEND_DIST") or PROJECT_ROOT / "frontend" / "dist"),
        production=_bool(env.get("PORTAIL_PRODUCTION"), False),
        introspection=_bool(env.get("PORTAIL_INTROSPECTION"), True),
        max_query_depth=_int(env.get("PORTAIL_MAX_QUERY_DEPTH"), 12),
        max_query_tokens=_int(env.get("PORTAIL_MAX_QUERY_TOKENS"), 5000),
        max_aliases=_int(env.get("PORTAIL_MAX_ALIASES"), 30),
        max_query_bytes=_int(env.get("PORTAIL_MAX_QUERY_BYTES"), 20_000),
        max_directives=_int(env.get("PORTAIL_MAX_DIRECTIVES"), 10),
        max_field_repeats=_int(env.get("PORTAIL_MAX_FIELD_REPEATS"), 10),
        max_query_cost=_int(env.get("PORTAIL_MAX_QUERY_COST"), 50_000),
        max_request_bytes=_int(env.get("PORTAIL_MAX_REQUEST_BYTES"), 1024 * 1024),
        max_upload_request_bytes=_int(env.get("PORTAIL_MAX_UPLOAD_REQUEST_BYTES"), 101 * 1024 * 1024),
        public_url=(env.get("PORTAIL_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        session_days=_int(env.get("PORTAIL_SESSION_DAYS"), 14),
        login_rate_per_minute=_int(env.get("PORTAIL_LOGIN_RATE_PER_MINUTE"), 30),
        signup_rate_per_hour=_int(env.get("PORTAIL_SIGNUP_RATE_PER_HOUR"), 20),
        password_reset_rate_per_hour=_int(env.get("PORTAIL_PASSWORD_RESET_RATE_PER_HOUR"), 20),
        smtp_host=env.get("PORTAIL_SMTP_HOST", ""),
        smtp_port=_int(env.get("PORTAIL_SMTP_PORT"), 587),
        smtp_user=env.get("PORTAIL_SMTP_USER", ""),
        smtp_password=env.get("PORTAIL_SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env.get("PORTAIL_SMTP_STARTTLS"), True),
        smtp_tls=_bool(env.get("PORTAIL_SMTP_TLS"), False),
        mail_from=env.get("PORTAIL_MAIL_FROM") or "Portail Organisation <ne-pas-repondre@portail.localhost>",
        sirene_api_url=env.get("PORTAIL_SIRENE_API_URL", "").strip(),
        sirene_api_key=env.get("PORTAIL_SIRENE_API_KEY", "").strip(),
        sirene_api_timeout=float(env.get("PORTAIL_SIRENE_API_TIMEOUT") or 3.0),
        ws_allowed_origins=tuple(
            o.strip().rstrip("/") for o in env.get("PORTAIL_WS_ALLOWED_ORIGINS", "").split(",") if o.strip()
        ),
        ws_max_subscriptions=_int(env.get("PORTAIL_WS_MAX_SUBSCRIPTIONS"), 10),
        live_recheck_seconds=float(env.get("PORTAIL_LIVE_RECHECK_SECONDS") or 60.0),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
