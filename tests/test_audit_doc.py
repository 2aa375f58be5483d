"""docs/audit.md's standalone bundle checker: run against a real export bundle, and its pure
Python Ed25519 compared with the ``cryptography`` library's."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.main import cli
from tests.conftest import EXAMPLES

AUDIT_MD = Path(__file__).resolve().parents[1] / "docs" / "audit.md"
HEADING = "## 6. Checking an export bundle with Python alone"
HERMETIC = {"ANTQ_DB": None, "ANTQ_ACTOR": None, "ANTQ_ROLE": None, "ANTQ_SIGNING_KEY": None}


def doc_script() -> str:
    """The ```python block that follows section 6's heading."""
    text = AUDIT_MD.read_text(encoding="utf-8")
    assert HEADING in text, f"{AUDIT_MD} lacks the heading {HEADING!r}"
    found = re.search(r"^```python\n(.*?)^```$", text.split(HEADING, 1)[1], re.S | re.M)
    assert found, f"no python block after {HEADING!r}"
    return found.group(1)


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("doc") / "check_bundle.py"
    path.write_text(doc_script(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checker(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_bundle", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the script's main runs only as __main__
    return module


def antq(db: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["--db", f"sqlite:///{db}", "--actor", "Kiểm tra", *args], env=HERMETIC
    )
    assert result.exit_code == 0, (result.output, result.exc_info)
    return result.stdout


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A CSV bundle of the small province's 2023, and the ledger's public key (hex)."""
    folder = tmp_path_factory.mktemp("ledger")
    db = folder / "antq.db"
    antq(db, "import", str(EXAMPLES / "small-province.jsonl"))
    antq(db, "export", "--format", "csv", "--out", str(folder / "bundle"), "--year", "2023")
    key = antq(db, "audit", "public-key").split()[0]
    assert len(bytes.fromhex(key)) == 32
    return folder / "bundle", key


@pytest.fixture
def bundle(exported: tuple[Path, str], tmp_path: Path) -> Path:
    """A copy of the bundle, free to tamper with."""
    return Path(shutil.copytree(exported[0], tmp_path / "bundle"))


def run(script: Path, bundle: Path, key: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), str(bundle), key],
        capture_output=True,
        text=True,
        timeout=60,
    )


def edit_manifest(bundle: Path, change) -> None:
    path = bundle / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_the_untouched_bundle_passes(script, bundle, exported):
    result = run(script, bundle, exported[1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK")


def test_a_changed_report_fails(script, bundle, exported):
    report = bundle / "safety.csv"
    report.write_bytes(report.read_bytes().replace(b"2023", b"2024", 1))
    result = run(script, bundle, exported[1])
    assert result.returncode == 1
    assert "safety.csv" in result.stdout


def test_a_changed_log_position_fails(script, bundle, exported):
    edit_manifest(bundle, lambda m: m.update(log_position=m["log_position"] - 1))
    result = run(script, bundle, exported[1])
    assert result.returncode == 1
    assert "manifest.json's signature" in result.stdout


def test_another_public_key_fails(script, bundle):
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()
    result = run(script, bundle, other)
    assert result.returncode == 1
    assert "not the one given" in result.stdout


def test_a_changed_checkpoint_root_fails(script, bundle, exported):
    def change(manifest):
        root = manifest["checkpoint"]["root"]
        manifest["checkpoint"]["root"] = ("0" if root[0] != "0" else "1") + root[1:]

    edit_manifest(bundle, change)
    result = run(script, bundle, exported[1])
    assert result.returncode == 1
    assert "checkpoint's signature" in result.stdout


def flipped(data: bytes, bit: int) -> bytes:
    return data[: bit // 8] + bytes([data[bit // 8] ^ 1 << bit % 8]) + data[bit // 8 + 1 :]


def test_the_doc_ed25519_agrees_with_cryptography(checker):
    from ledger.signing import verify_signature

    order = 2**252 + 27742317777372353535851937790883648493
    for n, message in enumerate([b"", b"antq-ledger checkpoint v1\n", "Tổ quốc".encode() * 40]):
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes_raw()
        signature = private.sign(message)
        s = int.from_bytes(signature[32:], "little")
        cases = [
            (public, message, signature),
            (public, flipped(message, 3) if message else b"x", signature),
            (public, message, flipped(signature, 7 + n)),  # in R
            (public, message, flipped(signature, 256 + n)),  # low bits of S
            (public, message, flipped(signature, 509)),  # S >= L
            (public, message, signature[:32] + (s + order).to_bytes(32, "little")),  # S + L
            (flipped(public, 100), message, signature),
            (Ed25519PrivateKey.generate().public_key().public_bytes_raw(), message, signature),
        ]
        for key, text, sig in cases:
            expected = verify_signature(key, text, sig)
            assert checker.ed25519_verify(key, text, sig) is expected, (key.hex(), sig.hex())
        assert checker.ed25519_verify(public, message, signature)
