"""The page's seal: any change to any byte of a sealed page is caught with no database."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import IntegrityError
from ledger.signing import public_bytes, sign_checkpoint
from projections.seal import check_seal, seal

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
CHECKPOINT = sign_checkpoint(KEY, 57, 57, bytes(32))
PAGE = "<!DOCTYPE html>\n<html><body><p>685/691 — 99,1%</p></body></html>\n".encode()
SEALED = seal(PAGE, CHECKPOINT, KEY)


def test_a_sealed_page_is_the_page_then_one_line() -> None:
    assert SEALED.startswith(PAGE)
    assert SEALED[len(PAGE) :].count(b"\n") == 1
    assert check_seal(SEALED, "page.html", public_bytes(KEY)) == CHECKPOINT
    assert seal(PAGE, CHECKPOINT, KEY) == SEALED  # Ed25519 signs deterministically


@settings(max_examples=300)
@given(st.data())
def test_changing_any_byte_is_caught(data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(SEALED) - 1), label="at")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != SEALED[at]), label="byte")
    changed = SEALED[:at] + bytes([new]) + SEALED[at + 1 :]
    with pytest.raises(IntegrityError, match=r"^page\.html: "):
        check_seal(changed, "page.html")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(PAGE, id="no seal"),
        pytest.param(SEALED + b"\n", id="something after the seal"),
        pytest.param(PAGE + b"<!-- antq-seal {} -->\n", id="an empty seal"),
        pytest.param(PAGE + b"<!-- antq-seal not json -->\n", id="not JSON"),
        pytest.param(b"", id="an empty file"),
    ],
)
def test_a_page_without_a_valid_seal_is_refused(data: bytes) -> None:
    with pytest.raises(IntegrityError, match=r"^page\.html: "):
        check_seal(data, "page.html")


def test_a_seal_by_another_key_is_refused_when_the_ledgers_key_is_given() -> None:
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    forged = seal(PAGE, sign_checkpoint(other, 57, 57, bytes(32)), other)
    assert check_seal(forged, "page.html") is not None  # self-consistent: no key, no proof
    with pytest.raises(IntegrityError, match="key"):
        check_seal(forged, "page.html", public_bytes(KEY))


def test_a_seal_written_differently_is_refused_even_if_it_means_the_same() -> None:
    line = SEALED[len(PAGE) :]
    signature = line[line.rindex(b'"signature":"') + 13 :][:128]
    assert signature in line and line.count(signature) == 1
    upper = PAGE + line.replace(signature, signature.upper())
    with pytest.raises(IntegrityError, match="changed"):
        check_seal(upper, "page.html")
    spaced = PAGE + line.replace(b'{"', b'{ "', 1)
    with pytest.raises(IntegrityError, match="changed"):
        check_seal(spaced, "page.html")
