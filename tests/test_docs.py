"""Keeps docs/ in step with the code: cli.md's help sections and import table are generated.

docs/cli.md holds blocks between markers that this module fills in:

    <!-- help: antq safety recognise -->  ...  <!-- end help -->   the command's --help output
    <!-- actions -->  ...  <!-- end actions -->                     the import actions' fields

Rewrite them after changing a command or an action:  python -m tests.test_docs --write
"""

from __future__ import annotations

import difflib
import re
import sys
import typing
from enum import Enum
from pathlib import Path

import click
from click.testing import CliRunner
from pydantic.fields import FieldInfo

from cli.main import cli
from ledger.commands import ACTIONS, Action
from ledger.dispatch import FAMILIES, record_class
from ledger.imports import ImportRun
from ledger.records import Index, Record

DOCS = Path(__file__).resolve().parents[1] / "docs"
CLI_MD = DOCS / "cli.md"
EVENTS_MD = DOCS / "events.md"
WIDTH = 98  # what click renders on a terminal of 100 columns or more
HELP_BLOCK = re.compile(
    r"(?P<open><!-- help: (?P<command>antq[^>]*?) -->\n)(?P<body>.*?)(?P<close><!-- end help -->)",
    re.S,
)
ACTIONS_BLOCK = re.compile(
    r"(?P<open><!-- actions -->\n)(?P<body>.*?)(?P<close><!-- end actions -->)", re.S
)
COMMON_FIELDS = {"action", "actor", "role", "source", "note"}
UNSET_ENV = {"ANTQ_DB": None, "ANTQ_ACTOR": None, "ANTQ_ROLE": None, "COLUMNS": None}


def help_text(command: str) -> str:
    """The --help output of ``command`` ("antq safety recognise"), as a user sees it."""
    args = [*command.split()[1:], "--help"]
    result = CliRunner().invoke(cli, args, prog_name="antq", terminal_width=WIDTH, env=UNSET_ENV)
    if result.exit_code != 0:
        raise ValueError(f"{command} --help failed: {result.output}")
    return result.output


def all_commands() -> list[str]:
    """Every command and group of the CLI, as typed: "antq", "antq safety", ..."""
    found = []

    def walk(command: click.Command, path: str, parent: click.Context | None) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            ctx = click.Context(command, info_name=path.split()[-1], parent=parent)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{path} {name}", ctx)

    walk(cli, "antq", None)
    return found


def _field(name: str, info: FieldInfo) -> str:
    annotation = info.annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return f"`{name}` ({', '.join(f'`{c.value}`' for c in candidate)})"
    if name == "recipients":
        return "`recipients` (list of recipients)"
    if name == "recipient":
        return "`recipient` (one recipient)"
    if typing.get_origin(annotation) is list:
        return f"`{name}` (list)"
    return f"`{name}`"


def actions_table() -> str:
    """A Markdown table of every import action: required and optional fields, and its purpose."""
    rows = ["| action | required | optional | records |", "|---|---|---|---|"]
    for name, action_class in ACTIONS.items():
        fields = {f: i for f, i in action_class.model_fields.items() if f not in COMMON_FIELDS}
        own = [f for f in fields if f not in Action.model_fields]
        ordered = [*own, "effective_on"]
        required = [_field(f, fields[f]) for f in ordered if fields[f].is_required()]
        optional = [_field(f, fields[f]) for f in ordered if not fields[f].is_required()]
        purpose = (action_class.__doc__ or "").strip().splitlines()[0]
        rows.append(f"| `{name}` | {', '.join(required)} | {', '.join(optional)} | {purpose} |")
    return "\n".join(rows) + "\n"


def rendered(text: str) -> str:
    """``text`` with every generated block filled in from the current code."""

    def help_block(match: re.Match[str]) -> str:
        body = f"```text\n{help_text(match['command']).rstrip()}\n```\n"
        return match["open"] + body + match["close"]

    text = HELP_BLOCK.sub(help_block, text)
    return ACTIONS_BLOCK.sub(lambda m: m["open"] + actions_table() + m["close"], text)


def event_names() -> list[str]:
    """``Aggregate.Event`` for every event class the ledger records."""
    names = []
    for cls in [*map(record_class, FAMILIES), Index, ImportRun]:
        for attribute, value in vars(cls).items():
            generated = attribute in ("Event", "Created")  # the library's own base classes
            if isinstance(value, type) and issubclass(value, Record.Event) and not generated:
                names.append(f"{cls.__name__}.{attribute}")
    return names


def test_cli_reference_is_up_to_date() -> None:
    current = CLI_MD.read_text(encoding="utf-8")
    expected = rendered(current)
    diff = "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True), expected.splitlines(keepends=True), "docs/cli.md"
        )
    )
    assert not diff, f"docs/cli.md is out of date; run: python -m tests.test_docs --write\n{diff}"


def test_every_command_has_a_help_section() -> None:
    documented = {m["command"] for m in HELP_BLOCK.finditer(CLI_MD.read_text(encoding="utf-8"))}
    assert [c for c in all_commands() if c not in documented] == []
    assert sorted(documented - set(all_commands())) == []


def test_every_import_action_is_in_the_event_catalogue() -> None:
    catalogue = EVENTS_MD.read_text(encoding="utf-8")
    assert [name for name in ACTIONS if f"`{name}`" not in catalogue] == []


def test_every_event_is_in_the_event_catalogue() -> None:
    catalogue = EVENTS_MD.read_text(encoding="utf-8")
    assert [name for name in event_names() if f"`{name}`" not in catalogue] == []


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_links_between_docs_point_at_headings() -> None:
    broken = []
    for page in sorted(DOCS.glob("*.md")):
        for target, anchor in re.findall(r"\]\(([\w.-]*\.md)?#([^)]+)\)", page.read_text("utf-8")):
            linked = DOCS / target if target else page
            if linked.exists() and anchor not in anchors(linked):
                broken.append(f"{page.name}: {target}#{anchor}")
    assert broken == []


def main(argv: list[str]) -> int:
    """Check docs/cli.md (exit 1 when stale), or rewrite it with ``--write``."""
    current = CLI_MD.read_text(encoding="utf-8")
    expected = rendered(current)
    if "--write" in argv:
        if expected != current:
            CLI_MD.write_text(expected, encoding="utf-8")
            print(f"rewrote {CLI_MD}")
        else:
            print(f"{CLI_MD} is up to date")
        return 0
    if expected != current:
        print(f"{CLI_MD} is out of date; run: python -m tests.test_docs --write")
        return 1
    print(f"{CLI_MD} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
