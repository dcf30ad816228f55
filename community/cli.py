"""flask commands: database, backups, users, mail and demo data."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from community.errors import DomainError
from community.jobs.cli import jobs_cli
from community.schema import alembic_config
from community.tracking.cli import tracking_cli
from community.trials.cli import trials_cli


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(seed)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(tracking_cli)
    app.cli.add_command(trials_cli)
    app.cli.add_command(jobs_cli)


db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (head by default)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"Database is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Step the schema back to REVISION."""
    from alembic import command

    command.downgrade(alembic_config(), revision)


users_cli = AppGroup("users", help="Manage accounts and roles.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--display-name", prompt=True)
@click.password_option()
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create a verified admin account."""
    from community.admin.services import create_admin as create

    try:
        user = create(email, display_name, password)
    except DomainError as error:
        raise click.ClickException(str(error) or "not found") from None
    click.echo(f"Admin {user.display_name} created.")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["member", "moderator", "admin"]))
@click.option("--reason", default="changed from the command line", show_default=True)
def set_role(email: str, role: str, reason: str) -> None:
    """Give the account with EMAIL a new ROLE (audited)."""
    from community.admin.services import set_role_from_cli

    try:
        user = set_role_from_cli(email, role, reason)
    except DomainError as error:
        raise click.ClickException(str(error) or "No account has that email address.") from None
    click.echo(f"{user.display_name} is now a {user.role}.")


mail_cli = AppGroup("mail", help="The email outbox.")


@mail_cli.command("send-pending")
@click.option("--limit", default=500, show_default=True, help="Most messages to try this run.")
def send_pending(limit: int) -> None:
    """Deliver queued email that is due; failed sends are retried later with back-off."""
    from community.mail import deliver_pending

    sent, failed = deliver_pending(limit=limit)
    click.echo(f"Sent {sent}, failed {failed} (will retry).")


demo_cli = AppGroup("demo", help="Demo content for trying the site.")


@demo_cli.command("generate")
@click.option("--preset", type=click.Choice(["small", "large"]), default="small", show_default=True)
@click.option("--members", type=click.IntRange(1, 1_000_000), help="Override the preset's member count.")
@click.option("--days", type=click.IntRange(1, 3650), help="Override the preset's days of check-ins.")
@click.option("--topics", type=click.IntRange(0, 1_000_000), help="Override the preset's topic count.")
@click.option("--replies", type=click.IntRange(0, 10_000), help="Override the preset's replies per topic.")
@click.option("--seed", default=1, show_default=True, help="Random seed, for repeatable data.")
def demo_generate(preset, members, days, topics, replies, seed) -> None:
    """Bulk-generate a realistic community for benchmarks, reporting rows per second."""
    from dataclasses import replace

    from community.generate import PRESETS, generate

    size = PRESETS[preset]
    size = replace(size, **{k: v for k, v in {"members": members, "days": days, "topics": topics,
                                              "replies_per_topic": replies}.items() if v is not None})
    total = size.members * 2 + size.topics
    with click.progressbar(length=total, label=f"Generating ({preset})") as bar:
        report = generate(size, seed=seed, progress=lambda _stage, n: bar.update(n))
    for name, count in report.rows.items():
        click.echo(f"{name:>16}: {count:,}")
    click.echo(f"{sum(report.rows.values()):,} rows in {report.seconds:.1f} s "
               f"({report.rows_per_second:,.0f} rows/s)")


@demo_cli.command("load")
def demo_load() -> None:
    """Load a small demo community (idempotent) and print the demo sign-ins."""
    from community.demo import load_demo

    for line in load_demo():
        click.echo(line)


@click.command("seed")
@with_appcontext
def seed() -> None:
    """Load reference data (idempotent: safe to run on every start)."""
    from community.reference import load_all

    for name, added in load_all():
        click.echo(f"{name}: {added} added")
    click.echo("Reference data is loaded.")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup(path: Path, force: bool) -> None:
    """Write a consistent copy of the database to PATH (safe while the site is serving)."""
    from community.backup import BackupError, create_backup

    try:
        info = create_backup(current_app.config["DATABASE_URL"], path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {info.path}: {info.describe()}.")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current data without asking.")
@with_appcontext
def restore(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup at PATH."""
    from sqlalchemy.engine import make_url

    from community.backup import BackupError, inspect_backup, restore_backup

    database_url = current_app.config["DATABASE_URL"]
    try:
        info = inspect_backup(database_url, path)
        click.echo(f"Backup {info.path}: {info.describe()}.")
        if not yes:
            click.confirm(f"Replace every row in {make_url(database_url)!r} with this backup?", abort=True)
        restore_backup(database_url, info)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {info.path} (revision {info.revision}).")
    if info.status == "older":
        click.echo(f"The backup is older than this code ({info.head}): "
                   "run `flask --app wsgi db upgrade` before serving.")
