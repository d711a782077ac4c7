"""The `surveylink` command: serve, migrate, worker, init, api-keys, keys."""

import asyncio
import json
import os
import secrets
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
from surveylink.links.tokens import LinkKeys
from surveylink.mail.smtp import SmtpConfig
from surveylink.mail.worker import LinkIssuer, MailPolicy, MailWorker
from surveylink.webhooks import rotation
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from surveylink.webhooks.secrets import SecretBox

app = typer.Typer(help="Formbricks-compatible Management API with personal survey links.")
keys_app = typer.Typer(help="Create, list and revoke API keys.")
app.add_typer(keys_app, name="api-keys")
encryption_app = typer.Typer(help="Rotate ENCRYPTION_KEY and re-seal stored secrets.")
app.add_typer(encryption_app, name="keys")
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
    """Deliver webhook events, and invitation and reminder mails when SMTP is configured, until
    stopped (SIGINT/SIGTERM). Any number may run at once."""
    settings = _settings()
    migrations.upgrade(settings.sqlalchemy_url)
    logs.configure(settings.log_level)
    policy = Policy.from_settings(settings)
    if concurrency is not None:
        policy = replace(policy, concurrency=concurrency)
    current = settings.encryption_key.get_secret_value()
    try:
        link_keys = LinkKeys.from_setting(current, settings.previous_keys)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    smtp = SmtpConfig.from_settings(settings)

    async def run() -> None:
        engine = make_engine(settings.sqlalchemy_url)
        sessions = make_sessionmaker(engine)
        box = SecretBox.from_setting(current, settings.previous_keys)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        workers = [DeliveryWorker(sessions, box, policy).run(stop)]
        if smtp is not None:
            issuer = LinkIssuer(link_keys, settings.link_base)
            mail_policy = MailPolicy.from_settings(settings)
            workers.append(MailWorker(sessions, smtp, issuer, mail_policy).run(stop))
        console.print(
            "Delivering webhooks"
            + (" and mail" if smtp is not None else " (no mail: SMTP_HOST/MAIL_FROM unset)")
            + "; stop with Ctrl-C."
        )
        try:
            await asyncio.gather(*workers)
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


ROTATE_STEPS = [
    "For every surveylink process (serve and worker), set ENCRYPTION_KEY to the new key and "
    "put the current ENCRYPTION_KEY first in PREVIOUS_ENCRYPTION_KEYS (comma separated, after "
    "it any older keys still listed there), then restart them. New links and webhook secrets "
    "use the new key; links and secrets made with the previous keys keep working.",
    "Keep the old key in PREVIOUS_ENCRYPTION_KEYS for as long as links made with it should "
    "work: at least the longest expirationDays handed out (for links without expiry, as long "
    "as you want them to open).",
    "Then remove it from PREVIOUS_ENCRYPTION_KEYS, restart, and run `surveylink keys reseal`: "
    "links made with it show the invalid-link page from then on.",
]


@encryption_app.command("rotate")
def rotate_key(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Make a fresh ENCRYPTION_KEY, re-seal stored webhook secrets so that both the current
    and the new key open them, and print the steps to finish the rotation."""
    settings = _settings()
    migrations.upgrade(settings.sqlalchemy_url)
    current = settings.encryption_key.get_secret_value()
    fresh = secrets.token_hex(32)
    opener = SecretBox.from_setting(current, settings.previous_keys)
    sealer = SecretBox.from_setting(fresh, [current])

    async def work(session: AsyncSession) -> rotation.Resealed:
        return await rotation.reseal_secrets(session, opener, sealer, every_key=True)

    result = _in_transaction(settings, work)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "encryptionKey": fresh,
                    "resealedSecrets": result.count,
                    "unreadableSecrets": result.unreadable,
                    "steps": ROTATE_STEPS,
                }
            )
        )
        return
    console.print(f"New ENCRYPTION_KEY (shown only once, keep it secret):\n{fresh}")
    console.print(
        f"Re-sealed {result.count} webhook secrets: the current and the new key both open them."
    )
    _unreadable(result)
    console.print("Next:")
    for number, step in enumerate(ROTATE_STEPS, 1):
        console.print(f"  {number}. {step}")


@encryption_app.command("reseal")
def reseal_secrets() -> None:
    """Re-seal every stored webhook secret with the current ENCRYPTION_KEY only (after a key
    was removed from PREVIOUS_ENCRYPTION_KEYS)."""
    settings = _settings()
    migrations.upgrade(settings.sqlalchemy_url)
    current = settings.encryption_key.get_secret_value()
    opener = SecretBox.from_setting(current, settings.previous_keys)
    sealer = SecretBox.from_setting(current)

    async def work(session: AsyncSession) -> rotation.Resealed:
        return await rotation.reseal_secrets(session, opener, sealer, every_key=False)

    result = _in_transaction(settings, work)
    console.print(f"Re-sealed {result.count} webhook secrets with the current key.")
    _unreadable(result)


def _unreadable(result: rotation.Resealed) -> None:
    if result.unreadable:
        console.print(
            f"[yellow]{len(result.unreadable)} secrets open with no configured key and were "
            f"left as they are (webhooks {', '.join(result.unreadable)}): add the key they were "
            "made with to PREVIOUS_ENCRYPTION_KEYS, or re-create those webhooks.[/yellow]"
        )
