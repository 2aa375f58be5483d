"""Errors a user can fix. Each carries the CLI exit code it maps to."""


def one_line(error: BaseException) -> str:
    """An error's message on one line (its type's name when it has none), to print."""
    return " ".join(str(error).split()) or type(error).__name__


class LedgerError(Exception):
    """Base of every error whose message is meant for the user."""

    exit_code = 1


class RuleViolation(LedgerError):
    """Raised when a command breaks a rule of the movement (an invalid transition)."""


class NotFoundError(LedgerError):
    """Raised when a command names a record the ledger does not hold."""


class AlreadyRecordedError(RuleViolation):
    """Raised when a record with the same natural key already exists."""


class ConflictError(LedgerError):
    """Raised when another writer kept changing the same record and retries ran out."""


class InvalidInput(LedgerError):
    """Raised when input is malformed: names the field and, for imports, the line."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class IntegrityError(LedgerError):
    """Raised when stored data fails a cryptographic check: it was altered."""

    exit_code = 3


class StorageError(LedgerError):
    """Raised when the storage URL is unusable or the database cannot be opened."""

    exit_code = 2


class NotInstalled(LedgerError):
    """Raised when a command needs an optional part of antq-ledger that is not installed."""

    exit_code = 2
