"""What the command line says about itself: help pages with examples kept whole and value names
instead of Python types, --format listing every format, shell completion (values of --format
included), and colours only on a terminal that does not refuse them."""

from __future__ import annotations

import importlib
import inspect
import io
import re
from pathlib import Path

import pytest
from support.cli_runner import run_cli as run

from upgradecheck.cli import AllCommands
from upgradecheck.cli.output import Destination, render_options, wants_colour
from upgradecheck.exit_codes import FailOn
from upgradecheck.render import REPORT_FORMATS, OutputFormat

COMMANDS = [
    ["plan"], ["collect"], ["scan"], ["assess"], ["compare"], ["fleet"], ["rules"], ["rbac"],
    ["kb", "apis"], ["kb", "releases"], ["kb", "skew"], ["kb", "addons"], ["kb", "removals"],
]  # fmt: skip
PYTHON_TYPES = re.compile(r"<(str|int|float|path|list\[[^>]*\]|int range|float range)>")


def help_page(monkeypatch, capsys, command: list[str]) -> str:
    code, out, _ = run(monkeypatch, capsys, *command, "--help")
    assert code == 0
    return out


def examples(command: list[str]) -> list[str]:
    """The example lines of a command's docstring."""
    name, *sub = command
    module, _, attribute = AllCommands.LAZY[name].partition(":")
    target = getattr(importlib.import_module(module), attribute)
    if sub:
        (target,) = [c.callback for c in target.registered_commands if c.name == sub[0]]
    doc = inspect.getdoc(target) or ""
    block = doc.partition("Examples:")[2]
    return [line.strip() for line in block.splitlines() if line.strip() and line.strip() != "\b"]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_values_not_python_types(monkeypatch, capsys, command: list[str]) -> None:
    page = help_page(monkeypatch, capsys, command)
    assert not PYTHON_TYPES.findall(page), PYTHON_TYPES.findall(page)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_examples_are_shown_as_written(monkeypatch, capsys, command: list[str]) -> None:
    page = [line.strip() for line in help_page(monkeypatch, capsys, command).splitlines()]
    for example in examples(command):
        assert example in page, f"{example!r} is broken up in the help"


def test_the_rbac_example_keeps_its_continuation(monkeypatch, capsys) -> None:
    page = help_page(monkeypatch, capsys, ["rbac"])
    assert "kubectl create clusterrolebinding upgradecheck \\\n" in page


def test_scan_help_says_what_current_means_for_manifests(monkeypatch, capsys) -> None:
    page = help_page(monkeypatch, capsys, ["scan"])
    assert "from the snapshot" not in page
    assert "-q, --quiet" in page


@pytest.mark.parametrize("command", [["plan"], ["scan"], ["assess"]], ids=" ".join)
def test_format_help_lists_every_format(monkeypatch, capsys, command: list[str]) -> None:
    page = " ".join(help_page(monkeypatch, capsys, command).split())
    assert "Output format: " + ", ".join(f.value for f in OutputFormat) + "." in page
    for suffix in (".html", ".md", ".checklist.md", ".json", ".sarif", ".xml", ".txt"):
        assert suffix in page


def test_show_completion_prints_a_script(monkeypatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, "--show-completion", "bash")
    assert code == 0
    assert "_UPGRADECHECK_COMPLETE=complete_bash" in out and "complete " in out


def complete(monkeypatch, capsys, words: str) -> list[str]:
    """What bash completion offers after `words`."""
    monkeypatch.setenv("_UPGRADECHECK_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split(" ")) - 1))
    code, out, _ = run(monkeypatch, capsys)
    assert code == 0
    return out.split()


def test_completion_offers_commands_and_format_values(monkeypatch, capsys) -> None:
    assert "scan" in complete(monkeypatch, capsys, "upgradecheck sc")
    offered = complete(monkeypatch, capsys, "upgradecheck scan x.yaml --format ")
    assert offered == [f.value for f in REPORT_FORMATS.choices]
    assert complete(monkeypatch, capsys, "upgradecheck assess s.json -f s") == ["sarif"]
    assert complete(monkeypatch, capsys, "upgradecheck compare a b -f ") == [
        "text", "markdown", "html", "json",
    ]  # fmt: skip


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "tty", "colour"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # https://no-color.org: present and not empty
        ({"TERM": "dumb"}, True, False),
    ],
)
def test_colour_only_on_a_terminal_that_accepts_it(monkeypatch, env, tty, colour) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    stream = Terminal() if tty else io.StringIO()
    assert wants_colour(stream) is colour
    monkeypatch.setattr("sys.stdout", stream)
    assert render_options(Destination(None, OutputFormat.TEXT), FailOn.BLOCKER).colour is colour
    # A file never gets colours, whatever the terminal.
    options = render_options(Destination(Path("r.txt"), OutputFormat.TEXT), FailOn.BLOCKER)
    assert options.colour is False and options.width is None
