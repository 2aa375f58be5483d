"""Encryption of the event store at rest (docs/storage.md, "Encryption at rest").

``ANTQ_CIPHER_KEY`` (base64 of 32 bytes) turns on eventsourcing's AES-GCM cipher: each event's
``state`` is encrypted before it is stored; its topic, record id and version stay in clear. A
ledger is encrypted from its first event with one key, or never: its first stored event says
which, and is checked when the ledger is opened (and, while the ledger is empty, again in each
write transaction, under the write lock), so clear and encrypted events never mix.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
from base64 import b64decode, b64encode
from collections.abc import Mapping
from dataclasses import dataclass

from ledger.errors import StorageError

KEY_VARIABLE = "ANTQ_CIPHER_KEY"
KEY_BYTES = 32
# eventsourcing's AES-GCM cipher on the `cryptography` package (its default needs pycryptodome).
CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
CREATE_KEY = (
    'python -c "from eventsourcing.cryptography import AESCipher; print(AESCipher.create_key(32))"'
)
SETTINGS = ("CIPHER_TOPIC", "CIPHER_KEY")  # what eventsourcing reads, also prefixed ANTQ_


class CipherMismatch(StorageError):
    """Raised when a ledger is opened with a key it was not written with, or without its key."""


@dataclass(frozen=True)
class StoreKey:
    """The key the event store is opened with (None: events are stored in clear)."""

    key: bytes | None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> StoreKey:
        """The key of ``ANTQ_CIPHER_KEY``. Raises StorageError unless it is base64 of 32 bytes."""
        value = (os.environ if environ is None else environ).get(KEY_VARIABLE)
        if value is None:
            return cls(None)
        try:
            key = b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise StorageError(
                f"{KEY_VARIABLE}: not base64 of {KEY_BYTES} bytes; create a key with: {CREATE_KEY}"
            )
        return cls(key)

    def environment(self) -> dict[str, str]:
        """The eventsourcing settings of this key, pinned with and without the application's
        prefix: eventsourcing also reads the process environment, where ``ANTQ_CIPHER_KEY``
        would otherwise select its default cipher (which needs pycryptodome)."""
        values = ("", "") if self.key is None else (CIPHER_TOPIC, b64encode(self.key).decode())
        return {
            f"{prefix}{name}": value
            for name, value in zip(SETTINGS, values, strict=True)
            for prefix in ("", "ANTQ_")
        }

    @property
    def fingerprint(self) -> str:
        """A short name of the key to tell keys apart in messages; it does not reveal the key."""
        if self.key is None:
            return "none"
        return hashlib.sha256(b"antq-ledger event store key\0" + self.key).hexdigest()[:16]

    def check(self, state: bytes, where: str = "this ledger") -> None:
        """Check the state of the ledger's first stored event was written with this key (or in
        clear, without one). Raises CipherMismatch."""
        if self.key is None:
            if not is_clear(state):
                raise CipherMismatch(
                    f"{where}: its events are encrypted: set {KEY_VARIABLE} to the key it was "
                    "created with (docs/storage.md, Encryption at rest); or its first event was "
                    "altered: antq audit verify, which needs no key, names the position"
                )
            return
        if _decrypts(self.key, state):
            return
        if is_clear(state):
            raise CipherMismatch(
                f"{where}: its events are stored in clear text, and a ledger is encrypted from "
                f"its first event or never: unset {KEY_VARIABLE} to open it"
            )
        raise CipherMismatch(
            f"{where}: {KEY_VARIABLE} (key {self.fingerprint}) does not decrypt its events: "
            "they are encrypted with another key; set the key the ledger was created with"
        )


def _decrypts(key: bytes, state: bytes) -> bool:
    """Whether ``state`` is AES-GCM ciphertext under ``key`` as eventsourcing stores it."""
    from eventsourcing.cryptography import AESCipher
    from eventsourcing.utils import Environment

    cipher = AESCipher(Environment(env={"CIPHER_KEY": b64encode(key).decode()}))
    try:
        cipher.decrypt(state)
    except ValueError:  # a wrong key, or not ciphertext (the tag does not match)
        return False
    return True


def is_clear(state: bytes) -> bool:
    """Whether ``state`` is an event's JSON object, as the mapper stores it without a cipher."""
    try:
        return isinstance(json.loads(state), dict)
    except ValueError:  # includes UnicodeDecodeError
        return False
