"""Encryption of the event store at rest (ANTQ_CIPHER_KEY): events' state is stored encrypted,
every command reads as before, the audit needs no key, and a ledger opened without its key, with
another key, or (in clear) with a key is refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.cryptography import AESCipher

from ledger.application import Clerk, Ledger
from ledger.commands import UnitRegister
from ledger.encryption import KEY_VARIABLE, CipherMismatch
from tests.cli.conftest import Antq
from tests.conftest import EXAMPLES
from tests.ledger.support import record

PROVINCE = str(EXAMPLES / "small-province.jsonl")
EXPECTED: dict[str, Any] = json.loads(
    (EXAMPLES / "small-province.standings-2023.json").read_text("utf-8")
)
# Recorded in the example's events: unit names, a decision number, a record's folded key.
RECORDED_TEXT = ("Tỉnh Thử Nghiệm", "Xã Hòa Bình", "Trường THCS Hòa Bình", "101/QĐ-UBND", "tn-x1")
KEY = AESCipher.create_key(32)
OTHER_KEY = AESCipher.create_key(32)
CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")


def stored(url: str) -> list[tuple[Any, ...]]:
    """Every stored event as it is in the database (read without decrypting anything)."""
    app = Ledger(url, check_key=False)
    try:
        found = app.recorder.select_notifications(start=None, limit=1_000_000)
        return [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in found]
    finally:
        app.close()


def register(antq: Antq, code: str, **kwargs: Any) -> Any:
    return antq(
        "unit", "register", "--code", code, "--name", f"Tỉnh {code}", "--kind", "province",
        "--on", "2004-01-01", **kwargs,
    )  # fmt: skip


def unit(code: str) -> UnitRegister:
    return UnitRegister(code=code, name=f"Tỉnh {code}", kind="province", effective_on="2004-01-01")


def database_bytes(url: str) -> bytes:
    """The bytes of the SQLite file and its companions (-wal, -shm, -journal)."""
    path = Path(url[len("sqlite:///") :])
    return b"".join(file.read_bytes() for file in sorted(path.parent.glob(f"{path.name}*")))


@pytest.mark.parametrize("key", [KEY, None], ids=["encrypted", "clear"])
def test_an_encrypted_database_file_holds_no_recorded_text(
    sqlite_url: str, key: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if key:
        monkeypatch.setenv(KEY_VARIABLE, key)
    Antq(sqlite_url).ok("import", PROVINCE)  # no read yet: the read models are still empty

    content = database_bytes(sqlite_url)
    topics = {topic for *_, topic, _ in stored(sqlite_url)}
    assert all(topic.encode() in content for topic in topics)  # in clear either way: the scan works
    found = [text for text in RECORDED_TEXT if text.encode() in content]
    assert found == ([] if key else list(RECORDED_TEXT))
    states = [state for *_, state in stored(sqlite_url)]
    assert all(state.startswith(b"{") for state in states) == (key is None)


def test_an_encrypted_ledger_reads_and_verifies_as_one_in_clear(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    antq = Antq(db_url)
    antq.ok("import", PROVINCE)

    standings = json.loads(antq.ok("standings", "--year", "2023", "--scope", "TN", "--json"))
    assert {key: standings[key] for key in EXPECTED} == EXPECTED
    history = json.loads(antq.ok("history", "safety", "TN-X1-T1", "2023", "--json"))
    assert "101/QĐ-UBND" in json.dumps(history, ensure_ascii=False)
    assert antq.ok("log", "--limit", "1").strip()
    antq.ok("audit", "digest")
    assert "extends 1 signed checkpoint(s)" in antq.ok("audit", "verify")
    # The tree covers the stored (encrypted) bytes: verifying needs no key, nor the right one.
    for key in (None, OTHER_KEY):
        verified = antq.ok("audit", "verify", env={KEY_VARIABLE: key})
        assert "extends 1 signed checkpoint(s)" in verified


@pytest.mark.parametrize(
    ("written_with", "opened_with", "message"),
    [
        (KEY, None, f"its events are encrypted: set {KEY_VARIABLE}"),
        (KEY, OTHER_KEY, f"{KEY_VARIABLE} (key "),
        (None, KEY, f"its events are stored in clear text, and a ledger is encrypted from its "
         f"first event or never: unset {KEY_VARIABLE}"),
    ],
    ids=["no-key", "another-key", "clear-with-key"],
)  # fmt: skip
def test_a_ledger_opened_with_the_wrong_key_is_refused_and_unchanged(
    db_url: str, written_with: str | None, opened_with: str | None, message: str
) -> None:
    antq = Antq(db_url)
    assert register(antq, "TN", env={KEY_VARIABLE: written_with}).exit_code == 0
    before = stored(db_url)

    for args in (("log",), ("standings", "--year", "2023"), ("history", "unit", "TN")):
        refused = antq(*args, env={KEY_VARIABLE: opened_with})
        assert (refused.exit_code, message in refused.output) == (2, True), refused.output
    refused = register(antq, "TX", env={KEY_VARIABLE: opened_with})
    assert (refused.exit_code, message in refused.output) == (2, True), refused.output
    assert refused.output.startswith("Error: ") and "Traceback" not in refused.output

    assert stored(db_url) == before
    assert register(antq, "TY", env={KEY_VARIABLE: written_with}).exit_code == 0


def test_a_key_that_is_not_base64_of_32_bytes_is_refused(db_url: str) -> None:
    antq = Antq(db_url)
    for key in ("", "not a key", AESCipher.create_key(16)):
        refused = register(antq, "TN", env={KEY_VARIABLE: key})
        assert refused.exit_code == 2
        assert f"{KEY_VARIABLE}: not base64 of 32 bytes; create a key with: python -c" in (
            refused.output
        )
    assert stored(db_url) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [(None, KEY), (KEY, None), (KEY, OTHER_KEY)],
    ids=["clear-then-key", "key-then-none", "key-then-another"],
)
def test_a_writer_that_opened_an_empty_ledger_cannot_add_to_another_writers_events(
    db_url: str, first: str | None, second: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both open the empty ledger (nothing to check yet); the check is then made under the
    write lock, so the second writer's events are refused, not mixed in."""
    opened = {}
    for key in (first, second):
        with monkeypatch.context() as patch:
            if key:
                patch.setenv(KEY_VARIABLE, key)
            else:
                patch.delenv(KEY_VARIABLE, raising=False)
            opened[key] = Ledger(db_url)
    try:
        record(opened[first], CLERK, unit("TN"))
        before = stored(db_url)
        with pytest.raises(CipherMismatch):
            record(opened[second], CLERK, unit("TX"))
        assert stored(db_url) == before
        record(opened[first], CLERK, unit("TY"))
    finally:
        for app in opened.values():
            app.close()
    assert len(stored(db_url)) > len(before)


