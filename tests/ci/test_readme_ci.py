"""The README's CI section works when copied: every YAML snippet parses, every upgradecheck
command in it (in YAML, in shell) parses as that command line with options that exist and
outputs whose extensions name formats, the action's inputs and the hook's id are the real ones;
and the README names every output format."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from upgradecheck import HOMEPAGE
from upgradecheck.cli import app
from upgradecheck.cli.output import destinations
from upgradecheck.render import COMPARISON_FORMATS, REPORT_FORMATS, OutputFormat

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
REPOSITORY = HOMEPAGE.removeprefix("https://github.com/")
USAGE_ERROR = typer.BadParameter.__base__  # the command line's usage errors (unknown options too)


def ci_section() -> str:
    start = README.index("## In CI")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def snippets(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(ci_section()) if lang == language]


def yaml_snippet(first_line: str) -> Any:
    (body,) = [b for b in snippets("yaml") if b.startswith(first_line)]
    return yaml.safe_load(body)


def command_line(text: str) -> list[str] | None:
    """The upgradecheck argv of a shell line (after `kubectl` or environment settings), or
    None when the line runs something else."""
    words = shlex.split(text, comments=True)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        words = words[1:]
    if words[:2] == ["kubectl", "upgradecheck"]:
        return words[2:]
    if words[:1] == ["upgradecheck"]:
        return words[1:]
    return None


def check_command(argv: list[str]) -> None:
    """Parse `argv` as the command line does (unknown commands or options, bad values and
    output files whose extension names no format all fail), without running it."""
    command: Any = typer.main.get_command(app)
    name = "upgradecheck"
    if argv and argv[0].startswith("-"):  # options of upgradecheck itself
        known = {opt for p in command.params for opt in p.opts}
        assert {a for a in argv if a.startswith("-")} <= known, argv
        return
    while hasattr(command, "commands"):
        assert argv and argv[0] in command.commands, f"no command {argv[:1]} in {name}"
        name = argv.pop(0)
        command = command.commands[name]
    context = command.make_context(name, list(argv))
    params = context.params
    if "output" in params and params["output"] is not None:
        formats = COMPARISON_FORMATS if name == "compare" else REPORT_FORMATS
        if isinstance(params["output"], list):
            destinations(formats, params.get("fmt"), params["output"])


def test_every_yaml_snippet_parses() -> None:
    bodies = snippets("yaml")
    assert len(bodies) == 3
    for body in bodies:
        assert yaml.safe_load(body)


def test_the_workflow_uses_the_action_with_its_inputs_and_uploads_sarif() -> None:
    workflow = yaml_snippet("# .github/workflows/upgradecheck.yml")
    steps = workflow["jobs"]["scan"]["steps"]
    ours = [s for s in steps if s.get("uses", "").startswith(f"{REPOSITORY}@")]
    assert len(ours) == 1
    inputs = yaml.safe_load((REPO / "action.yml").read_text())["inputs"]
    assert set(ours[0]["with"]) <= set(inputs)
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["with"]["sarif_file"] == ours[0]["with"]["sarif-file"]
    assert steps.index(upload) > steps.index(ours[0])
    assert workflow["permissions"]["security-events"] == "write"


def test_the_gitlab_job_writes_the_junit_report_it_publishes() -> None:
    job = yaml_snippet("# .gitlab-ci.yml")["upgradecheck"]
    commands = [c for c in map(command_line, job["script"]) if c is not None]
    assert commands
    for argv in commands:
        check_command(argv)
    junit = job["artifacts"]["reports"]["junit"]
    assert any("-o" in argv and junit in argv for argv in commands)
    assert junit.endswith(".xml")


def test_the_pre_commit_config_names_the_real_hook() -> None:
    config = yaml_snippet("# .pre-commit-config.yaml")
    (repo,) = config["repos"]
    assert repo["repo"] == HOMEPAGE
    declared = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    for hook in repo["hooks"]:
        entry = declared[hook["id"]]["entry"]
        argv = command_line(entry)
        assert argv is not None
        files = [] if hook.get("pass_filenames") is False else ["k8s/staged.yaml"]
        check_command([*argv, *hook.get("args", []), *files])


def test_every_shell_command_exists() -> None:
    lines = [line for body in snippets("bash") for line in body.splitlines() if line.strip()]
    commands = [c for c in map(command_line, lines) if c is not None]
    assert len(commands) >= 4
    for argv in commands:
        check_command(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "m/", "--no-such-option"],
        ["scan", "m/", "-o", "plan.pdf"],
        ["scan", "m/", "--format", "pdf"],
        ["no-such-command"],
        ["--no-such-root-option"],
    ],
)
def test_the_command_check_can_fail(argv: list[str]) -> None:
    with pytest.raises((AssertionError, USAGE_ERROR)):
        check_command(argv)


def test_the_readme_names_every_format() -> None:
    line = next(x for x in README.splitlines() if x.startswith("- `--format "))
    assert line.startswith("- `--format " + " | ".join(f.value for f in OutputFormat) + "`")
