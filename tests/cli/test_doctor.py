"""antq doctor on real ledgers (an SQLite file, a PostgreSQL database): one line per check, the
advice it gives, its exit codes (0, 1, 3), and that it never writes to the ledger."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.application import Clerk, Ledger
from ledger.commands import UnitRegister
from ledger.doctor import WARN, check_disk_space
from projections.runner import READ_MODELS
from tests.underneath import underneath

from ..conftest import EXAMPLES, sqlite_only
from .conftest import HERMETIC, Antq, run_antq

SQLITE_CHECKS = ["journal", "disk space"]
CHECKS = ["storage", "schema", "projections", "integrity", "signing key", "cipher key", "policy"]
CIPHER_KEY = "q6zKEqYwGTW8MCyCYtH2hbAGHc3CMZ8jfxpz0jBQ1ms="  # base64 of 32 bytes


@pytest.fixture
def imported(antq: Antq) -> Antq:
    """The 40-line example province, recorded; read models not built, nothing signed."""
    antq.ok("import", str(EXAMPLES / "small-province.jsonl"))
    return antq


@pytest.fixture
def healthy(imported: Antq) -> Antq:
    """The example province read once (read models caught up) and signed (key, checkpoint)."""
    imported.ok("standings", "--year", "2023")
    imported.ok("audit", "digest")
    return imported


def doctor(antq: Antq, *args: str, env: dict[str, str | None] | None = None) -> Any:
    return antq("doctor", *args, actor=None, role=None, env=env)


def lines(output: str) -> dict[str, str]:
    """``check -> its whole line`` of doctor's text output (the summary line left out)."""
    found = {}
    for line in output.splitlines():
        if line.startswith("summary: "):
            continue
        assert line[:5] in ("ok   ", "warn ", "FAIL ", "skip "), line
        found[line[5:].split(":", 1)[0]] = line
    return found


def statuses(antq: Antq, *args: str, env: dict[str, str | None] | None = None) -> dict[str, Any]:
    result = doctor(antq, "--json", *args, env=env)
    return {
        "exit": result.exit_code,
        **{item["check"]: item for item in json.loads(result.output)},
    }


def expected_checks(db_url: str) -> list[str]:
    return CHECKS + (SQLITE_CHECKS if db_url.startswith("sqlite:") else [])


def key_file(antq: Antq) -> Path:
    """Where the ledger's signing key is: ANTQ_SIGNING_KEY, or beside its SQLite file."""
    if os.environ.get("ANTQ_SIGNING_KEY"):
        return Path(os.environ["ANTQ_SIGNING_KEY"])
    return Path(f"{antq.db_url.removeprefix('sqlite:///')}.signing-key")


def database_state(db_url: str) -> Any:
    """Everything doctor could change: every file of an SQLite ledger's folder, byte for byte
    (but the -shm file, SQLite's shared-memory index of the -wal file, where every reader marks
    what it reads); every table, row and sequence of a PostgreSQL database."""
    if db_url.startswith("sqlite:///"):
        folder = Path(db_url.removeprefix("sqlite:///")).parent
        return {
            path.name: None if path.name.endswith("-shm") else path.read_bytes()
            for path in sorted(folder.iterdir())
        }
    state = {}
    with underneath(db_url) as (connection, _):
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        ]
        for table in sorted(tables):
            rows = connection.execute(f"SELECT * FROM {table}").fetchall()
            state[table] = sorted(repr(tuple(row)) for row in rows)
        state["sequence"] = connection.execute(
            "SELECT last_value FROM antq_events_notification_id_seq"
        ).fetchall()
    return state


def record_unit_without_catching_up(db_url: str) -> int:
    """A unit registered through the ledger API, which no read model sees; how many events."""
    ledger = Ledger(db_url)
    try:
        return len(
            ledger.execute(
                UnitRegister(
                    code="TN-X9",
                    name="Xã Mới Lập",
                    kind="commune",
                    parent="TN",
                    effective_on=date(2024, 1, 1),
                ),
                Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA"),
            )
        )
    finally:
        ledger.close()


def positions(db_url: str) -> dict[str, int]:
    with underneath(db_url) as (connection, _):
        return dict(
            connection.execute("SELECT name, position FROM projection_positions").fetchall()
        )


