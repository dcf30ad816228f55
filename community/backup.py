"""Backups of the database (`flask backup` / `flask restore`).

SQLite: the sqlite3 online backup API, which copies a consistent snapshot while
the site keeps serving (WAL: readers never wait for writers). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner``
in one transaction. Either way a backup is checked (readable, holds this app's
``alembic_version``) before it is published or restored, and it is published
atomically: a temporary file beside the target, renamed into place.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from community.schema import alembic_config

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# A TOC line of `pg_restore --list`: "215; 1259 16388 TABLE schema name owner".
TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ", re.MULTILINE)
SEARCH_PATH = re.compile(r"(?:-c\s*|--)search_path=(\S+)")


class BackupError(Exception):
    """An expected problem (bad path, wrong file, missing tool), told to the operator in one sentence."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    engine: str  # "sqlite" or "postgresql"
    size: int
    tables: int
    revision: str
    head: str  # this code's newest revision
    status: str  # "current", "older" (run `flask db upgrade` after restoring) or "unknown"

    def describe(self) -> str:
        """One line: size, tables, revision and how it compares with this code."""
        notes = {"current": "this code's head",
                 "older": f"older than this code's head {self.head}",
                 "unknown": "not a revision this code knows"}
        return (f"{_human_size(self.size)}, {self.tables} tables, "
                f"revision {self.revision} ({notes[self.status]})")


def create_backup(database_url: str, target: Path, *, force: bool = False) -> BackupInfo:
    """Write a consistent, verified copy of the database to ``target`` (replace it only with ``force``)."""
    url = _parse(database_url)
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give a file name for the backup.")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist.")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists: choose another name or pass --force to replace it.")
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    partial = Path(name)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy_out(_sqlite_file(url), partial)
        else:
            _pg_dump(url, partial)
        # Checked as a restore would check it; problems are the database's, so name it.
        info = _inspect(partial, database_url, label=f"the database {url!r}")
        _publish(partial, target, force=force)
    finally:
        partial.unlink(missing_ok=True)
    return replace(info, path=target)


def inspect_backup(database_url: str, source: Path) -> BackupInfo:
    """Check that ``source`` is a backup of this app that can be restored into the configured database."""
    info = _inspect(Path(source), database_url)
    if info.status == "unknown":
        raise BackupError(f"the backup is at revision {info.revision}, which this code does not know: "
                          "restore it with the version of Lupus Commons that made it, or a newer one.")
    return info


