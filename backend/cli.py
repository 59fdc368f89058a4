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
@click.option(
    "--password", default=None, help="Mot de passe (demandé s'il n'est pas donné; ou PORTAIL_ADMIN_PASSWORD)."
)
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


ROLE_LABELS = {
    "admin": "administrateur de la plateforme",
    "support": "agent du support",
    "none": "aucun rôle",
}


@main.command(
    "set-role", help="Donne un rôle de plateforme à un compte : admin, support, ou none (le retire)."
)
@click.argument("email")
@click.argument("role", type=click.Choice(list(ROLE_LABELS)))
def set_role(email: str, role: str) -> None:
    from backend.services.accounts import set_role as set_account_role
    from backend.services.errors import DomainError

    try:
        user = _run_with_db(lambda: set_account_role(email, role))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{user.email} : {ROLE_LABELS[role]}")


@main.command(
    "create-token", help="Crée un jeton d'API pour un compte et affiche son secret (une seule fois)."
)
@click.argument("email")
@click.option("--name", required=True, help="Nom du jeton, pour le reconnaître.")
@click.option("--write", is_flag=True, help="Autorise aussi les modifications (lecture seule sinon).")
@click.option("--days", type=int, default=None, help="Expire après ce nombre de jours (jamais sinon).")
def create_token(email: str, name: str, write: bool, days: int | None) -> None:
    from datetime import timedelta

    from backend import clock, models
    from backend.services.accounts import normalise_email
    from backend.services.api_tokens import create_api_token
    from backend.services.errors import DomainError, NotFound

    async def work() -> tuple[Any, str]:
        user = await models.User.get_or_none(email=normalise_email(email))
        if user is None:
            raise NotFound(f"Aucun compte n'a l'adresse {normalise_email(email)}.")
        expires_at = clock.now() + timedelta(days=days) if days else None
        return await create_api_token(user, name, read_only=not write, expires_at=expires_at)

    try:
        token, secret = _run_with_db(work)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    rights = "lecture et écriture" if write else "lecture seule"
    click.echo(f"Jeton « {token.name} » ({rights}) créé pour {normalise_email(email)}.", err=True)
    click.echo("Notez ce secret : il ne sera plus affiché.", err=True)
    click.echo(secret)


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


@main.command(
    "import-sirene",
    help="Importe le fichier stock des établissements SIRENE (StockEtablissement, CSV ou zip de l'INSEE). "
    "Relançable : seules les lignes plus récentes que celles connues sont réécrites.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--legal-units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Fichier StockUniteLegale (CSV ou zip) : donne aux établissements la raison sociale de leur unité "
    "légale (denominationUniteLegale).",
)
@click.option("--batch-size", default=1000, show_default=True, help="Lignes écrites par transaction.")
def import_sirene(file: Path, legal_units: Path | None, batch_size: int) -> None:
    from backend.sirene.importer import ImportStats, import_legal_units, import_stock_file

    def progress_bar(label: str) -> Any:
        return click.progressbar(length=1, label=label, show_percent=True, show_eta=True, file=sys.stderr)

    async def run(label: str, importer: Any, path: Path) -> ImportStats:
        with progress_bar(label) as bar:
            done = 0

            def advance(stats: ImportStats) -> None:
                nonlocal done
                bar.length = max(stats.size, 1)
                bar.update(stats.position - done)
                done = stats.position

            return await importer(path, batch_size=batch_size, progress=advance)

    async def work() -> tuple[ImportStats, ImportStats | None]:
        establishments = await run("Établissements", import_stock_file, file)
        units = await run("Unités légales", import_legal_units, legal_units) if legal_units else None
        return establishments, units

    try:
        establishments, units = _run_with_db(work)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Établissements : {establishments.read} lus, {establishments.created} créés, "
        f"{establishments.updated} mis à jour, {establishments.unchanged} inchangés, "
        f"{establishments.skipped} ignorés (SIRET invalide)."
    )
    if units is not None:
        click.echo(
            f"Unités légales : {units.read} lues, {units.updated} établissements renommés, "
            f"{units.unchanged} déjà à jour, {units.skipped} ignorées (sans SIREN ni dénomination)."
        )


@main.command(
    help="Sauvegarde la base dans le fichier DEST, pendant que le serveur tourne : API de sauvegarde en "
    "ligne de SQLite (copie vérifiée), pg_dump pour PostgreSQL (format custom de pg_restore). "
    "Les fichiers déposés (dossier des documents) se copient à part."
)
@click.argument("destination", metavar="DEST", type=click.Path(path_type=Path))
def backup(destination: Path) -> None:
    from backend.backup import BackupError
    from backend.backup import backup as backup_database

    settings = get_settings()
    try:
        outcome = backup_database(settings, destination)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Sauvegarde de {_describe(settings)} écrite dans {outcome.path} ({outcome.size} octets).")


@main.command(
    help="Remplace le contenu de la base par la sauvegarde SRC (faite par `portail backup`). "
    "Arrêtez le serveur avant : ce qui a été écrit depuis la sauvegarde est perdu."
)
@click.argument("source", metavar="SRC", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Ne demande pas de confirmation.")
def restore(source: Path, yes: bool) -> None:
    from backend.backup import BackupError
    from backend.backup import restore as restore_database

    settings = get_settings()
    if not yes:
        click.confirm(f"Remplacer le contenu de {_describe(settings)} par {source} ?", abort=True)
    try:
        restore_database(settings, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Base {_describe(settings)} restaurée depuis {source}.")


if __name__ == "__main__":  # pragma: no cover
    main()
