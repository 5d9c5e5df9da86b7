"""Each command imports what it uses and nothing more: `scan FILE` runs on every commit and its
start-up is most of its time, so a command does not pay for the cluster client, the
templates' engine, pydantic or the other commands' renderers. Each command runs in a fresh
interpreter, which reports the modules it ended with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.resources import deprecations_dir

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO / "examples" / "cluster-1.23.snapshot.json"
MANIFEST = REPO / "examples" / "manifests"
CHART = REPO / "tests" / "fixtures" / "charts" / "pdb-capabilities"
KUSTOMIZATION = REPO / "tests" / "fixtures" / "kustomize" / "shop"

# Runs the console script's entry point, then writes the names of every imported module.
DRIVER = """
import json, os, sys
from upgradecheck.cli import main
sys.argv = ["upgradecheck", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code
with open(os.environ["MODULES_OUT"], "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""

CLUSTER = {"kubernetes", "urllib3", "upgradecheck.collect.cluster"}
"""What reaching a cluster takes."""
NEVER = {"pydantic", "rich"}
"""What no command needs: Typer's conversion of values and its rich help are not used."""
TEMPLATES = {"jinja2"}
CHARTS = {"upgradecheck.collect.helm.render", "upgradecheck.collect.helm.fallback",
          "upgradecheck.collect.helm.chart"}
"""What a chart folder takes (helm, or the template-aware fallback): no plain manifest."""
KUSTOMIZE = {"upgradecheck.collect.kustomize"}
CHECKS = {"upgradecheck.checks"}
"""Every check, and the rule table gathered from them: what assessing takes."""
PARSING_THE_KB = {"upgradecheck.knowledge._yaml"}
"""Parsing the knowledge base's YAML: not once its parse is cached."""
WRITING_FILES = {"upgradecheck.safewrite"}
"""Replacing an -o file safely (it imports `secrets`): not for standard output."""
SCANNING = {"upgradecheck.collect.files", "upgradecheck.collect.binaries",
            "upgradecheck.collect.helm", "upgradecheck.collect.yaml_documents"}
"""Reading manifests, and running helm and kubectl for their folders: what `scan` takes."""
VIEWS = {"upgradecheck.render.view", "upgradecheck.plan"}
"""What the documents for people are built from (the plan among them): not a JSON report."""
PUBLISHING = {"upgradecheck.publish"}
"""Writing PolicyReports into a cluster (`--publish`)."""
RENDERERS = {
    f"upgradecheck.render.{name}"
    for name in (
        "html",
        "markdown",
        "checklist",
        "json_report",
        "text",
        "sarif",
        "junit",
        "policyreport",
    )
}


def imported(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    # As on a user's machine after the first run, the knowledge base is cached (in
    # the session's cache folder: conftest).
    load_knowledge_base(deprecations_dir())
    out = tmp_path / "modules.json"
    env = {**os.environ, "MODULES_OUT": str(out)}
    subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    found = json.loads(out.read_text())
    return int(found["code"] or 0), set(found["modules"])


def roots(modules: set[str], names: set[str]) -> set[str]:
    """Those of `names` imported (a name counts when it or a module below it is)."""
    return {n for n in names if any(m == n or m.startswith(n + ".") for m in modules)}


CASES: list[tuple[list[str], set[str], set[str]]] = [
    (["--version"], set(), CLUSTER | TEMPLATES | RENDERERS | {"yaml"} | CHECKS),
    (
        ["scan", str(MANIFEST)],
        {"upgradecheck.render.text", "yaml"} | CHECKS,
        CLUSTER | TEMPLATES | (RENDERERS - {"upgradecheck.render.text"}) | CHARTS | KUSTOMIZE
        | PARSING_THE_KB | WRITING_FILES
        | {"cryptography", "upgradecheck.compare", "upgradecheck.fleet",
           "upgradecheck.snapshot_io", "upgradecheck.cli.assess_cmd"},
    ),
    (["scan", str(CHART)], CHARTS, CLUSTER | TEMPLATES | KUSTOMIZE | PARSING_THE_KB),
    (["scan", str(KUSTOMIZATION)], KUSTOMIZE, CLUSTER | TEMPLATES | CHARTS | PARSING_THE_KB),
    (["scan", str(MANIFEST), "-o", "report.json"], WRITING_FILES, CLUSTER | TEMPLATES),
    (
        ["scan", str(MANIFEST), "--format", "json"],
        {"upgradecheck.render.json_report"},
        CLUSTER | TEMPLATES | (RENDERERS - {"upgradecheck.render.json_report"}),
    ),
    (
        ["scan", str(MANIFEST), "--format", "markdown"],
        {"upgradecheck.render.markdown", "jinja2"},
        CLUSTER | (RENDERERS - {"upgradecheck.render.markdown"}),
    ),
    (
        ["assess", str(SNAPSHOT), "--format", "json"],
        {"upgradecheck.render.json_report", "upgradecheck.snapshot_io"},
        CLUSTER | TEMPLATES | (RENDERERS - {"upgradecheck.render.json_report"}) | SCANNING | VIEWS
        | PUBLISHING
        # Without an exceptions file, and with the knowledge base's parse cached, no YAML.
        | {"yaml", "upgradecheck.compare", "upgradecheck.fleet", "upgradecheck.cli.scan_cmd"},
    ),
    (
        ["assess", str(SNAPSHOT), "--format", "html"],
        {"upgradecheck.render.html", "jinja2"},
        CLUSTER | (RENDERERS - {"upgradecheck.render.html"}),
    ),
    (["rules"], CHECKS, CLUSTER | TEMPLATES | RENDERERS),
    # The exceptions file's reader names the rules only when a file gives one.
    (["kb", "apis", "--removed-by", "1.25"], set(), CLUSTER | TEMPLATES | RENDERERS | CHECKS),
    (["schema", "report"], set(), CLUSTER | TEMPLATES | RENDERERS),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "needs", "unneeded"), CASES, ids=[" ".join(Path(a).name for a in c[0]) for c in CASES]
)
def test_a_command_imports_only_what_it_uses(
    tmp_path: Path, args: list[str], needs: set[str], unneeded: set[str]
) -> None:
    code, modules = imported(tmp_path, *args)
    assert code in (0, 1)  # 1: findings at or above --fail-on
    assert roots(modules, needs) == needs
    assert roots(modules, unneeded | NEVER) == set()


def test_the_layers_errors_still_give_their_codes(tmp_path: Path) -> None:
    # The layers' exception bases are imported when an error is classified, not at start-up.
    code, modules = imported(tmp_path, "assess", str(tmp_path / "missing.json"))
    assert code == 2
    assert roots(modules, CLUSTER | TEMPLATES) == set()


def test_the_console_scripts_leave_the_collector_off(tmp_path: Path) -> None:
    # The process's entry points import the command line with the cyclic collector off, and
    # leave every object out of its reach at exit (the interpreter's last collections would
    # walk them all to free nothing).
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('freeze', gc.get_freeze_count() > 0, gc.isenabled()))\n"
        "import upgradecheck.__main__ as entry\n"
        "sys.argv = ['upgradecheck', '--version']\n"
        "entry.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=tmp_path, check=False, timeout=120)  # fmt: skip
    assert done.returncode == 0 and done.stdout.splitlines() == [
        "upgradecheck 0.1.0", "freeze True False"
    ], done.stderr
    with (REPO / "pyproject.toml").open("rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    assert scripts == {
        "upgradecheck": "upgradecheck.__main__:main",
        "kubectl-upgradecheck": "upgradecheck.__main__:kubectl_plugin",
    }