# --- a healthy ledger ------------------------------------------------------------------------


def test_a_healthy_ledger_is_all_ok_and_exits_0(healthy: Antq) -> None:
    result = doctor(healthy)

    assert result.exit_code == 0, result.output
    found = lines(result.output)
    assert list(found) == expected_checks(healthy.db_url)
    assert all(line.startswith("ok   ") for line in found.values()), result.output
    assert " — " not in "".join(found.values())  # nothing to do
    assert "extends 1 signed checkpoint(s)" in found["integrity"]
    assert "signed the ledger's 1 checkpoint(s)" in found["signing key"]
    assert f"all {len(READ_MODELS)} read models at the log's head" in found["projections"]
    assert "single-user mode" in found["policy"]
    assert result.output.splitlines()[-1].startswith("summary: ")
    assert result.output.splitlines()[-1].endswith("the ledger is healthy")


def test_a_ledger_just_written_is_all_ok_and_doctor_writes_nothing(antq: Antq) -> None:
    # Imported in a process of its own, which closed the database when it ended.
    done = run_antq(antq.db_url, "import", str(EXAMPLES / "small-province.jsonl"))
    assert done.returncode == 0, done.stderr
    imported = antq
    before = database_state(imported.db_url)

    text = doctor(imported)
    as_json = doctor(imported, "--json")

    assert text.exit_code == 0 and as_json.exit_code == 0, text.output
    found = lines(text.output)
    assert all(line.startswith("ok   ") for line in found.values()), text.output
    assert "not built yet" in found["projections"]
    assert "none yet at" in found["signing key"]
    # No table, row, key file, -wal or -shm file created: the ledger is exactly as it was.
    assert database_state(imported.db_url) == before
    assert not key_file(imported).exists()


def test_json_gives_one_object_per_check(healthy: Antq) -> None:
    result = doctor(healthy, "--json")

    assert result.exit_code == 0
    findings = json.loads(result.output)
    assert [f["check"] for f in findings] == expected_checks(healthy.db_url)
    for finding in findings:
        assert set(finding) == {"check", "status", "detail", "advice"}
        assert finding["status"] == "ok"
        assert isinstance(finding["detail"], str) and finding["detail"]
        assert finding["advice"] is None


# --- read models ---------------------------------------------------------------------------


def test_read_models_behind_the_log_are_a_warning_with_what_to_do(healthy: Antq) -> None:
    events = record_unit_without_catching_up(healthy.db_url)
    before = positions(healthy.db_url)

    result = doctor(healthy)

    assert result.exit_code == 0, result.output  # warnings are allowed
    line = lines(result.output)["projections"]
    assert line.startswith(
        f"warn projections: read models behind the log: all {len(READ_MODELS)} up to {events} "
        "event(s) behind"
    )
    assert "run any read command" in line and "antq projections follow" in line
    assert positions(healthy.db_url) == before  # reported, not caught up

    healthy.ok("standings", "--year", "2023")
    assert lines(doctor(healthy).output)["projections"].startswith("ok   ")


def test_an_interrupted_rebuild_fails_and_says_to_rebuild(healthy: Antq) -> None:
    with underneath(healthy.db_url) as (connection, _):
        connection.execute(
            "INSERT INTO projection_positions (name, position) VALUES ('(rebuilding)', 0)"
        )

    result = doctor(healthy)

    assert result.exit_code == 1, result.output
    line = lines(result.output)["projections"]
    assert line.startswith("FAIL projections: a rebuild of the read models is running or was")
    assert line.endswith("if no rebuild is running: antq projections rebuild")

    healthy.ok("projections", "rebuild")
    assert doctor(healthy).exit_code == 0


# --- integrity -----------------------------------------------------------------------------


