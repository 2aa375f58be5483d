"""Fuzz of every CLI verb: wrong types, missing and unknown options, huge, control-character and
invalid-UTF-8 values, bad dates, moments and --db URLs. Each ends with exit 1 or 2 and an
``Error: …`` naming the option (or argument), never a traceback, and the ledger unchanged.

ANTQ_FUZZ_EXAMPLES=5000 runs every test with that many examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from cli.main import cli
from ledger.commands import ACTIONS

from .conftest import NAMED_UNITS, RULE_VALID, TRIED, VALID, Fixed, fuzz_settings
from .test_fuzz_import import BAD_DATES, CONTROLS, HUGE, NOT_A_WHOLE_NUMBER, spellings

CLERK = "Nguyễn Thị Thư Ký"
RUNNER = CliRunner()
RECORDING = {name: action for name, action in ACTIONS.items() if not name.startswith("person.")}
SURROGATES = ["\udcff", "\udcc3\udc28", "\ud800", "\udfff"]  # invalid UTF-8 in argv, as Python
BAD_MOMENTS = ["2024-13-01", "31/02/2024", "29/5", "2024-01-01T25:00", "hôm qua", "", "1e9",
               "2024-01-01T00:00:00+25:00", "2024-01-01 12:00 ICT", "T12:00"]  # fmt: skip
BAD_DB = ["mysql://db/antq", "sqlite://", "sqlite:///", "sqlite:///no/such/folder/antq.db",
          "sqlite:relative.db", "antq.db", "", "http://example.com/antq", "sqlite:///.",
          "sqlite:///\udcff/antq.db", "oracle://x"]  # fmt: skip


def run(fixed: Fixed, *args: str, actor: str | None = CLERK) -> Result:
    options = ["--db", fixed.url, *(["--actor", actor] if actor else [])]
    result = RUNNER.invoke(cli, [*options, *args], prog_name="antq", env={"ANTQ_DB": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args[:4],
        result.output[:2000],
        result.exc_info,
    )
    assert "Traceback" not in result.output
    return result


def check_refused(
    fixed: Fixed, args: list[str], names: str | tuple[str, ...], codes=(1, 2), **kwargs: Any
) -> None:
    """The command must fail with one of ``codes``, an ``Error:`` line, ``names`` (or one of
    them) said after it, and the ledger as it was."""
    result = run(fixed, *args, **kwargs)
    shown = ([a[:80] for a in args], result.output[-1500:])
    assert result.exit_code in codes, shown
    error = result.output.find("Error: ")
    assert error >= 0, shown
    said = result.output[error:].casefold()
    names = (names,) if isinstance(names, str) else names
    assert any(name.casefold() in said for name in names), (names, *shown)
    fixed.assert_unchanged(shown)


def verb_args(action: str) -> list[str]:
    """The command line of the valid template of ``action``."""
    family, verb = action.split(".")
    return [family, verb, *options_of(action, VALID[action])]


def options_of(action: str, fields: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for field, value in fields.items():
        if field == "recipients":
            for recipient in value:
                if "unit" in recipient:
                    args += ["--collective", recipient["unit"]]
                else:
                    person = recipient["person"]
                    args += ["--individual", f"{person['name']}@{person['unit']}"]
        elif field == "recipient":
            person = value["person"]
            args += ["--unit", person["unit"], "--name", person["name"]]
        elif isinstance(value, list):
            for item in value:
                args += [option(field), str(item)]
        else:
            args += [option(field), str(value)]
    return args


def option(field: str) -> str:
    return "--on" if field == "effective_on" else "--" + field.replace("_", "-")


def replace_option(args: list[str], name: str, value: str) -> list[str]:
    at = args.index(name)
    return [*args[: at + 1], value, *args[at + 2 :]]


def command_tree() -> dict[str, click.Command]:
    """Every leaf command by its path, e.g. 'audit verify'."""
    leaves: dict[str, click.Command] = {}

    def walk(prefix: str, group: click.Group) -> None:
        context = click.Context(group)
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None
            path = f"{prefix} {name}".strip()
            if isinstance(command, click.Group):
                walk(path, command)
                if command.invoke_without_command:
                    leaves[path] = command
            else:
                leaves[path] = command

    walk("", cli)
    return leaves


# --- recording verbs -------------------------------------------------------------------------

recording_actions = st.sampled_from(sorted(RECORDING))


@st.composite
def missing_option(draw: st.DrawFn) -> tuple[list[str], str]:
    action = draw(recording_actions)
    args = verb_args(action)
    command = command_tree()[" ".join(args[:2])]
    required = [p for p in command.params if p.required]
    dropped = draw(st.sampled_from(required))
    for name in dropped.opts:
        while name in args:
            at = args.index(name)
            args = args[:at] + args[at + 2 :]
    TRIED["cli: required option missing"] += 1
    return args, f"Missing option '{dropped.opts[0]}'"


def bad_values(action: str, name: str) -> list[str]:
    if name == "--on":
        return [d for d in BAD_DATES if isinstance(d, str)]
    if name in ("--year", "--line"):
        bad = [v for v in NOT_A_WHOLE_NUMBER if isinstance(v, str)] + ["1944", "2101", "0"]
        return bad if name == "--year" else [*bad[:-3], "0", "-1"]
    if name in ("--kind", "--level", "--form"):
        return ["Province", "xã", "bằng_khen", "", "unknown", "commune\x00"]
    return ["", "   "]


@st.composite
def wrong_value(draw: st.DrawFn) -> tuple[list[str], str]:
    action = draw(recording_actions)
    args = verb_args(action)
    present = [a for a in args[2:] if a.startswith("--")]
    name = draw(st.sampled_from(present))
    value = draw(st.sampled_from(bad_values(action, name)))
    TRIED["cli: wrong type or value"] += 1
    return replace_option(args, name, value), "-on" if name == "--on" else name


@st.composite
def bad_text(draw: st.DrawFn) -> tuple[list[str], str]:
    """A huge, control-character or invalid-UTF-8 value in a text option."""
    action = draw(recording_actions)
    args = verb_args(action)
    present = [  # options with a value long enough to put a character inside it
        a
        for i, a in enumerate(args[2:], start=2)
        if a.startswith("--") and a not in ("--kind", "--level", "--form") and len(args[i + 1]) >= 2
    ]
    name = draw(st.sampled_from(present))
    value = args[args.index(name) + 1]
    kind = draw(st.sampled_from(["huge", "control", "surrogate"]))
    if kind == "huge":
        value = (draw(st.sampled_from(["x", "ệ", "9"])) * HUGE)[:HUGE]
    else:
        at = draw(st.integers(1, len(value) - 1))
        bad = draw(st.sampled_from(CONTROLS if kind == "control" else SURROGATES))
        value = value[:at] + bad + value[at:]
    TRIED[f"cli: {kind} value"] += 1
    return replace_option(args, name, value), "-on" if name == "--on" else name


@st.composite
def unknown_option(draw: st.DrawFn) -> tuple[list[str], str]:
    args = verb_args(draw(recording_actions))
    name = draw(
        st.one_of(
            st.sampled_from(["--bogus", "--year-of", "--effective", "--db", "--actor", "-x"]),
            st.from_regex(r"--[a-z][a-z-]{0,15}", fullmatch=True),
        ).filter(lambda n: n not in args and n not in ("--on", "--effective-on"))
    )
    at = draw(st.integers(1, len(args) // 2)) * 2  # between two options, not inside one
    args = [*args[:at], name, "x", *args[at:]]
    TRIED["cli: unknown option"] += 1
    return args, "No such option"


@st.composite
def extra_argument(draw: st.DrawFn) -> tuple[list[str], str]:
    args = verb_args(draw(recording_actions))
    extra = draw(st.sampled_from(["x", "TN-X1", "2023", "Xã Hòa Bình"]))
    TRIED["cli: extra argument"] += 1
    return [*args, extra], "unexpected extra argument"


@st.composite
def unknown_unit(draw: st.DrawFn) -> tuple[list[str], str]:
    action = draw(st.sampled_from([a for a in RULE_VALID if "unit" in VALID[a]]))
    args = verb_args(action)
    value = draw(st.sampled_from(["TN-X9", "Xã Hoa Bình", "Phường Phú Thụy", "TN X1", "KHONG"]))
    TRIED["cli: unknown unit"] += 1
    return replace_option(args, "--unit", value), "is not registered"


@st.composite
def bad_actor(draw: st.DrawFn) -> tuple[list[str], str]:
    action = draw(st.sampled_from(RULE_VALID))
    which = draw(st.sampled_from(["--actor", "--role"]))
    bad = ["a\x00b", "a\x1b[31mb", "a\u202eb", "a\udcffb", "x" * HUGE]
    if which == "--actor":  # a blank actor is no actor (a blank role is the default role)
        bad += ["", "   "]
    value = draw(st.sampled_from(bad))
    TRIED["cli: bad --actor / --role"] += 1
    return [which, value, *verb_args(action)], which.lstrip("-")


@fuzz_settings(300)
@given(
    case=st.one_of(
        missing_option(),
        wrong_value(),
        bad_text(),
        unknown_option(),
        extra_argument(),
        bad_actor(),
    )
)
def test_a_bad_recording_command_is_refused(fixed: Fixed, case) -> None:
    args, names = case
    actor = None if args[0] == "--actor" else CLERK
    check_refused(fixed, args, names, actor=actor)


@fuzz_settings(40)
@given(case=unknown_unit())
def test_an_unknown_unit_is_refused_by_the_rules(fixed: Fixed, case) -> None:
    args, names = case
    check_refused(fixed, args, names, codes=(1,))


def test_every_recording_verb_is_generated() -> None:
    assert {" ".join(a.split(".")) for a in RECORDING} <= set(command_tree())


@pytest.mark.parametrize("action", [a for a in RULE_VALID if a in RECORDING])
def test_the_command_lines_the_fuzz_spoils_are_valid(fixed: Fixed, action: str) -> None:
    result = run(fixed, *verb_args(action))
    assert result.exit_code == 0 and result.output.startswith("recorded #"), result.output


@pytest.mark.parametrize("spelling", spellings(NAMED_UNITS["TN-X1"]))
def test_a_unit_named_in_nfd_or_mixed_tone_is_the_same_unit(fixed: Fixed, spelling: str) -> None:
    result = run(fixed, "safety", "register", "--unit", spelling, "--year", "2024", "--on",
                 "10/02/2024")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("recorded #") and "safety TN-X1 2024 Registered" in (
        result.output
    )
    for read in (
        ["history", "unit", spelling],
        ["standings", "--year", "2023", "--scope", spelling],
    ):
        assert run(fixed, *read).exit_code == 0


# --- reading, audit, bulk and storage verbs --------------------------------------------------

READ_CASES: list[tuple[list[str], str, tuple[int, ...]]] = [
    (["history", "flat", "TN"], "'flat' is not one of", (2,)),
    (["history", "unit"], "KEY", (2,)),
    (["history", "unit", "TN", "2023"], "KEY", (2,)),
    (["history", "safety", "TN-X1"], "KEY", (2,)),
    (["history", "award", "UBND-TN", "54.307", "12/QĐ-UBND"], "award", (1, 2)),
    (["history", "unit", "TN-X9"], "TN-X9", (1,)),
    (["history", "unit", "TN", "--version", "0"], "--version", (2,)),
    (["history", "unit", "TN", "--version", "54.307"], "--version", (2,)),
    (["history", "person", "zz"], "person", (1, 2)),
    (["history", "person", "0" * 32], "person", (1, 2)),
    (["log", "--since", "-1"], "--since", (2,)),
    (["log", "--since", "54.307"], "--since", (2,)),
    (["log", "--limit", "0"], "--limit", (2,)),
    (["log", "--limit", "x"], "--limit", (2,)),
    (["standings"], "--year", (2,)),
    (["standings", "--year", "54.307"], "--year", (2,)),
    (["standings", "--year", "1944"], "--year", (2,)),
    (["standings", "--year", "2023", "--scope", "TN-X9"], "TN-X9", (1,)),
    (["standings", "--year", "2023", "--scope", "Thôn"], "Thôn", (1,)),
    (["projections", "status", "--json", "x"], "unexpected extra argument", (2,)),
    (["projections", "follow", "--poll", "0"], "--poll", (2,)),
    (["projections", "follow", "--poll", "x"], "--poll", (2,)),
    (["export"], "--format", (2,)),
    (["export", "--format", "pdf", "--out", "x"], "--format", (2,)),
    (["export", "--format", "csv", "--out", "x", "--year", "1800"], "--year", (2,)),
    (["export", "--format", "csv", "--out", "x", "--scope", "TN-X9"], "TN-X9", (1,)),
    (["export", "verify", "no-such-folder"], "FOLDER", (2,)),
    (["report"], "--year", (2,)),
    (["report", "--year", "2023", "--out", "x.html", "--open-days", "0"], "--open-days", (2,)),
    (["report", "--year", "2023", "--out", "x.html", "--format", "doc"], "--format", (2,)),
    (["report", "--year", "2023", "--out", "x.html", "--lang", "fr"], "--lang", (2,)),
    (["report", "--year", "2023", "--out", "x.html", "--scope", "TN-X9"], "TN-X9", (1,)),
    (["report", "verify", "no-such-file.html"], "FILE", (2,)),
    (["audit", "verify", "--digest", "no-such.json"], "--digest", (2,)),
    (["audit", "prove", "unit", "TN-X9"], "TN-X9", (1,)),
    (["audit", "prove", "nothing", "TN"], "'nothing' is not one of", (2,)),
    (["audit", "check-proof", "no-such.json"], "PROOF_FILE", (2,)),
    (["audit", "check-proof", "no-such.json", "--public-key", "zz"], "PROOF_FILE", (2,)),
    (["person", "show", "zz"], "person", (2,)),
    (["person", "show", "0" * 32], "0" * 32, (1,)),
    (["person", "erase", "0" * 32], "--reason", (2,)),
    (["person", "erase", "zz", "--reason", "x"], "person", (2,)),
    (["import"], "FILE", (2,)),
    (["import", "no-such.jsonl"], "FILE", (2,)),
    (["demo", "--year", "2023"], "No such option", (2,)),
    (["migrate"], "--from", (2,)),
    (["migrate", "--from", "mysql://x/y", "--to", "sqlite:///copy.db"], "mysql", (1, 2)),
    (["audit", "digest", "--out", "no/such/folder/checkpoint.json"], "no/such/folder", (1, 2)),
    (["audit", "public-key", "x"], "unexpected extra argument", (2,)),
    (["projections", "rebuild", "--since", "1"], "No such option", (2,)),
    (["doctor", "--no-such-option"], "No such option", (2,)),
    (["nothing"], "No such command", (2,)),
    (["unit", "nothing"], "No such command", (2,)),
]


def test_every_verb_has_bad_cases() -> None:
    """The table above and the generated cases cover every leaf command."""
    tree = set(command_tree())
    covered = {" ".join(a.split(".")) for a in RECORDING}
    for args, _, _ in READ_CASES:
        words = [a for a in args if not a.startswith("-")]
        covered |= {" ".join(words[:n]) for n in (1, 2)} & tree
    assert tree - covered == set(), tree - covered


@pytest.mark.parametrize(("args", "names", "codes"), READ_CASES, ids=lambda v: str(v)[:40])
def test_a_bad_reading_command_is_refused(
    fixed: Fixed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args, names, codes
) -> None:
    monkeypatch.chdir(tmp_path)
    TRIED["cli: bad reading / audit / bulk command"] += 1
    check_refused(fixed, args, names, codes)
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.html").exists()


KEYS = {"unit": ["TN"], "model": ["MH-CAM"], "award": ["UBND-TN", "2023", "12/QĐ-UBND"],
        "safety": ["TN-X1", "2023"], "dispute": ["TN-X1", "HG-01"]}  # fmt: skip


@st.composite
def bad_read(draw: st.DrawFn) -> tuple[list[str], str]:
    """history, audit prove, standings, export and report with a spoiled argument."""
    kind = draw(st.sampled_from(sorted(KEYS)))
    key = list(KEYS[kind])
    at = draw(st.integers(0, len(key) - 1))
    mode = draw(st.sampled_from(["huge", "control", "surrogate", "date", "moment", "scope"]))
    TRIED[f"cli: reading verb, {mode}"] += 1
    verb = draw(st.sampled_from([["history"], ["audit", "prove"]]))
    if mode in ("huge", "control", "surrogate"):
        bad = {"huge": ["x" * HUGE, "ệ" * HUGE], "control": CONTROLS, "surrogate": SURROGATES}
        piece = draw(st.sampled_from(bad[mode]))
        key[at] = piece if mode == "huge" else key[at][:1] + piece + key[at][1:]
        # safety and dispute keys start with a unit, which is looked up first
        return [*verb, kind, *key], (kind, "unit")
    if mode == "date":
        value = draw(st.sampled_from([d for d in BAD_DATES if isinstance(d, str)]))
        where = draw(st.sampled_from([["history", kind, *key], ["standings", "--year", "2023"]]))
        return [*where, "--as-of", value], "--as-of"
    if mode == "moment":
        value = draw(st.sampled_from(BAD_MOMENTS))
        where = draw(st.sampled_from([["history", kind, *key], ["standings", "--year", "2023"]]))
        return [*where, "--known-at", value], "--known-at"
    value = draw(st.sampled_from(["TN-X9", "x" * HUGE, "T\x00N", "T\udcffN", "Xã Hoa Bình"]))
    where = draw(
        st.sampled_from(
            [["standings", "--year", "2023"], ["export", "--format", "csv", "--out", "x"],
             ["report", "--year", "2023", "--out", "x.html"]]
        )
    )  # fmt: skip
    return [*where, "--scope", value], "unit"


@fuzz_settings(250)
@given(case=bad_read())
def test_a_bad_reading_argument_is_refused(
    fixed: Fixed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case
) -> None:
    monkeypatch.chdir(tmp_path)
    args, names = case
    check_refused(fixed, args, names)
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.html").exists()


@fuzz_settings(60)
@given(
    url=st.sampled_from(BAD_DB),
    verb=st.sampled_from([["log"], ["audit", "verify"], ["history", "unit", "TN"],
                          ["unit", "dissolve", "--code", "TN-X2-K2", "--on", "2024-01-01"]]),
)  # fmt: skip
def test_a_bad_db_url_is_refused(
    fixed: Fixed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, verb: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    files = sorted(tmp_path.iterdir())
    TRIED["cli: bad --db URL"] += 1
    check_refused(fixed, ["--db", url, *verb], "--db", codes=(2,))
    assert sorted(tmp_path.iterdir()) == files
