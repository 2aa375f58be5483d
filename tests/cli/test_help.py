"""Every command has help, ``-h`` works, and asking for help opens no database."""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import LAZY_COMMANDS, cli

from .conftest import ANTQ, HERMETIC, subprocess_env


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group, info_name=" ".join(("antq", *prefix)))
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, (*prefix, name)))
    return paths


PATHS = [(), *_command_paths(cli)]
RECORDING_VERBS = {
    "unit": ["register", "rename", "merge", "dissolve"],
    "model": ["register", "recognise", "replicate", "review", "suspend", "reinstate", "dissolve"],
    "award": ["decide", "present", "correct", "annul"],
    "safety": ["register", "recognise", "deny", "annul"],
    "dispute": ["receive", "assign", "settle", "fail", "resume", "refer", "close"],
}


def test_the_tree_holds_every_family_verb_and_reading_command() -> None:
    assert set(PATHS) >= {
        (),
        *((name,) for name in LAZY_COMMANDS),
        *((family, verb) for family, verbs in RECORDING_VERBS.items() for verb in verbs),
    }


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(("antq", *path)))
def test_every_command_has_help_and_h_works(
    path: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    long = runner.invoke(cli, [*path, "--help"], prog_name="antq", env=HERMETIC)
    short = runner.invoke(cli, [*path, "-h"], prog_name="antq", env=HERMETIC)

    assert long.exit_code == 0, long.output
    assert long.output.startswith(f"Usage: {' '.join(('antq', *path))} [OPTIONS]")
    assert short.output == long.output
    assert "-h, --help" in long.output
    assert list(tmp_path.iterdir()) == []  # no antq.db: help opens no database


@pytest.mark.parametrize(
    "family, verb", [(f, v) for f, verbs in RECORDING_VERBS.items() for v in verbs]
)
def test_a_recording_verb_help_names_its_import_action_and_date_option(
    family: str, verb: str
) -> None:
    output = CliRunner().invoke(cli, [family, verb, "--help"], prog_name="antq").output

    assert f"Same fields as the import action '{family}.{verb}'." in output
    assert "--effective-on, --on" in output


def test_antq_help_lists_every_command_and_creates_no_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ANTQ), "--help"], capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
        env=subprocess_env(), timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: antq [OPTIONS] COMMAND [ARGS]...")
    for name, (_, _, short_help) in LAZY_COMMANDS.items():
        assert f"  {name}" in result.stdout and short_help in result.stdout
    assert result.stderr == ""
    assert list(tmp_path.iterdir()) == []


def test_antq_alone_shows_usage_without_a_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ANTQ)], capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
        env=subprocess_env(), timeout=60,
    )  # fmt: skip

    assert "Usage: antq [OPTIONS] COMMAND [ARGS]..." in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []
