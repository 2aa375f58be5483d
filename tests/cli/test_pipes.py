"""A reader that goes away early (`antq log | head -1`) ends the command quietly."""

from __future__ import annotations

import subprocess

from .conftest import ANTQ, run_antq, subprocess_env


def test_a_closed_pipe_ends_the_log_quietly(db_url: str) -> None:
    assert run_antq(db_url, "demo").returncode == 0
    process = subprocess.Popen(
        [str(ANTQ), "--db", db_url, "log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
    )
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(timeout=60)

    assert first.startswith(b"#1 ")
    assert (process.returncode, stderr) == (1, b"")
