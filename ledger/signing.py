"""The ledger's Ed25519 signing key, and the signed checkpoints it issues.

A checkpoint says "after ``log_position``, the log's ``tree_size`` events have Merkle root
``root``", signed by the ledger's key. An inspector who keeps one can later prove the log still
extends it, whatever else an attacker with write access to the database recomputed.

The private key lives in a PEM file outside the event store: ``ANTQ_SIGNING_KEY`` names it,
else it sits beside an SQLite database as ``<file>.signing-key``. It is created on first use,
readable by its owner only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger.errors import IntegrityError, StorageError

KEY_VARIABLE = "ANTQ_SIGNING_KEY"
CHECKPOINT_FORMAT = "antq-ledger checkpoint v1"


def key_path(database: str | None) -> Path:
    """Where the signing key of the ledger stored in ``database`` (a file path) lives."""
    if os.environ.get(KEY_VARIABLE):
        return Path(os.environ[KEY_VARIABLE])
    if not database:
        raise StorageError(f"set {KEY_VARIABLE} to the file holding the ledger's signing key")
    return Path(f"{database}.signing-key")


def load_or_create_key(path: Path) -> Any:
    """The Ed25519 private key in ``path``, created (mode 0600) if the file does not exist."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as error:
            raise StorageError(f"{path}: not a PEM private key: {error}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise StorageError(f"{path}: not an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key


def public_bytes(private_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def fingerprint(public_key: bytes) -> str:
    """A short name of a public key, to compare with the one the ledger published."""
    return hashlib.sha256(public_key).hexdigest()[:16]


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the log's size, last position and Merkle root at a moment."""

    tree_size: int
    log_position: int
    root: str  # hex
    created_at: str  # ISO 8601, UTC
    public_key: str  # hex, raw Ed25519
    signature: str  # hex, over ``statement()``

    def statement(self) -> bytes:
        """The exact bytes signed: a few lines anyone can rebuild by hand."""
        return (
            f"{CHECKPOINT_FORMAT}\n"
            f"tree_size {self.tree_size}\n"
            f"log_position {self.log_position}\n"
            f"root {self.root}\n"
            f"created_at {self.created_at}\n"
        ).encode()

    def check_signature(self, trusted_key: bytes | None = None) -> None:
        """Raise IntegrityError unless the signature is valid, made by ``trusted_key`` (the
        ledger's own key when known) or else by the key the checkpoint names."""
        key = bytes.fromhex(self.public_key)
        if trusted_key is not None and key != trusted_key:
            raise IntegrityError(
                f"checkpoint at {self.tree_size} events was signed by key "
                f"{fingerprint(key)}, not by this ledger's key {fingerprint(trusted_key)}"
            )
        if not verify_signature(key, self.statement(), bytes.fromhex(self.signature)):
            raise IntegrityError(
                f"checkpoint at {self.tree_size} events: the signature does not match"
            )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> Checkpoint:
        """The checkpoint in ``data``; IntegrityError naming the field that is not one."""
        for name, kind in (("tree_size", int), ("log_position", int)):
            value = data.get(name)
            if not isinstance(value, kind) or isinstance(value, bool) or value < 0:
                raise IntegrityError(f"{where}: {name} is not a whole number")
        for name, digits in (("root", 64), ("public_key", 64), ("signature", 128)):
            value = data.get(name)
            if not isinstance(value, str) or len(value) != digits or not _is_hex(value):
                raise IntegrityError(f"{where}: {name} is not {digits} hex digits")
        if not isinstance(data.get("created_at"), str):
            raise IntegrityError(f"{where}: created_at is not a time")
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def sign_checkpoint(private_key: Any, tree_size: int, log_position: int, root: bytes) -> Checkpoint:
    unsigned = Checkpoint(
        tree_size=tree_size,
        log_position=log_position,
        root=root.hex(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        public_key=public_bytes(private_key).hex(),
        signature="",
    )
    signature = private_key.sign(unsigned.statement()).hex()
    return Checkpoint(**{**asdict(unsigned), "signature": signature})


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes a signed JSON document's signature covers: the document without its
    ``signature``, keys sorted, no spaces, UTF-8."""
    unsigned = {key: value for key, value in document.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_document(private_key: Any, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with a ``signature`` (hex Ed25519 over ``canonical(document)``)."""
    return {**document, "signature": private_key.sign(canonical(document)).hex()}


def check_document(document: dict[str, Any], public_key: bytes, where: str) -> None:
    """Raise IntegrityError unless ``document`` carries a valid signature by ``public_key``."""
    signature = document.get("signature")
    try:
        valid = isinstance(signature, str) and verify_signature(
            public_key, canonical(document), bytes.fromhex(signature)
        )
    except ValueError:
        valid = False
    if not valid:
        raise IntegrityError(f"{where}: the signature does not match: it was altered")
