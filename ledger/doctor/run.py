"""Every check of ``antq doctor`` in turn, on one read-only view of the ledger.

``diagnose`` opens the database once, runs the checks in their order, passing on what the
earlier ones found (the layout of the tables, the trusted signing key), and closes it. A check
that cannot run says why (skip), and an error a check did not expect becomes a failed finding
with advice, never a traceback (``guarded``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from ledger.doctor.findings import FAIL, SKIP, TAMPERED, Finding
from ledger.doctor.keys import KeyFinding, check_cipher_key, check_signing_key
from ledger.doctor.log import check_integrity, check_projections
from ledger.doctor.schema import Layout, ReadModels, check_schema
from ledger.doctor.stores import SQLiteStore, Store, check_storage
from ledger.doctor.surroundings import check_disk_space, check_journal, check_policy
from ledger.errors import IntegrityError, LedgerError, one_line
from ledger.storage import sqlite_file


def diagnose(
    url: str, read_models: ReadModels, policy: str | None = None, quick: bool = False
) -> list[Finding]:
    """Run every check on the ledger at ``url``; a check that cannot run says why (skip)."""
    findings: list[Finding] = []
    storage, store = guarded("storage", lambda: check_storage(url), (None,))
    findings.append(storage)
    database_file = sqlite_file(url)
    try:
        findings += _with_store(store, url, read_models, quick, database_file)
    finally:
        if store is not None:
            store.close()
    policy_finding = guarded("policy", lambda: check_policy(policy, database_file))
    findings.insert(_after(findings, "cipher key"), policy_finding)
    return findings


def _with_store(
    store: Store | None,
    url: str,
    read_models: ReadModels,
    quick: bool,
    database_file: str | None,
) -> list[Finding]:
    checks = ["schema", "projections", "integrity", "signing key", "cipher key"]
    sqlite_checks = ["journal", "disk space"] if url.startswith("sqlite:") else []
    if store is None:
        return [Finding(c, SKIP, "skipped (storage unreachable)") for c in checks + sqlite_checks]
    found: list[Finding] = []
    schema, layout = guarded("schema", lambda: check_schema(store, read_models), (Layout(),))
    found.append(schema)
    if not layout.has_log:
        why = "skipped (no ledger in the database)"
        if schema.status == FAIL:
            why = "skipped (not an antq ledger: see schema)"
            if "lacks column" in schema.detail:
                why = "skipped (the events table does not fit: see schema)"
        found += [Finding(c, SKIP, why) for c in checks[1:]]
    else:
        key = guarded(
            "signing key",
            lambda: check_signing_key(store, layout, database_file),
            transform=lambda f: KeyFinding(f),
        )
        if layout.read_models_fit:
            found.append(
                guarded("projections", lambda: check_projections(store, layout, read_models))
            )
        else:
            found.append(Finding("projections", SKIP, "skipped (read-model tables: see schema)"))
        found.append(
            guarded("integrity", lambda: check_integrity(store, layout, key.trusted, quick))
        )
        found.append(key.finding)
        found.append(guarded("cipher key", lambda: check_cipher_key(store, url)))
    if isinstance(store, SQLiteStore):
        found.append(guarded("journal", lambda: check_journal(store)))
        found.append(guarded("disk space", lambda: check_disk_space(store.path)))
    return found


def _after(findings: list[Finding], check: str) -> int:
    names = [f.check for f in findings]
    return names.index(check) + 1 if check in names else len(findings)


def guarded(
    name: str,
    run: Callable[[], Any],
    extra: tuple[Any, ...] = (),
    transform: Callable[[Finding], Any] | None = None,
) -> Any:
    """Run one check; an error it did not expect becomes a failed finding, never a traceback.

    ``extra`` is what the check returns beside its finding, when it could not finish.
    """
    try:
        return run()
    except Exception as error:  # the user gets a message, never a traceback
        finding = _unexpected(name, error)
    if transform is not None:
        return transform(finding)
    return (finding, *extra) if extra else finding


def _unexpected(name: str, error: Exception) -> Finding:
    reason = one_line(error)
    if isinstance(error, IntegrityError):
        return Finding(name, FAIL, reason, TAMPERED, exit_code=3)
    if isinstance(error, LedgerError):
        return Finding(name, FAIL, reason, "see the message; then run antq doctor again")
    if isinstance(error, sqlite3.Error) or type(error).__module__.startswith("psycopg"):
        return Finding(
            name,
            FAIL,
            f"storage: {reason}",
            "check that the database is reachable and not damaged, then run antq doctor again",
        )
    return Finding(
        name,
        FAIL,
        f"could not check: {type(error).__name__}: {reason}",
        "this is a bug in antq doctor: please report it with this output",
    )
