"""A sealed page: the page's bytes, then one comment line holding a document signed with the
ledger's key (the page's SHA-256 and the checkpoint it reflects), so ``check_seal`` proves with
no database that not a byte of the page changed and which log it reflects. The line is an HTML
comment in an HTML page and a PDF comment after a PDF's end: readers of either ignore it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ledger.errors import IntegrityError
from ledger.signing import Checkpoint, check_document, sign_document

SEAL_FORMAT = "antq-page-seal/1"
PDF = b"%PDF-"
MARKS = {"html": (b"<!-- antq-seal ", b" -->\n"), "pdf": (b"\n%antq-seal ", b"\n")}


def seal(page: bytes, checkpoint: Checkpoint, private_key: Any) -> bytes:
    """``page`` followed by its seal line."""
    document = {
        "format": SEAL_FORMAT,
        "sha256": hashlib.sha256(page).hexdigest(),
        "checkpoint": vars(checkpoint),
    }
    opener, closer = _marks(page)
    return page + opener + _line(sign_document(private_key, document)) + closer


def check_seal(data: bytes, where: str, trusted_key: bytes | None = None) -> Checkpoint:
    """The checkpoint a sealed page reflects; IntegrityError if the page or its seal was altered
    or signed by another key than ``trusted_key`` (when given)."""
    opener, closer = _marks(data)
    start = data.rfind(opener)
    if start < 0 or not data.endswith(closer) or len(data) < start + len(opener) + len(closer):
        raise IntegrityError(
            f"{where}: no antq seal at the end of the file (was its end or were its line "
            "endings changed?)"
        )
    page, text = data[:start], data[start + len(opener) : -len(closer)]
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        document = None
    if not isinstance(document, dict) or document.get("format") != SEAL_FORMAT:
        raise IntegrityError(f"{where}: the seal is not an {SEAL_FORMAT} document")
    signature = document.get("signature")
    if text != _line(document) or not isinstance(signature, str) or signature != signature.lower():
        raise IntegrityError(f"{where}: the seal was changed (it is not as antq writes it)")
    if not isinstance(document.get("checkpoint"), dict):
        raise IntegrityError(f"{where}: the seal holds no checkpoint")
    checkpoint = Checkpoint.from_dict(document["checkpoint"], where)
    try:
        checkpoint.check_signature(trusted_key)
    except IntegrityError as error:
        raise IntegrityError(f"{where}: {error}") from None
    check_document(document, trusted_key or bytes.fromhex(checkpoint.public_key), where)
    if document.get("sha256") != hashlib.sha256(page).hexdigest():
        raise IntegrityError(f"{where}: the page was changed after it was sealed")
    return checkpoint


def _line(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def is_sealed(path: Path) -> bool:
    """Whether the file at ``path`` ends with a seal line (not whether the seal is valid)."""
    with path.open("rb") as file:
        head = file.read(len(PDF))
        file.seek(max(0, file.seek(0, os.SEEK_END) - 4096))
        tail = file.read()
    opener, closer = _marks(head)
    return opener in tail and tail.endswith(closer)


def _marks(data: bytes) -> tuple[bytes, bytes]:
    return MARKS["pdf" if data.startswith(PDF) else "html"]
