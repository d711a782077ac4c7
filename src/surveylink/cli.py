"""The `surveylink` command: serve, migrate, worker, init, api-keys."""

import asyncio
import json
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated, TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink import migrate as migrations
from surveylink.auth import service as auth
from surveylink.auth.permissions import Permission
from surveylink.core import logs
from surveylink.core.config import ConfigError, Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.environments import service as environments
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from surveylink.webhooks.secrets import SecretBox

app = typer.Typer(help="Formbricks-compatible Management API with personal survey links.")
keys_app = typer.Typer(help="Create, list and revoke API keys.")
app.add_typer(keys_app, name="api-keys")
console = Console()
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings().resolved()
    except ConfigError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = make_engine(settings.sqlalchemy_url)
        try:
            async with transaction(make_sessionmaker(engine), write=True) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    settings = _settings()
    migrations.upgrade(settings.sqlalchemy_url)
    console.print("Database is up to date.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: PORT or 3000).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Migrate the database, then serve the API and the survey pages."""
    if port is not None:
        os.environ["PORT"] = str(port)  # the workers read their settings from the environment
    settings = _settings()
    os.environ["ENCRYPTION_KEY"] = settings.encryption_key.get_secret_value()
    migrations.upgrade(settings.sqlalchemy_url)
    logs.configure(settings.log_level)
    uvicorn.run(
        "surveylink.app:create_app",
        factory=True,
        host=host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=logs.server_config(),
        proxy_headers=True,
    )


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            help="Webhooks delivered to at once [default: SURVEYLINK_WEBHOOK_CONCURRENCY]"
        ),
    ] = None,
) -> None:
    """Deliver webhook events until stopped (SIGINT/SIGTERM). Any number may run at once."""
    settings = _settings()
    migrations.upgrade(settings.sqlalchemy_url)
    logs.configure(settings.log_level)
    policy = Policy.from_settings(settings)
    if concurrency is not None:
        policy = replace(policy, concurrency=concurrency)

    async def run() -> None:
        engine = make_engine(settings.sqlalchemy_url)
        box = SecretBox.from_setting(settings.encryption_key.get_secret_value())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        console.print("Delivering webhooks; stop with Ctrl-C.")
        try:
            await DeliveryWorker(make_sessionmaker(engine), box, policy).run(stop)
        finally:
            await engine.dispose()

    asyncio.run(run())


@app.command()
def init(
    organization: Annotated[str, typer.Option(help="Organization name.")] = "My Organization",
    project: Annotated[str, typer.Option(help="Project name.")] = "My Project",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create an organization, a project with production and development environments, and an
    API key with manage permission on both."""
    settings = _settings()
    migrations.upgrade(settings.sqlalchemy_url)

    async def work(session: AsyncSession) -> dict[str, str]:
        workspace = await environments.create_workspace(session, organization, project)
        grants = [
            (workspace.production.id, Permission.MANAGE.value),
            (workspace.development.id, Permission.MANAGE.value),
        ]
        key, plain = await auth.create_api_key(
            session, workspace.organization.id, grants, label="surveylink init"
        )
        return {
            "organizationId": workspace.organization.id,
            "projectId": workspace.project.id,
            "environmentId": workspace.production.id,
            "developmentEnvironmentId": workspace.development.id,
            "apiKeyId": key.id,
            "apiKey": plain,
        }

    result = _in_transaction(settings, work)
    if as_json:
        typer.echo(json.dumps(result))
        return
    table = Table(title="surveylink is ready", show_header=False)
    for name, value in result.items():
        table.add_row(name, value)
    console.print(table)
    console.print("Keep the API key now: it is shown only once.")


def _parse_grant(text: str) -> tuple[str, str]:
    environment_id, _, level = text.partition(":")
    if not environment_id or level not in {p.value for p in Permission}:
        raise typer.BadParameter(f"{text!r}: expected ENV_ID:read|write|manage")
    return environment_id, level


@keys_app.command("create")
def create_key(
    organization: Annotated[str, typer.Option(help="Organization id.")],
    environment: Annotated[
        list[str], typer.Option(help="ENV_ID:read|write|manage; repeat for several.")
    ],
    label: Annotated[str, typer.Option(help="A name to recognise the key by.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create an API key with per-environment permissions."""
    grants = [_parse_grant(text) for text in environment]
    settings = _settings()

    async def work(session: AsyncSession) -> tuple[str, str] | list[str]:
        foreign = await environments.check_environments(
            session, organization, [env for env, _ in grants]
        )
        if foreign:
            return foreign
        key, plain = await auth.create_api_key(session, organization, grants, label=label)
        return key.id, plain

    result = _in_transaction(settings, work)
    if isinstance(result, list):
        console.print(f"[red]Not environments of {organization}: {', '.join(result)}[/red]")
        raise typer.Exit(1)
    key_id, plain = result
    if as_json:
        typer.echo(json.dumps({"id": key_id, "apiKey": plain}))
    else:
        console.print(f"API key [bold]{key_id}[/bold] created. Shown only once:\n{plain}")


@keys_app.command("list")
def list_keys(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List API keys (never their secrets)."""
    rows = _in_transaction(_settings(), auth.list_api_keys)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": key.id,
                        "label": key.label,
                        "organizationId": key.organization_id,
                        "createdAt": key.created_at.isoformat(),
                        "lastUsedAt": key.last_used_at.isoformat() if key.last_used_at else None,
                        "environments": [{"environmentId": e, "permission": p} for e, p in grants],
                    }
                    for key, grants in rows
                ]
            )
        )
        return
    table = Table("id", "label", "organization", "created", "last used", "environments")
    for key, grants in rows:
        table.add_row(
            key.id,
            key.label,
            key.organization_id,
            f"{key.created_at:%Y-%m-%d %H:%M}",
            f"{key.last_used_at:%Y-%m-%d %H:%M:%S}" if key.last_used_at else "never",
            "\n".join(f"{env}: {level}" for env, level in grants),
        )
    console.print(table)


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke (delete) an API key: requests made with it are refused from then on."""

    async def work(session: AsyncSession) -> bool:
        return await auth.revoke_api_key(session, key_id)

    if not _in_transaction(_settings(), work):
        console.print(f"[red]No API key {key_id}[/red]")
        raise typer.Exit(1)
    console.print(f"API key {key_id} revoked.")
