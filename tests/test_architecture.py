"""The architecture of docs/architecture.md, held to the code: data flows one way through the
stages (no stage imports one after it), and only the command line prints or exits."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "upgradecheck"

# Each layer, with the layers it must never import (directly). A layer is a sub-package or a
# top-level module of upgradecheck; the names are those of docs/architecture.md.
FORBIDDEN: dict[str, set[str]] = {
    "model": {"knowledge", "collect", "checks", "assess", "plan", "compare", "codec", "render",
              "run", "fleet", "publish", "cli"},
    "knowledge": {"collect", "checks", "assess", "plan", "compare", "codec", "render", "run",
                  "fleet", "publish", "cli"},
    "collect": {"checks", "assess", "plan", "compare", "render", "run", "fleet", "publish",
                "cli", "suppress"},
    "checks": {"collect", "assess", "plan", "compare", "codec", "render", "run", "fleet",
               "publish", "cli", "snapshot_io"},
    "compare": {"collect", "checks", "assess", "plan", "render", "run", "fleet", "publish",
                "cli"},
    "assess": {"collect", "plan", "compare", "codec", "render", "run", "fleet", "publish", "cli"},
    "plan": {"collect", "assess", "compare", "codec", "render", "run", "fleet", "publish", "cli"},
    "codec": {"collect", "checks", "assess", "plan", "render", "run", "publish", "cli"},
    "render": {"collect", "assess", "run", "publish", "cli", "snapshot_io"},
    "run": {"render", "fleet", "publish", "cli"},
    "fleet": {"render", "publish", "cli"},
    "publish": {"checks", "assess", "plan", "compare", "run", "fleet", "cli"},
}
"""The stages of one run: collect → (Snapshot) → assess with the checks → (Report) → plan and
render; compare beside assess; run composes them for the command line; nothing but the
command line (and `python -m`) imports the command line."""

FOUNDATION = {"model", "versions", "shapes", "wording", "workloads", "nodepools", "safetext",
              "safewrite", "gcpause", "lifetime", "resources", "exit_codes", "inventory",
              "semver_range"}
"""Plain modules every stage may use; they import nothing above the model and the knowledge
base."""


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "upgradecheck"


@cache
def _imports() -> dict[str, set[tuple[str, int, str]]]:
    """Each module file's upgradecheck imports: (imported module, line, file)."""
    found: dict[str, set[tuple[str, int, str]]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        seen = found.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.startswith("upgradecheck.") and _is_module(name):
                    seen.add((name, node.lineno, str(path.relative_to(REPO))))
    return found


def _is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _violations(layer: str) -> Iterator[str]:
    banned = FOUNDATION - {"model"} if layer == "model" else set()
    banned |= FORBIDDEN.get(layer, set())
    if layer in FOUNDATION - {"model"}:
        banned |= set(FORBIDDEN) - {"model", "knowledge"}
    for module, imported in _imports().items():
        if _layer(module) != layer:
            continue
        for name, line, path in sorted(imported):
            if _layer(name) in banned:
                yield f"{path}:{line} imports {name}"


@pytest.mark.parametrize("layer", sorted(FORBIDDEN) + sorted(FOUNDATION - {"model"}))
def test_data_flows_one_way(layer: str) -> None:
    assert list(_violations(layer)) == []


def test_the_rules_see_every_layer() -> None:
    """The table above names real layers, and every layer of the package is placed in it (a
    new sub-package must say where it sits)."""
    layers = {_layer(m) for m in _imports()} - {"upgradecheck", "__main__", "errors", "cli"}
    named = set(FORBIDDEN) | FOUNDATION | {"suppress", "snapshot_io"}
    assert sorted(layers - named) == []
    assert sorted(named - layers) == []


def test_a_violation_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The import reader finds an upward import when there is one."""
    fake = {"upgradecheck.checks.fake": {("upgradecheck.render.html", 3, "checks/fake.py")}}
    monkeypatch.setattr(sys.modules[__name__], "_imports", lambda: fake)
    assert list(_violations("checks")) == ["checks/fake.py:3 imports upgradecheck.render.html"]


_PRINTS_OR_EXITS = re.compile(
    r"\bprint\(|\bsys\.(exit|stdout|stderr)\b|\bos\._exit\(|\bimport typer\b"
)


def test_only_the_command_line_prints_or_exits() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("cli", "__main__.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if _PRINTS_OR_EXITS.search(code) and not code.lstrip().startswith(('"', "`")):
                offenders.append(f"upgradecheck/{relative}:{number}: {line.strip()}")
    assert offenders == []
