"""antq audit verify|digest|prove|check-proof|public-key and antq export verify: exit codes and
messages (0 OK, 3 integrity), on each storage, edited underneath where a test tampers."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.underneath import underneath

from ..conftest import EXAMPLES, sqlite_only
from .conftest import Antq

TAMPERED = 20


@pytest.fixture
def imported(antq: Antq) -> Antq:
    antq.ok("import", str(EXAMPLES / "small-province.jsonl"))
    return antq


def database(antq: Antq) -> Path:
    return Path(antq.db_url.removeprefix("sqlite:///"))


def key_file(antq: Antq) -> Path:
    """Where the ledger's signing key is: ANTQ_SIGNING_KEY, or beside its SQLite file."""
    return Path(os.environ.get("ANTQ_SIGNING_KEY") or f"{database(antq)}.signing-key")


def tamper(antq: Antq, position: int = TAMPERED) -> None:
    """Change one byte of one stored event's state, outside the ledger."""
    with underneath(antq.db_url) as (connection, log):
        (state,) = connection.execute(
            f"SELECT state FROM {log.name} WHERE {log.position} = ?", (position,)
        ).fetchone()
        changed = bytes([state[0] ^ 1]) + state[1:]
        connection.execute(
            f"UPDATE {log.name} SET state = ? WHERE {log.position} = ?", (changed, position)
        )


def failed(antq: Antq, *args: str) -> str:
    """Run a command that must fail with exit 3 (integrity), without a traceback."""
    result = antq(*args)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    return result.output


