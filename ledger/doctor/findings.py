"""What a check of ``antq doctor`` finds, and what it makes of all of them.

A ``Finding`` is one check's outcome: its status (ok, warn, fail, or skip when an earlier check
failed), what it saw in plain words, and what to do about it. Warnings weigh less than failures
(``SEVERITY``); ``exit_code`` turns a list of findings into the command's exit code, 3 when the
integrity of the log failed (``TAMPERED`` is the advice then) and 1 for any other failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
SEVERITY = {OK: 0, SKIP: 0, WARN: 1, FAIL: 2}

TAMPERED = (
    "this is what antq audit verify reports with exit 3: the log or its integrity tree was "
    "changed after it was written. Keep the database untouched (record nothing, no VACUUM, no "
    "repair, no restore over it), keep a copy of it (SQLite: sqlite3 FILE '.backup copy.db'; "
    "PostgreSQL: pg_dump), and contact the auditors (docs/audit.md)"
)


@dataclass(frozen=True)
class Finding:
    """The outcome of one check. ``exit_code`` is the one the check calls for (3: integrity)."""

    check: str
    status: str
    detail: str
    advice: str | None = None
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "detail": self.detail,
            "advice": self.advice,
        }


def exit_code(findings: list[Finding]) -> int:
    """3 if integrity failed, else 1 if any check failed, else 0 (warnings allowed)."""
    codes = [f.exit_code or 1 for f in findings if f.status == FAIL]
    return 3 if 3 in codes else (1 if codes else 0)


def merge(name: str, problems: list[tuple[str, str, str]]) -> Finding:
    """One finding of several ``(status, detail, advice)`` problems: the worst status, every
    detail, and the advice of the worst ones."""
    worst = max(SEVERITY[status] for status, _, _ in problems)
    status = next(status for status, _, _ in problems if SEVERITY[status] == worst)
    advice = list(dict.fromkeys(a for s, _, a in problems if SEVERITY[s] == worst))
    return Finding(name, status, "; ".join(d for _, d, _ in problems), "; ".join(advice))


def amount(size: int) -> str:
    """A number of bytes in words: ``512 bytes``, ``1.5 MB``."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"
