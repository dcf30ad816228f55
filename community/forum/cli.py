"""`flask forum ...` commands."""

from __future__ import annotations

import click

from community.forum.views import bp


@bp.cli.command("send-digests")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), default="daily", show_default=True,
              help="Which members to send to: those who chose daily or weekly digests.")
def send_digests(frequency: str) -> None:
    """Queue email digests of unread forum notifications in the outbox (run daily from cron)."""
    from community.forum.services import send_digests as send

    queued = send(frequency)
    click.echo(f"Queued {queued} {frequency} digest email{'s' if queued != 1 else ''}.")
