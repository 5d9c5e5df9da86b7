"""The GitHub Action (action.yml) as a runner runs it: each `run:` step in bash with GitHub's
flags, its `${{ ... }}` expressions filled in from the inputs, the runner's variables set."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from upgradecheck.render import REPORT_FORMATS, OutputFormat
from upgradecheck.render.registry import format_of

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
SARIF_SCHEMA = REPO / "tests" / "render" / "schemas" / "sarif-schema-2.1.0.json"
PDB_V1BETA1 = (
    "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n"
    "metadata:\n  name: web\n  namespace: shop\nspec:\n  maxUnavailable: 1\n"
)
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def action() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return document


@dataclass
class Runner:
    """A workspace and the runner's files, as GitHub Actions provides them to a step."""

    workspace: Path
    temp: Path
    env: dict[str, str]

    def context(self, inputs: dict[str, str]) -> dict[str, str]:
        declared = action()["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs the action does not declare: {unknown}"
        values = {f"inputs.{k}": str(v.get("default", "")) for k, v in declared.items()}
        values.update({f"inputs.{k}": v for k, v in inputs.items()})
        values["github.action_path"] = str(REPO)
        return values

    def run_step(self, step: dict[str, Any], inputs: dict[str, str]) -> tuple[int, str, str]:
        """One `run:` step: its env and script expanded, run in bash as GitHub does."""
        context = self.context(inputs)

        def expand(text: str) -> str:
            def value(match: re.Match[str]) -> str:
                assert match.group(1) in context, f"unknown expression {match.group(0)}"
                return context[match.group(1)]

            return EXPRESSION.sub(value, text)

        assert step.get("shell") == "bash"
        script = self.temp / "step.sh"
        script.write_text(expand(step["run"]))
        env = {**self.env, **{k: expand(str(v)) for k, v in (step.get("env") or {}).items()}}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.returncode, done.stdout, done.stderr

    def run(self, **inputs: str) -> tuple[int, str, dict[str, str]]:
        """Every step of the action: (exit code of the last step run, its stdout, outputs)."""
        for name in ("output", "summary"):
            (self.temp / name).write_text("")
        code, out = 0, ""
        for step in action()["runs"]["steps"]:
            code, out, err = self.run_step(step, inputs)
            if code != 0:
                out += err
                break
        outputs = dict(
            line.split("=", 1) for line in (self.temp / "output").read_text().splitlines()
        )
        return code, out, outputs

    @property
    def summary(self) -> str:
        return (self.temp / "summary").read_text()


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory, install_env: dict[str, str]) -> Runner:
    """A runner whose first step installed upgradecheck from this checkout."""
    workspace = tmp_path_factory.mktemp("workspace")
    temp = tmp_path_factory.mktemp("runner-temp")
    env = {
        **install_env,
        "RUNNER_TEMP": str(temp),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(temp / "output"),
        "GITHUB_STEP_SUMMARY": str(temp / "summary"),
    }
    runner = Runner(workspace, temp, env)
    install = action()["runs"]["steps"][0]
    code, out, err = runner.run_step(install, {})
    assert code == 0, out + err
    assert "upgradecheck 0.1.0" in out
    installed = list((temp / "upgradecheck-venv").glob("lib/python*/site-packages/upgradecheck"))
    assert installed, "the install step did not install upgradecheck into its own environment"
    (workspace / "k8s").mkdir()
    (workspace / "k8s" / "pdb.yaml").write_text(PDB_V1BETA1)
    (workspace / "clean").mkdir()
    (workspace / "clean" / "web.yaml").write_text(DEPLOYMENT)
    return runner


def test_the_action_declares_the_contract_inputs() -> None:
    document = action()
    assert set(document["inputs"]) == {"paths", "target", "format", "fail-on", "sarif-file"}
    assert document["runs"]["using"] == "composite"
    assert "${{ github.action_path }}" in json.dumps(document["runs"]["steps"][0])
    # Inputs reach the scripts as variables only: never pasted into the script text.
    for step in document["runs"]["steps"]:
        assert "${{" not in step["run"]


def test_blockers_fail_the_step_and_the_sarif_is_written(runner: Runner) -> None:
    code, out, outputs = runner.run(paths="k8s", target="1.25", **{"sarif-file": "results.sarif"})
    assert code == 1
    assert outputs["exit-code"] == "1"
    assert "policy/v1beta1" in out and "Verdict" in out  # the Markdown report, in the log
    assert "policy/v1beta1" in runner.summary  # and in the job summary
    sarif = json.loads((runner.workspace / "results.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "k8s/pdb.yaml"  # relative to the workspace
    assert location["region"]["startLine"] == 1


def test_fail_on_none_passes_and_paths_split_on_white_space(runner: Runner) -> None:
    code, _, outputs = runner.run(paths="k8s\n  clean", target="1.25", **{"fail-on": "none"})
    assert code == 0 and outputs["exit-code"] == "0"
    code, _, _ = runner.run(paths="clean", target="1.25")
    assert code == 0


def test_the_action_knows_every_format_and_its_extension() -> None:
    script = action()["runs"]["steps"][1]["run"]
    cases = dict(re.findall(r"^\s*(\w+)\) ext=([\w.]+) ;;$", script, re.MULTILINE))
    assert list(cases) == [f.value for f in REPORT_FORMATS.choices]
    for name, ext in cases.items():
        assert format_of(f"report.{ext}") is OutputFormat(name)


@pytest.mark.parametrize("fmt", ["junit", "text"])
def test_other_formats_reach_the_log(runner: Runner, fmt: str) -> None:
    code, out, outputs = runner.run(paths="k8s", target="1.25", format=fmt)
    assert code == 1, out
    report = Path(outputs["report-file"])
    assert out.startswith(report.read_text()[:40])
    assert "policy/v1beta1" in report.read_text()


def test_an_unknown_format_is_an_error(runner: Runner) -> None:
    code, out, _ = runner.run(paths="k8s", format="pdf")
    assert code == 2 and "::error::upgradecheck: format 'pdf' is not one of" in out
