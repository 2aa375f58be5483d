"""The ``antq`` command group: global options, lazy ledger, and one mapping of errors to exits.

Only click is imported here, so ``antq --help`` stays fast; each verb imports what it needs.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click

# antq uses no pydantic plugins; looking them up scans every installed package's metadata,
# which costs a recording command more time than validating its input.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Verb families whose commands load on first use: name -> (module, attribute, short help).
LAZY_COMMANDS = {
    "unit": ("cli.record", "unit", "Register, rename, merge and dissolve administrative units."),
    "model": ("cli.record", "model", "Record self-management models and their sites."),
    "award": ("cli.record", "award", "Record commendation decisions (bằng khen, giấy khen)."),
    "safety": ("cli.record", "safety", 'Record "An toàn về an ninh, trật tự" recognition.'),
    "dispute": ("cli.record", "dispute", "Record grassroots mediation cases."),
    "person": ("cli.person", "person", "Show a person's sealed data, or erase it."),
    "programme": ("cli.record", "programme", "Record coordination programmes and their aliases."),
    "statistic": ("cli.record", "statistic", "Record reported figures (số liệu báo cáo)."),
    "security-org": ("cli.record", "security_org", "Record steering boards and security teams."),
    "classification": (
        "cli.record",
        "classification",
        "Record movement classification (phân loại phong trào).",
    ),
    "history": ("cli.read", "history", "Show the event trail of one record."),
    "log": ("cli.read", "log", "Show the global event log, for auditors."),
    "standings": ("cli.report", "standings", "Standings of a year and scope, on both time axes."),
    "projections": ("cli.report", "projections", "Show or rebuild the read models."),
    "export": ("cli.report", "export", "Write inspectors' reports (CSV, JSON Lines, XLSX)."),
    "report": ("cli.page", "report", "Write the inspector's HTML page (charts, flags, seal)."),
    "audit": ("cli.audit", "audit", "Prove the log was not altered: verify, digest, prove."),
    "doctor": ("cli.doctor", "doctor", "Check the ledger and say what to do about each problem."),
    "import": ("cli.bulk", "import_command", "Import a JSON Lines file of actions."),
    "demo": ("cli.bulk", "demo", "Record a realistic demo province (Bình Thuận 2023)."),
    "migrate": ("cli.migrate", "migrate", "Copy the ledger to another storage, history intact."),
}


class Settings:
    """Global options, and the Ledger built from them on first use (so -h opens no database)."""

    # Whether opening the ledger checks ANTQ_CIPHER_KEY against its events (ledger.encryption);
    # a command that reads only stored bytes (antq audit verify) turns it off.
    check_key = True

    def __init__(
        self, db: str, actor: str | None, role: str | None, policy: str | None = None
    ) -> None:
        self.db, self.actor, self.role, self.policy = db, actor, role, policy
        self._ledger: Any = None
        self._projector: Any = None

    @property
    def ledger(self) -> Any:
        if self._ledger is None:
            import sqlite3

            from eventsourcing.persistence import PersistenceError

            from ledger.application import Ledger
            from ledger.errors import StorageError
            from ledger.storage_advice import storage_advice

            try:
                self._ledger = Ledger(self.db, check_key=self.check_key)
                self._ledger.policy = self._access_policy(self._ledger)
            except (sqlite3.Error, PersistenceError) as error:
                cause = error.__cause__ or error
                advice = storage_advice(cause, self.database_file())
                raise StorageError(
                    f"--db {self.db!r}: cannot open the database: {cause}{advice}"
                ) from None
        return self._ledger

    def _access_policy(self, ledger: Any) -> Any:
        """The --policy file, else ``<db>.policy.toml`` beside an SQLite ledger, else
        single-user mode, which says so before the ledger's first write (docs/access.md)."""
        from pathlib import Path

        from ledger import policy

        database = self.database_file()
        beside = Path(f"{database}.policy.toml") if database else None
        if self.policy:
            return policy.load_policy(Path(self.policy))
        if beside and beside.exists():
            return policy.load_policy(beside)
        # Said to a person at a terminal, before the ledger's first write: scripts keep an empty
        # stderr on success, and a ledger is first written only once.
        return policy.SingleUser(
            is_empty=lambda: stderr_is_terminal() and not ledger.recorder.max_notification_id(),
            notice=lambda: click.echo(policy.NOTICE, err=True),
        )

    @property
    def projector(self) -> Any:
        """The read models over the same database, caught up with the log before any read."""
        if self._projector is None:
            from projections.runner import Projector, engine_for

            self._projector = Projector(self.ledger, engine_for(self.db))
        return self._projector

    def signing_key(self) -> Any:
        """The ledger's Ed25519 key, created (with a notice) on first use."""
        from ledger.signing import key_path, load_or_create_key

        path = key_path(self.database_file())
        existed = path.exists()
        if not existed:
            self._refuse_a_second_key(path)
        key = load_or_create_key(path)
        if not existed:
            click.echo(
                f"created the ledger's signing key {path} (keep it secret and backed up; "
                "give inspectors `antq audit public-key`)",
                err=True,
            )
        return key

    def _refuse_a_second_key(self, path: Any) -> None:
        """A ledger that has signed checkpoints keeps its key: never make another one."""
        from ledger.audit import stored_checkpoints
        from ledger.errors import StorageError
        from ledger.signing import fingerprint

        with self.ledger.recorder.cursor() as cursor:
            keys = {checkpoint.public_key for checkpoint in stored_checkpoints(cursor)}
        if keys:
            names = ", ".join(sorted(fingerprint(bytes.fromhex(key)) for key in keys))
            raise StorageError(
                f"this ledger's checkpoints are signed by key {names}, but its key file {path} "
                "is missing: restore it, or set ANTQ_SIGNING_KEY to where it is"
            )

    def public_key(self) -> bytes | None:
        """The ledger's public key, when its signing key is at hand."""
        from ledger.signing import key_path, load_or_create_key, public_bytes

        path = key_path(self.database_file())
        return public_bytes(load_or_create_key(path)) if path.exists() else None

    def database_file(self) -> str | None:
        """The SQLite file of ``--db``, if the ledger is in one."""
        return self.db[len("sqlite:///") :] if self.db.startswith("sqlite:///") else None

    @property
    def recorder(self) -> Any:
        from ledger.application import Clerk

        return Clerk(actor=self.actor, role=self.role)