def restore_backup(database_url: str, backup: BackupInfo) -> None:
    """Replace the configured database's contents with a backup checked by ``inspect_backup``."""
    url = _parse(database_url)
    if backup.engine == "sqlite":
        _sqlite_copy_in(backup.path, _sqlite_file(url, must_exist=False))
    else:
        conninfo, env = libpq_url(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={conninfo}", str(backup.path)], env)


def _revision_status(database_url: str, revision: str) -> tuple[str, str]:
    """This code's head revision, and whether ``revision`` is it, an older one or unknown here."""
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    head = scripts.get_current_head()
    if revision == head:
        return head, "current"
    known = {script.revision for script in scripts.walk_revisions()}
    return head, "older" if revision in known else "unknown"


def _parse(database_url: str) -> URL:
    url = make_url(database_url)
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {url.get_backend_name()}.")
    return url


def _inspect(path: Path, database_url: str, *, label: str | None = None) -> BackupInfo:
    url = _parse(database_url)
    label = label or str(path)
    if not path.exists():
        raise BackupError(f"there is no file at {path}.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as file:
        magic = file.read(len(SQLITE_MAGIC))
    kind = ("sqlite" if magic == SQLITE_MAGIC else
            "postgresql" if magic.startswith(PG_CUSTOM_MAGIC) else None)
    if kind is None:
        raise BackupError(f"{path} is not a backup made by flask backup "
                          "(neither an SQLite database nor a pg_dump custom-format archive).")
    configured = url.get_backend_name()
    if kind != configured:
        names = {"sqlite": "an SQLite", "postgresql": "a PostgreSQL"}
        raise BackupError(f"{path} is {names[kind]} backup but the configured database is "
                          f"{names[configured].split()[1]}: restore it into {names[kind]} database.")
    if kind == "sqlite":
        tables, revision = _sqlite_contents(path, label)
    else:
        tables, revision = _pg_archive_contents(path, pg_schema(url) or "public", label)
    return BackupInfo(path, kind, path.stat().st_size, tables, revision,
                      *_revision_status(database_url, revision))


def _publish(partial: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(partial, target)
    else:
        try:  # a hard link never replaces an existing file, unlike a rename
            os.link(partial, target)
        except FileExistsError:
            raise BackupError(f"{target} appeared while the backup was written: "
                              "choose another name or pass --force.") from None
    directory = os.open(target.parent, os.O_RDONLY)
    try:  # make the new name itself survive a crash
        os.fsync(directory)
    finally:
        os.close(directory)


def _human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024


# SQLite ------------------------------------------------------------------------------------------


def _sqlite_file(url: URL, *, must_exist: bool = True) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored: "
                          "set DATABASE_URL to a database file.")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"there is no database at {path}: check DATABASE_URL.")
    return path


def _sqlite_copy_out(database: Path, partial: Path) -> None:
    try:
        with closing(sqlite3.connect(database, timeout=15)) as source, \
                closing(sqlite3.connect(partial)) as copy:
            # One step (pages=-1): the whole copy is read from a single snapshot.
            source.backup(copy)
            # The copy inherits WAL mode; a backup should be one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"could not copy {database}: {error}.") from None


def _sqlite_copy_in(backup: Path, database: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(database, timeout=15)) as live:
            # The backup API writes under the database's own locks, so the running site
            # sees either the old contents or the restored ones, never a mixture.
            source.backup(live)
    except sqlite3.Error as error:
        raise BackupError(f"could not restore into {database}: {error}.") from None


def _sqlite_contents(path: Path, label: str) -> tuple[int, str]:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{label} is damaged (SQLite quick_check failed).")
            tables = [name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            if "alembic_version" not in tables:
                raise BackupError(f"{label} is an SQLite database without this app's schema "
                                  "(no alembic_version table).")
            revisions = [rev for (rev,) in conn.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.Error as error:
        raise BackupError(f"{label} cannot be read as an SQLite database: {error}.") from None
    return len(tables), _one_revision(label, revisions)


def _one_revision(label: str, revisions: list[str]) -> str:
    if len(revisions) != 1:
        raise BackupError(f"{label} holds {len(revisions)} alembic revisions, not one: "
                          "it was not made from a migrated Lupus Commons database.")
    return revisions[0]


# PostgreSQL --------------------------------------------------------------------------------------


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection URL for pg_dump/pg_restore, and the environment carrying the password.

    The password goes in PGPASSWORD rather than on the command line, where any local user
    could read it in the process list.
    """
    conninfo = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def pg_schema(url: URL) -> str | None:
    """The schema named by a ``search_path`` in the URL's ``options``, if there is one."""
    options = url.query.get("options", "")
    match = SEARCH_PATH.search(options if isinstance(options, str) else " ".join(options))
    if not match:
        return None
    names = [name.strip().strip('"') for name in match.group(1).split(",")]
    return next((name for name in names if name and name != "$user"), None)


def _pg_dump(url: URL, partial: Path) -> None:
    conninfo, env = libpq_url(url)
    # With a search_path the app lives in one schema of a shared database: dump only that.
    schema = pg_schema(url)
    _run(["pg_dump", "--format=custom", f"--file={partial}", f"--dbname={conninfo}",
          *([f"--schema={schema}"] if schema else [])], env)


def _pg_archive_contents(path: Path, schema: str, label: str) -> tuple[int, str]:
    listing = _run(["pg_restore", "--list", str(path)])
    tables = TOC_TABLE.findall(listing)
    if (schema, "alembic_version") not in tables:
        others = sorted({s for s, name in tables if name == "alembic_version"})
        if others:
            raise BackupError(f"{label} holds the app in schema {', '.join(others)} but the configured "
                              f"database uses schema {schema}: pg_restore would write to the other schema.")
        raise BackupError(f"{label} is a pg_dump archive without this app's schema (no alembic_version table).")
    data = _run(["pg_restore", "--data-only", f"--schema={schema}", "--table=alembic_version",
                 "--file=-", str(path)])
    copy = re.search(r"^COPY .*? FROM stdin;\n(.*?)^\\\.$", data, re.MULTILINE | re.DOTALL)
    revisions = copy.group(1).split() if copy else []
    return sum(1 for s, _name in tables if s == schema), _one_revision(label, revisions)


def _require_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools "
                          "(the server's major version or newer).")
    return tool


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run([_require_tool(args[0]), *args[1:]], env=env,  # noqa: S603 - fixed tools
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{args[0]} failed: {message}")
    return result.stdout
