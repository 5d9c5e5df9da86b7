"""The rule registry: unique stable ids, official sources, docs/rules.md in step with it, and
every rule the registered checks raise documented."""

from __future__ import annotations

import re
from pathlib import Path

from riskfixtures import cluster, context, node

from upgradecheck.checks.registry import all_checks
from upgradecheck.checks.rules import RULES, RULES_BY_ID, rules_markdown
from upgradecheck.model import ClientBinary
from upgradecheck.snapshot_io import read_snapshot

REPO = Path(__file__).resolve().parents[2]
FIXED_IDS = {
    "api-removed", "api-deprecated", "kubectl-skew", "kubelet-skew", "kube-proxy-skew",
    "upgrade-path", "helm-release-removed-api", "pdb-blocks-drain",
}  # fmt: skip


def test_ids_are_unique_kebab_case_with_https_sources() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.source.startswith("https://"), rule.id
        assert rule.title and rule.what and rule.why and rule.fix, rule.id


def test_the_contracts_fixed_ids_are_documented() -> None:
    assert set(RULES_BY_ID) >= FIXED_IDS


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()


def test_every_rule_raised_on_the_example_is_documented() -> None:
    snapshot = read_snapshot(REPO / "examples" / "cluster-1.23.snapshot.json")
    ctx = context(snapshot, current="1.23", target="1.26")
    raised = {f.rule for check in all_checks() for f in check.run(ctx)}
    assert raised <= set(RULES_BY_ID)
    extra = cluster(
        nodes=[node("n", "v1.20.1")], clients=[ClientBinary("kubectl", "/k", "v1.19.0")]
    )
    raised = {f.rule for check in all_checks() for f in check.run(context(extra))}
    assert raised <= set(RULES_BY_ID) and {"kubelet-skew", "kubectl-skew"} <= raised