def edit_json(path: Path, change: Any) -> None:
    document = json.loads(path.read_text("utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")


def public_key(antq: Antq) -> str:
    """The hex public key ``antq audit public-key`` prints (after any notice of its creation)."""
    return antq.ok("audit", "public-key").splitlines()[-1].split()[0]


def other_public_key(tmp_path: Path) -> str:
    """The public key of another ledger's signing key."""
    other = Antq(f"sqlite:///{tmp_path / 'other.db'}")
    key = other.ok("audit", "public-key", env={"ANTQ_SIGNING_KEY": str(tmp_path / "other.key")})
    return key.splitlines()[-1].split()[0]


# --- verify ---------------------------------------------------------------------------------


def test_verify_of_an_untouched_ledger_says_ok_with_its_size(imported: Antq) -> None:
    output = imported.ok("audit", "verify")

    assert re.fullmatch(
        r"OK: (\d+) events up to log position \1, root [0-9a-f]{64}; "
        r"extends 0 signed checkpoint\(s\)\n",
        output,
    ), output


def test_verify_of_a_tampered_ledger_exits_3_naming_the_position(imported: Antq) -> None:
    tamper(imported)

    assert f"position {TAMPERED}:" in failed(imported, "audit", "verify")


def test_a_digest_written_to_a_file_is_extended_by_the_grown_log(
    imported: Antq, tmp_path: Path
) -> None:
    digest = tmp_path / "digest.json"
    written = imported.ok("audit", "digest", "--out", str(digest))
    imported.ok("dispute", "receive", "--unit", "TN-X2", "--case", "HG-09", "--on", "2023-09-01")

    output = imported.ok("audit", "verify", "--digest", str(digest))

    assert "events written to" in written
    assert output.startswith("OK:") and "extends 1 signed checkpoint(s)" in output, output


def test_a_digest_with_its_root_changed_exits_3_on_the_signature(
    imported: Antq, tmp_path: Path
) -> None:
    digest = tmp_path / "digest.json"
    imported.ok("audit", "digest", "--out", str(digest))
    edit_json(digest, lambda d: d.update(root="00" * 32))

    assert "signature does not match" in failed(
        imported, "audit", "verify", "--digest", str(digest)
    )


def test_a_digest_that_is_not_json_exits_3_saying_so(imported: Antq, tmp_path: Path) -> None:
    digest = tmp_path / "digest.json"
    digest.write_text("{ tree_size: 3", "utf-8")

    assert f"{digest}: not JSON" in failed(imported, "audit", "verify", "--digest", str(digest))


def test_a_digest_that_is_not_a_checkpoint_exits_3_saying_so(
    imported: Antq, tmp_path: Path
) -> None:
    digest = tmp_path / "digest.json"
    digest.write_text('{"tree_size": 3}', "utf-8")

    assert "log_position is not a whole number" in failed(
        imported, "audit", "verify", "--digest", str(digest)
    )


@pytest.mark.parametrize("field", ["public_key", "signature"])
def test_a_digest_with_a_field_that_is_not_hex_exits_3(
    imported: Antq, tmp_path: Path, field: str
) -> None:
    digest = tmp_path / "digest.json"
    imported.ok("audit", "digest", "--out", str(digest))
    edit_json(digest, lambda d: d.update({field: "not hex"}))

    failed(imported, "audit", "verify", "--digest", str(digest))


def test_a_digest_with_its_size_written_as_text_is_refused(imported: Antq, tmp_path: Path) -> None:
    # "57" signs as the same statement as 57, so the signature still matches.
    digest = tmp_path / "digest.json"
    imported.ok("audit", "digest", "--out", str(digest))
    edit_json(digest, lambda d: d.update(tree_size=str(d["tree_size"])))

    assert "tree_size is not a whole number" in failed(
        imported, "audit", "verify", "--digest", str(digest)
    )


def test_a_digest_the_log_was_rewritten_under_exits_3(imported: Antq, tmp_path: Path) -> None:
    digest = tmp_path / "digest.json"
    imported.ok("audit", "digest", "--out", str(digest))
    tamper(imported)

    assert f"position {TAMPERED}:" in failed(imported, "audit", "verify", "--digest", str(digest))


# --- prove and check-proof --------------------------------------------------------------------


@pytest.fixture
def proof(imported: Antq, tmp_path: Path) -> Path:
    path = tmp_path / "proof.json"
    written = imported.ok("audit", "prove", "dispute", "TN-X1", "HG-02", "--out", str(path))
    assert "written to" in written
    return path


def test_a_proof_checks_offline(imported: Antq, proof: Path) -> None:
    output = imported.ok("audit", "check-proof", str(proof))

    events = json.loads(proof.read_text("utf-8"))["events"]
    assert (output.startswith("OK: the proof's events are in the log"), len(events)) == (True, 4)


def test_a_proof_checks_with_the_ledgers_published_key(imported: Antq, proof: Path) -> None:
    key = public_key(imported)

    assert imported.ok("audit", "check-proof", str(proof), "--public-key", key).startswith("OK:")


def test_a_proof_with_an_events_state_changed_exits_3_naming_its_position(
    imported: Antq, proof: Path
) -> None:
    def change(document: dict[str, Any]) -> None:
        event = document["events"][1]
        event["state"] = event["state"][:-4] + ("AAAA" if event["state"][-4:] != "AAAA" else "BBBB")

    edit_json(proof, change)
    position = json.loads(proof.read_text("utf-8"))["events"][1]["position"]

    assert f"position {position}:" in failed(imported, "audit", "check-proof", str(proof))


def test_a_proof_with_a_path_hash_changed_exits_3(imported: Antq, proof: Path) -> None:
    edit_json(proof, lambda d: d["events"][0]["path"].__setitem__(0, "00" * 32))

    assert "not in the checkpoint's tree" in failed(imported, "audit", "check-proof", str(proof))


def test_a_proof_with_its_checkpoint_root_changed_exits_3_on_the_signature(
    imported: Antq, proof: Path
) -> None:
    edit_json(proof, lambda d: d["checkpoint"].update(root="00" * 32))

    assert "signature does not match" in failed(imported, "audit", "check-proof", str(proof))


def test_a_proof_with_fields_missing_exits_3_as_not_a_proof(imported: Antq, proof: Path) -> None:
    edit_json(proof, lambda d: d["events"][0].pop("path"))

    assert "not a valid proof" in failed(imported, "audit", "check-proof", str(proof))


def test_a_proof_checked_against_another_key_exits_3(
    imported: Antq, proof: Path, tmp_path: Path
) -> None:
    output = failed(
        imported, "audit", "check-proof", str(proof), "--public-key", other_public_key(tmp_path)
    )

    assert "not by this ledger's key" in output


def test_check_proof_refuses_a_public_key_that_is_not_64_hex_digits(
    imported: Antq, proof: Path
) -> None:
    result = imported("audit", "check-proof", str(proof), "--public-key", "abc")

    assert (result.exit_code, "64 hex digits" in result.output) == (2, True)


# --- public-key -------------------------------------------------------------------------------


def test_public_key_prints_64_hex_digits_and_a_fingerprint(antq: Antq) -> None:
    output = antq.ok("audit", "public-key")

    assert re.search(r"^[0-9a-f]{64}  \(fingerprint [0-9a-f]{16}\)$", output, re.M), output


def test_public_key_is_the_same_each_time(antq: Antq) -> None:
    first = antq.ok("audit", "public-key").splitlines()[-1]

    assert antq.ok("audit", "public-key").splitlines()[-1] == first


# --- export verify ---------------------------------------------------------------------------


@pytest.fixture
def bundle(imported: Antq, tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    imported.ok("export", "--format", "csv", "--out", str(out))
    return out


def test_an_export_bundle_verifies_offline(imported: Antq, bundle: Path) -> None:
    output = imported.ok("export", "verify", str(bundle))

    assert output.startswith("OK:") and "files match the manifest" in output, output


def test_an_export_bundle_verifies_with_the_ledgers_published_key(
    imported: Antq, bundle: Path
) -> None:
    key = public_key(imported)

    assert imported.ok("export", "verify", str(bundle), "--public-key", key).startswith("OK:")


def test_an_export_manifest_with_its_log_position_changed_exits_3_on_the_signature(
    imported: Antq, bundle: Path
) -> None:
    edit_json(bundle / "manifest.json", lambda m: m.update(log_position=m["log_position"] + 1))

    assert "signature does not match" in failed(imported, "export", "verify", str(bundle))


def test_an_export_file_changed_exits_3_naming_it(imported: Antq, bundle: Path) -> None:
    target = bundle / "standings.csv"
    target.write_bytes(target.read_bytes() + b"\n")

    assert "standings.csv: SHA-256 differs" in failed(imported, "export", "verify", str(bundle))


def test_an_export_checked_against_another_key_exits_3(
    imported: Antq, bundle: Path, tmp_path: Path
) -> None:
    output = failed(
        imported, "export", "verify", str(bundle), "--public-key", other_public_key(tmp_path)
    )

    assert "not by this ledger's key" in output


def test_a_proof_with_no_events_proves_nothing_and_exits_3(imported: Antq, proof: Path) -> None:
    edit_json(proof, lambda d: d.update(events=[]))

    assert "holds no events" in failed(imported, "audit", "check-proof", str(proof))


@sqlite_only  # a column holding another type than declared
def test_a_state_stored_as_text_instead_of_bytes_is_named_not_a_crash(imported: Antq) -> None:
    with closing(sqlite3.connect(database(imported))) as connection, connection:
        connection.execute(
            "UPDATE stored_events SET state = state || x'00' WHERE rowid = ?", (TAMPERED,)
        )

    assert f"position {TAMPERED}:" in failed(imported, "audit", "verify")


def test_a_stored_interior_node_altered_is_caught_by_verify(imported: Antq, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "".join(
            json.dumps(
                {
                    "action": "dispute.receive",
                    "unit": "TN-X1",
                    "case": f"HG-N{n}",
                    "effective_on": "2023-08-01",
                }
            )
            + "\n"
            for n in range(300)
        ),
        "utf-8",
    )
    imported.ok("import", str(cases))
    with underneath(imported.db_url) as (connection, _):
        connection.execute(
            "UPDATE integrity_nodes SET hash = ? WHERE level = 8 AND idx = 0", (bytes(32),)
        )

    assert "node 8/0 (over the leaves from 1 to 256)" in failed(imported, "audit", "verify")


def test_a_ledger_with_signed_checkpoints_never_gets_a_second_key(imported: Antq) -> None:
    imported.ok("audit", "digest")
    key_file(imported).unlink()

    result = imported("audit", "digest")

    assert result.exit_code == 2, result.output
    assert "key file" in result.output and "is missing" in result.output
    assert not key_file(imported).exists()