def test_a_ledger_opened_for_the_audit_without_its_key_cannot_write(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setenv(KEY_VARIABLE, KEY)
        assert register(Antq(db_url), "TN").exit_code == 0
    before = stored(db_url)
    app = Ledger(db_url, check_key=False)
    try:
        with pytest.raises(CipherMismatch, match="its events are encrypted"):
            record(app, CLERK, unit("TX"))
    finally:
        app.close()
    assert stored(db_url) == before


def test_migrate_copies_the_encrypted_bytes_and_the_target_needs_the_same_key(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    Antq(source).ok("import", PROVINCE)
    Antq(source).ok("audit", "digest")

    output = Antq(source).ok("migrate", "--from", source, "--to", db_url)
    assert "is the same on both" in output
    assert stored(db_url) == stored(source)  # the same ciphertext, not re-encrypted
    target = Antq(db_url)
    assert "extends 1 signed checkpoint(s)" in target.ok("audit", "verify")
    standings = json.loads(target.ok("standings", "--year", "2023", "--scope", "TN", "--json"))
    assert {key: standings[key] for key in EXPECTED} == EXPECTED
    refused = target("log", env={KEY_VARIABLE: OTHER_KEY})
    assert refused.exit_code == 2 and "does not decrypt its events" in refused.output
    refused = target("log", env={KEY_VARIABLE: None})
    assert refused.exit_code == 2 and "its events are encrypted" in refused.output


def test_a_ledger_in_clear_cannot_be_migrated_into_an_encrypted_one(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    assert register(Antq(source), "TN").exit_code == 0
    monkeypatch.setenv(KEY_VARIABLE, KEY)

    refused = Antq(source)("migrate", "--from", source, "--to", db_url)
    assert refused.exit_code == 2 and "stored in clear text" in refused.output
    assert stored(db_url) == []
