"""README.md's console transcript, run for real: each command prints what the README shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
ANTQ = Path(sys.executable).with_name("antq")


def transcript(text: str) -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ antq ...`` line of the ```console blocks."""
    steps: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL):
        for line in block.splitlines(keepends=True):
            if line.startswith("$ "):
                steps.append((line[2:].strip(), ""))
            else:
                command, output = steps[-1]
                steps[-1] = (command, output + line)
    return steps


def test_the_readme_has_a_transcript() -> None:
    steps = transcript(README.read_text("utf-8"))

    assert len(steps) >= 5
    assert all(command.startswith("antq ") for command, _ in steps)


def test_the_readme_transcript_runs_as_shown(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTQ_")}
    env["PYTHONIOENCODING"] = "utf-8"

    for command, expected in transcript(README.read_text("utf-8")):
        argv = shlex.split(command)
        result = subprocess.run(
            [str(ANTQ), *argv[1:]], capture_output=True, text=True, encoding="utf-8",
            cwd=tmp_path, env=env, timeout=60,
        )  # fmt: skip

        assert result.stdout + result.stderr == expected, command
        assert result.returncode == (1 if expected.startswith("Error: ") else 0), command
    assert (tmp_path / "antq.db").is_file()
