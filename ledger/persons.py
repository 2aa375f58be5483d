"""Personal data kept out of the log in clear text: sealed per subject, with a key of its own.

Events carry a pseudonymous subject id and AES-GCM ciphertext; the keys live in the storage's
key table, so destroying one key makes that subject's data unreadable everywhere
(crypto-shredding) while the log, and every hash over it, stays as it was.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Protocol
from uuid import UUID

from ledger.errors import IntegrityError

ERASED = "[đã xoá]"  # what a report shows in place of an erased subject's fields
SEALED = "[niêm phong]"  # what history shows to a reader whose viewing was not recorded


class Vault(Protocol):
    def key_for(self, subject_id: UUID) -> bytes | None:
        """The subject's key, or None when there is none (new, or erased)."""


def new_key() -> bytes:
    """A fresh 256-bit key for one subject."""
    return os.urandom(32)


def seal(key: bytes, subject_id: UUID, fields: dict[str, object]) -> str:
    """Encrypt ``fields`` for ``subject_id``; the id is bound in as associated data."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    plain = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plain, subject_id.bytes)).decode()


def unseal(key: bytes | None, subject_id: UUID, sealed: str) -> dict[str, object] | None:
    """Decrypt sealed fields; None when the subject's key is gone (erased)."""
    if key is None:
        return None
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob = base64.b64decode(sealed)
    try:
        return json.loads(AESGCM(key).decrypt(blob[:12], blob[12:], subject_id.bytes))
    except InvalidTag:
        raise IntegrityError(
            f"sealed data of subject {subject_id} does not decrypt: it was altered"
        ) from None
