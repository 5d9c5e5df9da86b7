"""Reading `.upgradecheck.yaml`: what a valid file gives, and one clear line for each mistake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.exception_fixtures import config

from upgradecheck.suppress import ConfigError, ObjectSelector, find_config, load_config

FULL = """\
schema: upgradecheck.config/v1
exceptions:
  - rule: single-replica
    namespaces: [batch-jobs]
    reason: "batch jobs tolerate downtime"
    expires: 2027-03-31
  - rule: api-removed
    objects:
      - Ingress shop/storefront
      - ClusterRole legacy-admin
      - {kind: CronJob, namespace: ops, name: log-rotate}
    reason: migrated in the next release train
  - rule: "*"
    labels: {team: data, critical: false}
    reason: the data team owns these
"""


def test_a_full_file() -> None:
    first, second, third = config(FULL).exceptions
    assert first.rule == "single-replica" and first.namespaces == frozenset({"batch-jobs"})
    assert first.expires == dt.date(2027, 3, 31) and first.reason == "batch jobs tolerate downtime"
    assert first.source == ".upgradecheck.yaml:3" and first.number == 1
    assert second.objects == (
        ObjectSelector("Ingress", "shop", "storefront"),
        ObjectSelector("ClusterRole", None, "legacy-admin"),
        ObjectSelector("CronJob", "ops", "log-rotate"),
    )
    assert second.expires is None and second.source == ".upgradecheck.yaml:7"
    assert third.rule == "*" and third.labels == (("critical", "false"), ("team", "data"))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "version: 1\n",
        "exceptions: []\n",
        "schema: upgradecheck.config/v1\nexceptions:\n",
    ],
)
def test_empty_files_hold_no_exceptions(text: str) -> None:
    assert config(text).exceptions == ()


def test_a_quoted_date_and_a_single_namespace_are_accepted() -> None:
    [entry] = config(
        'exceptions:\n- {rule: kubectl-skew, reason: r, namespaces: a, expires: "2027-01-02"}\n'
    ).exceptions
    assert entry.namespaces == frozenset({"a"}) and entry.expires == dt.date(2027, 1, 2)


def test_a_rule_wide_exception_needs_no_selector() -> None:
    [entry] = config("exceptions:\n- rule: kubectl-skew\n  reason: CI pins kubectl\n").exceptions
    assert entry.selects_all and entry.describe() == "kubectl-skew everywhere"


BAD = [
    ("exceptions:\n- rule: x\n  reason: [\n", ".upgradecheck.yaml:4: not valid YAML"),
    ("- rule: single-replica\n", "must be a mapping with `exceptions:`"),
    ("exception:\n- rule: single-replica\n", "unknown top-level key 'exception'"),
    ("schema: upgradecheck.config/v2\n", "schema 'upgradecheck.config/v2' is not supported"),
    ("version: 2\n", "version 2 is not supported"),
    ("exceptions: {rule: x}\n", "`exceptions` must be a list"),
    (
        "exceptions:\n- rule: single-replica\n  namespace: [a]\n  reason: r\n",
        ".upgradecheck.yaml:2: exception 1 (single-replica): unknown key 'namespace'",
    ),
    (
        "exceptions:\n- {rule: single-replicas, reason: r, namespaces: [a]}\n",
        "exception 1: unknown rule 'single-replicas' (did you mean single-replica?",
    ),
    ("exceptions:\n- {reason: r, namespaces: [a]}\n", "exception 1: `rule` is required"),
    (
        "exceptions:\n- {rule: image-latest, namespaces: [a]}\n",
        "exception 1 (image-latest): `reason` is required",
    ),
    (
        "exceptions:\n- {rule: image-latest, namespaces: [a], reason: '  '}\n",
        "`reason` is required",
    ),
    (
        "exceptions:\n- {rule: image-latest, reason: r, namespaces: [a], expires: 2027-02-30}\n",
        "`expires` must be a date written YYYY-MM-DD, not '2027-02-30'",
    ),
    (
        "exceptions:\n- {rule: image-latest, reason: r, namespaces: [a], expires: next year}\n",
        "`expires` must be a date written YYYY-MM-DD, not 'next year'",
    ),
    (
        "exceptions:\n- {rule: image-latest, reason: r, namespaces: [a], expires: 20270101}\n",
        "`expires` must be a date written YYYY-MM-DD, not 20270101",
    ),
    ("exceptions:\n- {rule: '*', reason: r}\n", "rule '*' needs namespaces, objects or labels"),
    (
        "exceptions:\n- {rule: image-latest, reason: r, objects: [Deployment]}\n",
        "object 'Deployment' must be 'Kind namespace/name' or 'Kind name'",
    ),
    (
        "exceptions:\n- {rule: image-latest, reason: r, objects: ['Deployment /web']}\n",
        "must be 'Kind namespace/name' or 'Kind name'",
    ),
    (
        "exceptions:\n- {rule: image-latest, reason: r, objects: [{kind: Deployment}]}\n",
        "needs a kind and a name",
    ),
    (
        "exceptions:\n- {rule: image-latest, reason: r, objects: [{kind: D, nam: x}]}\n",
        "unknown object key 'nam'",
    ),
    ("exceptions:\n- {rule: image-latest, reason: r, labels: [a]}\n", "`labels` must be a mapping"),
    ("exceptions:\n- {rule: image-latest, reason: r, namespaces: [1]}\n", "list of names"),
    ("exceptions:\n- just a string\n", "exception 1: must be a mapping"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_malformed_files_fail_with_one_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        config(text)
    message = str(exc.value)
    assert expected in message and "\n" not in message
    assert message.startswith(".upgradecheck.yaml")


def test_a_later_entry_is_named_with_its_line() -> None:
    text = FULL + "  - rule: image-latest\n    reason: r\n    objects: nope nope nope\n"
    with pytest.raises(ConfigError, match=r"^\.upgradecheck\.yaml:16: exception 4 \(image-latest"):
        config(text)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the exceptions file"):
        load_config(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(binary)


def test_find_config(tmp_path: Path) -> None:
    assert find_config(None, tmp_path) is None
    (tmp_path / ".upgradecheck.yaml").write_text("version: 1\n")
    assert find_config(None, tmp_path) == tmp_path / ".upgradecheck.yaml"
    assert find_config(Path("other.yaml"), tmp_path) == Path("other.yaml")
