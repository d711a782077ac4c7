"""The `surveylink` command: serve, migrate, worker, prune, init, api-keys, keys, segments,
links."""

import asyncio
import json
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TaskID
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth import service as auth
from surveylink.auth.permissions import Permission
from surveylink.core import logs
from surveylink.core.config import ConfigError, Settings
from surveylink.core.db import make_engine, make_sessionmaker, transaction
from surveylink.core.errors import DomainError, render_v2
from surveylink.environments import service as environments
from surveylink.links.tokens import LinkKeys
from surveylink.segments import export
from surveylink.segments import service as segments
from surveylink.segments.schemas import (
    SegmentCreate,
    SegmentListParams,
    SegmentMember,
    SegmentOut,
)
from surveylink.webhooks import rotation
from surveylink.webhooks.secrets import SecretBox

# The server (uvicorn), migrations (alembic) and the webhook worker are imported by the
# commands that use them: `links export` has a memory budget (bench/export_links.py).

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
    from surveylink import migrate as migrations

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
    import uvicorn

    from surveylink import migrate as migrations

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
    """Deliver webhook events, and invitation and reminder mails when SMTP is configured, and
    prune what the retention settings let go every hour, until stopped (SIGINT/SIGTERM). Any
    number may run at once."""
    from surveylink import migrate as migrations
    from surveylink.core.retention import Pruner
    from surveylink.mail.smtp import SmtpConfig
    from surveylink.mail.worker import LinkIssuer, MailPolicy, MailWorker
    from surveylink.retention import retentions
    from surveylink.webhooks.delivery import DeliveryWorker, Policy

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
        workers = [
            DeliveryWorker(sessions, box, policy).run(stop),
            Pruner(sessions, retentions(settings)).run(stop),
        ]
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
def prune(
    batch_size: Annotated[
        int, typer.Option(min=1, max=10000, help="Rows deleted per transaction.")
    ] = 1000,
) -> None:
    """Delete what the retention settings let go (delivered webhook events, sent mails, expired
    short links), in batches, with a progress bar: what `serve` and `worker` do every hour, for
    deployments that run neither."""
    from surveylink import migrate as migrations
    from surveylink.core.clock import utcnow
    from surveylink.core.retention import count_prunable
    from surveylink.core.retention import prune as prune_rows
    from surveylink.retention import retentions

    settings = _settings()
    migrations.upgrade(settings.sqlalchemy_url)
    active = [retention for retention in retentions(settings) if retention.days > 0]

    async def run() -> list[tuple[str, int]]:
        engine = make_engine(settings.sqlalchemy_url)
        sessions = make_sessionmaker(engine)
        now = utcnow()
        done: list[tuple[str, int]] = []
        try:
            progress = Progress(
                *Progress.get_default_columns(), MofNCompleteColumn(), console=errors
            )
            with progress:
                for retention in active:
                    total = await count_prunable(sessions, retention, now)
                    task = progress.add_task(f"Pruning {retention.target.name}", total=total)

                    def advance(_name: str, count: int, task: TaskID = task) -> None:
                        progress.advance(task, count)

                    batches = await prune_rows(sessions, retention, now, batch_size, advance)
                    progress.update(task, total=sum(batches), completed=sum(batches))
                    done.append((retention.target.name, sum(batches)))
        finally:
            await engine.dispose()
        return done

    for name, count in asyncio.run(run()):
        console.print(f"{count} {name} deleted.")


@app.command()
def init(
    organization: Annotated[str, typer.Option(help="Organization name.")] = "My Organization",
    project: Annotated[str, typer.Option(help="Project name.")] = "My Project",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create an organization, a project with production and development environments, and an
    API key with manage permission on both."""
    from surveylink import migrate as migrations

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
    from surveylink import migrate as migrations

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
    from surveylink import migrate as migrations

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


# --- segments and links: the same service functions as the API, as the operator (no key) ---

segments_app = typer.Typer(help="Create, list, show and delete segments; list their members.")
links_app = typer.Typer(help="Personal links for many contacts at once.")
app.add_typer(segments_app, name="segments")
app.add_typer(links_app, name="links")
errors = Console(stderr=True)


def _run(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` in one transaction; an API error is printed as the API would word it, exit 1."""
    try:
        return _in_transaction(settings, work)
    except DomainError as error:
        errors.print(f"[red]{_describe(error)}[/red]")
        raise typer.Exit(1) from None


def _describe(error: DomainError) -> str:
    """The error as the v2 API words it."""
    _, body = render_v2(error)
    issues = "; ".join(f"{detail.field}: {detail.issue}" for detail in error.details)
    return str(body["error"]["message"]) + (f" ({issues})" if issues else "")


def _print_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False))