def test_a_tampered_event_fails_integrity_with_exit_3(healthy: Antq) -> None:
    with underneath(healthy.db_url) as (connection, log):
        (state,) = connection.execute(
            f"SELECT state FROM {log.name} WHERE {log.position} = ?", (20,)
        ).fetchone()
        connection.execute(
            f"UPDATE {log.name} SET state = ? WHERE {log.position} = ?",
            (bytes([state[0] ^ 1]) + bytes(state[1:]), 20),
        )

    result = doctor(healthy)

    assert result.exit_code == 3, result.output
    line = lines(result.output)["integrity"]
    assert line.startswith(
        "FAIL integrity: position 20: the stored event's bytes differ from those the ledger "
        "committed"
    )
    assert "exit 3" in line and "Keep the database untouched" in line
    assert "contact the auditors" in line
    assert "INTEGRITY FAILED" in result.output.splitlines()[-1]

    quick = doctor(healthy, "--quick")
    assert quick.exit_code == 0, quick.output
    assert lines(quick.output)["integrity"].startswith("skip integrity: skipped (--quick)")


# --- storage and schema --------------------------------------------------------------------


@sqlite_only
def test_a_missing_database_fails_storage_and_no_file_is_created(
    db_url: str, tmp_path: Path
) -> None:
    antq = Antq(f"sqlite:///{tmp_path / 'nowhere.db'}")

    result = doctor(antq)

    assert result.exit_code == 1, result.output
    found = lines(result.output)
    assert found["storage"].startswith(f"FAIL storage: no database at {tmp_path / 'nowhere.db'}")
    assert "check that --db (or ANTQ_DB) names the ledger's file" in found["storage"]
    for check in ("schema", "integrity", "signing key", "cipher key", "journal"):
        assert found[check] == f"skip {check}: skipped (storage unreachable)"
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_is_not_created_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["doctor"], env=HERMETIC, prog_name="antq")

    assert result.exit_code == 1, result.output
    assert "FAIL storage: no database at antq.db" in result.output
    assert list(tmp_path.iterdir()) == []


