"""`flask forum ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

# Registered by the app factory (community/cli.py), so the views never import this module.
forum_cli = AppGroup("forum", help="Forum jobs: digests and bookmark reminders.")


@forum_cli.command("send-digests")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), default="daily", show_default=True,
              help="Which members to send to: those who chose daily or weekly digests.")
def send_digests(frequency: str) -> None:
    """Queue email digests of unread forum notifications in the outbox (run daily from cron)."""
    from community.forum.digests import send_digests as send

    queued = send(frequency)
    click.echo(f"Queued {queued} {frequency} digest email{'s' if queued != 1 else ''}.")


@forum_cli.command("send-bookmark-reminders")
def send_bookmark_reminders() -> None:
    """Queue the bookmark reminders whose day has come in each member's time zone (run hourly from cron)."""
    from community.forum.bookmarks import send_reminders

    queued = send_reminders()
    click.echo(f"Queued {queued} bookmark reminder{'s' if queued != 1 else ''}.")
