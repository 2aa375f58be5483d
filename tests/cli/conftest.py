"""CLI fixtures: ``antq`` run in-process with CliRunner on a fresh SQLite file per test."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli

CLERK = "Nguyễn Thị Thư Ký"
# The console script installed beside this interpreter (the venv's bin/ folder).
ANTQ = Path(sys.executable).with_name("antq")
# Environment variables that would otherwise leak the caller's settings into a test.
HERMETIC = {"ANTQ_DB": None, "ANTQ_ACTOR": None, "ANTQ_ROLE": None}
RECORDED = re.compile(r"recorded #(\d+) (.+)")


class Antq:
    """``antq --db URL [--actor A] [--role R] ARGS...`` in-process; checks no traceback leaks."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.runner = CliRunner()

    def __call__(
        self,
        *args: str,
        actor: str | None = CLERK,
        role: str | None = "CA_XA",
        env: dict[str, str | None] | None = None,
    ) -> Result:
        options = ["--db", self.db_url]
        options += ["--actor", actor] if actor else []
        options += ["--role", role] if role else []
        result = self.runner.invoke(
            cli, [*options, *args], env={**HERMETIC, **(env or {})}, prog_name="antq"
        )
        # A bug surfaces as an exception that CliRunner catches (exit 1, no message): never
        # let it pass for a refusal.
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.output,
            result.exc_info,
        )
        assert "Traceback" not in result.output
        return result

    def ok(self, *args: str, **kwargs: Any) -> str:
        """Run a command that must succeed; return its output."""
        result = self(*args, **kwargs)
        assert result.exit_code == 0, result.output
        return result.output

    def recorded(self, *args: str, **kwargs: Any) -> list[str]:
        """Run a recording verb that must succeed; return ``record event`` per line printed."""
        return recorded(self.ok(*args, **kwargs))

    def log(self, *args: str) -> list[dict[str, Any]]:
        """The global log as ``antq log --json`` prints it."""
        return json.loads(self.ok("log", "--json", *args))


def recorded(output: str) -> list[str]:
    """``record event`` of each ``recorded #N record event`` line; positions must increase."""
    matches = [RECORDED.fullmatch(line) for line in output.splitlines()]
    assert all(matches), output
    positions = [int(m.group(1)) for m in matches]
    assert positions == sorted(set(positions)), output
    return [m.group(2) for m in matches]


@pytest.fixture
def antq(db_url: str) -> Antq:
    return Antq(db_url)


@pytest.fixture
def province(antq: Antq) -> Antq:
    """A province TN with communes X1..X3 (X1 holds residential areas KP1, KP2) and a school."""
    for args in UNITS:
        antq.ok("unit", "register", *args)
    return antq


UNITS = [
    ["--code", "TN", "--name", "Tỉnh Thử Nghiệm", "--kind", "province", "--on", "2004-01-01"],
    ["--code", "X1", "--name", "Xã Hòa Bình", "--kind", "commune", "--parent", "TN",
     "--on", "01/01/2004"],
    ["--code", "X2", "--name", "Xã Thủy An", "--kind", "commune", "--parent", "TN",
     "--on", "01/01/2004"],
    ["--code", "X3", "--name", "Xã Tân Lập", "--kind", "commune", "--parent", "TN",
     "--on", "01/01/2004"],
    ["--code", "KP1", "--name", "Khu phố 1", "--kind", "residential_area", "--parent", "X1",
     "--on", "2004-01-01"],
    ["--code", "KP2", "--name", "Khu phố 2", "--kind", "residential_area", "--parent", "X1",
     "--on", "2004-01-01"],
    ["--code", "TH1", "--name", "Trường THCS Hòa Bình", "--kind", "school", "--parent", "X1",
     "--on", "2004-01-01"],
]  # fmt: skip


def run_antq(
    db_url: str, *args: str, actor: str = CLERK, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``antq`` script in its own OS process."""
    return subprocess.run(
        [str(ANTQ), "--db", db_url, "--actor", actor, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=timeout,
        env=subprocess_env(),
    )


def start_antq(db_url: str, *args: str, merge_stderr: bool = False) -> subprocess.Popen[str]:
    """Start the installed ``antq`` script as the clerk in its own OS process, its output read
    as text (stderr merged into stdout when ``merge_stderr``)."""
    return subprocess.Popen(
        [str(ANTQ), "--db", db_url, "--actor", CLERK, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=subprocess_env(),
    )


def subprocess_env() -> dict[str, str]:
    """The current environment without the caller's ANTQ_* settings, with UTF-8 I/O."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in HERMETIC}
    return {**env, "PYTHONIOENCODING": "utf-8"}


def write_jsonl(path: Path, lines: Sequence[dict[str, Any]]) -> Path:
    """Write ``lines`` as a JSON Lines file (UTF-8, Vietnamese as written)."""
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


def refused_as_invalid(antq: Antq, args: Sequence[str], message: str, records: str) -> None:
    """``args`` exit 2 printing ``message``, and no record starting with ``records`` is logged."""
    result = antq(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not [e for e in antq.log() if e["record"].startswith(records)]


def refused_by_a_rule(
    antq: Antq, steps: Sequence[Sequence[str]], last: Sequence[str], message: str
) -> None:
    """After the ``steps`` (each must succeed), ``last`` exits 1 printing ``message`` and logs
    nothing."""
    for step in steps:
        antq.ok(*step)
    before = len(antq.log())
    result = antq(*last)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert len(antq.log()) == before


def policy_options(folder: Path, actors: dict[str, tuple[str, str]]) -> list[str]:
    """``--policy FILE`` for a policy file in ``folder`` giving each actor its (role, unit)."""
    policy = folder / "policy.toml"
    policy.write_text(
        "".join(
            f'[actors."{actor}"]\nroles = ["{role}"]\nunits = ["{unit}"]\n\n'
            for actor, (role, unit) in actors.items()
        ),
        "utf-8",
    )
    return ["--policy", str(policy)]