@sqlite_only
def test_an_sqlite_file_that_is_no_antq_ledger_fails_schema(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "people.db"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE people (name TEXT)")
    before = path.read_bytes()

    result = doctor(Antq(f"sqlite:///{path}"))

    assert result.exit_code == 1, result.output
    found = lines(result.output)
    assert found["storage"].startswith("ok   ")
    assert found["schema"].startswith(
        "FAIL schema: not an antq ledger: it holds 1 other table(s) (people) and no events "
        "table stored_events"
    )
    assert found["projections"] == "skip projections: skipped (not an antq ledger: see schema)"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.db"]


@sqlite_only
def test_a_file_that_is_no_database_fails_storage(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database, just notes\n" * 100)

    result = doctor(Antq(f"sqlite:///{path}"))

    assert result.exit_code == 1, result.output
    assert lines(result.output)["storage"].startswith(
        f"FAIL storage: --db 'sqlite:///{path}': cannot open the database: file is not a database"
    )


def test_a_column_this_antq_needs_missing_fails_schema(imported: Antq) -> None:
    with underneath(imported.db_url) as (connection, _):
        connection.execute("ALTER TABLE integrity_checkpoints RENAME COLUMN created_at TO made_at")

    result = doctor(imported)

    assert result.exit_code == 1, result.output
    line = lines(result.output)["schema"]
    assert "table integrity_checkpoints lacks column(s) created_at" in line
    assert "created by a newer antq?" in line


def test_an_unreachable_postgresql_server_fails_storage_in_its_own_words() -> None:
    antq = Antq("postgresql://postgres@127.0.0.1:1/antq")

    result = doctor(antq)

    assert result.exit_code == 1, result.output
    found = lines(result.output)
    assert found["storage"].startswith(
        "FAIL storage: --db 'postgresql://postgres@127.0.0.1:1/antq': cannot open the database: "
        "connection failed:"
    )
    assert "Connection refused" in found["storage"]
    assert "check that the PostgreSQL server is running" in found["storage"]
    assert found["integrity"] == "skip integrity: skipped (storage unreachable)"
    assert "journal" not in found  # SQLite only


def test_a_password_is_not_shown() -> None:
    result = doctor(Antq("postgresql://postgres:s3cret@127.0.0.1:1/antq"))

    assert result.exit_code == 1
    assert "s3cret" not in result.output
    assert "postgresql://postgres:***@127.0.0.1:1/antq" in result.output


# --- keys ----------------------------------------------------------------------------------


def test_a_signing_key_that_did_not_sign_the_checkpoints_fails(healthy: Antq) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_file(healthy).write_bytes(other)

    result = doctor(healthy)

    assert result.exit_code == 1, result.output  # not 3: the log itself is intact
    found = lines(result.output)
    assert found["signing key"].startswith(f"FAIL signing key: {key_file(healthy)} holds key ")
    assert "but the ledger's checkpoints are signed by key" in found["signing key"]
    assert "restore the ledger's own key file" in found["signing key"]
    assert found["integrity"].startswith("ok   integrity: ")


def test_a_missing_key_file_after_signing_fails(healthy: Antq) -> None:
    key_file(healthy).unlink()

    result = doctor(healthy)

    assert result.exit_code == 1, result.output
    assert "is missing — restore it, or set ANTQ_SIGNING_KEY" in result.output
    assert not key_file(healthy).exists()  # and doctor did not make one


def test_a_cipher_key_on_a_ledger_in_clear_fails(healthy: Antq) -> None:
    result = doctor(healthy, env={"ANTQ_CIPHER_KEY": CIPHER_KEY})

    assert result.exit_code == 1, result.output
    line = lines(result.output)["cipher key"]
    assert line.startswith("FAIL cipher key: ANTQ_CIPHER_KEY is set (key ")
    assert "the ledger's events are stored in clear text — unset ANTQ_CIPHER_KEY" in line


def test_an_encrypted_ledger_needs_its_key(antq: Antq, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTQ_CIPHER_KEY", CIPHER_KEY)
    antq.ok("import", str(EXAMPLES / "small-province.jsonl"))

    opened = statuses(antq)
    monkeypatch.delenv("ANTQ_CIPHER_KEY")
    closed = statuses(antq)

    assert opened["exit"] == 0 and opened["cipher key"]["status"] == "ok"
    assert opened["cipher key"]["detail"].startswith("events encrypted; ANTQ_CIPHER_KEY (key ")
    assert closed["exit"] == 1
    assert closed["cipher key"]["status"] == "fail"
    assert closed["cipher key"]["detail"] == (
        "the ledger's events are encrypted, and ANTQ_CIPHER_KEY is not set"
    )
    assert closed["integrity"]["status"] == "ok"  # the tree covers the ciphertext: no key needed


# --- policy --------------------------------------------------------------------------------


def test_an_invalid_policy_file_fails(healthy: Antq, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[actors."Lê Văn C"]\nroles = "CA_XA"\n', encoding="utf-8")

    found = statuses(healthy, env={"ANTQ_POLICY": str(policy)})

    assert found["exit"] == 1
    assert found["policy"]["status"] == "fail"
    assert found["policy"]["detail"].startswith(f"{policy}: ")
    assert "docs/access.md" in found["policy"]["advice"]


def test_a_valid_policy_file_beside_the_database_is_named(tmp_path: Path) -> None:
    antq = Antq(f"sqlite:///{tmp_path / 'antq.db'}")
    antq.ok("import", str(EXAMPLES / "small-province.jsonl"))
    (tmp_path / "antq.db.policy.toml").write_text(
        '[actors."Lê Văn C"]\nroles = ["CA_XA"]\n', encoding="utf-8"
    )

    line = lines(doctor(antq).output)["policy"]

    assert line == f"ok   policy: {tmp_path / 'antq.db.policy.toml'}: 1 actor(s)"


# --- SQLite only ---------------------------------------------------------------------------


@sqlite_only
def test_a_journal_not_in_wal_mode_is_a_warning(db_url: str) -> None:
    imported = run_antq(db_url, "import", str(EXAMPLES / "small-province.jsonl"))
    assert imported.returncode == 0, imported.stderr
    with closing(sqlite3.connect(db_url.removeprefix("sqlite:///"))) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")

    result = doctor(Antq(db_url))

    assert result.exit_code == 0, result.output
    assert lines(result.output)["journal"].startswith(
        "warn journal: journal mode is delete, not WAL"
    )


def test_little_free_space_is_a_warning(tmp_path: Path) -> None:
    path = str(tmp_path / "antq.db")

    plenty = check_disk_space(path, min_free=0, min_share=0)
    scarce = check_disk_space(path, min_free=1 << 60)

    assert plenty.status == "ok" and "free of" in plenty.detail
    assert scarce.status == WARN
    assert scarce.detail.startswith("only ") and "free some space" in (scarce.advice or "")