def _read_filters(text: str) -> object:
    """The filter tree as JSON text, `@path` to a file, or `-` for standard input."""
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise typer.BadParameter(f"not JSON: {error}") from None


@segments_app.command("list")
def list_segments(
    environment: Annotated[str | None, typer.Option(help="Only this environment's.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List segments (the 250 most recent)."""
    params = SegmentListParams(environment_id=environment, limit=250)

    async def work(session: AsyncSession) -> tuple[list[SegmentOut], int]:
        return await segments.list_segments(session, None, params)

    rows, total = _run(_settings(), work)
    if as_json:
        _print_json([row.model_dump(mode="json", by_alias=True) for row in rows])
        return
    table = Table("id", "title", "environment", "filters", "updated", title=f"{total} segments")
    for row in rows:
        table.add_row(
            row.id, row.title, row.environment_id, str(len(row.filters)), f"{row.updated_at:%F %R}"
        )
    console.print(table)


@segments_app.command("create")
def create_segment(
    environment: Annotated[str, typer.Option(help="The environment's id.")],
    title: Annotated[str, typer.Option(help="Unique within the environment.")],
    filters: Annotated[
        str, typer.Option(help="The filter tree: JSON, @file.json, or - for standard input.")
    ],
    description: Annotated[str | None, typer.Option(help="A description.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the segment as JSON.")] = False,
) -> None:
    """Create a segment (the filter tree is checked as the API checks it)."""
    raw = {"environmentId": environment, "title": title, "description": description}
    try:
        body = SegmentCreate.model_validate({**raw, "filters": _read_filters(filters)})
    except ValidationError as error:
        raise typer.BadParameter(str(error)) from None

    async def work(session: AsyncSession) -> SegmentOut:
        return segments.segment_out(await segments.add_segment(session, None, body), [])

    created = _run(_settings(), work)
    if as_json:
        _print_json(created.model_dump(mode="json", by_alias=True))
    else:
        console.print(f"Segment [bold]{created.id}[/bold] created.")


@segments_app.command("show")
def show_segment(
    segment_id: Annotated[str, typer.Argument(help="The segment's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a segment, its filters and how many contacts it holds now."""

    async def work(session: AsyncSession) -> tuple[SegmentOut, int]:
        segment = await segments.get_segment(session, None, segment_id)
        _, total = await segments.segment_members(session, None, segment_id, 1, 0)
        return segment, total

    segment, members = _run(_settings(), work)
    shown = {**segment.model_dump(mode="json", by_alias=True), "memberCount": members}
    if as_json:
        _print_json(shown)
        return
    table = Table(show_header=False, title=segment.title)
    for name in ("id", "environmentId", "description", "memberCount", "surveys", "updatedAt"):
        table.add_row(name, str(shown[name]))
    console.print(table)
    console.print_json(json.dumps(segment.filters))


@segments_app.command("members")
def segment_members(
    segment_id: Annotated[str, typer.Argument(help="The segment's id.")],
    limit: Annotated[int, typer.Option(min=1, max=250, help="How many.")] = 50,
    skip: Annotated[int, typer.Option(min=0, help="How many to skip.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a page of the segment's contacts (newest first) with their attributes."""

    async def work(session: AsyncSession) -> tuple[list[SegmentMember], int]:
        return await segments.segment_members(session, None, segment_id, limit, skip)

    members, total = _run(_settings(), work)
    if as_json:
        _print_json(
            {
                "data": [member.model_dump(by_alias=True) for member in members],
                "meta": {"total": total, "limit": limit, "offset": skip},
            }
        )
        return
    table = Table("contact", "attributes", title=f"{total} members")
    for member in members:
        table.add_row(member.id, ", ".join(f"{k}={v}" for k, v in member.attributes.items()))
    console.print(table)


@segments_app.command("delete")
def delete_segment(segment_id: Annotated[str, typer.Argument(help="The segment's id.")]) -> None:
    """Delete a segment that no survey targets and no other segment's filters name."""

    async def work(session: AsyncSession) -> SegmentOut:
        return await segments.delete_segment(session, None, segment_id)

    _run(_settings(), work)
    console.print(f"Segment {segment_id} deleted.")


@links_app.command("export")
def export_links(
    survey: Annotated[str, typer.Option(help="The survey's id (a link survey in progress).")],
    segment: Annotated[str, typer.Option(help="The segment's id.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write; - for standard output.")
    ],
    expiration_days: Annotated[
        float | None, typer.Option(min=1, max=365, help="Days until the links expire.")
    ] = None,
    attributes: Annotated[
        str, typer.Option(help="Attribute keys to add as columns, e.g. email,firstName.")
    ] = "",
    short: Annotated[bool, typer.Option(help="Short links ({PUBLIC_URL}/s/{code}).")] = False,
    export_format: Annotated[
        str, typer.Option("--format", help="csv or ndjson (default: csv).")
    ] = "csv",
) -> None:
    """Write every member's personal link to a file, for a mailer: what the export endpoint
    streams, read directly from the database, with a progress bar."""
    if export_format not in ("csv", "ndjson"):
        raise typer.BadParameter("--format is csv or ndjson")
    names = [name.strip() for name in attributes.split(",")]
    if len(names) > segments.MAX_ATTRIBUTE_KEYS:
        raise typer.BadParameter("at most 20 attribute keys")
    settings = _settings()
    if not settings.public_url:
        errors.print(f"[yellow]PUBLIC_URL is not set: links start with {settings.link_base}")
    fmt: export.ExportFormat = "ndjson" if export_format == "ndjson" else "csv"
    link_keys = LinkKeys.from_setting(settings.encryption_key.get_secret_value())

    async def run() -> tuple[int, float]:
        engine = make_engine(settings.sqlalchemy_url)
        sessions = make_sessionmaker(engine)
        try:
            async with transaction(sessions) as session:
                plan = await export.plan_export(
                    session, None, survey, segment, names, expiration_days, short
                )
                total = await export.count_members(session, plan)
            chunks = export.export_chunks(sessions, plan, link_keys, settings.link_base, fmt)
            return await _write_export(chunks, output, total)
        finally:
            await engine.dispose()

    try:
        written, seconds = asyncio.run(run())
    except DomainError as error:
        errors.print(f"[red]{_describe(error)}[/red]")
        raise typer.Exit(1) from None
    rate = written / seconds if seconds else 0.0
    where = "standard output" if str(output) == "-" else str(output)
    errors.print(
        f"{written} links written to {where} in {seconds:.2f} s ({rate:,.0f} links/s).",
        soft_wrap=True,
    )


async def _write_export(
    chunks: AsyncIterator[tuple[int, str]], output: Path, total: int
) -> tuple[int, float]:
    """Writes the chunks (to a `.part` file renamed at the end: a failed export leaves no
    half file under the real name); returns (links written, seconds)."""
    started = time.perf_counter()
    written = 0
    to_stdout = str(output) == "-"
    draft = output.with_name(output.name + ".part")
    progress = Progress(
        *Progress.get_default_columns(), MofNCompleteColumn(), console=errors, transient=False
    )
    with (
        progress,
        (
            nullcontext(sys.stdout) if to_stdout else draft.open("w", encoding="utf-8", newline="")
        ) as out,
    ):
        task = progress.add_task("Exporting links", total=total)
        async for count, text in chunks:
            out.write(text)
            written += count
            progress.advance(task, count)
    if not to_stdout:
        draft.replace(output)
    return written, time.perf_counter() - started
