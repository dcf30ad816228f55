"""`flask tracking ...` commands: the jobs a scheduler runs for every member."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from community.tracking.reminder_job import send_reminders

tracking_cli = AppGroup("tracking", help="Symptom tracking jobs.")


@tracking_cli.command("send-reminders")
def send_reminders_command() -> None:
    """Queue today's check-in reminder emails that are due (run every 15 minutes by a scheduler)."""
    sent = send_reminders()
    click.echo(f"Queued {sent} check-in reminder(s).")
