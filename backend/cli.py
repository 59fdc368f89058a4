"""`portail`: the command line of the portal."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click

from backend.settings import PROJECT_ROOT, Settings, get_settings


def _run_with_db(work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` with the ORM initialised on the configured database."""
    from backend.db import close_db, init_db

    async def main() -> Any:
        await init_db(get_settings())
        try:
            return await work()
        finally:
            await close_db()

    return asyncio.run(main())


@click.group(help="Portail Organisation : structures, utilisateurs, habilitations, approbations, support.")
def main() -> None:
    pass


@main.command(help="Sert l'application (API GraphQL et interface) avec uvicorn.")
@click.option("--host", default=None, help="Adresse d'écoute (PORTAIL_HOST, 127.0.0.1 par défaut).")
@click.option("--port", default=None, type=int, help="Port (PORTAIL_PORT, 8000 par défaut).")
@click.option("--workers", default=1, show_default=True, help="Nombre de processus uvicorn.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    import uvicorn

    settings = get_settings()
    if workers > 1 and settings.is_sqlite:
        raise click.UsageError("Plusieurs processus demandent PostgreSQL (DATABASE_URL=postgres://…).")
    host = host or settings.host
    port = port or settings.port
    click.echo(f"Portail Organisation sur http://{host}:{port}/  (GraphiQL : http://{host}:{port}/graphql)")
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@main.command(help="Applique les migrations du schéma de la base de données.")
def migrate() -> None:
    from backend.db import close_db, run_migrations

    settings = get_settings()

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            click.echo(f"  migration appliquée : {app_label}.{name}")

    async def work() -> None:
        try:
            await run_migrations(settings, progress=progress)
        finally:
            await close_db()

    asyncio.run(work())
    click.echo(f"Base à jour ({_describe(settings)}).")


def _describe(settings: Settings) -> str:
    url = settings.database_url
    if "@" in url:  # hide credentials
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


@main.command(help="Charge les données de référence (et, avec --demo, le jeu de démonstration).")
@click.option("--demo", is_flag=True, help="Charge aussi le jeu de démonstration (la première fois).")
def seed(demo: bool) -> None:
    from backend.seed.reference import load_reference_data

    async def work() -> Any:
        counts = await load_reference_data()
        accounts = None
        if demo:
            from backend.seed.demo import load_demo_data

            accounts = await load_demo_data()
        return counts, accounts

    counts, accounts = _run_with_db(work)
    click.echo("Données de référence : " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if accounts:
        click.echo("\nComptes de démonstration :")
        for account in accounts:
            click.echo(f"  {account.email:<34} {account.password:<22} {account.role}")


@main.command("create-admin", help="Crée (ou promeut) un administrateur de la plateforme.")
@click.option("--email", prompt="Adresse électronique", help="Email de connexion.")
@click.option("--first-name", default="Admin", show_default=True)
@click.option("--last-name", default="Plateforme", show_default=True)
@click.option("--password", default=None, help="Mot de passe (demandé s'il n'est pas donné; ou PORTAIL_ADMIN_PASSWORD).")
def create_admin(email: str, first_name: str, last_name: str, password: str | None) -> None:
    import os

    from backend.services.accounts import create_platform_admin

    password = password or os.environ.get("PORTAIL_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise click.UsageError("Donnez --password ou PORTAIL_ADMIN_PASSWORD.")
        password = getpass.getpass("Mot de passe : ")
    from backend.services.errors import DomainError

    try:
        user, created = _run_with_db(lambda: create_platform_admin(email, password, first_name, last_name))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    verb = "créé" if created else "promu"
    click.echo(f"Administrateur {verb} : {user.email}")


@main.command("export-schema", help="Écrit le schéma GraphQL (SDL) exporté du code.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PROJECT_ROOT / "schema.graphql",
    show_default=True,
    help="Fichier de sortie ('-' pour la sortie standard).",
)
def export_schema(output: Path) -> None:
    from backend.schema import export_sdl

    sdl = export_sdl()
    if str(output) == "-":
        click.echo(sdl, nl=False)
        return
    output.write_text(sdl)
    click.echo(f"Schéma écrit dans {output}")


@main.command(help="Écrit la matrice des permissions (Markdown) générée des déclarations du schéma.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PROJECT_ROOT / "docs" / "permissions.md",
    show_default=True,
    help="Fichier de sortie ('-' pour la sortie standard).",
)
def permissions(output: Path) -> None:
    from backend.schema import build_schema
    from backend.schema.matrix import permission_matrix_markdown

    text = permission_matrix_markdown(build_schema(Settings()))
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    click.echo(f"Matrice écrite dans {output}")


if __name__ == "__main__":  # pragma: no cover
    main()
