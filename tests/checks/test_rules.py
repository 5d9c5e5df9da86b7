"""The rule table: gathered from the rules each registered check declares, every id declared
once with an official source, every finding raised under a rule of the check that raised it,
and docs/rules.md in step with the declarations."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from support.riskfixtures import cluster, context, node

from upgradecheck.checks.registry import CHECKS, all_checks
from upgradecheck.checks.rules import RULES, RULES_BY_ID, rules_markdown
from upgradecheck.model import ClientBinary, Severity
from upgradecheck.snapshot_io import read_snapshot

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "upgradecheck"
FIXED_IDS = {
    "api-removed", "api-deprecated", "kubectl-skew", "kubelet-skew", "kube-proxy-skew",
    "upgrade-path", "helm-release-removed-api", "pdb-blocks-drain",
}  # fmt: skip


def declarations() -> list[tuple[str, str, str]]:
    """Every `NAME = Rule(id=...)` in upgradecheck/checks: (module, NAME, id)."""
    found = []
    for path in sorted((PACKAGE / "checks").glob("*.py")):
        for n in ast.parse(path.read_text(encoding="utf-8")).body:
            if not (isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)):
                continue
            if not (isinstance(n.value.func, ast.Name) and n.value.func.id == "Rule"):
                continue
            [target] = n.targets
            [rule_id] = [k.value for k in n.value.keywords if k.arg == "id"]
            assert isinstance(target, ast.Name) and isinstance(rule_id, ast.Constant)
            found.append((f"upgradecheck.checks.{path.stem}", target.id, str(rule_id.value)))
    return found


def test_ids_are_unique_kebab_case_with_https_sources() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.source.startswith("https://") and rule.help_uri == rule.source, rule.id
        assert rule.title and rule.what and rule.why and rule.fix, rule.id
        assert isinstance(rule.severity, Severity), rule.id
        assert rule.doc_anchor == f"docs/rules.md#{rule.id}"


def test_the_contracts_fixed_ids_are_documented() -> None:
    assert set(RULES_BY_ID) >= FIXED_IDS


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()


def test_every_declared_rule_belongs_to_exactly_one_registered_check() -> None:
    owners: dict[str, list[str]] = {}
    for check in CHECKS:
        assert check.rules, f"{check.__name__} declares no rule"
        for rule in check.rules:
            owners.setdefault(rule.id, []).append(check.__name__)
    assert {rule_id: names for rule_id, names in owners.items() if len(names) > 1} == {}
    found = declarations()
    ids = [rule_id for _, _, rule_id in found]
    assert sorted(ids) == sorted(set(ids)), "a rule id is declared twice"
    # Declared in a check module and listed by a registered check, and nothing else.
    assert set(ids) == set(RULES_BY_ID)
    for module, name, rule_id in found:
        # Named after its id (`pdb-blocks-drain` is PDB_BLOCKS_DRAIN), the very rule gathered.
        assert name == rule_id.upper().replace("-", "_"), (module, name)
        assert getattr(importlib.import_module(module), name) is RULES_BY_ID[rule_id]


def test_every_finding_is_raised_under_a_rule_its_check_declares() -> None:
    example = read_snapshot(REPO / "examples" / "cluster-1.23.snapshot.json")
    extra = cluster(
        nodes=[node("n", "v1.20.1")],
        clients=[
            ClientBinary("kubectl", "/k", "v1.19.0"),
            ClientBinary("helm", "/h", "v3.8.0"),
        ],
    )
    raised: set[str] = set()
    for ctx in (context(example, current="1.23", target="1.26"), context(extra)):
        for check in all_checks():
            own = {r.id for r in check.rules}
            for f in check.run(ctx):
                assert f.rule in own, (type(check).__name__, f.rule)
                raised.add(f.rule)
    assert {"api-removed", "kubelet-skew", "kubectl-skew", "helm-client-skew"} <= raised


def test_checks_build_findings_only_through_their_rules() -> None:
    # Rule.finding is the one place a Finding is made: it links the rule's source.
    for path in sorted((PACKAGE / "checks").glob("*.py")):
        if path.name == "rule.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Finding"
        ]
        assert calls == [], f"{path.name} builds Finding(...) at lines {calls}"


def test_rule_ids_are_written_only_in_their_declarations() -> None:
    # The modules that raise and plan findings refer to the declared Rule, never its id text.
    ids = set(RULES_BY_ID)
    for folder in ("checks", "plan"):
        for path in sorted((PACKAGE / folder).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            declarations = {
                id(kw.value)
                for n in ast.walk(tree)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Rule"
                for kw in n.keywords
                if kw.arg == "id"
            }
            strays = [
                (n.lineno, n.value)
                for n in ast.walk(tree)
                if isinstance(n, ast.Constant)
                and n.value in ids
                and id(n) not in declarations
            ]
            assert strays == [], f"{folder}/{path.name}: {strays}"
