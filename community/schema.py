"""Where the Alembic migrations live, for the `flask db` commands, backups and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None) -> Config:
    """Alembic settings for ``url`` (the app's database by default), wherever the command runs from."""
    # Imported here, not at the top: the app imports this module on every start, and importing
    # Alembic logs its plugin set-up, which only the commands that migrate should pay for.
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = url or current_app.config["DATABASE_URL"]
    return cfg
