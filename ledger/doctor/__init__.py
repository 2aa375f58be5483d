"""The checks of ``antq doctor``: what is wrong with a ledger, in plain words, and what to do.

Each check returns a ``Finding`` (ok, warn, fail, or skip when an earlier check failed), and
``diagnose`` runs them all. Every check only reads: the database is opened so that it cannot be
written (``stores``), and nothing else is created either: no signing key, no table, and the
read models are not caught up (their lag is reported instead). The read side's tables are
described by the caller (``ReadModels``): ``ledger`` does not import ``projections``. This
package's modules: ``findings`` (the outcome of a check, exit codes), ``stores`` (the read-only
database, storage check), ``schema``, ``log`` (read models' lag, integrity), ``keys`` (signing
and cipher keys), ``surroundings`` (policy, journal mode, disk space) and ``run`` (all of them).
"""

from ledger.doctor.findings import FAIL, OK, SEVERITY, SKIP, TAMPERED, WARN, Finding, exit_code
from ledger.doctor.keys import KeyFinding, check_cipher_key, check_signing_key
from ledger.doctor.log import check_integrity, check_projections
from ledger.doctor.run import diagnose
from ledger.doctor.schema import Layout, ReadModels, check_schema
from ledger.doctor.stores import PostgresStore, SQLiteStore, Store, check_storage
from ledger.doctor.surroundings import (
    MIN_FREE_BYTES,
    MIN_FREE_SHARE,
    check_disk_space,
    check_journal,
    check_policy,
)

__all__ = [
    "FAIL",
    "MIN_FREE_BYTES",
    "MIN_FREE_SHARE",
    "OK",
    "SEVERITY",
    "SKIP",
    "TAMPERED",
    "WARN",
    "Finding",
    "KeyFinding",
    "Layout",
    "PostgresStore",
    "ReadModels",
    "SQLiteStore",
    "Store",
    "check_cipher_key",
    "check_disk_space",
    "check_integrity",
    "check_journal",
    "check_policy",
    "check_projections",
    "check_schema",
    "check_signing_key",
    "check_storage",
    "diagnose",
    "exit_code",
]