def stderr_is_terminal() -> bool:
    """Whether a person reads stderr (notices are for people, not for scripts)."""
    return sys.stderr.isatty()


class LedgerGroup(click.Group):
    """Loads verb families lazily and turns user errors into messages with the DESIGN exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *LAZY_COMMANDS]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module_name, attribute, _ = LAZY_COMMANDS[name]
            return getattr(__import__(module_name, fromlist=[attribute]), attribute)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, _, short) in LAZY_COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except BrokenPipeError:
            # The reader went away (`antq log | head`): stop quietly, as other tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as error:
            message, exit_code = _user_message(error)
            if exit_code is None:
                raise
            raise UserError(message, exit_code) from None


def _user_message(error: Exception) -> tuple[str, int | None]:
    """The message and exit code for an error the user can act on; (.., None) for a bug."""

    from ledger.errors import LedgerError
    from ledger.storage_advice import storage_advice

    if isinstance(error, LedgerError):
        return str(error), error.exit_code
    if isinstance(error, OSError):  # a file or folder the user named
        return f"{error.filename or ''}: {error.strerror or error}".lstrip(": "), 2
    persistence = sys.modules.get("eventsourcing.persistence")
    if persistence and isinstance(error, persistence.PersistenceError):
        cause = error.__cause__ or error
        return f"storage: {cause}{storage_advice(cause)}", 1
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_errors and isinstance(error, sqlalchemy_errors.OperationalError):
        return f"storage: {error.orig}{storage_advice(error.orig)}", 1
    return "", None


class UserError(click.ClickException):
    """An error message for the user with a chosen exit code (1 rule, 2 input, 3 integrity)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@click.group(cls=LedgerGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    envvar="ANTQ_DB",
    default="sqlite:///antq.db",  # ledger.storage.DEFAULT_URL, not imported: --help stays light
    show_default=True,
    help="Storage URL (env ANTQ_DB).",
)
@click.option(
    "--actor", envvar="ANTQ_ACTOR", help="Who records (env ANTQ_ACTOR); required to write."
)
@click.option("--role", envvar="ANTQ_ROLE", help="The recorder's role (env ANTQ_ROLE).")
@click.option(
    "--policy",
    envvar="ANTQ_POLICY",
    metavar="FILE",
    help="Access policy: who may record what (env ANTQ_POLICY; default <db>.policy.toml "
    "beside an SQLite ledger; none: single-user mode). See docs/access.md.",
)
@click.pass_context
def cli(
    ctx: click.Context, db: str, actor: str | None, role: str | None, policy: str | None
) -> None:
    """antq-ledger: the verifiable record of the movement "Toàn dân bảo vệ an ninh Tổ quốc".

    \b
    Every action becomes an immutable event; nothing is edited or deleted.
    Exit codes: 0 ok, 1 refused by a rule or not found, 2 invalid input, 3 integrity failure.
    """
    ctx.obj = Settings(db=db, actor=actor, role=role, policy=policy)


def pass_settings(function: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the global Settings as the first argument."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(click.get_current_context().obj, *args, **kwargs)

    return wrapper
