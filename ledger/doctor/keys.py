"""Whether the ledger's keys are at hand and fit it: its signing key and its cipher key.

The signing key must be where the ledger looks for it (``ledger.signing.key_path``), readable by
its owner only, and the one its checkpoints were signed with; ``check_signing_key`` then hands
its public key to the integrity check. ``ANTQ_CIPHER_KEY`` must match how the ledger's first
event is stored, clear or encrypted (``ledger.encryption``). Neither check creates a key.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass

from ledger.doctor.findings import FAIL, OK, WARN, Finding
from ledger.doctor.schema import Layout
from ledger.doctor.stores import Store
from ledger.errors import StorageError
from ledger.storage import display_url


@dataclass
class KeyFinding:
    """The signing key's finding, and the public key the integrity check may trust."""

    finding: Finding
    trusted: bytes | None = None


def check_signing_key(store: Store, layout: Layout, database_file: str | None) -> KeyFinding:
    """The signing key is where the ledger looks for it, and is the one its checkpoints were
    signed with. Returns the public key to verify the checkpoints with, when it is theirs."""
    from ledger.audit import stored_checkpoints
    from ledger.signing import KEY_VARIABLE, fingerprint, key_path, load_or_create_key, public_bytes

    name = "signing key"
    checkpoints = stored_checkpoints(store.cursor()) if layout.has_checkpoints else []
    signers = {bytes.fromhex(cp.public_key) for cp in checkpoints}
    names = ", ".join(sorted(fingerprint(key) for key in signers))
    try:
        path = key_path(database_file)
    except StorageError:  # PostgreSQL without ANTQ_SIGNING_KEY
        if signers:
            return KeyFinding(
                Finding(
                    name,
                    FAIL,
                    f"{KEY_VARIABLE} is not set, and the ledger's checkpoints are signed by "
                    f"key {names}",
                    f"set {KEY_VARIABLE} to the file holding that key",
                )
            )
        return KeyFinding(
            Finding(
                name,
                WARN,
                f"{KEY_VARIABLE} is not set: antq audit digest, prove and export will refuse",
                f"set {KEY_VARIABLE} to a file off the database server (it is created on first "
                "use; back it up)",
            )
        )
    if not path.exists():
        if signers:
            return KeyFinding(
                Finding(
                    name,
                    FAIL,
                    f"this ledger's checkpoints are signed by key {names}, but its key file "
                    f"{path} is missing",
                    f"restore it, or set {KEY_VARIABLE} to where it is; never let antq create "
                    "another one",
                )
            )
        return KeyFinding(
            Finding(
                name,
                OK,
                f"none yet at {path}: the first antq audit digest, prove or export creates it "
                "(back it up then)",
            )
        )
    try:
        mine = public_bytes(load_or_create_key(path))  # it exists: loaded, never created
    except (StorageError, OSError) as error:
        detail = str(error) if isinstance(error, StorageError) else f"{path}: {error.strerror}"
        return KeyFinding(
            Finding(name, FAIL, detail, "restore the ledger's key file from its backup")
        )
    own = fingerprint(mine)
    if signers and mine not in signers:
        return KeyFinding(
            Finding(
                name,
                FAIL,
                f"{path} holds key {own}, but the ledger's checkpoints are signed by key {names}",
                f"restore the ledger's own key file (or set {KEY_VARIABLE} to it); signing with "
                "this one gives inspectors checkpoints their published key does not check",
            )
        )
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return KeyFinding(
            Finding(
                name,
                WARN,
                f"{path} (key {own}) can be read by other users (mode {stat.filemode(mode)})",
                f"chmod 600 {path}",
            ),
            mine,
        )
    signed = f"signed the ledger's {len(checkpoints)} checkpoint(s)" if signers else ""
    signed = signed or "no checkpoint signed yet"
    return KeyFinding(Finding(name, OK, f"{path} (key {own}): {signed}"), mine)


def check_cipher_key(store: Store, url: str) -> Finding:
    """ANTQ_CIPHER_KEY matches how the ledger's first event is stored (clear or encrypted)."""
    from ledger.encryption import KEY_VARIABLE, CipherMismatch, StoreKey, is_clear

    name = "cipher key"
    try:
        key = StoreKey.from_environment()
    except StorageError:
        return Finding(
            name,
            FAIL,
            f"{KEY_VARIABLE} is not base64 of 32 bytes",
            f"set {KEY_VARIABLE} to the ledger's key exactly as it was created (44 characters), "
            "or unset it if the ledger is not encrypted",
        )
    log = store.log
    rows = store.rows(f"SELECT state FROM {log.name} ORDER BY {log.position} LIMIT 1")
    if not rows:
        if key.key is None:
            return Finding(name, OK, f"no events yet; {KEY_VARIABLE} not set: they will be clear")
        return Finding(
            name, OK, f"no events yet; {KEY_VARIABLE} set (key {key.fingerprint}): encrypted"
        )
    first = bytes(rows[0][0])
    try:
        key.check(first, where=display_url(url))
    except CipherMismatch:
        if key.key is None:
            return Finding(
                name,
                FAIL,
                f"the ledger's events are encrypted, and {KEY_VARIABLE} is not set",
                f"set {KEY_VARIABLE} to the key the ledger was created with (docs/storage.md, "
                "Encryption at rest); if it never was encrypted, its first event was altered: "
                "see the integrity check",
            )
        if is_clear(first):
            return Finding(
                name,
                FAIL,
                f"{KEY_VARIABLE} is set (key {key.fingerprint}), but the ledger's events are "
                "stored in clear text",
                f"unset {KEY_VARIABLE}: a ledger is encrypted from its first event or never",
            )
        return Finding(
            name,
            FAIL,
            f"{KEY_VARIABLE} (key {key.fingerprint}) does not decrypt the ledger's events: they "
            "are encrypted with another key",
            f"set {KEY_VARIABLE} to the key the ledger was created with",
        )
    if key.key is None:
        return Finding(name, OK, f"events stored in clear; {KEY_VARIABLE} not set")
    return Finding(name, OK, f"events encrypted; {KEY_VARIABLE} (key {key.fingerprint}) opens them")
